"""A building's documents (居民公约, 议事规则): the version in force and the history, read by
whoever sees the building; the filing (备案) of a version with the street, by the street; the
diff an amendment proposal would make, for whoever sees the proposal. Versions are put in
force only by an adopted amendment (usecases/document_amendments.py) — or, for a document the
building adopted on paper before it used Bilin, by ``record_paper_version`` (demo seeding)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from domain import documents as rules
from domain.documents import Amendment, DiffLine, ParameterChange, Version
from domain.errors import Conflict, NotFound
from domain.permissions import Principal, ensure_for, may_file_document
from store import documents as store
from store.paging import Keyset
from usecases import places, proposals
from usecases.actors import actor_for
from usecases.kernel import actor_ref, record_event


@dataclass(frozen=True)
class AmendmentDiff:
    """What an amendment changes, compared with ``compared_number`` (the version in force while
    the amendment is not adopted; once adopted, the version it replaced)."""

    proposal_id: str
    document: str
    base_number: int
    number_in_force: int
    compared_number: int
    stale: bool
    lines: list[DiffLine]
    unified: str
    parameter_changes: list[ParameterChange]


async def in_force(conn: asyncpg.Connection, who: Principal, building_id: str, kind: str) -> Version:
    """404 ``document_not_in_force`` when the building has no version of it yet."""
    building = await places.visible_building(conn, await actor_for(conn, who), building_id)
    version = await store.in_force(conn, building.street_id, building.id, kind)
    if version is None:
        raise NotFound("document_not_in_force", {"kind": kind})
    return version


async def versions(conn: asyncpg.Connection, who: Principal, building_id: str, kind: str,
                   keyset: Keyset) -> list[Version]:
    building = await places.visible_building(conn, await actor_for(conn, who), building_id)
    return await store.versions_page(conn, building.street_id, building.id, kind, keyset)


async def file(conn: asyncpg.Connection, who: Principal, building_id: str, kind: str, number: int,
               now: datetime, precondition: Callable[[Version], None]) -> Version:
    """备案: the street (a street officer, or its platform with ``street:write``) files a version,
    once (409 ``document_already_filed``)."""
    actor = await actor_for(conn, who)
    building = await places.visible_building(conn, actor, building_id)
    version = await store.version(conn, building.street_id, building.id, kind, number, for_update=True)
    if version is None:
        raise NotFound("not_found")
    ensure_for(actor, may_file_document(actor, places.building_place(building)))
    precondition(version)
    _, by = actor_ref(actor)
    filed = await store.file(conn, version.id, at=now, by=by)
    if filed is None:
        raise Conflict("document_already_filed", {"filed_at": version.filed_at.isoformat() if version.filed_at else None})
    await record_event(conn, "document.filed", "document_version", filed,
                       {"document": filed.kind, "number": filed.number})
    return filed


async def amendment_diff(conn: asyncpg.Connection, who: Principal, proposal_id: str) -> AmendmentDiff:
    """The diff of an amendment proposal (404 for a proposal that carries none)."""
    proposal = await proposals.get(conn, who, proposal_id)
    if proposal.amendment is None:
        raise NotFound("not_found")
    amendment = Amendment.from_stored(proposal.amendment)
    document = await store.get(conn, proposal.street_id, proposal.building_id, amendment.document)
    number = 0 if document is None else document.number_in_force
    adopted = await store.version(conn, proposal.street_id, proposal.building_id, amendment.document,
                                  amendment.base_number + 1)
    adopted_here = adopted is not None and adopted.adopted_by_proposal_id == proposal.id
    compared_number = amendment.base_number if adopted_here else number
    compared = (None if compared_number == 0 else
                await store.version(conn, proposal.street_id, proposal.building_id, amendment.document,
                                    compared_number))
    before_parameters: dict[str, Any] | None = None
    if amendment.document == "rules_of_procedure":
        building = await places.find_building(conn, proposal.street_id, proposal.building_id)
        assert building is not None
        if compared is not None:
            before_parameters = compared.parameters
        elif adopted_here:  # the first version: the building's rules before it were those it was raised against
            before_parameters = amendment.base_parameters
        else:
            before_parameters = building.building_rules.to_stored()
    before_text = "" if compared is None else compared.text
    lines = rules.text_diff(before_text, amendment.text)
    return AmendmentDiff(
        proposal_id=proposal.id, document=amendment.document, base_number=amendment.base_number,
        number_in_force=number, compared_number=compared_number,
        stale=not adopted_here and amendment.base_number != number, lines=lines,
        unified=rules.unified_text(lines, f"{amendment.document} v{compared_number}", f"{proposal.id}"),
        parameter_changes=rules.parameter_changes(before_parameters, amendment.parameters))


async def record_paper_version(conn: asyncpg.Connection, street_id: str, building_id: str, *, text: str,
                               adopted_at: datetime) -> Version | None:
    """A convention the building adopted on paper before it used Bilin, put in force as its
    version 1 (no proposal adopted it). Only while the convention has no version: None after."""
    building = await places.find_building(conn, street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    document = await store.locked(conn, street_id=street_id, community_id=building.community_id,
                                  building_id=building.id, kind="convention")
    if document.number_in_force != 0:
        return None
    version = await store.adopt(conn, document, base_number=0, text=text, parameters=None, adopted_at=adopted_at,
                                proposal_id=None)
    assert version is not None
    await record_event(conn, "document.version_adopted", "document_version", version,
                       {"document": version.kind, "number": version.number, "adopted_by_proposal_id": None})
    return version
