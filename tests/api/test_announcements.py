"""Announcements (看, the community part §10) by HTTP: leaders of a building, a community and the
street post; residents read their building's, community's and street's, pinned first; the
service publishes at ``publish_at`` and expires at ``expires_at`` (test clock); the audience
is frozen at publishing; a household acknowledges once (我已知晓), ``household_required``
applies; withdrawal; the leaders' follow-up per building equals a brute-force count."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.ids import new_id
from tests.support.clock import business_now, clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.people import join, new_person
from tests.support.town import build_town
from usecases.announcements import EXPIRE_JOB, PUBLISH_JOB


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def post(client, url: str, who, status: int = 201, **fields) -> dict:
    body = {"title": "停水通知", "body": "12月5日9:00至17:00停水，请提前储水。", **fields}
    answer = await client.post(url, headers=who.headers(), json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


async def ids_of(client, url: str, who) -> list[str]:
    answer = await client.get(url, headers=who.headers())
    assert answer.status_code == 200, answer.text
    return [a["id"] for a in answer.json()["data"]]


async def brute_force(db, announcement_id: str) -> dict[str, tuple[int, int]]:
    """Per building: (households in the frozen audience, of them acknowledged), counted anew."""
    rows = await db.fetch(
        """SELECT ah.building_id, count(*) AS n,
                  count(k.household_id) FILTER (WHERE k.in_audience) AS acked
             FROM announcement_households ah
             LEFT JOIN announcement_acknowledgements k
                    ON k.announcement_id = ah.announcement_id AND k.household_id = ah.household_id
            WHERE ah.announcement_id = $1 GROUP BY ah.building_id""", announcement_id)
    return {r["building_id"]: (r["n"], r["acked"]) for r in rows}


async def test_who_posts_and_who_reads_each_scope(client, town):
    head, leader, staff, officer = (town.people[k] for k in ("head", "leader", "staff", "officer"))
    building = await post(client, f"/v1/buildings/{town.building}/announcements", leader)
    assert building["status"] == "published" and building["scope"] == "building"
    assert building["households"] == 3 and building["acknowledged"] == 0
    community = await post(client, f"/v1/communities/{town.community}/announcements", staff, pinned=True,
                           title="垃圾分类宣传周")
    street = await post(client, "/v1/streets/announcements", officer, title="街道防汛提示")
    # residents read their building's, community's and street's; the pinned one first, then newest first
    assert await ids_of(client, f"/v1/buildings/{town.building}/announcements", head) == [
        community["id"], street["id"], building["id"]]
    assert await ids_of(client, f"/v1/communities/{town.community}/announcements", head) == [
        community["id"], street["id"]]
    far = town.people["far_resident"]
    assert await ids_of(client, "/v1/streets/announcements", far) == [street["id"]]
    assert (await client.get(f"/v1/buildings/{town.building}/announcements", headers=far.headers())).status_code == 404
    assert (await client.get(f"/v1/announcements/{building['id']}", headers=far.headers())).status_code == 404
    assert (await client.get(f"/v1/announcements/{street['id']}", headers=far.headers())).status_code == 200
    # only the leaders of a scope post to it
    await post(client, f"/v1/buildings/{town.building}/announcements", head, 403)
    await post(client, f"/v1/communities/{town.community}/announcements", leader, 403)
    await post(client, "/v1/streets/announcements", staff, 403)
    # paging keeps pinned-first order across pages without repeats
    pages, cursor = [], None
    while True:
        url = f"/v1/buildings/{town.building}/announcements?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=head.headers())).json()
        pages += [a["id"] for a in page["data"]]
        if not (cursor := page["next_cursor"]):
            break
    assert pages == [community["id"], street["id"], building["id"]]


async def test_scheduled_ones_are_hidden_and_the_period_is_checked(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    now = await business_now(db)
    url = f"/v1/buildings/{town.building}/announcements"
    later = await post(client, url, leader, publish_at=(now + timedelta(days=1)).isoformat())
    assert later["status"] == "scheduled" and later["households"] == 0
    assert later["id"] in await ids_of(client, url, leader)
    assert later["id"] not in await ids_of(client, url, head)
    assert (await client.get(f"/v1/announcements/{later['id']}", headers=head.headers())).status_code == 404
    bad = await post(client, url, leader, 422, publish_at=(now + timedelta(days=2)).isoformat(),
                     expires_at=(now + timedelta(days=1)).isoformat())
    assert bad["code"] == "invalid_period"


async def test_acknowledged_once_per_household_and_followed_up_per_building(client, db, test_settings, town):
    head, tenant, leader, staff = (town.people[k] for k in ("head", "tenant", "leader", "staff"))
    ann = await post(client, f"/v1/communities/{town.community}/announcements", staff, requires_acknowledgement=True)
    assert ann["households"] == 6  # two buildings of three households, frozen now
    url = f"/v1/announcements/{ann['id']}/acknowledgement"
    first = await client.put(url, headers=head.headers(), json={})
    assert first.status_code == 200 and first.json()["counted"] and first.json()["household_id"] == town.household
    again = await client.put(url, headers=head.headers(), json={})
    assert again.status_code == 200 and again.json() == first.json()
    spouse = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    await join(db, spouse, town.household, role="family")
    assert (await client.put(url, headers=spouse.headers(), json={})).json() == first.json()  # one per household
    assert (await client.put(url, headers=tenant.headers(), json={})).status_code == 200
    read = (await client.get(f"/v1/announcements/{ann['id']}", headers=head.headers())).json()
    assert read["acknowledged"] == 2 and read["households"] == 6 and read["acknowledged_by_me"]
    assert not (await client.get(f"/v1/announcements/{ann['id']}", headers=town.people["neighbour"].headers())
                ).json()["acknowledged_by_me"]
    # a household joined after publishing may press it; it is not counted in the frozen audience
    late_household = new_id("household")
    await db.execute("""INSERT INTO households (id, street_id, community_id, building_id, unit_label, area_m2)
                        VALUES ($1, $2, $3, $4, '1-301', 80)""", late_household, town.street_id, town.community,
                     town.building)
    newcomer = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    await join(db, newcomer, late_household)
    late = await client.put(url, headers=newcomer.headers(), json={})
    assert late.status_code == 200 and not late.json()["counted"]
    # the follow-up: per building, and the units still to visit
    report = await client.get(f"/v1/announcements/{ann['id']}/acknowledgements", headers=staff.headers())
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["households"], body["acknowledged"]) == (6, 2)
    counted = await brute_force(db, ann["id"])
    assert {b["building_id"]: (b["households"], b["acknowledged"]) for b in body["buildings"]} == counted
    mine = next(b for b in body["buildings"] if b["building_id"] == town.building)
    assert mine["not_acknowledged_units"] == ["1-201"]
    # a building's leader sees their building only; a resident may not
    led = (await client.get(f"/v1/announcements/{ann['id']}/acknowledgements", headers=leader.headers())).json()
    assert [b["building_id"] for b in led["buildings"]] == [town.building] and led["households"] == 3
    assert (await client.get(f"/v1/announcements/{ann['id']}/acknowledgements",
                             headers=head.headers())).status_code == 403
    # a street-wide one: a community's staff follow up their community's buildings
    street = await post(client, "/v1/streets/announcements", town.people["officer"], requires_acknowledgement=True)
    theirs = (await client.get(f"/v1/announcements/{street['id']}/acknowledgements", headers=staff.headers())).json()
    assert sorted(b["building_id"] for b in theirs["buildings"]) == sorted([town.building, town.neighbour_building])
    assert theirs["households"] == 7  # with the household added above
    # a person of several households in scope names one
    both = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    other = await db.fetchval("SELECT id FROM households WHERE building_id = $1 AND unit_label = '1-102'",
                              town.neighbour_building)
    await join(db, both, town.household, role="family")
    await join(db, both, other, role="family")
    required = await client.put(url, headers=both.headers(), json={})
    assert required.status_code == 422 and required.json()["code"] == "household_required"
    named = await client.put(url, headers=both.headers(), json={"household_id": other})
    assert named.status_code == 200 and named.json()["household_id"] == other
    far = await client.put(url, headers=both.headers(), json={"household_id": new_id("household")})
    assert far.status_code == 422 and far.json()["code"] == "household_not_eligible"
    # an announcement that asks for none
    plain = await post(client, f"/v1/buildings/{town.building}/announcements", leader)
    refused = await client.put(f"/v1/announcements/{plain['id']}/acknowledgement", headers=head.headers(), json={})
    assert refused.status_code == 422 and refused.json()["code"] == "acknowledgement_not_required"
    assert await brute_force(db, ann["id"]) == {b: (n, a + (b == town.neighbour_building))
                                               for b, (n, a) in counted.items()}


async def test_withdrawn_by_its_author_with_if_match(client, db, town):
    head, leader, staff = town.people["head"], town.people["leader"], town.people["staff"]
    ann = await post(client, f"/v1/buildings/{town.building}/announcements", leader, requires_acknowledgement=True)
    url = f"/v1/announcements/{ann['id']}"
    read = await client.get(url, headers=leader.headers())
    assert (await client.patch(url, headers=head.headers(), json={"pinned": True})).status_code == 403
    moved = await client.patch(url, headers=leader.headers(**{"If-Match": read.headers["etag"]}),
                               json={"pinned": True, "title": "更正：停水时间调整"})
    assert moved.status_code == 200 and moved.json()["pinned"] and moved.json()["title"] == "更正：停水时间调整"
    frozen = await client.patch(url, headers=leader.headers(), json={"requires_acknowledgement": False})
    assert frozen.status_code == 409 and frozen.json()["code"] == "wrong_announcement_status"
    stale = await client.post(f"{url}/transitions", headers=leader.headers(**{"If-Match": read.headers["etag"]}),
                              json={"to": "withdrawn"})
    assert stale.status_code == 412
    assert (await client.post(f"{url}/transitions", headers=head.headers(), json={"to": "withdrawn"})).status_code == 403
    assert (await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "expired"})).status_code == 409
    done = await client.post(f"{url}/transitions", headers=staff.headers(), json={"to": "withdrawn"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn" and done.json()["withdrawn_at"]
    assert (await client.get(url, headers=head.headers())).status_code == 404
    late = await client.put(f"{url}/acknowledgement", headers=head.headers(), json={})
    assert late.status_code == 404
    again = await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "withdrawn"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_announcement_status"
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE subject_id = $1 ORDER BY seq", ann["id"])]
    assert types == ["announcement.created", "announcement.published", "announcement.updated",
                     "announcement.withdrawn"]


async def test_twenty_members_of_one_household_acknowledge_at_once(client, db, test_settings, town):
    leader = town.people["leader"]
    members = []
    for i in range(20):
        member = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id,
                                  nickname=f"家人{i}")
        await join(db, member, town.neighbour_household, role="family")
        members.append(member)
    ann = await post(client, f"/v1/buildings/{town.building}/announcements", leader, requires_acknowledgement=True)
    url = f"/v1/announcements/{ann['id']}/acknowledgement"
    answers = await asyncio.gather(*(client.put(url, headers=m.headers(), json={}) for m in members))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1  # every one sees the same, first acknowledgement
    assert await db.fetchval("SELECT count(*) FROM announcement_acknowledgements WHERE announcement_id = $1",
                             ann["id"]) == 1
    read = (await client.get(f"/v1/announcements/{ann['id']}", headers=leader.headers())).json()
    assert read["acknowledged"] == 1
    assert await brute_force(db, ann["id"]) == {town.building: (3, 1)}
    assert await db.fetchval("""SELECT count(*) FROM events WHERE type = 'announcement.acknowledged'
                                AND subject_id = $1""", ann["id"]) == 1


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_the_service_publishes_and_expires_on_time(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    now = await business_now(db)
    ann = await post(client, f"/v1/buildings/{town.building}/announcements", leader, requires_acknowledgement=True,
                     publish_at=(now + timedelta(hours=1)).isoformat(),
                     expires_at=(now + timedelta(hours=3)).isoformat())
    url = f"/v1/announcements/{ann['id']}"
    await run_due_jobs_of(db, [PUBLISH_JOB, EXPIRE_JOB])
    assert (await client.get(url, headers=leader.headers())).json()["status"] == "scheduled"
    early = await client.put(f"{url}/acknowledgement", headers=head.headers(), json={})
    assert early.status_code == 404  # a resident does not see it yet
    # moved later by an hour: the first job finds nothing due
    moved = await client.patch(url, headers=leader.headers(),
                               json={"publish_at": (now + timedelta(hours=2)).isoformat()})
    assert moved.status_code == 200, moved.text
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 3600 + 60})).status_code == 200
    await run_due_jobs_of(db, [PUBLISH_JOB, EXPIRE_JOB])
    assert (await client.get(url, headers=leader.headers())).json()["status"] == "scheduled"
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 3600})).status_code == 200
    assert await run_due_jobs_of(db, [PUBLISH_JOB, EXPIRE_JOB]) >= 1
    published = (await client.get(url, headers=head.headers())).json()
    assert published["status"] == "published" and published["households"] == 3 and published["published_at"]
    # a household added afterwards does not change the frozen audience
    await db.execute("""INSERT INTO households (id, street_id, community_id, building_id, unit_label, area_m2)
                        VALUES ($1, $2, $3, $4, '1-302', 80)""", new_id("household"), town.street_id,
                     town.community, town.building)
    assert (await client.put(f"{url}/acknowledgement", headers=head.headers(), json={})).status_code == 200
    assert (await client.get(url, headers=head.headers())).json()["households"] == 3
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 3600 + 60})).status_code == 200
    assert await run_due_jobs_of(db, [PUBLISH_JOB, EXPIRE_JOB]) >= 1
    expired = (await client.get(url, headers=head.headers())).json()
    assert expired["status"] == "expired" and expired["expired_at"] and expired["acknowledged"] == 1
    refused = await client.put(f"{url}/acknowledgement", headers=town.people["tenant"].headers(), json={})
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_announcement_status"
