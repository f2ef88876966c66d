"""The event catalogue (domain/events.py ``EVENT_TYPES``, which the contract's ``webhooks:``
section is built from) names exactly the event types the use cases append: read from their
source — literal types at the outbox's call sites, constants, the ``f"kind.{action}"``
helpers with the actions their callers pass, and the ``APPENDS`` a module declares when it
builds a type from parts."""

from __future__ import annotations

import re
from pathlib import Path

from domain.events import EVENT_TYPES, TYPE_PATTERN

USECASES = Path(__file__).resolve().parents[2] / "usecases"
_TYPE = r"[a-z][a-z_]*\.[a-z][a-z_]*"
_LITERAL_SITES = [
    re.compile(rf"\b(?:record_event|booking_event|_record)\(conn, \"({_TYPE})\""),
    re.compile(rf"\btype=\"({_TYPE})\""),
    re.compile(rf"\btype=\"?({_TYPE})\"? if "),
    re.compile(rf"\"({_TYPE})\" if rung"),
    re.compile(rf"else \"({_TYPE})\""),
]
_CONSTANT = re.compile(rf"^([A-Z_]+) = \"({_TYPE})\"$", re.MULTILINE)
_CONSTANT_SITE = re.compile(r"\b(?:type=|schedule_event\(.*type=)([A-Z_]+)\b")
_HELPER = re.compile(r"f\"(\w+)\.\{action\}\"")
_HELPER_CALL = re.compile(r"\b_(?:record_)?event\(conn, \"(\w+)\"(?:, \"(\w+)\")?")
_KIND_HELPER = re.compile(r"f\"\{kind\}\.\{action\}\"")
# A module that builds types from parts (f"redemption.{to}") declares them: APPENDS = (…).
_DECLARED = re.compile(r"^APPENDS = \((.*?)\)$", re.MULTILINE | re.DOTALL)


def appended_types() -> set[str]:
    found: set[str] = set()
    for module in sorted(USECASES.glob("*.py")):
        source = module.read_text()
        for site in _LITERAL_SITES:
            found.update(site.findall(source))
        constants = dict(_CONSTANT.findall(source))
        found.update(constants[name] for name in _CONSTANT_SITE.findall(source) if name in constants)
        for declared in _DECLARED.findall(source):
            found.update(re.findall(rf"\"({_TYPE})\"", declared))
        helper = _HELPER.search(source)
        for first, second in _HELPER_CALL.findall(source):
            if second and _KIND_HELPER.search(source):
                found.add(f"{first}.{second}")
            elif helper and not second:
                found.add(f"{helper[1]}.{first}")
    return found


def test_the_catalogue_names_every_appended_type_and_no_other():
    appended = appended_types()
    assert len(appended) >= 40  # the scan sees the call sites
    assert sorted(appended - set(EVENT_TYPES)) == [], "append these to domain/events.py EVENT_TYPES"
    assert sorted(set(EVENT_TYPES) - appended) == [], "no code appends these: remove them from the catalogue"


def test_every_catalogued_type_is_a_valid_type_with_a_subject():
    for event_type, spec in EVENT_TYPES.items():
        assert TYPE_PATTERN.fullmatch(event_type), event_type
        assert spec.subject and spec.summary, event_type
