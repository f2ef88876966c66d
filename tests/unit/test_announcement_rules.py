"""The pure rules of 看 and 问 (domain/announcements.py, domain/questions.py) against brute-force
models: the household a person acknowledges for (named, only, several, none) for any ties and
scope; who sees and who manages an announcement in each status and scope; the status
machines, expiry and the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import announcements as rules
from domain import questions
from domain.announcements import Announcement
from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Grants, Place, Principal, Tie

AT = datetime(2026, 12, 1, tzinfo=UTC)
STREET = "str_1"
COMMUNITIES = ("com_a", "com_b")
BUILDINGS = {"bld_1": "com_a", "bld_2": "com_a", "bld_3": "com_b"}
HOUSEHOLDS = {f"hh_{b}_{n}": b for b in BUILDINGS for n in range(2)}

places = st.sampled_from([Place(STREET), *(Place(STREET, community_id=c) for c in COMMUNITIES),
                          *(Place(STREET, community_id=c, building_id=b) for b, c in BUILDINGS.items())])
ties = st.lists(st.sampled_from(sorted(HOUSEHOLDS)), unique=True, max_size=4).map(
    lambda ids: [Tie(h, HOUSEHOLDS[h], BUILDINGS[HOUSEHOLDS[h]], "owner", False) for h in ids])


def in_scope_brute(household: str, place: Place) -> bool:
    building = HOUSEHOLDS[household]
    return ((place.building_id is None or place.building_id == building)
            and (place.community_id is None or place.community_id == BUILDINGS[building]))


@given(ties, places, st.none() | st.sampled_from(sorted(HOUSEHOLDS)))
def test_the_household_acknowledging_is_the_named_or_the_only_one(mine, place, requested):
    eligible = sorted(t.household_id for t in mine if in_scope_brute(t.household_id, place))
    if requested is not None:
        expected = requested if requested in eligible else "household_not_eligible"
    elif len(eligible) == 1:
        expected = eligible[0]
    else:
        expected = "household_not_eligible" if not eligible else "household_required"
    try:
        got = rules.acknowledging_household(mine, place, requested).household_id
    except RuleViolation as error:
        got = error.code
    assert got == expected


def announcement(place: Place, status: str, author: str = "psn_author") -> Announcement:
    return Announcement(
        id="ann_1", street_id=place.street_id, community_id=place.community_id, building_id=place.building_id,
        scope=rules.scope_of(place), author_type="person", author_id=author, title="t", body="b", pinned=False,
        requires_acknowledgement=True, status=status, publish_at=AT, expires_at=None, published_at=None,
        expired_at=None, withdrawn_at=None, households=0, acknowledged=0, created_at=AT, updated_at=AT)


roles = st.sampled_from(["resident", "building_leader", "staff", "officer", "author", "stranger"])


def actor_of(role: str, mine: list[Tie], led: str) -> Actor:
    person = "psn_author" if role == "author" else "psn_me"
    grants = Grants(
        street_officer=role == "officer",
        communities=frozenset({BUILDINGS[led]}) if role == "staff" else frozenset(),
        buildings={led: BUILDINGS[led]} if role == "building_leader" else {},
        households={t.household_id: t for t in mine} if role == "resident" else {})
    return Actor(Principal("person", "cli_1", STREET, person_id=person), grants)


def leads_brute(role: str, led: str, place: Place) -> bool:
    """Posts to (so manages) the scope: the brute-force reading of "leaders of that scope"."""
    if role == "officer":
        return True
    if role == "staff":
        return place.community_id == BUILDINGS[led]
    if role == "building_leader":
        return place.building_id == led
    return False


@given(roles, ties, st.sampled_from(sorted(BUILDINGS)), places, st.sampled_from(rules.STATUSES))
def test_who_sees_an_announcement(role, mine, led, place, status):
    actor = actor_of(role, mine, led)
    manages = role == "author" or leads_brute(role, led, place)
    if place.building_id is None and place.community_id is None:
        reaches = True  # the street's: every caller of the street
    elif role == "resident":
        reaches = any(in_scope_brute(t.household_id, place) for t in mine)
    else:
        reaches = manages or (role == "building_leader" and place.building_id is None
                              and place.community_id == BUILDINGS[led])
    assert rules.may_manage(actor, announcement(place, status)) == manages
    assert rules.may_see(actor, announcement(place, status)) == (manages or (status in rules.PUBLIC and reaches))


@pytest.mark.parametrize("status", rules.STATUSES)
def test_only_scheduled_or_published_ones_are_withdrawn(status):
    if status in ("scheduled", "published"):
        assert rules.withdraw(status) == "withdrawn"
    else:
        with pytest.raises(Conflict):
            rules.withdraw(status)


@given(st.sampled_from(rules.STATUSES), st.none() | st.integers(-3, 3), st.integers(-3, 3))
def test_expiry_and_period(status, expires_in, publish_in):
    expires_at = None if expires_in is None else AT + timedelta(hours=expires_in)
    assert rules.expires(status, expires_at, AT) == (status == "published" and expires_at is not None
                                                    and expires_in <= 0)
    publish_at = AT + timedelta(hours=publish_in)
    valid = expires_at is None or (expires_at > publish_at and expires_at > AT)
    if valid:
        rules.ensure_period(publish_at, expires_at, AT)
    else:
        with pytest.raises(RuleViolation):
            rules.ensure_period(publish_at, expires_at, AT)


@given(st.lists(st.sampled_from(["answer", "close"]), max_size=6))
def test_a_question_is_answered_until_closed(moves):
    status = "open"
    for move in moves:
        expected = status if status == "closed" else ("answered" if move == "answer" else "closed")
        try:
            status = questions.answered(status) if move == "answer" else questions.close(status)
        except Conflict:
            assert status == "closed"
            continue
        assert status == expected
