"""Wire types of a building's documents, their versions, and an amendment and its diff."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import Stamp, text
from api.schemas.places import BuildingRules, BuildingRulesChange
from domain import documents as domain
from usecases import documents as usecase

DocumentKind = Literal["convention", "rules_of_procedure"]
ProposalKind = Literal["general", "document_amendment"]
DocumentText = text(20000, min_length=1, example="一、爱护楼道环境，不堆放杂物。\n二、邻里互助，文明养犬。")


class DocumentVersion(msgspec.Struct):
    id: Annotated[str, Meta(examples=["dcv_5t7v9x2b4d6f8h1k"])]
    building_id: str
    kind: DocumentKind
    number: Annotated[int, Meta(examples=[2])]
    text: str
    parameters: Annotated[BuildingRules | None, Meta(
        description="Rules of procedure only: the building's rules while this version is in force")]
    adopted_at: Stamp
    adopted_by_proposal_id: Annotated[str | None, Meta(
        description="null for a version adopted on paper before the building used Bilin")]
    filed_at: Annotated[Stamp | None, Meta(description="备案: when the street filed it")]
    created_at: Stamp
    updated_at: Stamp


class AmendmentRequest(Input):
    """The amendment a ``document_amendment`` proposal carries."""

    document: DocumentKind
    base_number: Annotated[int, Meta(ge=0, le=1_000_000, description="The version in force it changes (0: the document has none)")]
    text: DocumentText  # type: ignore[valid-type]
    parameters: Annotated[BuildingRulesChange | None, Meta(
        description="Rules of procedure only; fields left out keep the base version's value")] = None


class Amendment(msgspec.Struct):
    document: DocumentKind
    base_number: int
    text: str
    parameters: BuildingRules | None


class AmendmentDiffLine(msgspec.Struct):
    kind: Literal["hunk", "context", "removed", "added"]
    text: str
    old_number: int | None
    new_number: int | None


class AmendmentParameterChange(msgspec.Struct):
    field: Annotated[str, Meta(examples=["support_percent"])]
    before: int | str | None
    after: int | str | None


class AmendmentDiff(msgspec.Struct):
    proposal_id: str
    document: DocumentKind
    base_number: int
    number_in_force: int
    compared_number: Annotated[int, Meta(description=(
        "The version compared with: the one in force, or — once this amendment was adopted — the one it replaced"))]
    stale: Annotated[bool, Meta(description="true when base_number is no longer in force (its vote cannot open)")]
    lines: list[AmendmentDiffLine]
    unified: Annotated[str, Meta(description="The same diff as unified diff text")]
    parameter_changes: list[AmendmentParameterChange]


def version_view(version: domain.Version) -> DocumentVersion:
    return DocumentVersion(
        id=version.id, building_id=version.building_id, kind=version.kind, number=version.number, text=version.text,
        parameters=None if version.parameters is None else msgspec.convert(version.parameters, BuildingRules),
        adopted_at=version.adopted_at, adopted_by_proposal_id=version.adopted_by_proposal_id,
        filed_at=version.filed_at, created_at=version.created_at, updated_at=version.updated_at)


def amendment_view(stored: dict[str, Any] | None) -> Amendment | None:
    if stored is None:
        return None
    amendment = domain.Amendment.from_stored(stored)
    return Amendment(amendment.document, amendment.base_number, amendment.text,
                     None if amendment.parameters is None else msgspec.convert(amendment.parameters, BuildingRules))


def diff_view(diff: usecase.AmendmentDiff) -> AmendmentDiff:
    return AmendmentDiff(
        proposal_id=diff.proposal_id, document=diff.document, base_number=diff.base_number,
        number_in_force=diff.number_in_force, compared_number=diff.compared_number, stale=diff.stale,
        lines=[AmendmentDiffLine(line.kind, line.text, line.old_number, line.new_number) for line in diff.lines],
        unified=diff.unified,
        parameter_changes=[AmendmentParameterChange(c.field, c.before, c.after) for c in diff.parameter_changes])
