"""Who may move a booking where, and when (domain/bookings.py), against brute-force models
written from resources.md §4: a table of who asks for what, the status machine as a list of
arrows, and the time windows counted in minutes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.bookings import Booking, SpaceRules, check_transition, is_booker, manages, may_see_booking
from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Actor, Grants, Principal, Tie
from domain.spaces import Closure, Space, may_see, partner_organizations, party_for, qualifying_households

STREET = "str_1"
START = datetime(2026, 12, 7, 10, tzinfo=UTC)
STATUSES = ("pending", "confirmed", "checked_in", "completed", "rejected", "cancelled", "no_show")
ARROWS = {("pending", "confirmed"), ("pending", "rejected"), ("pending", "cancelled"),
          ("confirmed", "cancelled"), ("confirmed", "checked_in"), ("confirmed", "no_show"),
          ("checked_in", "completed")}


def booking(status: str = "confirmed", **changes) -> Booking:
    return replace(Booking(
        id="bkg_1", street_id=STREET, space_id="spc_1", community_id="com_1", building_id="bld_1",
        household_id="hh_1", organization_id=None, person_id="psn_booker", series_id=None, start_at=START,
        end_at=START + timedelta(hours=1), purpose="", attendees=2, status=status, confirmed_at=None,
        checked_in_at=None, completed_at=None, rejected_at=None, cancelled_at=None, no_show_at=None,
        created_at=START - timedelta(days=1), updated_at=START - timedelta(days=1)), **changes)


def expected(status: str, wanted: str, leader: bool, booker: bool, minutes_to_start: int, notice: int) -> str | None:
    """The brute-force answer: the code the caller gets, or None when the move is made."""
    asks = {"confirmed": leader, "rejected": leader, "checked_in": booker}
    if not asks.get(wanted, True):
        return "not_allowed"
    if (status, wanted) not in ARROWS or wanted in ("no_show", "completed"):
        return "booking_transition_not_allowed"
    if wanted == "cancelled" and not leader and minutes_to_start < notice:
        return "cancel_too_late"
    if wanted == "checked_in" and not -15 <= minutes_to_start <= 15:
        return "not_in_check_in_window"
    return None


@given(status=st.sampled_from(STATUSES), wanted=st.sampled_from(STATUSES), leader=st.booleans(),
       booker=st.booleans(), minutes_to_start=st.integers(-120, 240), notice=st.integers(0, 180))
def test_check_transition_matches_the_brute_force_model(status, wanted, leader, booker, minutes_to_start, notice):
    now = START - timedelta(minutes=minutes_to_start)
    try:
        check_transition(booking(status), wanted, now, leader=leader, booker=booker,
                         rules=SpaceRules(cancel_before_minutes=notice))
        got = None
    except (Forbidden, Conflict, RuleViolation) as refusal:
        got = refusal.code
    assert got == expected(status, wanted, leader, booker, minutes_to_start, notice)


def test_a_bookers_cancellation_needs_the_spaces_rules():
    with pytest.raises(ValueError):
        check_transition(booking("confirmed"), "cancelled", START, leader=False, booker=True, rules=None)
    check_transition(booking("confirmed"), "cancelled", START, leader=True, booker=False, rules=None)


PEOPLE = ("psn_booker", "psn_other")
HOUSEHOLDS = {"hh_1": ("bld_1", "com_1"), "hh_2": ("bld_2", "com_1"), "hh_3": ("bld_3", "com_2")}


@st.composite
def actors(draw) -> Actor:
    if draw(st.booleans()):
        scopes = draw(st.frozensets(st.sampled_from(["street:read", "street:write"])))
        return Actor(Principal("platform", "cli_x", STREET, scopes=scopes))
    homes = draw(st.frozensets(st.sampled_from(sorted(HOUSEHOLDS))))
    grants = Grants(street_officer=draw(st.booleans()),
                    communities=draw(st.frozensets(st.sampled_from(["com_1", "com_2"]))),
                    buildings={b: c for b, c in draw(st.frozensets(st.sampled_from(
                        [("bld_1", "com_1"), ("bld_2", "com_1"), ("bld_3", "com_2")])))},
                    organizations=draw(st.frozensets(st.sampled_from(["org_1", "org_2"]))),
                    households={h: Tie(h, *HOUSEHOLDS[h], "owner", False) for h in homes})
    return Actor(Principal("person", "cli_mp", STREET, person_id=draw(st.sampled_from(PEOPLE))), grants)


@given(actor=actors(), household=st.sampled_from([None, *sorted(HOUSEHOLDS)]), person=st.sampled_from(PEOPLE))
def test_bookers_and_managers_match_the_brute_force_model(actor, household, person):
    found = booking(household_id=household, person_id=person)
    grants = actor.grants
    booker = actor.person_id == person or (household is not None and household in grants.households)
    leader = (actor.street_wide(write=True) if actor.is_platform
              else grants.street_officer or "com_1" in grants.communities or "bld_1" in grants.buildings)
    assert is_booker(actor, found) == booker
    assert manages(actor, found) == leader
    assert may_see_booking(actor, found) == (booker or leader)


def space(who_can_book: str, building_id: str | None, partners: tuple[str, ...] = ()) -> Space:
    return Space(id="spc_1", street_id=STREET, community_id="com_1", building_id=building_id, name="客厅",
                 kind="lounge", capacity=10, timezone="Asia/Shanghai", opening_hours={},
                 closures=(Closure(START, START + timedelta(hours=1)),),
                 rules=SpaceRules(who_can_book=who_can_book, partner_organization_ids=partners),
                 created_at=START, updated_at=START)


@given(actor=actors(), who=st.sampled_from(["building", "community", "street"]),
       building=st.sampled_from([None, "bld_1"]), partners=st.frozensets(st.sampled_from(["org_1", "org_2"])))
def test_who_may_book_a_space_matches_the_brute_force_model(actor, who, building, partners):
    found = space(who, building, tuple(sorted(partners)))
    homes = actor.grants.households
    if who == "building" and building is not None:
        qualifying = [h for h in homes if HOUSEHOLDS[h][0] == building]
    elif who in ("building", "community"):
        qualifying = [h for h in homes if HOUSEHOLDS[h][1] == "com_1"]
    else:
        qualifying = list(homes)
    assert qualifying_households(actor, found) == sorted(qualifying)
    assert partner_organizations(actor, found) == sorted(partners & actor.grants.organizations)
    if qualifying or partners & actor.grants.organizations:
        assert may_see(actor, found)
    assert found.terms.closures == [(START, START + timedelta(hours=1))]


def brute_party(actor, found, named, leader) -> tuple[str | None, str | None] | str:
    """Who a booking is for, by brute force: the answer (household, organisation) or the code."""
    if actor.is_platform:
        return "person_required"
    homes = sorted(qualifying_households(actor, found))
    if named is not None:
        return (named, None) if named in homes else "not_eligible"
    if len(homes) == 1:
        return homes[0], None
    if homes:
        return "household_required"
    partners = sorted(set(found.rules.partner_organization_ids) & actor.grants.organizations)
    if partners:
        return None, partners[0]
    return (None, None) if leader else "not_eligible"


@given(actor=actors(), who=st.sampled_from(["building", "community", "street"]),
       partners=st.frozensets(st.sampled_from(["org_1", "org_2"])),
       named=st.sampled_from([None, *sorted(HOUSEHOLDS)]), leader=st.booleans())
def test_who_a_booking_is_for_matches_the_brute_force_model(actor, who, partners, named, leader):
    found = space(who, "bld_1", tuple(sorted(partners)))
    try:
        party = party_for(actor, found, named, leader=leader)
        got = (party.household_id, party.organization_id)
    except (Forbidden, RuleViolation) as refusal:
        got = refusal.code
    assert got == brute_party(actor, found, named, leader)
