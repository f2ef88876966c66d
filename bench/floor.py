"""The floor: the same SQL as the real endpoints, behind a bare ASGI callable with an
asyncpg pool and msgspec, and nothing else (no framework, no auth, no ETags, no problem
documents, no rate limit). Its throughput is the most a Python process can give on this
machine for that query, so real/floor shows what the framework and conventions cost.

Served by uvicorn like the API: ``uvicorn bench.floor:app --workers 2``; the street to
read comes from BENCH_STREET_ID (the real endpoints take it from the token), the caller of a
write from the query (``?person=…&household=…``). Writes run the statements the use case
sends once its checks pass (no grants query, no rules in Python), in one transaction."""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

import asyncpg
import msgspec

STREET_ID = os.environ.get("BENCH_STREET_ID", "")
PAGE = 20  # the API's default page size; one more row is fetched to know if a page follows

# The statements the real store modules send for these reads (store/proposals.py,
# store/buildings.py with the default keyset: newest first, no cursor).
LIST_PROPOSALS = """SELECT p.* FROM proposals p WHERE p.street_id = $1 AND p.building_id = $2 AND TRUE
    ORDER BY p.created_at DESC, p.id DESC LIMIT $3"""
GET_PROPOSAL = "SELECT * FROM proposals WHERE id = $1 AND street_id = $2"
LIST_BUILDINGS = """SELECT b.id, b.street_id, b.community_id, b.name, b.address, b.compound_name, b.floors,
    b.units, b.external_id, b.rules, b.created_at, b.updated_at,
    (SELECT count(*) FROM households h WHERE h.building_id = b.id) AS household_count
    FROM buildings b WHERE b.street_id = $1 AND TRUE ORDER BY b.created_at DESC, b.id DESC LIMIT $2"""

LIST_TASKS = """SELECT t.* FROM tasks t WHERE t.street_id = $1 AND t.building_id = $2 AND TRUE
    ORDER BY t.created_at DESC, t.id DESC LIMIT $3"""
ME = "SELECT p.id, p.nickname, p.real_name, p.phone, p.erased_at, p.created_at, p.updated_at FROM persons p WHERE p.id = $1"
MY_MEMBERSHIPS = "SELECT * FROM memberships WHERE person_id = $1 AND left_at IS NULL AND street_id = $2"
MY_ROLES = "SELECT * FROM roles WHERE person_id = $1 AND street_id = $2 AND revoked_at IS NULL"
# store/votes.py: eligibility, cast_open; store/events.py: append_event
VOTE_FOR_SHARE = """SELECT v.* FROM proposals p JOIN votes v ON v.subject_type = 'proposal' AND v.subject_id = p.id
    WHERE p.id = $1 AND p.street_id = $2 FOR SHARE OF p"""
OPTIONS = "SELECT * FROM proposal_options WHERE proposal_id = $1 ORDER BY created_at, id"
ELIGIBILITY = """SELECT e.area_m2, v.role, v.head FROM vote_electorate e
    LEFT JOIN vote_voters v ON v.vote_id = e.vote_id AND v.household_id = e.household_id AND v.person_id = $3
    WHERE e.vote_id = $1 AND e.household_id = $2"""
CAST = """WITH cast_now AS (
    INSERT INTO ballots AS b (id, street_id, vote_id, household_id, cast_by, choice, option_ids, receipt)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (vote_id, household_id) DO UPDATE
       SET cast_by = excluded.cast_by, choice = excluded.choice, option_ids = excluded.option_ids,
           receipt = excluded.receipt, version = b.version + 1, updated_at = clock_timestamp()
    RETURNING b.*),
  kept AS (INSERT INTO ballot_history (street_id, vote_id, household_id, cast_by, choice, option_ids, receipt, version)
           SELECT street_id, vote_id, household_id, cast_by, choice, option_ids, receipt, version FROM cast_now)
  SELECT * FROM cast_now"""
EVENT = """INSERT INTO events (id, street_id, type, occurred_at, community_id, building_id, subject_type, subject_id, data)
    VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6, $7, $8)"""
# store/spaces.py (FOR UPDATE), store/bookings.py: obstacles, insert; store/jobs.py: schedule_many
SPACE_FOR_UPDATE = "SELECT * FROM spaces WHERE id = $1 AND street_id = $2 FOR UPDATE"
OBSTACLES = """SELECT o.start_at, o.end_at,
    (SELECT max(ends_at) FROM booking_suspensions WHERE household_id = $5 AND starts_at <= $6 AND ends_at > $6)
      AS suspended_until
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (
      SELECT start_at, end_at FROM bookings WHERE space_id = $1 AND status = ANY($4::text[])
         AND tstzrange(start_at, end_at, '[)') && tstzrange($2, $3, '[)') ORDER BY start_at LIMIT 1) AS o ON true"""
INSERT_BOOKING = """INSERT INTO bookings AS b (id, street_id, space_id, community_id, building_id, household_id,
    person_id, start_at, end_at, purpose, attendees, status, confirmed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'confirmed', $12) RETURNING b.*"""
JOBS = """INSERT INTO jobs (id, street_id, kind, run_at, payload, dedupe_key)
    SELECT j.id, $1, j.kind, j.run_at, j.payload, j.dedupe_key
      FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::text[])
           AS j (id, kind, run_at, payload, dedupe_key)
    ON CONFLICT (dedupe_key) DO NOTHING"""
ACTIVE = ["pending", "confirmed", "checked_in"]

_encode = msgspec.json.Encoder().encode
_pool: asyncpg.Pool | None = None
_JSON = [(b"content-type", b"application/json")]


async def _init(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):  # as store.db does: jsonb decoded by msgspec
        await conn.set_type_codec(kind, schema="pg_catalog", decoder=msgspec.json.decode,
                                  encoder=lambda v: msgspec.json.encode(v).decode())


async def _no_reset(conn: asyncpg.Connection) -> None:
    pass


def _page(rows: list) -> dict:
    return {"items": [dict(r) for r in rows[:PAGE]], "has_more": len(rows) > PAGE}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


async def _ballot(conn: asyncpg.Connection, proposal_id: str, caller: dict[str, str], body: dict) -> tuple[int, object]:
    async with conn.transaction():
        vote = await conn.fetchrow(VOTE_FOR_SHARE, proposal_id, STREET_ID)
        if vote is None:
            return 404, {"code": "not_found"}
        await conn.fetch(OPTIONS, proposal_id)
        eligible = await conn.fetchrow(ELIGIBILITY, vote["id"], caller["household"], caller["person"])
        if eligible is None or eligible["role"] is None:
            return 422, {"code": "household_not_eligible"}
        ballot = await conn.fetchrow(CAST, _id("ballot"), STREET_ID, vote["id"], caller["household"],
                                     caller["person"], body.get("choice"), None, secrets.token_hex(32))
        await conn.execute(EVENT, _id("event"), STREET_ID, "ballot.cast", vote["community_id"], vote["building_id"],
                           "ballot", ballot["id"], {"proposal_id": proposal_id, "household_id": caller["household"],
                                                    "version": ballot["version"]})
    return 200, dict(ballot)


async def _booking(conn: asyncpg.Connection, space_id: str, caller: dict[str, str], body: dict) -> tuple[int, object]:
    start, end = datetime.fromisoformat(body["start_at"]), datetime.fromisoformat(body["end_at"])
    now = datetime.now(UTC)
    async with conn.transaction():
        space = await conn.fetchrow(SPACE_FOR_UPDATE, space_id, STREET_ID)
        if space is None:
            return 404, {"code": "not_found"}
        found = await conn.fetchrow(OBSTACLES, space_id, start, end, ACTIVE, caller["household"], now)
        if found["start_at"] is not None:
            return 409, {"code": "booking_conflict", "start_at": found["start_at"].isoformat()}
        booking = dict(await conn.fetchrow(
            INSERT_BOOKING, _id("booking"), STREET_ID, space_id, space["community_id"], space["building_id"],
            caller["household"], caller["person"], start, end, body.get("purpose", ""), body["attendees"], now))
        await conn.execute(JOBS, STREET_ID, [_id("job"), _id("job")], ["booking.no_show", "booking.complete"],
                           [start, end], [{"booking_id": booking["id"]}] * 2,
                           [f"booking.no_show:{booking['id']}", f"booking.complete:{booking['id']}"])
        await conn.execute(EVENT, _id("event"), STREET_ID, "booking.created", space["community_id"],
                           space["building_id"], "booking", booking["id"], {"booking": {"id": booking["id"]}})
    return 201, booking


async def _handle(scope: dict, receive) -> tuple[int, object]:
    assert _pool is not None
    path = scope["path"]
    parts = path.strip("/").split("/")
    if scope["method"] in ("PUT", "POST"):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        caller = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        async with _pool.acquire() as conn:
            if len(parts) == 3 and parts[0] == "proposals" and parts[2] == "ballot":
                return await _ballot(conn, parts[1], caller, msgspec.json.decode(body))
            if len(parts) == 3 and parts[0] == "spaces" and parts[2] == "bookings":
                return await _booking(conn, parts[1], caller, msgspec.json.decode(body))
        return 404, {"code": "not_found"}
    caller = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
    async with _pool.acquire() as conn:
        if len(parts) == 3 and parts[0] == "buildings" and parts[2] == "tasks":
            return 200, _page(await conn.fetch(LIST_TASKS, STREET_ID, parts[1], PAGE + 1))
        if parts == ["me"]:
            person = await conn.fetchrow(ME, caller["person"])
            return 200, {"person": dict(person),
                         "memberships": [dict(r) for r in await conn.fetch(MY_MEMBERSHIPS, caller["person"], STREET_ID)],
                         "roles": [dict(r) for r in await conn.fetch(MY_ROLES, caller["person"], STREET_ID)]}
        if len(parts) == 3 and parts[0] == "buildings" and parts[2] == "proposals":
            return 200, _page(await conn.fetch(LIST_PROPOSALS, STREET_ID, parts[1], PAGE + 1))
        if len(parts) == 2 and parts[0] == "proposals":
            row = await conn.fetchrow(GET_PROPOSAL, parts[1], STREET_ID)
            return (200, dict(row)) if row else (404, {"code": "not_found"})
        if parts == ["buildings"]:
            return 200, _page(await conn.fetch(LIST_BUILDINGS, STREET_ID, PAGE + 1))
    return 404, {"code": "not_found"}


async def app(scope, receive, send) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _pool = await asyncpg.create_pool(
                    os.environ["DATABASE_URL"], min_size=2,
                    max_size=int(os.environ.get("BILIN_DB_POOL_MAX", "10")), init=_init,
                    server_settings={"timezone": "UTC", "application_name": "bilin-floor"},
                    reset=_no_reset)  # as the service's pool (store/db.py keep_session)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] == "/healthz":
        status, body = 200, {"status": "ok"}
    else:
        status, body = await _handle(scope, receive)
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": _encode(body)})
