"""Raters of 最美楼栋 campaigns by HTTP (the community spec §12): for every kind of caller no
route shows one rater's scores to anyone but that rater, and a removed rater takes their
sheets with them."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.campaigns import new_campaign, next_day
from tests.support.clock import clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.campaigns_jobs import ADVANCE_JOB


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_no_route_shows_anyone_a_raters_scores_but_their_own(client, db, town, test_settings, platform):
    """Two raters score the same building with distinctive sheets; every caller kind reads
    every route of the campaign (during rating and once published) and the event feed: only
    a rater ever sees a sheet, and only their own."""
    _, member = await company(db, test_settings, town, name="共建单位")
    town.people["member"] = member
    campaign = await new_campaign(client, db, town)
    url = f"/v1/campaigns/{campaign['id']}"
    staff = town.people["staff"]
    for building in (town.building, town.neighbour_building):
        assert (await client.post(f"{url}/nominations", headers=staff.headers(),
                                  json={"building_id": building})).status_code == 201
    for key in ("staff", "member"):
        assert (await client.post(f"{url}/raters", headers=staff.headers(),
                                  json={"person_id": town.people[key].person_id})).status_code == 201
    await next_day(client, db)
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    sheets = {"staff": {"environment": 3, "self_governance": 4, "civility": 5, "neighbourliness": 6},
              "member": {"environment": 10, "self_governance": 9, "civility": 2, "neighbourliness": 7}}
    sheet_ids = {}
    for key, sheet in sheets.items():
        put = await client.put(f"{url}/scores/{town.building}", headers=town.people[key].headers(),
                               json={"scores": sheet})
        assert put.status_code == 200, put.text
        sheet_ids[key] = put.json()["id"]
    # staff is a rater too: for the member, "the other rater"
    callers = {"resident": town.people["head"], "leader": town.people["leader"], "staff": staff,
               "rater": member, "officer": town.people["officer"], "platform": platform}
    routes = ["", "/nominations", f"/nominations/{town.building}/assessment", "/raters", "/scores",
              f"/scores/{town.building}", f"/scores/{town.neighbour_building}", "/results"]

    async def look(phase: str) -> None:
        for kind, caller in callers.items():
            own = {"staff": "staff", "rater": "member"}.get(kind)
            for route in routes:
                answer = await client.get(f"{url}{route}", headers=caller.headers())
                body = answer.text
                for rater, sheet_id in sheet_ids.items():
                    if rater != own:  # another's sheet never shows, by its id or its fields
                        assert sheet_id not in body, (phase, kind, route)
                if own is None:
                    assert '"scores"' not in body and '"person_id"' not in body or route == "/raters", (
                        phase, kind, route)
                    if route.startswith("/scores"):
                        assert answer.status_code in (403, 404), (phase, kind, route)
            if own is not None:
                mine = (await client.get(f"{url}/scores/{town.building}", headers=caller.headers())).json()
                assert mine["scores"] == sheets[own] and mine["id"] == sheet_ids[own]
                listed = (await client.get(f"{url}/scores", headers=caller.headers())).json()["data"]
                assert [s["id"] for s in listed] == [sheet_ids[own]]
        feed = await client.get("/v1/events?limit=100", headers=platform.headers())
        assert feed.status_code == 200
        assert all(sheet_id not in feed.text for sheet_id in sheet_ids.values())
        assert '"scores"' not in feed.text

    await look("rating")
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    await look("published")
    results = (await client.get(f"{url}/results", headers=town.people["head"].headers())).json()
    rated = results["buildings"][0]
    # Means of the two sheets (13/2, 13/2, 7/2, 13/2 → 6.5, 6.5, 3.5, 6.5), score 23/4 = 5.75.
    assert (rated["building_id"], rated["raters"], rated["score"]) == (town.building, 2, "5.75")
    assert [m["mean"] for m in rated["criteria"]] == ["6.50", "6.50", "3.50", "6.50"]
    assert results["buildings"][1]["score"] is None and results["buildings"][1]["rank"] is None


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_a_removed_rater_takes_their_sheets_with_them(client, db, town):
    campaign = await new_campaign(client, db, town)
    url = f"/v1/campaigns/{campaign['id']}"
    staff, officer, neighbour = town.people["staff"], town.people["officer"], town.people["neighbour"]
    assert (await client.post(f"{url}/nominations", headers=staff.headers(),
                              json={"building_id": town.building})).status_code == 201
    for rater in (officer, neighbour):
        assert (await client.post(f"{url}/raters", headers=staff.headers(),
                                  json={"person_id": rater.person_id})).status_code == 201
    await next_day(client, db)
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    for rater, value in ((officer, 2), (neighbour, 9)):
        put = await client.put(f"{url}/scores/{town.building}", headers=rater.headers(), json={"scores": {
            "environment": value, "self_governance": value, "civility": value, "neighbourliness": value}})
        assert put.status_code == 200, put.text
    nine = {"environment": 9, "self_governance": 9, "civility": 9, "neighbourliness": 9}
    again = await asyncio.gather(*(client.put(f"{url}/scores/{town.building}", headers=neighbour.headers(),
                                              json={"scores": nine}) for _ in range(8)))
    assert [a.status_code for a in again] == [200] * 8  # the same sheet, replaced, never doubled
    assert await db.fetchval("SELECT count(*) FROM campaign_scores WHERE campaign_id = $1 AND person_id = $2",
                             campaign["id"], neighbour.person_id) == 1
    assert (await client.delete(f"{url}/raters/{officer.person_id}",
                                headers=town.people["leader"].headers())).status_code == 403
    assert (await client.delete(f"{url}/raters/{officer.person_id}", headers=staff.headers())).status_code == 204
    assert (await client.delete(f"{url}/raters/{officer.person_id}", headers=staff.headers())).status_code == 404
    gone = await client.get(f"{url}/scores/{town.building}", headers=officer.headers())
    assert gone.status_code == 403 and gone.json()["code"] == "not_a_rater"
    listed = (await client.get(f"{url}/raters", headers=staff.headers())).json()["data"]
    assert [r["person_id"] for r in listed] == [neighbour.person_id]
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    result = (await client.get(f"{url}/results", headers=staff.headers())).json()["buildings"][0]
    assert (result["score"], result["raters"], result["rank"], result["winner"]) == ("9.00", 1, 1, True)
    late = await client.delete(f"{url}/raters/{neighbour.person_id}", headers=staff.headers())
    assert late.status_code == 409 and late.json()["code"] == "phase_closed"
    with pytest.raises(Exception, match="campaign_scores_scores_check"):  # the database keeps scores 1–10 too
        await db.execute("UPDATE campaign_scores SET scores = '{\"environment\": 11}' WHERE campaign_id = $1",
                         campaign["id"])
