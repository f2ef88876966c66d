"""The permission policy (domain/permissions.py) against a brute-force model: for random
roles, memberships and platform scopes in a small town of two streets, every check agrees
with a model that simply lists, grant by grant, the places each grant reaches."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.permissions import (
    Actor,
    Grants,
    Place,
    Principal,
    Tie,
    may_administer_role,
    may_cast_ballot,
    may_list_role,
    may_redeem_invite,
)

STREET, OTHER_STREET = "str_a", "str_b"
# street → community → building → households
TOWN = {
    STREET: {"com_1": {"bld_1": ["hh_1", "hh_2"], "bld_2": ["hh_3"]}, "com_2": {"bld_3": ["hh_4", "hh_5"]}},
    OTHER_STREET: {"com_9": {"bld_9": ["hh_9"]}},
}


def all_places() -> list[Place]:
    places = []
    for street, communities in TOWN.items():
        places.append(Place(street))
        for community, buildings in communities.items():
            places.append(Place(street, community))
            for building, households in buildings.items():
                places.append(Place(street, community, building))
                places += [Place(street, community, building, household) for household in households]
    return places


PLACES = all_places()
HOUSEHOLDS = {p.household_id: p for p in PLACES if p.household_id}
BUILDINGS = {p.building_id: p for p in PLACES if p.building_id and not p.household_id}
# Grants are rows of the token's street (usecases/actors.py loads no other); places of the
# other street are still checked, and no grant may reach them.
OWN_HOUSEHOLDS = sorted(h for h, p in HOUSEHOLDS.items() if p.street_id == STREET)
OWN_BUILDINGS = sorted(b for b, p in BUILDINGS.items() if p.street_id == STREET)
OWN_COMMUNITIES = sorted(TOWN[STREET])


@dataclass(frozen=True)
class Config:
    platform: bool
    scopes: frozenset[str]
    officer: bool
    staff: frozenset[str]
    leads: frozenset[str]
    ties: tuple[Tie, ...]


ties = st.lists(
    st.tuples(st.sampled_from(OWN_HOUSEHOLDS), st.sampled_from(["owner", "tenant", "family"]), st.booleans()),
    max_size=4, unique_by=lambda t: t[0],
).map(lambda rows: tuple(Tie(h, HOUSEHOLDS[h].building_id, HOUSEHOLDS[h].community_id, role, head)
                         for h, role, head in rows))
configs = st.builds(
    Config, platform=st.booleans(),
    scopes=st.frozensets(st.sampled_from(["street:read", "street:write", "tasks:dispatch"])),
    officer=st.booleans(), staff=st.frozensets(st.sampled_from(OWN_COMMUNITIES), max_size=2),
    leads=st.frozensets(st.sampled_from(OWN_BUILDINGS), max_size=2), ties=ties,
)


def actor_of(c: Config) -> Actor:
    if c.platform:
        return Actor(Principal("platform", "cli_x", STREET, scopes=c.scopes))
    grants = Grants(street_officer=c.officer, communities=c.staff,
                    buildings={b: BUILDINGS[b].community_id for b in c.leads},
                    households={t.household_id: t for t in c.ties})
    return Actor(Principal("person", "cli_mp", STREET, person_id="psn_me"), grants)


# The model: each grant lists the places it reaches, by walking the town.

def under(place: Place) -> set[Place]:
    """The place and every place inside it."""
    return {p for p in PLACES if p.street_id == place.street_id
            and place.community_id in (None, p.community_id)
            and place.building_id in (None, p.building_id)
            and place.household_id in (None, p.household_id)}


def model_street_wide(c: Config, write: bool) -> bool:
    if c.platform:
        return "street:write" in c.scopes or (not write and "street:read" in c.scopes)
    return c.officer


def model_staff_places(c: Config, write: bool) -> set[Place]:
    reached: set[Place] = set()
    if model_street_wide(c, write):
        reached |= under(Place(STREET))
    if not c.platform:
        for community in c.staff:
            reached |= under(Place(STREET, community))
    return reached


def model_leader_places(c: Config, write: bool) -> set[Place]:
    reached = model_staff_places(c, write)
    if not c.platform:
        for building in c.leads:
            reached |= under(BUILDINGS[building])
    return reached


def model_resident_places(c: Config) -> set[Place]:
    """A member reaches its household, its building and its community (not the street)."""
    reached: set[Place] = set()
    if not c.platform:
        for tie in c.ties:
            home = HOUSEHOLDS[tie.household_id]
            reached |= {home, BUILDINGS[tie.building_id], Place(STREET, tie.community_id)}
    return reached


def model_sees(c: Config, place: Place) -> bool:
    if place in model_leader_places(c, False) or place in model_resident_places(c):
        return True
    led_communities = set() if c.platform else {BUILDINGS[b].community_id for b in c.leads}
    return place.building_id is None and place.community_id in led_communities


def model_casts(role: str, head: bool) -> bool:
    return head or role == "owner"


@settings(max_examples=300, deadline=None)
@given(configs)
def test_every_place_check_matches_the_model(c: Config) -> None:
    actor = actor_of(c)
    for write in (False, True):
        assert actor.street_wide(write=write) == model_street_wide(c, write)
        staff, leader = model_staff_places(c, write), model_leader_places(c, write)
        for place in PLACES:
            assert actor.staff_of(place, write=write) == (place in staff), (place, write)
            assert actor.leader_of(place, write=write) == (place in leader), (place, write)
    residents = model_resident_places(c)
    for place in PLACES:
        if place.community_id is not None:  # a street is nobody's home
            assert actor.resident_of(place) == (place in residents), place
        assert actor.sees(place) == model_sees(c, place), place
    for household in HOUSEHOLDS:
        assert actor.head_of(household) == any(t.household_id == household and t.head for t in c.ties
                                               if not c.platform)


# Every role on every scope of the token's street it can be held on (usecases/roles.scope_of
# resolves no other): (role, scope type, place); organisations live in a community or street-wide.
ROLE_SCOPES = ([("building_leader", "building", BUILDINGS[b]) for b in OWN_BUILDINGS]
               + [("community_staff", "community", Place(STREET, c)) for c in OWN_COMMUNITIES]
               + [("street_officer", "street", Place(STREET))]
               + [("organization_member", "organization", Place(STREET, c)) for c in OWN_COMMUNITIES]
               + [("organization_member", "organization", Place(STREET))])


def model_administers(c: Config, role: str, place: Place) -> bool:
    """Street-wide writers administer every role; community staff the building leaders and the
    organisation members of their own communities, nothing else."""
    writer = c.officer if not c.platform else "street:write" in c.scopes
    staff_here = not c.platform and place.community_id in c.staff
    return writer or (role in ("building_leader", "organization_member") and staff_here)


def model_lists(c: Config, scope_type: str, place: Place) -> bool:
    reader = c.officer if not c.platform else bool({"street:read", "street:write"} & c.scopes)
    if reader:
        return True
    if c.platform or scope_type == "street":
        return False
    return place.community_id in c.staff or (scope_type == "building" and place.building_id in c.leads)


@settings(max_examples=300, deadline=None)
@given(configs)
def test_who_administers_and_lists_roles_matches_the_model(c: Config) -> None:
    actor = actor_of(c)
    for role, scope_type, place in ROLE_SCOPES:
        assert may_administer_role(actor, role, place) == model_administers(c, role, place), (role, place)
        assert may_list_role(actor, scope_type, place) == model_lists(c, scope_type, place), (role, place)


frozen = st.none() | st.tuples(st.sampled_from(OWN_HOUSEHOLDS), st.sampled_from(["owner", "tenant", "family"]),
                               st.booleans())


@settings(max_examples=500, deadline=None)
@given(configs, st.sampled_from(OWN_HOUSEHOLDS), frozen)
def test_may_cast_ballot_matches_the_model(c: Config, household: str, at_opening) -> None:
    """Only a person who may cast the household's ballot now and already could when the vote
    opened: never a platform client, a leader as such, a newcomer or a promoted member."""
    tie = None if at_opening is None else Tie(at_opening[0], HOUSEHOLDS[at_opening[0]].building_id,
                                              HOUSEHOLDS[at_opening[0]].community_id, at_opening[1], at_opening[2])
    now = [t for t in c.ties if t.household_id == household]
    expected = (not c.platform and at_opening is not None and at_opening[0] == household
                and model_casts(at_opening[1], at_opening[2])
                and len(now) == 1 and model_casts(now[0].role, now[0].head))
    assert may_cast_ballot(actor_of(c), household, tie) == expected


@given(st.sampled_from(["psn_a", "psn_b", "cli_x"]), st.sampled_from(["psn_a", "psn_b", "cli_x"]))
def test_an_issuer_never_redeems_their_own_invite(person: str, issuer: str) -> None:
    assert may_redeem_invite(person, issuer) == (person != issuer)
