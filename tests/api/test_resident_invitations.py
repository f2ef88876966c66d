"""Resident invitations by import (the ``residents`` kind): the phone number is kept only as a
keyed digest; the person who later verifies that number through WeChat joins the household,
once; an invitation not redeemed within 90 days (business time) is deleted by the worker."""

from __future__ import annotations

import asyncio

import pytest

from domain.people import normalize_phone
from service.settings import Settings
from tests.support.clock import business_now, clock  # noqa: F401 (a fixture)
from tests.support.imports import imported
from tests.support.wechat import register_miniprogram, sign_in_resident
from usecases.crypto import Sealer
from usecases.invites import sweep_resident_invitations
from worker import maintenance

REGISTRY = (("communities", "external_id,name\nC1,嘉富社区\n"),
            ("buildings", "external_id,community_external_id,name\nB1,C1,1 号楼\n"),
            ("households", "external_id,building_external_id,unit_label,area_m2\nH1,B1,101,80\nH2,B1,102,90\n"))
RESIDENTS = ("外部编号,住户外部编号,手机号,身份,户主\n"
             "R1,H1,+86 138-0013-8000,业主,是\n"
             "R2,H2,13800138000,tenant,\n"
             "R3,H2,13900000001,family,否\n"
             "R4,H1,12345,owner,\n"        # not a mobile number
             "R5,H1,13700000000,landlord,\n"  # no such role
             "R6,H9,13700000001,owner,\n")   # no such household
DIGEST = Sealer(Settings().data_key_bytes).phone_digest


async def _registry(client, db, platform) -> None:
    for kind, text in REGISTRY:
        done = await imported(client, db, platform, kind, text.encode())
        assert done["status"] == "succeeded" and done["failed"] == 0, done


def test_phone_numbers_are_normalised_as_wechat_reports_them():
    for written in ("13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "86 13800138000", "(138)00138000"):
        assert normalize_phone(written) == "13800138000"
    for wrong in ("12345", "12800138000", "1380013800", "138001380001", "+1 4155550100", "phone"):
        assert normalize_phone(wrong) is None


async def test_invitations_keep_only_a_digest_and_a_rerun_changes_nothing(client, db, platform):
    await _registry(client, db, platform)
    done = await imported(client, db, platform, "residents", RESIDENTS.encode())
    assert (done["kind"], done["status"], done["rows_total"], done["created"], done["failed"]) == (
        "residents", "succeeded", 6, 3, 3)
    errors = (await client.get(f"/v1/imports/{done['id']}/errors", headers=platform.headers())).json()["data"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (4, "phone", "invalid_phone"), (5, "role", "invalid_role"), (6, "household_external_id", "parent_not_found")]
    rows = await db.fetch("SELECT * FROM resident_invitations WHERE street_id = $1 ORDER BY external_id",
                          platform.street_id)
    assert [(r["external_id"], r["role"], r["head"]) for r in rows] == [
        ("R1", "owner", True), ("R2", "tenant", False), ("R3", "family", False)]
    assert rows[0]["phone_digest"] == rows[1]["phone_digest"] == DIGEST("13800138000")
    # The number itself is nowhere: not in the invitations, the staged rows, the kept file or the events.
    for table in ("resident_invitations", "import_rows", "import_chunks", "events"):
        dumped = await db.fetchval(f"SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t")
        assert "13800138000" not in dumped and "0013-8000" not in dumped, table
    raised = await db.fetch("SELECT type, data FROM events WHERE street_id = $1 AND type LIKE 'resident_invitation.%'",
                            platform.street_id)
    assert sorted(e["type"] for e in raised) == ["resident_invitation.created"] * 3

    again = await imported(client, db, platform, "residents", RESIDENTS.encode())
    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 3, 3)
    moved = await imported(client, db, platform, "residents", RESIDENTS.replace("R3,H2,13900000001", "R3,H1,13900000001").encode())
    assert (moved["created"], moved["updated"], moved["unchanged"]) == (0, 1, 2)
    changed = await db.fetch("SELECT data->'changed' AS changed FROM events WHERE street_id = $1 "
                             "AND type = 'resident_invitation.updated'", platform.street_id)
    assert [e["changed"] for e in changed] == [["household_id"]]


async def _verified_resident(client, platform, number: str):
    resident = await sign_in_resident(client, await register_miniprogram(client, platform))
    verified = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": f"phone-{number}"})
    assert verified.status_code == 200, verified.text
    return resident


async def test_verifying_the_number_joins_each_invited_household_once(client, db, platform):
    await _registry(client, db, platform)
    await imported(client, db, platform, "residents", RESIDENTS.encode())
    resident = await _verified_resident(client, platform, "13800138000")
    joined = await db.fetch(
        """SELECT h.external_id, m.role, m.head FROM memberships m JOIN households h ON h.id = m.household_id
           WHERE m.person_id = $1 AND m.left_at IS NULL ORDER BY h.external_id""", resident.person_id)
    assert [tuple(r) for r in joined] == [("H1", "owner", True), ("H2", "tenant", False)]
    me = (await client.get("/v1/me", headers=resident.headers())).json()
    assert len(me["memberships"]) == 2
    events = await db.fetch("SELECT data FROM events WHERE type = 'household.joined' AND data->>'person_id' = $1",
                            resident.person_id)
    assert len(events) == 2
    redeemed = await db.fetch("SELECT external_id FROM resident_invitations WHERE person_id = $1 ORDER BY 1",
                              resident.person_id)
    assert [r["external_id"] for r in redeemed] == ["R1", "R2"]

    # Verifying again, or a later file naming the same invitation, changes nothing.
    again = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": "phone-13800138000"})
    assert again.status_code == 200
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE person_id = $1", resident.person_id) == 2
    rerun = await imported(client, db, platform, "residents", RESIDENTS.replace("R1,H1", "R1,H2").encode())
    assert (rerun["updated"], rerun["unchanged"]) == (0, 3)

    # Someone else's number joins nothing; the other invitation waits for its own number.
    other = await _verified_resident(client, platform, "13700000009")
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE person_id = $1", other.person_id) == 0


async def test_two_verifications_of_one_number_at_once_redeem_each_invitation_once(client, db, platform):
    await _registry(client, db, platform)
    await imported(client, db, platform, "residents", RESIDENTS.encode())
    app = await register_miniprogram(client, platform)
    first, second = [await sign_in_resident(client, app) for _ in range(2)]
    answers = await asyncio.gather(*(client.post("/v1/me/phone", headers=who.headers(),
                                                 json={"code": "phone-13900000001"}) for who in (first, second)))
    assert [a.status_code for a in answers] == [200, 200]
    members = await db.fetch("""SELECT m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
                                WHERE h.external_id = 'H2' AND m.role = 'family'""")
    assert len(members) == 1


@pytest.mark.usefixtures("clock")
@pytest.mark.xdist_group("clock")
async def test_an_invitation_unredeemed_for_90_days_is_deleted(client, db, platform, monkeypatch):
    await _registry(client, db, platform)
    await imported(client, db, platform, "residents", RESIDENTS.encode())
    await _verified_resident(client, platform, "13900000001")  # redeems R3
    async with db.acquire() as conn:
        assert await sweep_resident_invitations(conn, await business_now(db)) == 0
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 89 * 86400})).status_code == 200
    async with db.acquire() as conn:
        assert await sweep_resident_invitations(conn, await business_now(db)) == 0

    assert (await client.post("/v1/test-clock", json={"advance_seconds": 2 * 86400})).status_code == 200
    late = await _verified_resident(client, platform, "13800138000")  # past 90 days: joins nothing
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE person_id = $1", late.person_id) == 0

    async def one_pass(event: asyncio.Event, seconds: float) -> None:
        event.set()  # the loop's wait between passes ends the loop after its first pass

    monkeypatch.setattr(maintenance, "pause", one_pass)
    await maintenance.invitation_sweep_loop(db, maintenance.BusinessClock(enabled=True, ttl=0), asyncio.Event())
    left = await db.fetch("SELECT external_id FROM resident_invitations WHERE street_id = $1", platform.street_id)
    assert [r["external_id"] for r in left] == ["R3"]  # the redeemed one is history and stays
