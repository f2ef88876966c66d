"""Asking for a move the caller may not ask for now (resources.md §2: "everything else is
automatic or 409"): any known stage or status that is just not allowed from here is a 409
with the status machine's own code; only a value that is no stage or status at all is 400."""

from __future__ import annotations

import pytest

from tests.support.clock import business_now
from tests.support.proposals import proposal_to_vote
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text


async def test_a_proposal_refuses_known_stages_with_409_and_unknown_ones_with_400(client, town):
    head, leader = town.people["head"], town.people["leader"]
    created = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                json={"title": "加装雨棚", "category": "facilities"})
    url = f"/v1/proposals/{created.json()['id']}/transitions"
    for body in ({"to": "implementing"}, {"to": "collecting"}, {"to": "evaluating"},
                 {"to": "closed", "outcome": "rejected"}, {"to": "closed", "outcome": "no_quorum"},
                 {"to": "closed", "outcome": "insufficient_support"}, {"to": "closed", "outcome": "adopted"}):
        refused(await client.post(url, headers=leader.headers(), json=body), 409, "wrong_stage")
    refused(await client.post(url, headers=leader.headers(), json={"to": "finished"}), 400, "validation_failed")
    refused(await client.post(url, headers=leader.headers(), json={"to": "closed", "outcome": "won"}),
            400, "validation_failed")
    assert (await client.post(url, headers=leader.headers(), json={"to": "deliberating"})).status_code == 200
    for body in ({"to": "implementing"}, {"to": "closed", "outcome": "adopted"}, {"to": "deliberating"}):
        refused(await client.post(url, headers=leader.headers(), json=body), 409, "wrong_stage")


async def test_a_vote_is_never_closed_on_request(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    voting = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db))
    url = f"/v1/proposals/{voting['id']}/transitions"
    for body in ({"to": "closed"}, {"to": "closed", "outcome": "adopted"}, {"to": "closed", "outcome": "rejected"},
                 {"to": "closed", "outcome": "dismissed", "reason": "x"}, {"to": "implementing"}, {"to": "voting"}):
        refused(await client.post(url, headers=leader.headers(), json=body), 409, "wrong_stage")
    refused(await client.post(url, headers=head.headers(), json={"to": "closed", "outcome": "withdrawn"}),
            409, "wrong_stage")


async def test_a_task_refuses_known_statuses_with_409_and_unknown_ones_with_400(client, town):
    leader, tenant = town.people["leader"], town.people["tenant"]
    created = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": "清理楼道", "assignee": {"type": "person", "id": tenant.person_id}})
    url = f"/v1/tasks/{created.json()['id']}/transitions"
    for to in ("open", "done", "verified"):
        refused(await client.post(url, headers=tenant.headers(), json={"to": to}), 409, "wrong_task_status")
    refused(await client.post(url, headers=tenant.headers(), json={"to": "finished"}), 400, "validation_failed")


async def test_a_report_refuses_known_statuses_with_409_and_unknown_ones_with_400(client, town):
    head, leader = town.people["head"], town.people["leader"]
    created = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "safety", "description": "楼道灯坏了"})
    url = f"/v1/reports/{created.json()['id']}/transitions"
    for to in ("submitted", "resolved", "closed"):
        refused(await client.post(url, headers=leader.headers(), json={"to": to}), 409, "wrong_report_status")
    refused(await client.post(url, headers=leader.headers(), json={"to": "fixed"}), 400, "validation_failed")


async def test_a_booking_refuses_known_statuses_with_409_and_unknown_ones_with_400(client, db, town):
    space = await new_space(client, town)
    head = town.people["head"]
    created = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                                json={"attendees": 4, "purpose": "读书会", **span(await day_ahead(db), 60)})
    url = f"/v1/bookings/{created.json()['id']}/transitions"
    for status in ("pending", "completed", "no_show", "confirmed"):
        actor = town.people["leader"] if status == "confirmed" else head
        refused(await client.post(url, headers=actor.headers(), json={"status": status}),
                409, "booking_transition_not_allowed")
    refused(await client.post(url, headers=head.headers(), json={"status": "done"}), 400, "validation_failed")
