"""Amendments of a building's documents, as proposals carry them: what proposals call at three
moments of the four steps (usecases/proposals.py, usecases/proposals_jobs.py), each in the
proposal's transaction.

- ``check_new`` when a proposal is raised: the kind and the amendment agree, the base is in
  force, the parameters are valid (and completed from the base).
- ``check_before_vote`` when its vote opens: the document row is locked FOR UPDATE, the base
  must still be in force (409 ``document_amendment_stale``), no other amendment of the same
  document may be in its vote (409 ``document_amendment_in_vote``), the decision rule must
  have a quorum (422 ``amendment_quorum_required``) and the vote has one option.
- ``on_decided`` when its vote is tallied: ``adopted`` puts the new version in force (number =
  base + 1) and, for rules of procedure, makes the building's ``rules`` its parameters — in
  the tally's transaction, under the document row's lock. Any other decision changes nothing."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import documents as rules
from domain.documents import Amendment
from domain.errors import Conflict
from domain.places import Building, BuildingRules
from domain.proposals import Proposal
from store import documents as store
from usecases import places
from usecases.kernel import changes_of, record_event


class AmendmentCommand(msgspec.Struct, frozen=True):
    """``amendment`` of ``POST /buildings/{id}/proposals``; ``parameters`` is the same partial
    rules change as ``PATCH /buildings/{id}`` takes (fields left out keep the base's value)."""

    document: str
    base_number: int
    text: str
    parameters: places.RulesChange | None = None


async def check_new(conn: asyncpg.Connection, building: Building, kind: str,
                    command: AmendmentCommand | None) -> dict | None:
    """The amendment to store on a new proposal of ``kind`` (None for a general proposal)."""
    rules.check_kind(kind, command is not None)
    if command is None:
        return None
    document = await store.get(conn, building.street_id, building.id, command.document)
    number = 0 if document is None else document.number_in_force
    rules.ensure_base_in_force(command.base_number, number)
    base = await store.in_force(conn, building.street_id, building.id, command.document)
    changes = None if command.parameters is None else changes_of(command.parameters)
    amendment = rules.amendment_of(command.document, command.base_number, command.text, changes,
                                   rules.parameters_in_force(base and base.parameters, building.building_rules))
    return amendment.to_stored()


async def check_before_vote(conn: asyncpg.Connection, proposal: Proposal, *, rule: str, options: int) -> None:
    """Before an amendment's vote opens (nothing for a general proposal)."""
    if proposal.amendment is None:
        return
    amendment = Amendment.from_stored(proposal.amendment)
    document = await store.locked(conn, street_id=proposal.street_id, community_id=proposal.community_id,
                                  building_id=proposal.building_id, kind=amendment.document)
    rules.ensure_base_in_force(amendment.base_number, document.number_in_force)
    if await store.amendment_in_vote(conn, proposal.building_id, amendment.document, besides=proposal.id):
        raise Conflict("document_amendment_in_vote", {"document": amendment.document})
    rules.ensure_quorum_rule(rule)
    rules.ensure_single_option(options)


async def on_decided(conn: asyncpg.Connection, proposal: Proposal, decision: str, now: datetime) -> None:
    """After an amendment's vote was tallied (nothing for a general proposal, nor unless
    ``adopted``)."""
    if proposal.amendment is None or decision != "adopted":
        return
    amendment = Amendment.from_stored(proposal.amendment)
    document = await store.locked(conn, street_id=proposal.street_id, community_id=proposal.community_id,
                                  building_id=proposal.building_id, kind=amendment.document)
    version = await store.adopt(conn, document, base_number=amendment.base_number, text=amendment.text,
                                parameters=amendment.parameters, adopted_at=now, proposal_id=proposal.id)
    if version is None:
        # Unreachable while one amendment of a document is voted on at a time (the vote's
        # opening checks it under the same lock); kept so a lapse is seen, never a silent loss.
        await record_event(conn, "document.amendment_lapsed", "proposal", proposal, {
            "document": amendment.document, "base_number": amendment.base_number,
            "number_in_force": document.number_in_force})
        return
    if amendment.parameters is not None:
        await places.adopt_rules(conn, proposal.street_id, proposal.building_id,
                                 BuildingRules.from_stored(amendment.parameters))
    await record_event(conn, "document.version_adopted", "document_version", version, {
        "document": version.kind, "number": version.number, "adopted_by_proposal_id": proposal.id})
