"""Reports (一线预警): raised by residents of a building, triaged by its leaders, turned into
a linked task (usecases/tasks.py ``from_report``), resolved when that task is verified,
closed by the reporter's feedback (回访) or by themselves 7 days after resolution
(usecases/reports_jobs.py). An urgent report raises ``report.urgent`` at once. The rules are
domain/reports.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec

from domain import reports as rules
from domain.errors import NotFound, RuleViolation
from domain.moderation import SCENES
from domain.permissions import Actor, Place, Principal, ensure_for
from domain.reports import Report
from store import reports as store
from store.paging import Keyset
from usecases import media, moderation, places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, person_of, place_of, record_event, schedule_job, visible_or_404
from usecases.moderation import ContentChecker

AUTO_CLOSE_JOB = "report.auto_close"


# Commands

class RaiseReport(msgspec.Struct, kw_only=True):
    category: str
    description: str
    location: str = ""
    photo_urls: list[str] = []
    media_ids: list[str] = []  # the reporter's own uploads (usecases/media.py)
    urgency: str = "normal"


class MoveReport(msgspec.Struct, kw_only=True):
    to: str
    reason: str | None = None
    duplicate_of: str | None = None


class GiveFeedback(msgspec.Struct, kw_only=True):
    rating: int
    comment: str = ""


class AutoClose(msgspec.Struct, kw_only=True):
    """The payload of ``report.auto_close`` (handled in usecases/reports_jobs.py)."""

    report_id: str


# Reading

async def visible_report(conn: asyncpg.Connection, actor: Actor, report_id: str, *, lock: bool = False) -> Report:
    report = await store.get(conn, actor.principal.street_id, report_id, lock=lock)
    return visible_or_404(report, lambda r: rules.may_see(actor, r))


async def _building(conn: asyncpg.Connection, actor: Actor, building_id: str) -> Place:
    place = await places.place_of_building(conn, actor.principal.street_id, building_id)
    if not actor.sees(place):
        raise NotFound("not_found")
    return place


async def get(conn: asyncpg.Connection, who: Principal, report_id: str) -> Report:
    return await visible_report(conn, await actor_for(conn, who), report_id)


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset, *,
                            status: str | None, category: str | None, urgency: str | None) -> list[Report]:
    """Leaders see every report of the building; a resident sees their own."""
    actor = await actor_for(conn, who)
    place = await _building(conn, actor, building_id)
    reporter = None if actor.leader_of(place, write=False) else person_of(actor)
    return await store.page(conn, who.street_id, building_id, keyset, reporter_id=reporter, status=status,
                            category=category, urgency=urgency)


# Raising and moving

async def create(conn: asyncpg.Connection, who: Principal, building_id: str, command: RaiseReport,
                 checker: ContentChecker | None = None) -> Report:
    actor = await actor_for(conn, who)
    place = await _building(conn, actor, building_id)
    person = person_of(actor)
    ensure_for(actor, actor.resident_of(place) or actor.leader_of(place))
    # Checked before it is saved; a report is private to its reporter and leaders already.
    checked = checker and await checker.check(conn, who, [command.description, command.location], SCENES["report"])
    media_ids = await media.attach(conn, actor, command.media_ids)
    assert place.community_id is not None  # a building's place always names its community
    report = await store.insert(conn, street_id=place.street_id, community_id=place.community_id,
                                building_id=building_id, reporter_id=person, category=command.category,
                                description=command.description, location=command.location,
                                photo_urls=list(command.photo_urls), urgency=command.urgency,
                                media_ids=media_ids)
    summary = {"category": report.category, "urgency": report.urgency}  # the text stays on the report
    await record_event(conn, "report.created", "report", report, summary)
    if report.urgency == "urgent":  # for the community and the street, at once (the feed and webhooks)
        await record_event(conn, "report.urgent", "report", report, summary)
    state = await moderation.record(conn, "report", report, checked)
    return report if state is None else dataclasses.replace(report, moderation=state)


async def move(conn: asyncpg.Connection, report: Report, to: str, reason: str | None, now: datetime,
               actor: Actor | None, *, typed: bool = False) -> Report:
    """Move the locked ``report``. ``reason`` is the service's code, or (``typed``) what a
    leader wrote: that one stays on the report, out of the event."""
    updated = await store.move(conn, report.id, to=to, reason=reason, at=now,
                               by=actor.person_id if typed and actor is not None else None)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "report.status_changed", "report", updated, {
        "from": report.status, "to": to, "reason": None if typed else reason, "by": {"type": by_type, "id": by_id}})
    if to == "resolved":
        await schedule_job(conn, AUTO_CLOSE_JOB, now + rules.REPORT_AUTO_CLOSE, AutoClose(report_id=report.id),
                           street_id=report.street_id, dedupe_key=f"{AUTO_CLOSE_JOB}:{report.id}")
    return updated


async def transition(conn: asyncpg.Connection, who: Principal, report_id: str, command: MoveReport,
                     precondition: Callable[[Report], None], now: datetime) -> Report:
    actor = await actor_for(conn, who)
    report = await visible_report(conn, actor, report_id, lock=True)
    precondition(report)
    to = rules.report_move(report.status, rules.ReportRequest(
        to=command.to, reason=command.reason, duplicate_of=command.duplicate_of,
        is_leader=actor.leader_of(place_of(report))))
    if to == "duplicate":
        assert command.duplicate_of is not None  # report_move refused a duplicate without one
        original = await store.get(conn, report.street_id, command.duplicate_of)
        if original is None or original.building_id != report.building_id or original.id == report.id:
            raise RuleViolation("invalid_duplicate_of")
        report = await store.update(conn, report.id, {"duplicate_of": original.id})
    return await move(conn, report, to, command.reason, now, actor, typed=True)


# The linked task (made by usecases/tasks.py)

async def to_convert(conn: asyncpg.Connection, actor: Actor, report_id: str) -> Report:
    """The locked report a leader may turn into a task (still being triaged)."""
    report = await visible_report(conn, actor, report_id, lock=True)
    ensure_for(actor, actor.leader_of(place_of(report)))
    rules.ensure_report_status(report.status, *rules.TRIAGE)
    return report


async def link_task(conn: asyncpg.Connection, actor: Actor, report: Report, task_id: str, now: datetime) -> Report:
    """The report now has its task and is being worked."""
    report = await store.update(conn, report.id, {"task_id": task_id})
    return await move(conn, report, "in_progress", None, now, actor)


async def resolve_for_task(conn: asyncpg.Connection, street_id: str, report_id: str, now: datetime) -> None:
    """Verifying a report's task resolves the report (when it is still being worked)."""
    report = await store.get(conn, street_id, report_id, lock=True)
    if report is not None and report.status == "in_progress":
        await move(conn, report, "resolved", "task_verified", now, None)


# Feedback

async def feedback(conn: asyncpg.Connection, who: Principal, report_id: str, command: GiveFeedback,
                   now: datetime) -> Report:
    """The reporter rates the resolution (回访); the report closes."""
    actor = await actor_for(conn, who)
    report = await visible_report(conn, actor, report_id, lock=True)
    ensure_for(actor, rules.is_reporter(actor, report))
    rules.ensure_report_status(report.status, "resolved")
    report = await store.update(conn, report.id, {"feedback_rating": command.rating,
                                                  "feedback_comment": command.comment, "feedback_at": now})
    await record_event(conn, "report.feedback_given", "report", report, {"rating": command.rating})
    return await move(conn, report, "closed", "feedback", now, actor)
