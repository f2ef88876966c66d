"""Co-building agreements by HTTP (the community spec §14): drafted by community staff, signed
by both sides (a staff member and a member of the organisation), then moved to active and
expired by the service at their dates — with ``agreement.expiring`` raised exactly once 30
days before the end — all driven by the test clock; who may draft, sign and terminate."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.ids import new_id
from tests.support.clock import business_now, clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.people import grant
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.agreements_jobs import JOBS

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def today(db) -> date:
    return (await business_now(db)).astimezone(SHANGHAI).date()


async def draft(client, town, org_id, starts_on: date, ends_on: date, **fields):
    made = await client.post(f"/v1/communities/{town.community}/agreements", headers=town.people["staff"].headers(),
                             json={"organization_id": org_id, "title": "社区与超市共建协议",
                                   "commitments": [{"party": "organization", "text": "每周两次为独居老人送餐"},
                                                   {"party": "community", "text": "提供活动场地"}],
                                   "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), **fields})
    assert made.status_code == 201, made.text
    return made.json()


async def advance_to(client, db, day: date, *, minutes: int = 1) -> None:
    """Move the test clock to ``minutes`` past 00:00 of ``day`` in Shanghai."""
    target = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    seconds = int((target - await business_now(db)).total_seconds())
    assert seconds > 0
    moved = await client.post("/v1/test-clock", json={"advance_seconds": seconds})
    assert moved.status_code == 200, moved.text


async def status_changes(db, agreement_id):
    return [(r["data"]["from"], r["data"]["to"]) for r in await db.fetch(
        "SELECT data FROM events WHERE subject_id = $1 AND type = 'agreement.status_changed' ORDER BY seq",
        agreement_id)]


async def expiring_count(db, agreement_id) -> int:
    return await db.fetchval("SELECT count(*) FROM events WHERE subject_id = $1 AND type = 'agreement.expiring'",
                             agreement_id)


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_a_signed_agreement_becomes_active_warns_once_and_expires_by_itself(client, db, town, test_settings):
    staff = town.people["staff"]
    org_id, member = await company(db, test_settings, town, name="嘉富便民超市")
    start = await today(db) + timedelta(days=3)
    end = start + timedelta(days=59)
    agreement = await draft(client, town, org_id, start, end)
    assert agreement["status"] == "draft" and agreement["signatures"] == {"community": None, "organization": None}
    url = f"/v1/agreements/{agreement['id']}/signatures"
    half = await client.post(url, headers=member.headers(), json={})
    assert half.status_code == 200 and half.json()["status"] == "draft"
    assert half.json()["signatures"]["organization"]["person_id"] == member.person_id
    twice = await client.post(url, headers=member.headers(), json={})
    assert twice.status_code == 409 and twice.json()["code"] == "already_signed"
    signed = await client.post(url, headers=staff.headers(), json={"side": "community"})
    assert signed.status_code == 200 and signed.json()["status"] == "signed" and signed.json()["signed_at"]
    assert await run_due_jobs_of(db, JOBS) == 0  # nothing is due yet
    # 00:01 of starts_on, Shanghai time: active.
    await advance_to(client, db, start)
    assert await run_due_jobs_of(db, JOBS) == 1
    read = (await client.get(f"/v1/agreements/{agreement['id']}", headers=member.headers())).json()
    assert read["status"] == "active" and read["expiring_at"] is None
    # 30 days before the end (00:00 of the day after ends_on): agreement.expiring, once.
    await advance_to(client, db, end + timedelta(days=1) - timedelta(days=30), minutes=-2)
    assert await run_due_jobs_of(db, JOBS) == 0
    assert await expiring_count(db, agreement["id"]) == 0
    await advance_to(client, db, end + timedelta(days=1) - timedelta(days=30))
    assert await run_due_jobs_of(db, JOBS) == 1
    assert await expiring_count(db, agreement["id"]) == 1
    # The last day is still active; the day after, expired — and the warning was never repeated.
    await advance_to(client, db, end, minutes=23 * 60 + 58)
    assert await run_due_jobs_of(db, JOBS) == 0
    assert (await client.get(f"/v1/agreements/{agreement['id']}", headers=staff.headers())).json()["status"] == "active"
    await advance_to(client, db, end + timedelta(days=1))
    assert await run_due_jobs_of(db, JOBS) == 1
    done = (await client.get(f"/v1/agreements/{agreement['id']}", headers=staff.headers())).json()
    assert done["status"] == "expired" and done["expired_at"] and done["expiring_at"]
    assert await expiring_count(db, agreement["id"]) == 1
    assert await status_changes(db, agreement["id"]) == [("draft", "signed"), ("signed", "active"),
                                                         ("active", "expired")]
    late = await client.post(f"/v1/agreements/{agreement['id']}/transitions", headers=staff.headers(),
                             json={"to": "terminated", "reason": "到期"})
    assert late.status_code == 409 and late.json()["code"] == "wrong_agreement_status"


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_signed_inside_its_period_it_is_active_and_warned_at_once_and_only_once(client, db, town, test_settings):
    staff = town.people["staff"]
    org_id, member = await company(db, test_settings, town)
    now = await today(db)
    agreement = await draft(client, town, org_id, now - timedelta(days=10), now + timedelta(days=9))
    await client.post(f"/v1/agreements/{agreement['id']}/signatures", headers=staff.headers(), json={})
    signed = await client.post(f"/v1/agreements/{agreement['id']}/signatures", headers=member.headers(), json={})
    assert signed.status_code == 200 and signed.json()["status"] == "active" and signed.json()["expiring_at"]
    assert await expiring_count(db, agreement["id"]) == 1
    await run_due_jobs_of(db, JOBS)  # the jobs of moments already past find nothing left to do
    assert await expiring_count(db, agreement["id"]) == 1
    assert await status_changes(db, agreement["id"]) == [("draft", "signed"), ("signed", "active")]
    # Terminated, it is left alone at its end.
    no_reason = await client.post(f"/v1/agreements/{agreement['id']}/transitions", headers=member.headers(),
                                  json={"to": "terminated"})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "transition_reason_required"
    ended = await client.post(f"/v1/agreements/{agreement['id']}/transitions", headers=member.headers(),
                              json={"to": "terminated", "reason": "超市停业"})
    assert ended.status_code == 200 and ended.json()["status"] == "terminated" and ended.json()["reason"] == "超市停业"
    await advance_to(client, db, now + timedelta(days=11))
    await run_due_jobs_of(db, JOBS)
    assert (await client.get(f"/v1/agreements/{agreement['id']}", headers=staff.headers())).json()["status"] == "terminated"


async def test_who_may_draft_sign_and_change_an_agreement(client, db, town, test_settings, platform):
    staff, head, leader = town.people["staff"], town.people["head"], town.people["leader"]
    org_id, member = await company(db, test_settings, town)
    now = await today(db)
    url = f"/v1/communities/{town.community}/agreements"
    body = {"organization_id": org_id, "title": "共建协议", "starts_on": now.isoformat(),
            "ends_on": (now + timedelta(days=365)).isoformat()}
    assert (await client.post(url, headers=leader.headers(), json=body)).status_code == 403
    assert (await client.post(url, headers=member.headers(), json=body)).status_code == 403
    assert (await client.post(url, headers=town.people["far_resident"].headers(), json=body)).status_code == 404
    swapped = await client.post(url, headers=staff.headers(), json={**body, "ends_on": (now - timedelta(days=1)).isoformat()})
    assert swapped.status_code == 422 and swapped.json()["code"] == "invalid_dates"
    far_org = new_id("organization")
    await db.execute("INSERT INTO organizations (id, street_id, community_id, name, kind) "
                     "VALUES ($1, $2, $3, '嘉北物业', 'property_company')", far_org, town.street_id,
                     town.other_community)
    other = await client.post(url, headers=staff.headers(), json={**body, "organization_id": far_org})
    assert other.status_code == 422 and other.json()["code"] == "invalid_organization"
    agreement = await draft(client, town, org_id, now, now + timedelta(days=365), building_id=town.building)
    assert agreement["building_id"] == town.building
    sign = f"/v1/agreements/{agreement['id']}/signatures"
    # A resident reads it (a community's agreements are public to it) but signs for no side;
    # the building's leader is no staff of the community; a platform client is no person.
    assert (await client.get(f"/v1/agreements/{agreement['id']}", headers=head.headers())).status_code == 200
    assert (await client.post(sign, headers=head.headers(), json={})).status_code == 403
    assert (await client.post(sign, headers=leader.headers(), json={})).status_code == 403
    by_platform = await client.post(sign, headers=platform.headers(), json={})
    assert by_platform.status_code == 403 and by_platform.json()["code"] == "person_required"
    wrong_side = await client.post(sign, headers=member.headers(), json={"side": "community"})
    assert wrong_side.status_code == 403
    # Someone who is both staff and a member names the side.
    await grant(db, staff, "organization_member", org_id, street_id=town.street_id)
    both = await client.post(sign, headers=staff.headers(), json={})
    assert both.status_code == 422 and both.json()["code"] == "signature_side_required"
    first = await client.post(sign, headers=staff.headers(), json={"side": "community"})
    assert first.status_code == 200 and first.json()["signatures"]["community"]["person_id"] == staff.person_id
    # A change to the draft clears the signature: each side signs the text it read.
    changed = await client.patch(f"/v1/agreements/{agreement['id']}", headers=staff.headers(**{
        "If-Match": first.headers["etag"]}), json={"title": "共建协议（修订）"})
    assert changed.status_code == 200 and changed.json()["signatures"]["community"] is None
    assert (await client.patch(f"/v1/agreements/{agreement['id']}", headers=member.headers(),
                               json={"title": "x"})).status_code == 403
    stale = await client.post(sign, headers=staff.headers(**{"If-Match": first.headers["etag"]}),
                              json={"side": "community"})
    assert stale.status_code == 412  # it changed since that read
    await client.post(sign, headers=staff.headers(**{"If-Match": changed.headers["etag"]}), json={"side": "community"})
    done = await client.post(sign, headers=member.headers(), json={"side": "organization"})
    assert done.status_code == 200 and done.json()["status"] == "active"
    frozen = await client.patch(f"/v1/agreements/{agreement['id']}", headers=staff.headers(), json={"title": "y"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "wrong_agreement_status"
    listed = (await client.get(f"{url}?status=active", headers=member.headers())).json()["data"]
    assert [a["id"] for a in listed] == [agreement["id"]]
    # An agreement whose last day has passed can no longer be signed.
    old = await draft(client, town, org_id, now - timedelta(days=30), now - timedelta(days=1))
    over = await client.post(f"/v1/agreements/{old['id']}/signatures", headers=member.headers(),
                             json={"side": "organization"})
    assert over.status_code == 422 and over.json()["code"] == "agreement_period_over"
    types = [r["type"] for r in await db.fetch("SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
                                               agreement["id"])]
    assert types == ["agreement.created", "agreement.signed", "agreement.updated", "agreement.signed",
                     "agreement.signed", "agreement.status_changed", "agreement.status_changed"]


async def test_both_sides_signing_at_once_sign_it_once(client, db, town, test_settings):
    """The row lock orders the two signatures: whichever comes second makes it signed, once."""
    import asyncio

    org_id, member = await company(db, test_settings, town)
    now = await today(db)
    agreement = await draft(client, town, org_id, now + timedelta(days=5), now + timedelta(days=100))
    url = f"/v1/agreements/{agreement['id']}/signatures"
    answers = await asyncio.gather(client.post(url, headers=town.people["staff"].headers(), json={}),
                                   client.post(url, headers=member.headers(), json={}),
                                   client.post(url, headers=member.headers(), json={}))
    assert sorted(a.status_code for a in answers) == [200, 200, 409]
    assert (await client.get(f"/v1/agreements/{agreement['id']}", headers=member.headers())).json()["status"] == "signed"
    assert await status_changes(db, agreement["id"]) == [("draft", "signed")]
    assert await db.fetchval("SELECT count(*) FROM jobs WHERE dedupe_key LIKE $1", f"%:{agreement['id']}") == 3
