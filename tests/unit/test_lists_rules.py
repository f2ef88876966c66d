"""domain/lists.py: the status machines of needs and projects against brute-force models —
a random walk of persons' and projects' moves keeps every need's invariants (a project named
exactly when matched or met; met and closed are final) — the need changes a project's new list
makes, and who may raise, see and run the lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import lists as rules
from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import (
    Actor,
    Grants,
    Place,
    Principal,
    Tie,
    may_offer_resource,
    may_raise_need,
    may_run_projects,
    may_see_lists,
)

NEED_STATUSES = st.sampled_from(rules.NEED_STATUSES)
REASONS = st.sampled_from([None, "", " ", "已由物业处理"])


@given(status=NEED_STATUSES, to=NEED_STATUSES, reason=REASONS, is_raiser=st.booleans(), is_leader=st.booleans())
def test_a_persons_move_of_a_need(status, to, reason, is_raiser, is_leader):
    allowed = {("open", "closed")}  # the only move a person makes; the rest are the projects'
    request = rules.NeedRequest(to=to, reason=reason, is_raiser=is_raiser, is_leader=is_leader)
    if not (is_raiser or is_leader):
        with pytest.raises(Forbidden):
            rules.need_move(status, request)
    elif (status, to) not in allowed:
        with pytest.raises(Conflict):
            rules.need_move(status, request)
    elif not is_raiser and not (reason or "").strip():
        with pytest.raises(RuleViolation):
            rules.need_move(status, request)
    else:
        assert rules.need_move(status, request) == "closed"


# A random walk: each step is a project taking the need, letting it go, completing, or a person
# closing it. The model keeps (status, project) by the table of the spec; the rules must agree.
STEPS = st.lists(st.sampled_from(["take", "release", "complete", "close"]), max_size=20)


def model_step(state: tuple[str, str | None], step: str) -> tuple[str, str | None]:
    status, project = state
    table = {("open", "take"): ("matched", "prj"), ("matched", "release"): ("open", None),
             ("matched", "complete"): ("met", project), ("open", "close"): ("closed", None)}
    return table.get((status, step), state)


def rules_step(state: tuple[str, str | None], step: str) -> tuple[str, str | None]:
    status, project = state
    if step == "close":
        try:
            return rules.need_move(status, rules.NeedRequest("closed", None, True, False)), project
        except Conflict:
            return state
    to = {"take": "matched", "release": "open", "complete": "met"}[step]
    if not rules.need_moved_by_project(status, to):
        return state
    return to, ("prj" if to == "matched" else None if to == "open" else project)


@settings(max_examples=300)
@given(steps=STEPS)
def test_a_needs_walk_follows_the_model_and_keeps_its_invariants(steps):
    model = walked = ("open", None)
    for step in steps:
        before = walked
        model, walked = model_step(model, step), rules_step(walked, step)
        assert walked == model
        assert (walked[0] in ("matched", "met")) == (walked[1] is not None)  # the table's CHECK
        if before[0] in ("met", "closed"):
            assert walked == before  # final


@given(status=NEED_STATUSES, is_raiser=st.booleans(), is_leader=st.booleans())
def test_who_changes_a_need(status, is_raiser, is_leader):
    expected = (status == "open" and (is_raiser or is_leader)) or (status == "matched" and is_leader)
    assert rules.may_change_need(status, is_raiser=is_raiser, is_leader=is_leader) == expected


PROJECT_STEPS = st.lists(st.sampled_from(rules.PROJECT_STATUSES), max_size=10)


@given(steps=PROJECT_STEPS)
def test_a_project_moves_one_step_at_a_time(steps):
    order = list(rules.PROJECT_STATUSES)
    status = "planned"
    for to in steps:
        if order.index(to) == order.index(status) + 1:
            status = rules.project_move(status, to)
            assert status == to
        else:
            with pytest.raises(Conflict):
                rules.project_move(status, to)
    if status == "completed":
        with pytest.raises(Conflict):
            rules.ensure_project_open(status)


@given(before=st.sets(st.sampled_from("abcdefg")), after=st.sets(st.sampled_from("abcdefg")))
def test_a_projects_new_list_of_needs(before, after):
    added, dropped = rules.need_changes(sorted(before), sorted(after))
    assert set(added) == after - before and set(dropped) == before - after
    assert (before | set(added)) - set(dropped) == after


@given(start=st.integers(-5, 5), end=st.one_of(st.none(), st.integers(-5, 5)), open_start=st.booleans())
def test_a_resources_dates(start, end, open_start):
    base = date(2026, 12, 1)
    starts = None if open_start else base + timedelta(days=start)
    ends = None if end is None else base + timedelta(days=end)
    if starts is not None and ends is not None and ends < starts:
        with pytest.raises(RuleViolation):
            rules.check_dates(starts, ends)
    else:
        rules.check_dates(starts, ends)


def test_who_raises_sees_offers_and_runs():
    community = Place("str_1", community_id="com_1")
    building = Place("str_1", community_id="com_1", building_id="bld_1")
    person = Principal(kind="person", client_id="cli", street_id="str_1", person_id="psn_1")
    resident = Actor(person, Grants(households={"hh_1": Tie("hh_1", "bld_2", "com_1", "owner", True)}))
    assert may_raise_need(resident, community) and not may_raise_need(resident, building)
    assert may_see_lists(resident, community)
    leader = Actor(person, Grants(buildings={"bld_1": "com_1"}))
    assert may_raise_need(leader, building) and not may_run_projects(leader, community)
    staff = Actor(person, Grants(communities=frozenset({"com_1"})))
    assert may_run_projects(staff, community) and may_offer_resource(staff, community, "org_9")
    member = Actor(person, Grants(organizations=frozenset({"org_1"})))
    assert may_see_lists(member, community) and may_offer_resource(member, community, "org_1")
    assert not may_offer_resource(member, community, "org_2") and not may_raise_need(member, community)
    stranger = Actor(person)
    assert not may_see_lists(stranger, community)
    other_street = Actor(Principal(kind="person", client_id="cli", street_id="str_2", person_id="psn_1"),
                         Grants(organizations=frozenset({"org_1"})))
    assert not may_see_lists(other_street, community)


@pytest.mark.parametrize("starts, ends", [(date(1999, 12, 31), None), (None, date(2101, 1, 1)),
                                          (date(1, 1, 1), date(9999, 12, 31))])
def test_dates_outside_2000_to_2100_are_refused(starts, ends):
    with pytest.raises(RuleViolation):
        rules.check_dates(starts, ends)
