"""Demo activity in 嘉富苑 1 号楼 (development only), made through the same use cases the API
runs, so rules, events and deadlines are real: two shared spaces (the building's lounge and
the community's meeting room), four proposals — one gathering support, one in deliberation,
one withdrawn, one put to the vote by the leader — and two reports, one of them turned into
the leader's task; and points and rewards (usecases/demo_points.py). Loading is idempotent: nothing is added once the building has spaces,
except that a vote is opened again whenever none is open for at least another day (so the
README's ballot works however long ago the data was loaded)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.permissions import Principal
from usecases import proposals, reports, spaces, tasks
from usecases.clock import BusinessClock
from usecases.demo_documents import load_demo_documents
from usecases.demo_colists import load_demo_colists
from usecases.demo_campaigns import load_demo_campaigns
from usecases.demo_activities import load_demo_activities
from usecases.demo_points import load_demo_points
from usecases.demo_fund import load_demo_fund
from usecases.demo_voice import load_demo_voice

_EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VOTE_DAYS = 7  # the demo vote stays open this long after it is opened


async def load_demo_activity(conn: asyncpg.Connection, *, client_id: str) -> bool:
    row = await conn.fetchrow(
        """SELECT b.street_id, b.community_id, b.id AS building_id FROM buildings b
           WHERE b.external_id = 'cli_demo_juyuan-c0-b0'""")
    if row is None:
        return False
    # Business time (the test clock may have moved it), which the ballots are checked against.
    now = await BusinessClock(enabled=True).now(conn)
    loaded = await _load_once(conn, row, client_id, now)
    await _keep_a_vote_open(conn, row, client_id, now)
    await load_demo_points(conn, row, await _people(conn, row, client_id), now)
    await load_demo_documents(conn, row, now)
    await load_demo_colists(conn, row, await _people(conn, row, client_id), now)
    await load_demo_campaigns(conn, row, await _people(conn, row, client_id), now)
    await load_demo_activities(conn, row, await _people(conn, row, client_id), now)
    await load_demo_fund(conn, row, await _people(conn, row, client_id), now)
    await load_demo_voice(conn, row, await _people(conn, row, client_id), now)
    return loaded


async def _people(conn: asyncpg.Connection, row: asyncpg.Record, client_id: str) -> dict[str, Principal]:
    people = dict(await conn.fetch(
        """SELECT w.openid, w.person_id FROM wechat_identities w
           WHERE w.openid IN ('openid-zhang', 'openid-wang', 'openid-sun')"""))
    return {openid.removeprefix("openid-"): Principal(kind="person", client_id=client_id,
                                                       street_id=row["street_id"], person_id=person_id)
            for openid, person_id in people.items()}


async def _keep_a_vote_open(conn: asyncpg.Connection, row: asyncpg.Record, client_id: str,
                            now: datetime) -> None:
    async with conn.transaction():
        # One loader at a time, so two starts cannot both open a vote.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('demo-vote'))")
        if await conn.fetchval(
                """SELECT 1 FROM proposals p JOIN votes v ON v.subject_type = 'proposal' AND v.subject_id = p.id
                   WHERE p.building_id = $1 AND p.stage = 'voting'
                     AND v.closes_at > $2::timestamptz + interval '1 day'""", row["building_id"], now):
            return
        people = await _people(conn, row, client_id)
        leader, resident = people["wang"], people["zhang"]
        gate = await proposals.create(conn, resident, row["building_id"], proposals.NewProposal(
            title="单元门禁改为刷卡加人脸识别", category="facilities",
            description="单元门禁经常坏，外来人员随意进出，建议更换，费用从公共收益中列支。"), now)
        await proposals.add_option(conn, resident, gate.id, proposals.NewOption(title="更换单元门禁"))
        await proposals.transition(conn, leader, gate.id, proposals.Transition(to="deliberating"),
                                   lambda current: None, now)
        await proposals.transition(conn, leader, gate.id, proposals.Transition(
            to="voting", ballot=proposals.BallotPlan(closes_at=now + timedelta(days=VOTE_DAYS))),
            lambda current: None, now)


async def _load_once(conn: asyncpg.Connection, row: asyncpg.Record, client_id: str, now: datetime) -> bool:
    if await conn.fetchval("SELECT 1 FROM spaces WHERE building_id = $1", row["building_id"]):
        return False
    people = await _people(conn, row, client_id)
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    async with conn.transaction():
        await spaces.create_space(conn, leader, spaces.NewSpace(
            name="1 号楼共享客厅", kind="lounge", capacity=12, timezone="Asia/Shanghai",
            opening_hours={day: ["08:00-21:00"] for day in _EVERY_DAY},
            rules=spaces.RulesChange(slot_minutes=30, max_minutes=180, weekly_quota_minutes=360)),
            building_id=row["building_id"])
        await spaces.create_space(conn, staff, spaces.NewSpace(
            name="嘉富社区议事厅", kind="meeting_room", capacity=40, timezone="Asia/Shanghai",
            opening_hours={day: ["09:00-20:00"] for day in _EVERY_DAY[:6]},
            rules=spaces.RulesChange(slot_minutes=60, min_minutes=60, max_minutes=240, requires_approval=True)),
            community_id=row["community_id"])
        await proposals.create(conn, resident, row["building_id"], proposals.NewProposal(
            title="楼道堆物清理", description="一楼楼道自行车和纸箱堵住消防通道，建议统一清理并划定停放区。",
            category="environment"), now)
        lift = await proposals.create(conn, leader, row["building_id"], proposals.NewProposal(
            title="加装电梯", description="1 号楼加装电梯，费用按楼层分摊，先征求各户意见。",
            category="facilities"), now)
        await proposals.transition(conn, leader, lift.id, proposals.Transition(to="deliberating"),
                                   lambda current: None, now)
        bench = await proposals.create(conn, resident, row["building_id"], proposals.NewProposal(
            title="门口放一张长椅", category="facilities"), now)
        await proposals.transition(conn, resident, bench.id, proposals.Transition(to="closed", outcome="withdrawn"),
                                   lambda current: None, now)
        await reports.create(conn, resident, row["building_id"], reports.RaiseReport(
            category="safety", description="三楼楼道堆放纸箱，堵住了消防通道", location="3 楼楼道"))
        lamp = await reports.create(conn, resident, row["building_id"], reports.RaiseReport(
            category="facilities", description="一楼楼道灯坏了，晚上看不见台阶", location="1 楼楼道"))
        assert leader.person_id is not None
        await tasks.from_report(conn, leader, lamp.id, tasks.TaskOfReport(
            title="更换一楼楼道灯", assignee=tasks.Assignee(type="person", id=leader.person_id),
            due_at=now + timedelta(days=3), priority="high",
            checklist=[tasks.ChecklistItem(text="买灯泡"), tasks.ChecklistItem(text="更换并试亮")],
            points=10), now)
    return True
