"""A campaign's phases move by themselves: at 00:00 (the street's time zone) of the day after
each of ``nominate_until``, ``assess_until`` and ``rate_until`` a job moves it to the phase its
dates give for that day; reaching ``published`` computes the results (domain/campaigns.py
``standings``), stores them and credits ``prize_points`` to the head of each household of each
winning building (reason ``campaign_prize``, one source per campaign and household, so each
credits once). Registered in worker/jobs.py HANDLERS."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from domain import campaigns as rules
from domain.campaigns import Campaign
from domain.jobs import Job
from store import campaigns as store
from usecases import points
from usecases.kernel import record_event, schedule_jobs

ADVANCE_JOB = "campaign.advance"
PRIZE_REASON = "campaign_prize"


class PhaseEnds(msgspec.Struct, kw_only=True):
    campaign_id: str


def starts_after(day: date, zone: str) -> datetime:
    """00:00 of the day after ``day`` in the zone: when a phase ending on ``day`` has passed."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


async def schedule_phases(conn: asyncpg.Connection, campaign: Campaign, zone: str) -> None:
    """One job per date (a date changed later gets its own job; a job whose date no longer
    ends a phase finds nothing to move)."""
    await schedule_jobs(conn, [
        (ADVANCE_JOB, starts_after(day, zone), PhaseEnds(campaign_id=campaign.id),
         f"{ADVANCE_JOB}:{campaign.id}:{day.isoformat()}")
        for day in (campaign.nominate_until, campaign.assess_until, campaign.rate_until)],
        street_id=campaign.street_id)


async def advance(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    ends = msgspec.convert(job.payload, PhaseEnds)
    assert job.street_id is not None
    await advance_campaign(conn, job.street_id, ends.campaign_id, now)


async def advance_campaign(conn: asyncpg.Connection, street_id: str, campaign_id: str, now: datetime) -> Campaign | None:
    """Move the campaign forward to the phase of today's date, one phase at a time (an event
    each); never backwards, and nothing when it is there already."""
    campaign = await store.get(conn, street_id, campaign_id, lock="update")
    if campaign is None:
        return None
    zone = await store.timezone_of(conn, street_id)
    today = now.astimezone(ZoneInfo(zone)).date()
    target = rules.phase_on(today, campaign.nominate_until, campaign.assess_until, campaign.rate_until)
    for phase in rules.steps_to(campaign.status, target):
        previous = campaign.status
        campaign = await store.move(conn, campaign.id, phase, now)
        await record_event(conn, "campaign.phase_changed", "campaign", campaign, {"from": previous, "to": phase})
        if phase == rules.PUBLISHED:
            await publish(conn, campaign, now)
    return campaign


async def publish(conn: asyncpg.Connection, campaign: Campaign, now: datetime) -> None:
    """Results from every score sheet (the campaign's row is locked: no sheet can change now),
    then the prizes."""
    standings = rules.standings(campaign.criteria_list, await store.sheets(conn, campaign.id), campaign.winners)
    await store.save_results(conn, campaign.id, standings)
    winners = [s.building_id for s in standings if s.winner]
    credited = 0
    if campaign.prize_points and winners:
        for household_id, person_id in await store.heads_of_households(conn, winners):
            moved = await points.credit(
                conn, street_id=campaign.street_id, person_id=person_id, amount=campaign.prize_points,
                reason=PRIZE_REASON, source_type="campaign", source_id=f"{campaign.id}:{household_id}", at=now)
            credited += moved is not None
    await record_event(conn, "campaign.published", "campaign", campaign, {
        "winners": winners, "buildings": len(standings), "prizes_credited": credited})
