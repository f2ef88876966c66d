"""The fund for tests: incomes and budgeted proposals over HTTP, an owners' committee member,
and the proof that a fund's figures are the sums of its entries."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import asyncpg

from domain import fund as rules
from domain.ids import new_id
from service.settings import Settings
from tests.support.people import Person, grant, new_person
from tests.support.proposals import stamp
from tests.support.town import Town

_vouchers = itertools.count(1)


async def income(client, who: Person, community_id: str, amount: int, *, building_id: str | None = None,
                 voucher: str | None = None) -> dict:
    url = f"/v1/buildings/{building_id}/fund/incomes" if building_id else f"/v1/communities/{community_id}/fund/incomes"
    answer = await client.post(url, headers=who.headers(), json={
        "amount_fen": amount, "note": "街道下拨",
        "source": {"kind": "street_allocation", "voucher_no": voucher or f"V-{next(_vouchers):05d}"}})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def budgeted(client, author: Person, leader: Person, building_id: str, budget: int | None) -> dict:
    """A proposal with a budget and one option, brought to deliberation (its vote not yet open)."""
    body = {"title": "楼道加装感应灯", "category": "facilities"}
    if budget is not None:
        body["budget_fen"] = budget
    created = await client.post(f"/v1/buildings/{building_id}/proposals", headers=author.headers(), json=body)
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["budget_fen"] == budget
    added = await client.post(f"/v1/proposals/{proposal['id']}/options", headers=author.headers(),
                              json={"title": "每层加装"})
    assert added.status_code == 201, added.text
    moved = await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(),
                              json={"to": "deliberating"})
    assert moved.status_code == 200, moved.text
    return moved.json()


def open_vote_body(now: datetime, hours: int = 25) -> dict:
    return {"to": "voting", "ballot": {"closes_at": stamp(now + timedelta(hours=hours)), "rule": "simple_majority"}}


async def committee_member(db: asyncpg.Pool, settings: Settings, town: Town) -> Person:
    """A member of the community's owners' committee (业委会)."""
    org_id = new_id("organization")
    await db.execute("INSERT INTO organizations (id, street_id, community_id, name, kind) "
                     "VALUES ($1, $2, $3, '嘉富业委会', 'owners_committee')", org_id, town.street_id, town.community)
    member = await new_person(db, settings, client_id=town.client_id, street_id=town.street_id, nickname="业委会老陈")
    await grant(db, member, "organization_member", org_id, street_id=town.street_id)
    return member


def as_entry(wire: dict) -> rules.Entry:
    return rules.Entry(wire["id"], wire["kind"], wire["amount_fen"], None, None, None, wire["proposal_id"],
                       wire["expense_id"], wire["note"], wire["created_at"], wire["created_at"])


async def assert_figures_are_sums(client, who: Person, community_id: str, *, building_id: str | None = None) -> dict:
    """The fund's figures equal the sums of its entries (all pages), and available ≥ 0."""
    base = f"/v1/buildings/{building_id}/fund" if building_id else f"/v1/communities/{community_id}/fund"
    figures = (await client.get(base, headers=who.headers())).json()
    entries, cursor = [], None
    while True:
        page = (await client.get(f"{base}/entries", headers=who.headers(),
                                 params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
        entries += page["data"]
        if not (cursor := page["next_cursor"]):
            break
    summed = rules.figures_of(as_entry(e) for e in entries)
    assert figures == {"balance_fen": summed.balance_fen, "reserved_fen": summed.reserved_fen,
                       "available_fen": summed.available_fen}, (figures, entries)
    assert figures["available_fen"] >= 0
    return figures
