"""domain/tasks.py and domain/reports.py: the overdue ladder against a brute-force walk, who
sees, works and verifies a task or sees a report, and "all linked tasks verified"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import reports as report_rules
from domain import tasks as rules
from domain.permissions import Actor, Grants, Principal, Tie
from domain.reports import Report
from domain.tasks import Task

STREET, COMMUNITY, BUILDING = "str_1", "cmn_1", "bld_1"
DUE = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
OFFSETS = {"overdue": timedelta(0), "community": timedelta(days=3), "street": timedelta(days=7)}
STAMP_OF = {"overdue": "overdue_at", "community": "escalated_community_at", "street": "escalated_street_at"}


def a_task(**changes: object) -> Task:
    base = Task(
        id="tsk_1", street_id=STREET, community_id=COMMUNITY, building_id=BUILDING, title="灯", description="",
        source="manual", source_id=None, reporter_id=None, assignee_type=None, assignee_id=None, due_at=DUE,
        priority="normal", checklist=[], points=0, status="open", reason=None, created_by_type="person",
        created_by_id="psn_leader", overdue_at=None, escalated_community_at=None, escalated_street_at=None,
        in_progress_at=None, done_at=None, verified_at=None, cancelled_at=None, created_at=DUE, updated_at=DUE)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# The overdue ladder: the worker runs the ladder's jobs at arbitrary moments ("ticks") while
# the task's status changes; each rung is stamped once, at the first tick at or past its
# threshold at which the task is still being worked.

statuses = st.sampled_from(rules.TASK_STATUSES)
ticks = st.lists(st.integers(min_value=-2 * 24, max_value=10 * 24), min_size=1, max_size=12, unique=True)


def brute_force(schedule: list[tuple[int, str]]) -> dict[str, int | None]:
    """For each rung, the first tick (hours after due) at or past its threshold at which the
    task is working — by walking every tick."""
    first: dict[str, int | None] = {}
    for rung, offset in OFFSETS.items():
        first[rung] = None
        for hour, status in schedule:
            if timedelta(hours=hour) >= offset and status in ("open", "in_progress"):
                first[rung] = hour
                break
    return first


@settings(max_examples=300, deadline=None)
@given(hours=ticks, states=st.lists(statuses, min_size=12, max_size=12))
def test_the_ladder_stamps_each_rung_once_at_the_first_working_tick_past_it(hours, states):
    schedule = list(zip(sorted(hours), states, strict=False))
    task = a_task()
    stamped: list[str] = []
    for hour, status in schedule:
        now = DUE + timedelta(hours=hour)
        task = dataclasses.replace(task, status=status)
        for rung in rules.rungs_due(task, now):
            stamped.append(rung)
            task = dataclasses.replace(task, **{STAMP_OF[rung]: now})
    expected = brute_force(schedule)
    for rung, hour in expected.items():
        got = getattr(task, STAMP_OF[rung])
        assert got == (None if hour is None else DUE + timedelta(hours=hour)), (rung, schedule)
    assert sorted(stamped) == sorted(r for r, h in expected.items() if h is not None)  # never twice


@given(status=statuses, hours=st.integers(min_value=-1000, max_value=1000))
def test_a_task_without_a_due_time_never_climbs(status, hours):
    assert rules.rungs_due(a_task(due_at=None, status=status), DUE + timedelta(hours=hours)) == ()


# Who sees, works and verifies a task

def person(person_id: str = "psn_me", **grants: object) -> Actor:
    return Actor(Principal("person", "cli_mp", STREET, person_id=person_id), Grants(**grants))  # type: ignore[arg-type]


LEADER = person(buildings={BUILDING: COMMUNITY})
RESIDENT = person(households={"hh_1": Tie("hh_1", BUILDING, COMMUNITY, "owner", True)})
MEMBER = person(organizations=frozenset({"org_1"}))
STRANGER = person()
PLATFORM = Actor(Principal("platform", "cli_x", STREET, scopes=frozenset({"street:read", "street:write"})),
                 Grants())


@pytest.mark.parametrize("actor, task, assignee, verifier, sees", [
    (LEADER, a_task(), False, True, True),
    (PLATFORM, a_task(), False, True, True),
    (RESIDENT, a_task(), False, False, True),
    (STRANGER, a_task(), False, False, False),
    (STRANGER, a_task(assignee_type="person", assignee_id="psn_me"), True, False, True),
    (STRANGER, a_task(assignee_type="person", assignee_id="psn_other"), False, False, False),
    (MEMBER, a_task(assignee_type="organization", assignee_id="org_1"), True, False, True),
    (MEMBER, a_task(assignee_type="organization", assignee_id="org_2"), False, False, False),
    (MEMBER, a_task(assignee_type="person", assignee_id="org_1"), False, False, False),
    (STRANGER, a_task(source="report", reporter_id="psn_me"), False, True, True),
    (STRANGER, a_task(source="manual", reporter_id="psn_me"), False, False, False),
])
def test_who_works_verifies_and_sees_a_task(actor, task, assignee, verifier, sees):
    assert rules.is_assignee(actor, task) is assignee
    assert rules.is_verifier(actor, task) is verifier
    assert rules.may_see(actor, task) is sees


def test_my_assignee_keys_are_me_and_my_organisations():
    assert rules.assignee_keys(person("psn_me", organizations=frozenset({"org_2", "org_1"}))) == \
        ["org_1", "org_2", "psn_me"]
    assert rules.assignee_keys(PLATFORM) == []


@given(st.lists(statuses, max_size=8))
def test_all_linked_verified_against_brute_force(linked):
    live = [s for s in linked if s != "cancelled"]
    expected = len(live) > 0 and len([s for s in live if s == "verified"]) == len(live)
    assert rules.all_linked_verified(linked) is expected


def test_cancelled_tasks_do_not_count_and_none_left_is_not_done():
    assert rules.all_linked_verified(["verified", "cancelled"])
    assert not rules.all_linked_verified(["cancelled"])
    assert not rules.all_linked_verified(["verified", "done"])


# Who sees a report

def a_report(**changes: object) -> Report:
    base = Report(
        id="rpt_1", street_id=STREET, community_id=COMMUNITY, building_id=BUILDING, reporter_id="psn_reporter",
        category="facilities", description="灯坏了" * 40, location="", photo_urls=[], urgency="urgent",
        status="submitted", reason=None, duplicate_of=None, task_id=None, feedback_rating=None,
        feedback_comment=None, feedback_at=None, acknowledged_at=None, in_progress_at=None, resolved_at=None,
        closed_at=None, created_at=DUE, updated_at=DUE)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("actor, sees", [
    (person("psn_reporter"), True), (LEADER, True), (PLATFORM, True),
    (RESIDENT, False), (MEMBER, False), (STRANGER, False),
])
def test_a_report_is_seen_by_its_reporter_and_the_leaders_only(actor, sees):
    assert report_rules.may_see(actor, a_report()) is sees


def test_a_reports_task_takes_its_category_text_and_urgency():
    title, description, priority = report_rules.task_defaults(a_report())
    assert title == "[facilities] " + ("灯坏了" * 40)[:80] and description == "灯坏了" * 40
    assert priority == "urgent"
    assert report_rules.task_defaults(a_report(urgency="normal"))[2] == "normal"
