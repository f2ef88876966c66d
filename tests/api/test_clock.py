"""The test clock (resources.md §6): one business time for the API and the workers, forward
only, no token, absent from production — and security time never moves with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import MAX_OFFSET_SECONDS
from tests.support.clock import clock  # noqa: F401 - the fixture
from tests.support.production import production_client

pytestmark = pytest.mark.xdist_group("clock")


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.mark.usefixtures("clock")
async def test_read_and_advance_without_a_token(client, db):
    now = datetime.now(UTC)
    read = await client.get("/v1/test-clock")
    assert read.status_code == 200, read.text
    assert abs(parse(read.json()["now"]) - now) < timedelta(seconds=2) and read.json()["advanced_seconds"] == 0

    advanced = await client.post("/v1/test-clock", json={"advance_seconds": 14 * 86400})
    assert advanced.status_code == 200, advanced.text
    assert abs(parse(advanced.json()["now"]) - (now + timedelta(days=14))) < timedelta(seconds=2)
    again = (await client.post("/v1/test-clock", json={"advance_seconds": 3600})).json()
    assert again["advanced_seconds"] == 14 * 86400 + 3600
    # Shared through the database, where the workers read it.
    assert await db.fetchval("SELECT offset_seconds FROM test_clock") == 14 * 86400 + 3600
    assert (await client.get("/v1/test-clock")).json()["advanced_seconds"] == 14 * 86400 + 3600


@pytest.mark.usefixtures("clock")
async def test_business_time_stays_within_a_century(client, db):
    await db.execute("UPDATE test_clock SET offset_seconds = $1", MAX_OFFSET_SECONDS - 10)
    client.app.state.services.clock.forget()  # the offset the app read before the change
    too_far = await client.post("/v1/test-clock", json={"advance_seconds": 11})
    assert too_far.status_code == 400, too_far.text
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 10})).status_code == 200


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("body", [{"advance_seconds": 0}, {"advance_seconds": -60}, {"advance_seconds": "60"},
                                  {"advance_seconds": 366 * 86400 + 1}, {}, {"advance_seconds": 1, "x": 1}])
async def test_only_forward_and_within_bounds(client, body):
    response = await client.post("/v1/test-clock", json=body)
    assert response.status_code == 400, response.text
    assert (await client.get("/v1/test-clock")).json()["advanced_seconds"] == 0


@pytest.mark.usefixtures("clock")
async def test_security_time_does_not_move(client, platform):
    """A token stays good (its expiry is real time) while business time jumps a year ahead."""
    await client.post("/v1/test-clock", json={"advance_seconds": 366 * 86400})
    response = await client.get("/v1/communities", headers=platform.headers())
    assert response.status_code == 200, response.text
    limit = response.headers["ratelimit"]
    assert ";t=" in limit and int(limit.rsplit(";t=", 1)[1]) <= 60  # the window is real time too


async def test_production_has_no_test_clock(test_settings):
    async with production_client(test_settings) as production:
        client = production.client
        assert (await client.get("/v1/test-clock")).status_code == 404
        assert (await client.post("/v1/test-clock", json={"advance_seconds": 60})).status_code == 404
