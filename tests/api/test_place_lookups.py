"""What other features call to reach a place (usecases/places.py): the community, building
or household the caller may see as its model, else 404 — never telling unseen from missing;
and a building's rules for the street's own jobs."""

from __future__ import annotations

import pytest

from domain.errors import NotFound
from domain.permissions import Principal
from domain.places import Building, BuildingRules, Community, Household
from tests.support.town import build_town
from usecases import places
from usecases.actors import actor_for


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def _actor(conn, town, key):
    principal = Principal(kind="person", client_id=town.client_id, street_id=town.street_id,
                          person_id=town.people[key].person_id)
    return await actor_for(conn, principal)


async def test_a_place_is_its_model_to_who_sees_it(db, town):
    async with db.acquire() as conn:
        head = await _actor(conn, town, "head")
        building = await places.visible_building(conn, head, town.building)
        assert isinstance(building, Building)
        assert (building.id, building.community_id, building.street_id) == (town.building, town.community,
                                                                            town.street_id)
        household = await places.visible_household(conn, head, town.household)
        assert isinstance(household, Household) and household.building_id == town.building
        leader = await _actor(conn, town, "leader")
        community = await places.visible_community(conn, leader, town.community)  # through its building
        assert isinstance(community, Community) and community.id == town.community


async def test_an_unseen_place_is_as_missing_as_a_missing_one(db, town):
    async with db.acquire() as conn:
        stranger, head = await _actor(conn, town, "stranger"), await _actor(conn, town, "head")
        for lookup, actor, thing_id in (
            (places.visible_building, stranger, town.building),
            (places.visible_building, head, town.far_building),
            (places.visible_building, head, "bld_missing"),
            (places.visible_community, stranger, town.community),
            (places.visible_household, head, town.neighbour_household),
        ):
            with pytest.raises(NotFound) as hidden:
                await lookup(conn, actor, thing_id)
            assert hidden.value.code == "not_found"


async def test_a_buildings_rules_with_their_defaults(db, town):
    await db.execute("""UPDATE buildings SET rules = '{"collect_days": 21}' WHERE id = $1""", town.building)
    async with db.acquire() as conn:
        rules = await places.building_rules(conn, town.street_id, town.building)
        assert rules == BuildingRules(collect_days=21)
        with pytest.raises(NotFound):
            await places.building_rules(conn, town.street_id, "bld_missing")
