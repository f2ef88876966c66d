"""Street statistics (integrations.md §A): random activity made through the API, then moved to
random moments (period edges in the street's time zone included: 23:59:59 and 00:00 local) and
states by SQL — the business clock cannot put a row's created_at at a chosen local minute —
then every figure of GET /v1/stats, for each scope and grouping, equals a brute-force count
over the raw rows. Also: who may read which scope, the export read back, rates without a denominator."""

from __future__ import annotations

import csv
import io
import random
import statistics as pystats
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from domain.ids import new_id
from tests.support.spaces import new_space, span
from tests.support.town import build_town
from tests.support.community_stats import (
    community_acts,
    community_figures,
    make_community_life,
    scatter_community_life,
)
from tests.support.voice_stats import make_voice_activity, scatter_voice, voice_acts, voice_figures

SH = ZoneInfo("Asia/Shanghai")
PERIOD = (date(2026, 10, 20), date(2026, 11, 30))
STAGES = ("collecting", "deliberating", "voting", "implementing", "evaluating", "closed")
OUTCOMES = ("adopted", "rejected", "no_quorum", "insufficient_support", "withdrawn", "dismissed", "duplicate")


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def pct(num, den):
    return None if den == 0 else str((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def rate(num, den):
    return {"numerator": num, "denominator": den, "percent": pct(num, den)}


def two(value):
    """Half-up to two places; exact for a Fraction (medians are taken over exact durations)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return str(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def exact(seconds: float, unit: int) -> Fraction:
    return Fraction(round(seconds), unit)


def moment(rng: random.Random) -> datetime:
    """A random instant around the period, often exactly on a local day's edge."""
    day = date(2026, 9, 28) + timedelta(days=rng.randint(0, 68))
    edge = rng.choice([time(0, 0), time(23, 59, 59), time(0, 0, 1), time(12, 30), time(23, 59)])
    if rng.random() < 0.3:
        day = rng.choice([PERIOD[0], PERIOD[1], PERIOD[0] - timedelta(days=1), PERIOD[1] + timedelta(days=1),
                          date(2026, 11, 1), date(2026, 10, 31), date(2026, 10, 1), date(2026, 9, 30)])
    return datetime.combine(day, edge, tzinfo=SH)


async def make_activity(client, db, town, rng: random.Random) -> None:
    p = town.people
    residents = [("head", town.building), ("tenant", town.building), ("leader", town.building),
                 ("neighbour", town.neighbour_building), ("far_resident", town.far_building)]
    for _ in range(rng.randint(3, 6)):
        who, building = rng.choice(residents)
        made = await client.post(f"/v1/buildings/{building}/reports", headers=p[who].headers(), json={
            "category": "environment", "description": "楼道堆物", "urgency": rng.choice(["normal", "urgent"])})
        assert made.status_code == 201, made.text
    for _ in range(rng.randint(2, 5)):
        building = rng.choice([town.building, town.neighbour_building, town.far_building])
        made = await client.post(f"/v1/buildings/{building}/tasks", headers=p["officer"].headers(),
                                 json={"title": "清理楼道"})
        assert made.status_code == 201, made.text
    for _ in range(rng.randint(2, 4)):
        who, building = rng.choice(residents)
        made = await client.post(f"/v1/buildings/{building}/proposals", headers=p[who].headers(),
                                 json={"title": "加装电梯"})
        assert made.status_code == 201, made.text
        proposal = made.json()["id"]
        for other, where in residents:
            if where == building and other != who and rng.random() < 0.6:
                assert (await client.post(f"/v1/proposals/{proposal}/supports", headers=p[other].headers(),
                                          json={})).status_code in (200, 201)
            if where == building and rng.random() < 0.4:
                assert (await client.post(f"/v1/proposals/{proposal}/comments", headers=p[other].headers(),
                                          json={"body": "同意"})).status_code == 201
    space = await new_space(client, town, opening_hours={d: ["08:00-20:00"] for d in
                                                         ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    start = datetime.now(SH).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for i in range(rng.randint(2, 4)):
        who = rng.choice(["head", "tenant", "leader"])
        made = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=p[who].headers(),
                                 json={**span(start + timedelta(hours=i), 60), "attendees": 2})
        assert made.status_code == 201, made.text
    await make_voice_activity(client, town, residents, rng)
    await make_community_life(client, town, residents, rng)


async def scatter(db, town, rng: random.Random) -> None:
    """Move the rows to random moments and states (the triggers follow every update)."""
    street = town.street_id
    for r in await db.fetch("SELECT id FROM reports WHERE street_id = $1", street):
        created = moment(rng)
        resolved = created + timedelta(hours=rng.randint(1, 200)) if rng.random() < 0.6 else None
        rating = rng.randint(1, 5) if resolved and rng.random() < 0.7 else None
        await db.execute("""UPDATE reports SET created_at = $2, resolved_at = $3,
                                   status = CASE WHEN $3::timestamptz IS NULL THEN status ELSE 'resolved' END,
                                   feedback_rating = $4, feedback_at = CASE WHEN $4::int IS NULL THEN NULL ELSE $5::timestamptz END
                             WHERE id = $1""", r["id"], created, resolved, rating, moment(rng))
    for t in await db.fetch("SELECT id FROM tasks WHERE street_id = $1", street):
        created = moment(rng)
        done = moment(rng) if rng.random() < 0.6 else None
        await db.execute("""UPDATE tasks SET created_at = $2, done_at = $3, due_at = $4,
                                   status = CASE WHEN $3::timestamptz IS NULL THEN 'open' ELSE 'done' END,
                                   overdue_at = $5, escalated_community_at = $6, escalated_street_at = $7
                             WHERE id = $1""", t["id"], created, done, moment(rng) if rng.random() < 0.7 else None,
                         *(moment(rng) if rng.random() < 0.4 else None for _ in range(3)))
    for row in await db.fetch("SELECT id FROM proposals WHERE street_id = $1", street):
        at = [moment(rng)]
        for _ in range(5):
            previous = max(a for a in at if a is not None)
            at.append(previous + timedelta(hours=rng.randint(1, 300)) if rng.random() < 0.7 else None)
        reached = max(i for i, a in enumerate(at) if a is not None)
        decision = rng.choice(["adopted", "rejected", "no_quorum"]) if at[2] and rng.random() < 0.8 else None
        outcome = rng.choice(OUTCOMES) if reached == 5 else None
        await db.execute("""UPDATE proposals SET created_at = $2, deliberating_at = $3, voting_at = $4,
                                   implementing_at = $5, evaluating_at = $6, closed_at = $7, stage = $8,
                                   outcome = $9, decision = $10, decided_at = $11 WHERE id = $1""",
                         row["id"], *at, STAGES[reached], outcome, decision, moment(rng) if decision else None)
    await db.execute("UPDATE proposal_supports SET created_at = created_at - (random() * interval '60 days') "
                     "WHERE street_id = $1", street)
    for c in await db.fetch("SELECT id FROM proposal_comments WHERE street_id = $1", street):
        await db.execute("UPDATE proposal_comments SET created_at = $2 WHERE id = $1", c["id"], moment(rng))
    for i, b in enumerate(await db.fetch("SELECT id FROM bookings WHERE street_id = $1 ORDER BY id", street)):
        start = moment(rng).replace(hour=8) + timedelta(minutes=i)  # distinct minutes: never an overlap
        await db.execute("""UPDATE bookings SET start_at = $2::timestamptz, end_at = $2::timestamptz + interval '90 minutes', status = $3,
                                   created_at = $4 WHERE id = $1""", b["id"], start,
                         rng.choice(["confirmed", "completed", "no_show", "cancelled", "checked_in"]), moment(rng))
    for h in await db.fetch("SELECT id FROM households WHERE street_id = $1", street):
        await db.execute("UPDATE households SET created_at = $2 WHERE id = $1", h["id"],
                         moment(rng) - timedelta(days=rng.choice([0, 0, 60])))
    for key in rng.sample(sorted(town.people), 4):  # sign-ins
        await db.execute("""INSERT INTO refresh_tokens (id, family_id, person_id, client_id, street_id, token_digest,
                                                        expires_at, created_at)
                            VALUES ($1, $1, $2, $3, $4, $5, $6::timestamptz + interval '30 days', $6)""",
                         new_id("refresh_token"), town.people[key].person_id, town.client_id, street,
                         random.randbytes(32), moment(rng))
    await scatter_voice(db, street, rng, moment)
    await scatter_community_life(db, street, rng, moment)


def local(at: datetime | None) -> date | None:
    return None if at is None else at.astimezone(SH).date()


async def brute_force(db, street: str, column: str, place: str, first: date, last: date,
                      with_households_until: date) -> dict:
    """Every figure from the raw rows, by the definitions in docs/statistics.md."""
    def inside(at):
        day = local(at)
        return day is not None and first <= day <= last

    where = f"{column} = $1"
    reports = await db.fetch(f"SELECT * FROM reports WHERE {where}", place)
    tasks = await db.fetch(f"SELECT * FROM tasks WHERE {where}", place)
    proposals = await db.fetch(f"SELECT * FROM proposals WHERE {where}", place)
    bookings = await db.fetch(f"SELECT * FROM bookings WHERE {where}", place)
    households = await db.fetch(f"SELECT * FROM households WHERE {where}", place)
    hh = {h["id"] for h in households}
    member = {(m["person_id"], m["building_id"]): m["household_id"] for m in await db.fetch(
        "SELECT * FROM memberships WHERE street_id = $1 AND left_at IS NULL ORDER BY household_id DESC", street)}
    acts: list[tuple[str | None, str | None]] = []  # (household, person) of each act in the period
    for r in reports:
        if inside(r["created_at"]):
            acts.append((member.get((r["reporter_id"], r["building_id"])), r["reporter_id"]))
    for s in await db.fetch("SELECT * FROM proposal_supports WHERE household_id = ANY($1)", list(hh)):
        if inside(s["created_at"]):
            acts.append((s["household_id"], s["person_id"]))
    for c in await db.fetch(f"""SELECT c.*, p.building_id FROM proposal_comments c JOIN proposals p
                                  ON p.id = c.proposal_id WHERE p.{where}""", place):
        if inside(c["created_at"]):
            acts.append((member.get((c["author_id"], c["building_id"])), c["author_id"]))
    for b in await db.fetch("SELECT * FROM bookings WHERE household_id = ANY($1)", list(hh)):
        if inside(b["created_at"]):
            acts.append((b["household_id"], b["person_id"]))
    acts += await voice_acts(db, street, hh, inside)  # acknowledgements and questions
    acts += await community_acts(db, street, hh, inside)  # activity sign-ups
    signed = [t["person_id"] for t in await db.fetch(
        f"""SELECT t.* FROM refresh_tokens t JOIN memberships m ON m.person_id = t.person_id AND m.left_at IS NULL
             WHERE m.{where}""", place) if inside(t["created_at"])]
    ratings = [r["feedback_rating"] for r in reports if r["feedback_rating"] and inside(r["feedback_at"])]
    received = [r for r in reports if inside(r["created_at"])]
    resolved = [r for r in reports if inside(r["resolved_at"])]
    done = [t for t in tasks if inside(t["done_at"])]
    decided = [p for p in proposals if p["decision"] and inside(p["decided_at"])]
    durations = defaultdict(list)
    for p in proposals:
        entered = [p["created_at"], p["deliberating_at"], p["voting_at"], p["implementing_at"], p["evaluating_at"],
                   p["closed_at"]]
        for i in range(5):
            later = [a for a in entered[i + 1:] if a is not None]
            if entered[i] is not None and later and inside(later[0]):
                durations[STAGES[i]].append(exact((later[0] - entered[i]).total_seconds(), 86400))
    counted = [b for b in bookings if b["status"] in ("confirmed", "checked_in", "completed", "no_show")
               and inside(b["start_at"])]
    settled = [b for b in counted if b["status"] != "confirmed"]
    n_households = sum(1 for h in households if local(h["created_at"]) <= with_households_until)
    acting = {h for h, _ in acts if h}
    spaces = await db.fetch(f"SELECT * FROM spaces WHERE {where}", place)
    open_minutes = len(spaces) * 12 * 60 * ((last - first).days + 1)  # 08:00-20:00 every day, no closures
    voice = await voice_figures(db, column, place, inside, rate, two)
    community = await community_figures(db, column, place, inside)
    return {
        "awareness_rate": voice["awareness_rate"], "awareness_rate_reason": None,
        "households": n_households,
        "participation_rate": rate(len(acting), n_households),
        "active_residents": len({p for _, p in acts if p} | set(signed)),
        "satisfaction_rate": rate(sum(1 for x in ratings if x >= 4), len(ratings)),
        "satisfaction_mean": two(Decimal(sum(ratings)) / len(ratings)) if ratings else None,
        "reports": {
            "received": len(received), "resolved": len(resolved),
            "urgent": sum(1 for r in received if r["urgency"] == "urgent"),
            "resolution_rate": rate(sum(1 for r in received if r["resolved_at"]), len(received)),
            "median_hours_to_resolve": two(pystats.median(
                exact((r["resolved_at"] - r["created_at"]).total_seconds(), 3600) for r in resolved))
            if resolved else None,
        },
        "tasks": {
            "created": sum(1 for t in tasks if inside(t["created_at"])),
            "open": sum(1 for t in tasks if inside(t["created_at"]) and t["status"] in ("open", "in_progress")),
            "done": len(done), "overdue": sum(1 for t in tasks if inside(t["overdue_at"])),
            "escalated_community": sum(1 for t in tasks if inside(t["escalated_community_at"])),
            "escalated_street": sum(1 for t in tasks if inside(t["escalated_street_at"])),
            "on_time_rate": rate(sum(1 for t in done if t["due_at"] is None or t["done_at"] <= t["due_at"]), len(done)),
        },
        "proposals": {
            "created": sum(1 for p in proposals if inside(p["created_at"])),
            "by_stage": {s: sum(1 for p in proposals if inside(p["created_at"]) and p["stage"] == s) for s in STAGES},
            "by_outcome": {o: sum(1 for p in proposals if p["outcome"] == o and inside(p["closed_at"]))
                           for o in OUTCOMES},
            "adoption_rate": rate(sum(1 for p in decided if p["decision"] == "adopted"), len(decided)),
            "median_days_in_stage": {s: two(pystats.median(durations[s])) if durations[s] else None
                                     for s in STAGES[:-1]},
        },
        "bookings": {
            "count": len(counted),
            "no_show_rate": rate(sum(1 for b in settled if b["status"] == "no_show"), len(settled)),
            "utilisation": rate(round(sum((b["end_at"] - b["start_at"]).total_seconds() / 60 for b in counted)),
                                open_minutes),
        },
        "questions": voice["questions"],
        **community,
    }


def close(actual: dict, expected: dict) -> None:
    """Medians are compared to the cent (float sums may differ in the last bit)."""
    assert actual == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_every_figure_equals_a_brute_force_count_over_the_raw_rows(client, db, town, platform, seed):
    rng = random.Random(seed)
    await make_activity(client, db, town, rng)
    await scatter(db, town, rng)
    for first, last in (PERIOD, (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 10, 1), date(2026, 11, 30))):
        # A calendar month reads the months' distinct counters; other periods the days' rows.
        answers = await check_period(client, db, town, platform, first, last)
    whole = answers["street"]["figures"]  # the new figures are exercised, not only zero
    assert whole["awareness_rate"]["denominator"] > 0 and whole["questions"]["asked"] > 0, (whole["awareness_rate"], whole["questions"])
    # The rollups rebuilt from the raw rows say the same.
    await db.execute("SELECT stats_rebuild()")
    assert await check_period(client, db, town, platform, first, last) == answers


async def check_period(client, db, town, platform, first: date, last: date) -> dict:
    query = {"from": first.isoformat(), "to": last.isoformat()}
    scopes = [("street", town.street_id, "street_id"), ("community", town.community, "community_id"),
              ("building", town.building, "building_id")]
    answers = {}
    for scope, place, column in scopes:
        got = await client.get("/v1/stats", headers=platform.headers(),
                               params={**query, "scope": scope, "id": place, "group_by": "month"})
        assert got.status_code == 200, got.text
        body = got.json()
        answers[scope] = body
        assert (body["from"], body["to"], body["timezone"]) == (query["from"], query["to"], "Asia/Shanghai")
        assert body["figures"] == await brute_force(db, town.street_id, column, place, first, last, last), scope
        for key, part in (("2026-10", (max(first, date(2026, 10, 1)), date(2026, 10, 31))),
                          ("2026-11", (max(first, date(2026, 11, 1)), last))):
            months = {g["key"]: g["figures"] for g in body["groups"]}
            if part[0] <= part[1]:
                assert months[key] == await brute_force(db, town.street_id, column, place, *part, part[1]), key
    for grouping, column, members in (("community", "community_id", [town.community, town.other_community]),
                                      ("building", "building_id",
                                       [town.building, town.neighbour_building, town.far_building])):
        got = await client.get("/v1/stats", headers=platform.headers(), params={**query, "group_by": grouping})
        groups = {g["key"]: g["figures"] for g in got.json()["groups"]}
        answers[grouping] = got.json()
        for member in members:
            expected = await brute_force(db, town.street_id, column, member, first, last, last)
            actual = groups.get(member, {**expected, "households": -1})
            assert actual == expected, (grouping, member)
        staff = await client.get("/v1/stats", headers=platform.headers(),
                                 params={**query, "scope": "community", "id": town.community, "group_by": grouping})
        for group in staff.json()["groups"]:
            assert group["figures"] == await brute_force(db, town.street_id, column, group["key"], first, last,
                                                         last), (grouping, "community scope")
    return answers


async def test_a_day_edge_in_the_streets_time_zone(client, db, town, platform):
    made = await client.post(f"/v1/buildings/{town.building}/reports", headers=town.people["head"].headers(),
                             json={"category": "other", "description": "x"})
    report = made.json()["id"]
    last_minute = datetime(2026, 11, 30, 23, 59, 59, tzinfo=SH)  # 15:59:59 UTC: still November here
    await db.execute("UPDATE reports SET created_at = $2 WHERE id = $1", report, last_minute)

    async def received(first: str, last: str) -> int:
        got = await client.get("/v1/stats", headers=platform.headers(), params={"from": first, "to": last})
        return got.json()["figures"]["reports"]["received"]

    assert await received("2026-11-01", "2026-11-30") == 1
    assert await received("2026-12-01", "2026-12-31") == 0
    await db.execute("UPDATE reports SET created_at = $2 WHERE id = $1", report, last_minute + timedelta(seconds=1))
    assert await received("2026-11-01", "2026-11-30") == 0
    assert await received("2026-12-01", "2026-12-01") == 1


async def test_rates_without_denominator_are_null(client, town, platform):
    body = (await client.get("/v1/stats", headers=platform.headers(),
                             params={"from": "2001-01-01", "to": "2001-01-31"})).json()
    figures = body["figures"]
    assert figures["awareness_rate"] == {"numerator": 0, "denominator": 0, "percent": None}
    assert figures["awareness_rate_reason"] is None
    assert figures["questions"] == {"asked": 0, "answered": 0, "median_hours_to_first_answer": None}
    assert figures["participation_rate"] == {"numerator": 0, "denominator": 0, "percent": None}
    assert figures["reports"]["median_hours_to_resolve"] is None and body["groups"] == []


async def test_the_export_reads_back_with_chinese_headers(client, db, town, platform):
    made = await client.post(f"/v1/buildings/{town.building}/reports", headers=town.people["head"].headers(),
                             json={"category": "other", "description": "x", "urgency": "urgent"})
    assert made.status_code == 201
    params = {"from": "2026-01-01", "to": "2026-12-31", "group_by": "building"}
    await db.execute("UPDATE reports SET created_at = '2026-06-01T12:00:00+08' WHERE id = $1", made.json()["id"])
    figures = (await client.get("/v1/stats", headers=platform.headers(), params=params)).json()
    xlsx = await client.get("/v1/stats/export", headers=platform.headers(), params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:5] == ["范围", "编号", "名称", "开始日期", "结束日期"] and "参与率(%)" in header
    total = dict(zip(header, rows[1], strict=True))
    assert total["范围"] == "街道" and total["收到问题数"] == 1 and total["紧急问题数"] == 1
    assert total["户数"] == figures["figures"]["households"]
    by_building = {r[1]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert by_building[town.building]["名称"] == "1 号楼" and by_building[town.building]["收到问题数"] == 1
    assert len(rows) == 2 + len(figures["groups"])
    text = await client.get("/v1/stats/export", headers=platform.headers(), params={**params, "format": "csv"})
    assert text.status_code == 200 and text.content.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert parsed[0] == header and parsed[1][header.index("收到问题数")] == "1"
