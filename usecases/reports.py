"""Reports (一线预警): raised by residents of a building, triaged by its leaders, turned into
a linked task, resolved when that task is verified, closed by the reporter's feedback (回访)
or by themselves 7 days after resolution. An urgent report raises ``report.urgent`` at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain import tasks as rules
from domain.errors import NotFound, RuleViolation
from domain.permissions import Actor, Place, Principal, ensure_for
from store import buildings, jobs
from store import reports as store
from store.events import Subject, append_event
from store.paging import Keyset
from usecases.actors import actor_for
from usecases.kernel import actor_ref, person_of
from usecases.task_rules import insert_task

AUTO_CLOSE_JOB = "report.auto_close"


def place_of(report: asyncpg.Record) -> Place:
    return Place(report["street_id"], community_id=report["community_id"], building_id=report["building_id"])


def may_see(actor: Actor, report: asyncpg.Record) -> bool:
    """The reporter and the building's leaders (reports may name neighbours: not public)."""
    mine = actor.person_id is not None and report["reporter_id"] == actor.person_id
    return mine or actor.leader_of(place_of(report), write=False)


async def visible_report(conn: asyncpg.Connection, actor: Actor, report_id: str, *,
                         lock: bool = False) -> asyncpg.Record:
    report = await store.get(conn, actor.principal.street_id, report_id, lock=lock)
    if report is None or not may_see(actor, report):
        raise NotFound("not_found")
    return report


async def record_event(conn: asyncpg.Connection, type: str, report: asyncpg.Record, data: dict[str, Any]) -> None:
    await append_event(conn, type=type, street_id=report["street_id"], subject=Subject("report", report["id"]),
                       community_id=report["community_id"], building_id=report["building_id"],
                       data={"report_id": report["id"], **data})


async def _building_place(conn: asyncpg.Connection, actor: Actor, building_id: str) -> Place:
    building = await buildings.get(conn, actor.principal.street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    place = Place(building["street_id"], community_id=building["community_id"], building_id=building["id"])
    if not actor.sees(place):
        raise NotFound("not_found")
    return place


async def create(conn: asyncpg.Connection, who: Principal, building_id: str, fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    place = await _building_place(conn, actor, building_id)
    person = person_of(actor)
    ensure_for(actor, actor.resident_of(place) or actor.leader_of(place))
    report = await store.insert(conn, street_id=place.street_id, community_id=place.community_id,  # type: ignore[arg-type]
                                building_id=building_id, reporter_id=person, fields=fields)
    summary = {"category": report["category"], "urgency": report["urgency"]}  # the text stays on the report
    await record_event(conn, "report.created", report, summary)
    if report["urgency"] == "urgent":  # for the community and the street, at once (the feed and webhooks)
        await record_event(conn, "report.urgent", report, summary)
    return report


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset,
                            **filters: Any) -> list[asyncpg.Record]:
    """Leaders see every report of the building; a resident sees their own."""
    actor = await actor_for(conn, who)
    place = await _building_place(conn, actor, building_id)
    reporter = None if actor.leader_of(place, write=False) else person_of(actor)
    return await store.page(conn, who.street_id, building_id, keyset, reporter_id=reporter, **filters)


async def get(conn: asyncpg.Connection, who: Principal, report_id: str) -> asyncpg.Record:
    return await visible_report(conn, await actor_for(conn, who), report_id)


async def _move(conn: asyncpg.Connection, report: asyncpg.Record, to: str, reason: str | None, now: datetime,
                actor: Actor | None, *, typed: bool = False) -> asyncpg.Record:
    """``reason`` is the service's code, or (``typed``) what a leader wrote: that one stays on
    the report, out of the event."""
    updated = await store.move(conn, report["id"], to=to, reason=reason, at=now,
                               by=actor.person_id if typed and actor is not None else None)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "report.status_changed", updated, {
        "from": report["status"], "to": to, "reason": None if typed else reason, "by": {"type": by_type, "id": by_id}})
    if to == "resolved":
        await jobs.schedule(conn, kind=AUTO_CLOSE_JOB, run_at=now + rules.REPORT_AUTO_CLOSE,
                            street_id=report["street_id"], payload={"report_id": report["id"]},
                            dedupe_key=f"{AUTO_CLOSE_JOB}:{report['id']}")
    return updated


async def transition(conn: asyncpg.Connection, who: Principal, report_id: str, body: dict[str, Any],
                     precondition: Any, now: datetime) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    report = await visible_report(conn, actor, report_id, lock=True)
    precondition(report)
    to = rules.report_move(report["status"], rules.ReportRequest(
        to=body["to"], reason=body.get("reason"), duplicate_of=body.get("duplicate_of"),
        is_leader=actor.leader_of(place_of(report))))
    if to == "duplicate":
        original = await store.get(conn, report["street_id"], body["duplicate_of"])
        if original is None or original["building_id"] != report["building_id"] or original["id"] == report["id"]:
            raise RuleViolation("invalid_duplicate_of")
        report = await store.update(conn, report["id"], {"duplicate_of": original["id"]})
    return await _move(conn, report, to, body.get("reason"), now, actor, typed=True)


async def convert(conn: asyncpg.Connection, who: Principal, report_id: str, fields: dict[str, Any],
                  now: datetime) -> asyncpg.Record:
    """A leader turns a report into a linked task; the report moves to ``in_progress``."""
    actor = await actor_for(conn, who)
    report = await visible_report(conn, actor, report_id, lock=True)
    place = place_of(report)
    ensure_for(actor, actor.leader_of(place))
    rules.ensure_report_status(report["status"], *rules.TRIAGE)
    fields.setdefault("title", f"[{report['category']}] {report['description'][:80]}")
    fields.setdefault("description", report["description"])
    fields.setdefault("priority", "urgent" if report["urgency"] == "urgent" else "normal")
    task = await insert_task(conn, actor, place, fields, source="report", source_id=report["id"],
                             reporter_id=report["reporter_id"])
    report = await store.update(conn, report["id"], {"task_id": task["id"]})
    await _move(conn, report, "in_progress", None, now, actor)
    return task


async def resolve_for_task(conn: asyncpg.Connection, task: asyncpg.Record, now: datetime) -> None:
    """Verifying a report's task resolves the report (when it is still being worked)."""
    report = await store.get(conn, task["street_id"], task["source_id"], lock=True)
    if report is not None and report["status"] == "in_progress":
        await _move(conn, report, "resolved", "task_verified", now, None)


async def feedback(conn: asyncpg.Connection, who: Principal, report_id: str, fields: dict[str, Any],
                   now: datetime) -> asyncpg.Record:
    """The reporter rates the resolution (回访); the report closes."""
    actor = await actor_for(conn, who)
    report = await visible_report(conn, actor, report_id, lock=True)
    ensure_for(actor, actor.person_id is not None and actor.person_id == report["reporter_id"])
    rules.ensure_report_status(report["status"], "resolved")
    report = await store.update(conn, report["id"], {"feedback_rating": fields["rating"],
                                                     "feedback_comment": fields.get("comment", ""),
                                                     "feedback_at": now})
    await record_event(conn, "report.feedback_given", report, {"rating": fields["rating"]})
    return await _move(conn, report, "closed", "feedback", now, actor)


async def auto_close(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    """Due job: a report still resolved 7 days later closes by itself."""
    report = await store.get(conn, job["street_id"], job["payload"]["report_id"], lock=True)
    if report is not None and rules.report_auto_closes(report["status"], report["resolved_at"], now):
        await _move(conn, report, "closed", "no_feedback", now, None)
