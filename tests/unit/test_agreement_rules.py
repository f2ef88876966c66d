"""domain/agreements.py: the dates of a signed agreement against a brute-force model that
reasons in whole local days (active from ``starts_on`` to ``ends_on`` inclusive, expired
after, warned once from the 30th-last day), whatever moments the jobs run at, in time zones
with and without daylight saving; the status machine of persons' moves; who signs which side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import agreements as rules
from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Actor, Grants, Place, Principal, signing_sides

ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC")
BASE = date(2026, 1, 1)


def expected_status(day: date, starts_on: date, ends_on: date) -> str:
    if day > ends_on:
        return "expired"
    return "active" if day >= starts_on else "signed"


def expected_warning(day: date, ends_on: date) -> bool:
    """The last 30 days: from the day 29 days before ``ends_on`` to ``ends_on`` itself."""
    return ends_on - timedelta(days=29) <= day <= ends_on


@settings(max_examples=400, deadline=None)
@given(zone=st.sampled_from(ZONES), start=st.integers(0, 400), length=st.integers(0, 120),
       hours=st.lists(st.integers(-24 * 5, 24 * 560), min_size=1, max_size=15, unique=True),
       terminate_at=st.one_of(st.none(), st.integers(0, 14)))
def test_dates_move_a_signed_agreement_as_whole_local_days_say(zone, start, length, hours, terminate_at):
    starts_on = BASE + timedelta(days=start)
    ends_on = starts_on + timedelta(days=length)
    when = rules.moments(starts_on, ends_on, zone)
    status, warned_at, seen = "signed", None, []
    ticks = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=h, minutes=7) for h in sorted(hours)]
    for index, now in enumerate(ticks):
        if terminate_at == index and status in ("signed", "active"):
            status = "terminated"
        if rules.expiring_due(status, warned_at is not None, when, now):
            warned_at = now
        status = rules.due_status(status, when, now)
        seen.append(status)
    # The model: each tick's local day decides; the warning at the first tick within the last
    # 30 days while the agreement still runs; nothing moves a terminated one.
    status, warning = "signed", None
    for index, now in enumerate(ticks):
        day = now.astimezone(ZoneInfo(zone)).date()
        if terminate_at == index and status in ("signed", "active"):
            status = "terminated"
        if status != "terminated":
            if warning is None and expected_warning(day, ends_on):
                warning = now
            status = expected_status(day, starts_on, ends_on)
        assert seen[index] == status, (index, now, day)
    assert warned_at == warning


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), day=st.integers(0, 800))
def test_the_moments_are_local_midnights(zone, day):
    on = BASE + timedelta(days=day)
    when = rules.moments(on, on, zone)
    local = ZoneInfo(zone)
    assert when.starts_at.astimezone(local).replace(tzinfo=None) == datetime.combine(on, datetime.min.time())
    assert when.ends_at.astimezone(local).date() == on + timedelta(days=1)
    assert when.expiring_at.astimezone(local).date() == on + timedelta(days=1) - timedelta(days=30)


STATUSES = st.sampled_from(rules.AGREEMENT_STATUSES)


@given(status=STATUSES, to=STATUSES, reason=st.sampled_from([None, "", "  ", "超市停业"]))
def test_persons_only_terminate_and_only_with_a_reason(status, to, reason):
    allowed = to == "terminated" and status in ("draft", "signed", "active")
    if not allowed:
        with pytest.raises(Conflict):
            rules.agreement_move(status, to, reason)
    elif not (reason or "").strip():
        with pytest.raises(RuleViolation):
            rules.agreement_move(status, to, reason)
    else:
        assert rules.agreement_move(status, to, reason) == "terminated"


SIDE_SETS = st.sampled_from([(), ("community",), ("organization",), ("community", "organization")])


@given(status=STATUSES, sides=SIDE_SETS, requested=st.sampled_from([None, "community", "organization"]),
       community=st.booleans(), organization=st.booleans(), over=st.booleans())
def test_the_side_a_caller_signs(status, sides, requested, community, organization, over):
    ends_at = datetime(2027, 1, 1, tzinfo=UTC)
    now = ends_at + (timedelta(seconds=1) if over else -timedelta(days=1))
    signed = {"community": "psn_a" if community else None, "organization": "psn_b" if organization else None}

    def model() -> type[Exception] | str:
        if not sides or (requested is not None and requested not in sides):
            return Forbidden
        if requested is None and len(sides) > 1:
            return RuleViolation
        side = requested or sides[0]
        if status != "draft" or signed[side]:
            return Conflict
        if over:
            return RuleViolation
        return side

    expected = model()
    if isinstance(expected, str):
        assert rules.signing_side(status, sides, requested, signed, ends_at, now) == expected
    else:
        with pytest.raises(expected):
            rules.signing_side(status, sides, requested, signed, ends_at, now)


def test_who_signs_for_which_side():
    place = Place("str_1", community_id="com_1")
    person = Principal(kind="person", client_id="cli", street_id="str_1", person_id="psn_1")
    assert signing_sides(Actor(person, Grants(communities=frozenset({"com_1"}))), place, "org_1") == ("community",)
    assert signing_sides(Actor(person, Grants(organizations=frozenset({"org_1"}))), place, "org_1") == ("organization",)
    assert signing_sides(Actor(person, Grants(organizations=frozenset({"org_2"}))), place, "org_1") == ()
    assert signing_sides(Actor(person, Grants(street_officer=True, organizations=frozenset({"org_1"}))),
                         place, "org_1") == ("community", "organization")
    assert signing_sides(Actor(person, Grants(buildings={"bld_1": "com_1"})), place, "org_1") == ()
    platform = Principal(kind="platform", client_id="cli", street_id="str_1", scopes=frozenset({"street:write"}))
    assert signing_sides(Actor(platform), place, "org_1") == ()
    elsewhere = Principal(kind="person", client_id="cli", street_id="str_2", person_id="psn_1")
    assert signing_sides(Actor(elsewhere, Grants(communities=frozenset({"com_1"}))), place, "org_1") == ()


def test_a_period_ends_on_or_after_it_starts():
    rules.check_period(BASE, BASE)
    with pytest.raises(RuleViolation):
        rules.check_period(BASE, BASE - timedelta(days=1))
