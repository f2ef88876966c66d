"""A building's two documents — its convention (居民公约) and its rules of procedure (议事规则)
— their versions, and the amendments that change them by vote.

A version is in force from the moment the vote on its amendment decides ``adopted``; the
document keeps the number in force (0 while it has none). An amendment names the version it
changes (``base_number``) and is refused once that version is no longer in force. A rules of
procedure version carries ``parameters``: the complete rules of the building (domain/places.py
``BuildingRules``), which the building's ``rules`` equal while it is in force.

Pure rules: what an amendment may carry, when its vote may open, and the diff shown while
the building deliberates."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Conflict, RuleViolation
from domain.places import BuildingRules

KINDS = ("convention", "rules_of_procedure")
PROPOSAL_KINDS = ("general", "document_amendment")
# An amendment is decided by the building's households under a rule with a quorum (the
# Civil Code's participation of two thirds of households and area), never by a bare majority.
QUORUM_RULES = ("civil_code_ordinary", "civil_code_major")
CONTEXT_LINES = 3


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    street_id: str
    community_id: str
    building_id: str
    kind: str
    number_in_force: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    street_id: str
    community_id: str
    building_id: str
    document_id: str
    kind: str
    number: int
    text: str
    parameters: dict[str, Any] | None
    adopted_at: datetime
    adopted_by_proposal_id: str | None
    filed_at: datetime | None
    filed_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Amendment:
    """What an amendment proposal carries, as stored on the proposal (``parameters``
    complete for rules of procedure, None for a convention)."""

    document: str
    base_number: int
    text: str
    parameters: dict[str, Any] | None = None
    base_parameters: dict[str, Any] | None = None  # the rules it was raised against (for the diff once adopted)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Amendment:
        return cls(document=stored["document"], base_number=stored["base_number"], text=stored["text"],
                   parameters=stored.get("parameters"), base_parameters=stored.get("base_parameters"))

    def to_stored(self) -> dict[str, Any]:
        return {"document": self.document, "base_number": self.base_number, "text": self.text,
                "parameters": self.parameters, "base_parameters": self.base_parameters}


def check_kind(kind: str, has_amendment: bool) -> None:
    """An amendment comes with ``kind: document_amendment`` and only with it (422
    ``amendment_kind_mismatch``)."""
    if (kind == "document_amendment") != has_amendment:
        raise RuleViolation("amendment_kind_mismatch", {"kind": kind})


def amendment_of(document: str, base_number: int, text: str, changes: dict[str, Any] | None,
                 base_parameters: BuildingRules) -> Amendment:
    """The amendment to store. A convention carries no parameters (422
    ``amendment_parameters_not_allowed``). For rules of procedure, ``changes`` are checked
    field by field exactly as a ``PATCH`` of the building's rules is, and applied to the
    parameters of the base (the version in force, or the building's rules while none is), so
    the stored parameters are always complete."""
    if document == "convention":
        if changes is not None:
            raise RuleViolation("amendment_parameters_not_allowed")
        return Amendment(document, base_number, text, None)
    parameters = base_parameters.changed(changes or {}, "body.amendment.parameters")
    return Amendment(document, base_number, text, parameters.to_stored(), base_parameters.to_stored())


def ensure_base_in_force(base_number: int, number_in_force: int) -> None:
    """409 ``document_amendment_stale`` once the version the amendment changes is no longer
    in force (another amendment was adopted in between)."""
    if base_number != number_in_force:
        raise Conflict("document_amendment_stale", {"base_number": base_number, "number_in_force": number_in_force})


def ensure_quorum_rule(rule: str) -> None:
    if rule not in QUORUM_RULES:
        raise RuleViolation("amendment_quorum_required", {"rule": rule, "allowed": list(QUORUM_RULES)})


def ensure_single_option(options: int) -> None:
    """An amendment is voted yes / no / abstain on its one option (the amendment itself)."""
    if options != 1:
        raise RuleViolation("amendment_single_option", {"options": options})


def parameters_in_force(version_parameters: dict[str, Any] | None, building_rules: BuildingRules) -> BuildingRules:
    return building_rules if version_parameters is None else BuildingRules.from_stored(version_parameters)


# The diff. difflib is the standard library's: its SequenceMatcher finds the longest matching
# blocks without junk heuristics surprising a reader of Chinese text, its grouped opcodes are
# exactly the hunks of a unified diff (``diff -u``), and it needs no dependency for a document
# of a few hundred lines. The same opcodes give the text and the structured lines, so the two
# always agree.

@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a unified diff: ``hunk`` (its header in ``text``), ``context``,
    ``removed`` (from the version in force) or ``added`` (by the amendment), with its line
    number (1-based) in the old and new text where it has one."""

    kind: str
    text: str
    old_number: int | None
    new_number: int | None


@dataclass(frozen=True, slots=True)
class ParameterChange:
    field: str
    before: Any
    after: Any


def _range(start: int, length: int) -> str:
    """A hunk's range as ``diff -u`` writes it (difflib's own convention)."""
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def text_diff(before: str, after: str) -> list[DiffLine]:
    """The unified diff of two texts, by lines, as structured lines (hunk headers included)."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(CONTEXT_LINES):
        first, last = group[0], group[-1]
        header = (f"@@ -{_range(first[1], last[2] - first[1])} "
                  f"+{_range(first[3], last[4] - first[3])} @@")
        lines.append(DiffLine("hunk", header, None, None))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("context", old[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2))
                continue
            lines.extend(DiffLine("removed", old[i], i + 1, None) for i in range(i1, i2))
            lines.extend(DiffLine("added", new[j], None, j + 1) for j in range(j1, j2))
    return lines


_PREFIX = {"context": " ", "removed": "-", "added": "+"}


def unified_text(lines: list[DiffLine], from_label: str, to_label: str) -> str:
    """The structured lines as the text of a unified diff (empty when nothing changed)."""
    if not lines:
        return ""
    out = [f"--- {from_label}", f"+++ {to_label}"]
    out.extend(line.text if line.kind == "hunk" else _PREFIX[line.kind] + line.text for line in lines)
    return "\n".join(out) + "\n"


def apply_diff(before: str, lines: list[DiffLine]) -> list[str]:
    """The new text's lines, from the old text and the diff (what a reader of the diff can
    rebuild; the unit tests hold ``text_diff`` to it)."""
    old = before.splitlines()
    out: list[str] = []
    at = 0  # the next old line (0-based) not yet copied
    for line in lines:
        if line.kind == "hunk":
            continue
        if line.old_number is not None:
            out.extend(old[at:line.old_number - 1])
            at = line.old_number
        if line.kind in ("context", "added"):
            out.append(line.text)
    out.extend(old[at:])
    return out


def parameter_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[ParameterChange]:
    """Field by field, the parameters that differ (in the order of ``BuildingRules``)."""
    if before is None and after is None:
        return []
    old = BuildingRules.from_stored(before or {}).to_stored() if before is not None else {}
    new = BuildingRules.from_stored(after or {}).to_stored() if after is not None else {}
    names = list(BuildingRules().to_stored())
    return [ParameterChange(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]
