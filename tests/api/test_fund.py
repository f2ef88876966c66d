"""The self-governance fund by HTTP (the community spec §13), without moving the clock:
incomes and who records them, a voucher once per fund, the figures and entries public to the
community's residents only, the CSV export, a building's own fund, a budget reserved when the
vote opens (422 ``insufficient_fund`` when the fund cannot cover it), and expenses: within
the reservation, approved by staff or the owners' committee (never the claimant; two approvers
and a street officer's sign-off when the street says so), rejected with a reason, objected
to by residents during publicity, and two approvers at once recording one approval."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.clock import business_now
from tests.support.fund import (
    assert_figures_are_sums,
    budgeted,
    committee_member,
    income,
    open_vote_body,
)
from tests.support.points import assert_balances_are_sums
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def voting(client, db, town, budget: int | None) -> dict:
    head, leader = town.people["head"], town.people["leader"]
    proposal = await budgeted(client, head, leader, town.building, budget)
    opened = await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(),
                               json=open_vote_body(await business_now(db)))
    assert opened.status_code == 200, opened.text
    return opened.json()


async def adopted(client, db, town, budget: int) -> dict:
    """A budgeted proposal whose vote opened (reserving its budget), arranged as adopted and
    being carried out (the clock-driven way is tests/api/test_fund_journey.py)."""
    proposal = await voting(client, db, town, budget)
    await db.execute("UPDATE proposals SET stage = 'implementing', decision = 'adopted', implementing_at = now() "
                     "WHERE id = $1", proposal["id"])
    return proposal


async def test_incomes_figures_entries_and_export(client, db, town, platform):
    staff, head, tenant = town.people["staff"], town.people["head"], town.people["tenant"]
    base = f"/v1/communities/{town.community}/fund"
    assert (await client.get(base, headers=head.headers())).json() == {
        "balance_fen": 0, "reserved_fen": 0, "available_fen": 0}
    first = await income(client, staff, town.community, 500_000, voucher="JF-2026-001")
    assert first["amount_fen"] == 500_000 and first["source"] == {
        "kind": "street_allocation", "organization_id": None, "voucher_no": "JF-2026-001"}
    again = await client.post(f"{base}/incomes", headers=staff.headers(), json={
        "amount_fen": 1, "source": {"kind": "donation", "voucher_no": "JF-2026-001"}, "note": ""})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_voucher"
    for who in (head, town.people["leader"]):
        refused = await client.post(f"{base}/incomes", headers=who.headers(), json={
            "amount_fen": 1, "source": {"kind": "donation", "voucher_no": "X-1"}})
        assert refused.status_code == 403, refused.text
    far = await client.post(f"{base}/incomes", headers=town.people["far_staff"].headers(), json={
        "amount_fen": 1, "source": {"kind": "donation", "voucher_no": "X-1"}})
    assert far.status_code == 404
    bad_org = await client.post(f"{base}/incomes", headers=staff.headers(), json={
        "amount_fen": 1, "source": {"kind": "donation", "voucher_no": "X-2", "organization_id": "org_0000000000000000"}})
    assert bad_org.status_code == 422 and bad_org.json()["code"] == "invalid_organization"
    assert (await client.post(f"{base}/incomes", headers=staff.headers(), json={
        "amount_fen": 0, "source": {"kind": "donation", "voucher_no": "X-3"}})).status_code == 400
    by_platform = await client.post(f"{base}/incomes", headers=platform.headers(), json={
        "amount_fen": 20_000, "source": {"kind": "donation", "voucher_no": "JF-2026-002"}, "note": "爱心捐赠"})
    assert by_platform.status_code == 201, by_platform.text
    # Every resident of the community sees the figures and the entries; another community's do not.
    for who in (head, tenant, town.people["neighbour"], town.people["leader"]):
        assert (await client.get(base, headers=who.headers())).json() == {
            "balance_fen": 520_000, "reserved_fen": 0, "available_fen": 520_000}
        entries = (await client.get(f"{base}/entries", headers=who.headers())).json()["data"]
        assert [(e["kind"], e["amount_fen"], e["source"]["voucher_no"]) for e in entries] == [
            ("income", 20_000, "JF-2026-002"), ("income", 500_000, "JF-2026-001")]
    for who in (town.people["far_resident"], town.people["stranger"]):
        assert (await client.get(base, headers=who.headers())).status_code == 404
        assert (await client.get(f"{base}/entries", headers=who.headers())).status_code == 404
    synced = (await client.get(f"{base}/entries", headers=tenant.headers(),
                               params={"updated_since": "2000-01-01T00:00:00Z"})).json()["data"]
    assert [e["source"]["voucher_no"] for e in synced] == ["JF-2026-001", "JF-2026-002"]
    exported = await client.get(f"{base}/entries/export", headers=tenant.headers())
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "JF-2026-001" in lines[1] and "爱心捐赠" in lines[2]
    await assert_figures_are_sums(client, head, town.community)
    await assert_balances_are_sums(db, town.street_id)


async def test_a_budget_is_reserved_when_the_vote_opens_from_the_right_fund(client, db, town):
    staff, head = town.people["staff"], town.people["head"]
    await income(client, staff, town.community, 100_000)
    plain = await voting(client, db, town, None)
    assert plain["budget_fen"] is None
    proposal = await voting(client, db, town, 60_000)
    assert (await client.get(f"/v1/communities/{town.community}/fund", headers=head.headers())).json() == {
        "balance_fen": 100_000, "reserved_fen": 60_000, "available_fen": 40_000}
    entries = (await client.get(f"/v1/communities/{town.community}/fund/entries", headers=head.headers(),
                                params={"proposal_id": proposal["id"]})).json()["data"]
    assert [(e["kind"], e["amount_fen"], e["proposal_id"], e["source"]["kind"]) for e in entries] == [
        ("reservation", 60_000, proposal["id"], "budget")]
    # More than is available: the vote does not open, nothing is reserved.
    greedy = await budgeted(client, head, town.people["leader"], town.building, 50_000)
    refused = await client.post(f"/v1/proposals/{greedy['id']}/transitions", headers=town.people["leader"].headers(),
                                json=open_vote_body(await business_now(db)))
    assert refused.status_code == 422 and refused.json()["code"] == "insufficient_fund"
    assert "40000" in refused.json()["detail"] and "50000" in refused.json()["detail"]
    assert (await client.get(f"/v1/proposals/{greedy['id']}", headers=head.headers())).json()["stage"] == "deliberating"
    # A building with a fund of its own pays for its proposals from it.
    building_fund = f"/v1/buildings/{town.building}/fund"
    assert (await client.get(building_fund, headers=town.people["neighbour"].headers())).json()["balance_fen"] == 0
    await income(client, staff, town.community, 80_000, building_id=town.building)
    opened = await client.post(f"/v1/proposals/{greedy['id']}/transitions", headers=town.people["leader"].headers(),
                               json=open_vote_body(await business_now(db)))
    assert opened.status_code == 200, opened.text
    assert (await client.get(building_fund, headers=head.headers())).json() == {
        "balance_fen": 80_000, "reserved_fen": 50_000, "available_fen": 30_000}
    assert (await client.get(f"/v1/communities/{town.community}/fund", headers=head.headers())).json()[
        "reserved_fen"] == 60_000
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE street_id = $1 AND type LIKE 'fund.%' ORDER BY seq", town.street_id)]
    assert types == ["fund.income_recorded", "fund.reserved", "fund.income_recorded", "fund.reserved"]
    await assert_figures_are_sums(client, head, town.community)
    await assert_figures_are_sums(client, head, town.community, building_id=town.building)
    await assert_balances_are_sums(db, town.street_id)


async def test_expenses_within_the_reservation_rejected_with_a_reason_and_objected_to(client, db, town):
    staff, head, leader, tenant = (town.people[k] for k in ("staff", "head", "leader", "tenant"))
    await income(client, staff, town.community, 300_000)
    proposal = await adopted(client, db, town, 200_000)
    url = f"/v1/proposals/{proposal['id']}/expenses"
    assert (await client.post(url, headers=tenant.headers(), json={
        "amount_fen": 1, "description": "x"})).status_code == 403
    first = await client.post(url, headers=leader.headers(), json={"amount_fen": 150_000, "description": "感应灯"})
    assert first.status_code == 201, first.text
    expense = first.json()
    assert expense["status"] == "submitted" and expense["approvals_needed"] == 1
    assert expense["claimed_by"] == {"type": "person", "id": leader.person_id}
    over = await client.post(url, headers=head.headers(), json={"amount_fen": 50_001, "description": "安装费"})
    assert over.status_code == 422 and over.json()["code"] == "exceeds_reservation"
    assert "50000" in over.json()["detail"]
    bad_media = await client.post(url, headers=head.headers(), json={
        "amount_fen": 1, "description": "x", "receipt_media_ids": ["med_0000000000000000"]})
    assert bad_media.status_code == 422 and bad_media.json()["code"] == "media_not_attachable"
    # Rejected with a reason, and then its claim on the reservation is gone.
    move = f"/v1/expenses/{expense['id']}/transitions"
    assert (await client.post(move, headers=tenant.headers(), json={"to": "rejected", "reason": "x"})).status_code == 403
    no_reason = await client.post(move, headers=staff.headers(), json={"to": "rejected", "reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "rejection_reason_required"
    read = await client.get(f"/v1/expenses/{expense['id']}", headers=staff.headers())
    stale = await client.post(move, headers=staff.headers(**{"If-Match": '"x"'}), json={"to": "rejected",
                                                                                      "reason": "发票不符"})
    assert stale.status_code == 412
    rejected = await client.post(move, headers=staff.headers(**{"If-Match": read.headers["etag"]}),
                                 json={"to": "rejected", "reason": "发票不符"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "发票不符" and rejected.json()["rejected_at"]
    again = await client.post(move, headers=staff.headers(), json={"to": "rejected", "reason": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_expense_status"
    second = (await client.post(url, headers=head.headers(), json={"amount_fen": 200_000,
                                                                    "description": "感应灯与安装"})).json()
    # Approval: not a leader, not the resident; the committee's member approves; publicity starts.
    approve = f"/v1/expenses/{second['id']}/approvals"
    for who in (leader, tenant):
        assert (await client.post(approve, headers=who.headers())).status_code == 403
    objection = await client.post(f"/v1/expenses/{second['id']}/objections", headers=tenant.headers(),
                                  json={"reason": "价格偏高"})
    assert objection.status_code == 409 and objection.json()["code"] == "wrong_expense_status"
    approved = await client.post(approve, headers=staff.headers())
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "publicity" and body["publicity_until"] and len(body["approvals"]) == 1
    # Objections: residents of the community, during publicity; the leaders read them.
    objections = f"/v1/expenses/{second['id']}/objections"
    made = await client.post(objections, headers=town.people["neighbour"].headers(), json={"reason": "价格偏高"})
    assert made.status_code == 201 and made.json()["reason"] == "价格偏高"
    assert (await client.post(objections, headers=town.people["far_resident"].headers(),
                              json={"reason": "x"})).status_code == 404
    assert (await client.post(objections, headers=staff.headers(), json={"reason": "x"})).status_code == 403
    assert (await client.get(objections, headers=tenant.headers())).status_code == 403
    listed = (await client.get(objections, headers=leader.headers())).json()["data"]
    assert [o["reason"] for o in listed] == ["价格偏高"]
    assert (await client.get(f"/v1/expenses/{second['id']}", headers=tenant.headers())).json()["objection_count"] == 1
    expenses = (await client.get(url, headers=town.people["neighbour"].headers())).json()["data"]
    assert [(e["status"], e["rejection_reason"]) for e in expenses] == [("publicity", None), ("rejected", "发票不符")]
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE street_id = $1 AND subject_type = 'expense' ORDER BY seq", town.street_id)]
    assert types == ["expense.submitted", "expense.rejected", "expense.submitted", "expense.approved",
                     "expense.publicity_started", "expense.objected"]
    await assert_balances_are_sums(db, town.street_id)


async def test_two_approvers_a_street_signoff_and_never_the_claimant(client, db, town, test_settings):
    staff, officer, leader = town.people["staff"], town.people["officer"], town.people["leader"]
    changed = await client.patch("/v1/streets/settings", headers=officer.headers(), json={
        "fund_two_approvers": True, "fund_street_signoff_above_fen": 100_000})
    assert changed.status_code == 200, changed.text
    member = await committee_member(db, test_settings, town)
    await income(client, staff, town.community, 500_000)
    proposal = await adopted(client, db, town, 400_000)
    url = f"/v1/proposals/{proposal['id']}/expenses"
    small = (await client.post(url, headers=staff.headers(), json={"amount_fen": 100_000,
                                                                    "description": "材料"})).json()
    assert small["approvals_needed"] == 2 and not small["street_signoff_required"]
    own = await client.post(f"/v1/expenses/{small['id']}/approvals", headers=staff.headers())
    assert own.status_code == 403 and own.json()["code"] == "claimant_cannot_approve"
    large = (await client.post(url, headers=leader.headers(), json={"amount_fen": 150_000,
                                                                     "description": "施工"})).json()
    assert large["street_signoff_required"]
    approve = f"/v1/expenses/{large['id']}/approvals"
    assert (await client.post(approve, headers=staff.headers())).json()["status"] == "submitted"
    twice = await client.post(approve, headers=staff.headers())
    assert twice.status_code == 409 and twice.json()["code"] == "already_approved"
    second = await client.post(approve, headers=member.headers())
    assert second.status_code == 200 and second.json()["status"] == "submitted"  # still no sign-off
    signed = await client.post(approve, headers=officer.headers())
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "publicity"
    assert [(a["by"]["id"], a["street_signoff"]) for a in signed.json()["approvals"]] == [
        (staff.person_id, False), (member.person_id, False), (officer.person_id, True)]


async def test_two_approvers_at_once_record_one_approval(client, db, town, test_settings):
    staff = town.people["staff"]
    member = await committee_member(db, test_settings, town)
    await income(client, staff, town.community, 100_000)
    proposal = await adopted(client, db, town, 100_000)
    expense = (await client.post(f"/v1/proposals/{proposal['id']}/expenses", headers=town.people["leader"].headers(),
                                 json={"amount_fen": 90_000, "description": "感应灯"})).json()
    answers = await asyncio.gather(*(client.post(f"/v1/expenses/{expense['id']}/approvals", headers=who.headers())
                                     for who in (staff, member, town.people["officer"])))
    assert sorted(a.status_code for a in answers) == [200, 409, 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"wrong_expense_status"}
    assert await db.fetchval("SELECT count(*) FROM fund_expense_approvals WHERE expense_id = $1", expense["id"]) == 1
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'expense.publicity_started' AND subject_id = $1",
                             expense["id"]) == 1


async def test_erasure_keeps_the_accounting_records_and_erases_an_objections_text(client, db, town):
    staff, head, neighbour = town.people["staff"], town.people["head"], town.people["neighbour"]
    await income(client, staff, town.community, 100_000)
    proposal = await adopted(client, db, town, 100_000)
    expense = (await client.post(f"/v1/proposals/{proposal['id']}/expenses", headers=head.headers(),
                                 json={"amount_fen": 40_000, "description": "张小华垫付的灯具款"})).json()
    assert (await client.post(f"/v1/expenses/{expense['id']}/approvals", headers=staff.headers())).status_code == 200
    objected = await client.post(f"/v1/expenses/{expense['id']}/objections", headers=neighbour.headers(),
                                 json={"reason": "王五觉得太贵"})
    assert objected.status_code == 201
    for who in (head, neighbour):
        assert (await client.delete("/v1/me", headers=who.headers())).status_code == 204
    kept = (await client.get(f"/v1/expenses/{expense['id']}", headers=staff.headers())).json()
    assert kept["description"] == "张小华垫付的灯具款" and kept["amount_fen"] == 40_000  # a voucher is retained
    assert kept["claimed_by"] == {"type": "person", "id": head.person_id}  # the person behind it is anonymised
    assert await db.fetchval("SELECT erased_at IS NOT NULL FROM persons WHERE id = $1", head.person_id)
    objections = (await client.get(f"/v1/expenses/{expense['id']}/objections", headers=staff.headers())).json()
    assert [o["reason"] for o in objections["data"]] == ["[已删除]"]
    await assert_figures_are_sums(client, staff, town.community)


async def test_a_proposals_budget_is_set_and_changed_by_its_author_while_collecting(client, town):
    head = town.people["head"]
    created = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                json={"title": "更换单元门禁", "budget_fen": 120_000})
    assert created.status_code == 201 and created.json()["budget_fen"] == 120_000
    url = f"/v1/proposals/{created.json()['id']}"
    assert (await client.patch(url, headers=head.headers(), json={"budget_fen": 0})).status_code == 400
    changed = await client.patch(url, headers=head.headers(), json={"budget_fen": 90_000})
    assert changed.status_code == 200 and changed.json()["budget_fen"] == 90_000
    cleared = await client.patch(url, headers=head.headers(), json={"budget_fen": None})
    assert cleared.status_code == 200 and cleared.json()["budget_fen"] is None
    plain = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                              json={"title": "楼道绿植"})
    assert plain.json()["budget_fen"] is None
