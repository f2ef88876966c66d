"""The floor: the same SQL as three real endpoints, behind a bare ASGI callable with an
asyncpg pool and msgspec, and nothing else (no framework, no auth, no ETags, no problem
documents, no rate limit). Its throughput is the most a Python process can give on this
machine for that query, so real/floor shows what the framework and conventions cost.

Served by uvicorn like the API: ``uvicorn bench.floor:app --workers 2``; the street to
read comes from BENCH_STREET_ID (the real endpoints take it from the token)."""

from __future__ import annotations

import os

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

_encode = msgspec.json.Encoder().encode
_pool: asyncpg.Pool | None = None
_JSON = [(b"content-type", b"application/json")]


async def _init(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):  # as store.db does: jsonb decoded by msgspec
        await conn.set_type_codec(kind, schema="pg_catalog", decoder=msgspec.json.decode,
                                  encoder=lambda v: msgspec.json.encode(v).decode())


def _page(rows: list) -> dict:
    return {"items": [dict(r) for r in rows[:PAGE]], "has_more": len(rows) > PAGE}


async def _handle(path: str) -> tuple[int, object]:
    assert _pool is not None
    parts = path.strip("/").split("/")
    async with _pool.acquire() as conn:
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
                    server_settings={"timezone": "UTC", "application_name": "bilin-floor"})
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] == "/healthz":
        status, body = 200, {"status": "ok"}
    else:
        status, body = await _handle(scope["path"])
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": _encode(body)})
