"""The peer: the benchmark's hot endpoints written the ordinary way — FastAPI, SQLAlchemy 2
(async, ORM over the reflected schema), Pydantic response models, PyJWT on every request, the
caller's grants read per request — against the same database, to compare with.

It keeps the service's rules that decide what a request costs (the caller's token and grants,
who may see a building, the space's row lock, overlap and suspension, the ballot's eligibility,
the history and the event), not every check of the service. Run by bench/run.py in its own venv
(bench/peer/requirements.txt): ``uvicorn app:app`` from this folder, with DATABASE_URL,
BILIN_JWT_KEYS and BENCH_STREET_ID set."""

# ruff: noqa: B008 - Depends() in defaults is how FastAPI is written, which is the point here
from __future__ import annotations

import base64
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.automap import automap_base

URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1)
KEYS = {kid: base64.b64decode(secret) for kid, _, secret in
        (item.strip().partition(":") for item in os.environ.get("BILIN_JWT_KEYS", "").split(",") if item)}
engine = create_async_engine(URL, pool_size=10, max_overflow=0, connect_args={"server_settings": {"timezone": "UTC"}})
Session = async_sessionmaker(engine, expire_on_commit=False)
Base = automap_base()
TABLES = ["proposals", "buildings", "tasks", "persons", "memberships", "roles", "votes", "vote_electorate",
          "vote_voters", "ballots", "ballot_history", "events", "spaces", "bookings", "booking_suspensions",
          "jobs", "proposal_options", "households", "communities", "streets"]
T: Any = None  # the reflected tables, by name
app = FastAPI()


@app.on_event("startup")
async def reflect() -> None:
    global T
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync: Base.prepare(autoload_with=sync, reflection_options={"only": TABLES}))
    T = Base.metadata.tables


# -- wire models -----------------------------------------------------------------------------

class Row(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="allow")


class Proposal(Row):
    id: str
    building_id: str
    title: str
    description: str
    category: str
    stage: str
    support_threshold: int
    support_count: int
    collect_until: datetime
    created_at: datetime
    updated_at: datetime


class Building(Row):
    id: str
    community_id: str
    name: str
    address: str | None = None
    floors: int | None = None
    units: int | None = None
    household_count: int
    created_at: datetime


class Task(Row):
    id: str
    building_id: str | None = None
    title: str
    description: str
    status: str
    priority: str
    created_at: datetime


class Page(BaseModel):
    items: list[Any]
    has_more: bool


class Me(BaseModel):
    id: str
    nickname: str | None = None
    memberships: list[dict]
    roles: list[dict]


class BallotIn(BaseModel):
    choice: str | None = None
    option_ids: list[str] | None = None
    household_id: str | None = None


class BallotOut(BaseModel):
    id: str
    household_id: str
    choice: str | None
    version: int
    receipt: str


class BookingIn(BaseModel):
    start_at: datetime
    end_at: datetime
    attendees: int
    purpose: str = ""
    household_id: str | None = None


class BookingOut(Row):
    id: str
    space_id: str
    household_id: str | None
    start_at: datetime
    end_at: datetime
    status: str


# -- the caller ------------------------------------------------------------------------------

class Caller(BaseModel):
    kind: str
    client_id: str
    street_id: str
    person_id: str | None = None
    households: dict[str, str] = {}  # household -> building
    street_wide: bool = False


async def session() -> Any:
    async with Session() as s:
        yield s


async def caller(authorization: str = Header(default=""), s: AsyncSession = Depends(session)) -> Caller:
    if not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "unauthenticated")
    token = authorization[7:]
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        claims = jwt.decode(token, KEYS[kid], algorithms=["HS256"], audience="bilin-api", issuer="bilin")
    except (jwt.PyJWTError, KeyError):
        raise HTTPException(401, "invalid_token") from None
    who = Caller(kind=claims["kind"], client_id=claims["cid"], street_id=claims["sid"],
                 person_id=claims["sub"] if claims["kind"] == "person" else None)
    if who.person_id is None:
        who.street_wide = True
        return who
    m, r = T["memberships"], T["roles"]
    for row in (await s.execute(select(m.c.household_id, m.c.building_id).where(
            m.c.person_id == who.person_id, m.c.street_id == who.street_id, m.c.left_at.is_(None)))).all():
        who.households[row.household_id] = row.building_id
    held = (await s.execute(select(r.c.role).where(r.c.person_id == who.person_id, r.c.street_id == who.street_id,
                                                   r.c.revoked_at.is_(None)))).scalars().all()
    who.street_wide = "street_officer" in held
    return who


def sees_building(who: Caller, building_id: str) -> bool:
    return who.street_wide or building_id in who.households.values()


def page(rows: list, model: type[BaseModel], limit: int = 20) -> Page:
    return Page(items=[model.model_validate(r) for r in rows[:limit]], has_more=len(rows) > limit)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


# -- reads -----------------------------------------------------------------------------------

@app.get("/v1/buildings/{building_id}/proposals", response_model=Page)
async def list_proposals(building_id: str, who: Caller = Depends(caller), s: AsyncSession = Depends(session)) -> Page:
    if not sees_building(who, building_id):
        raise HTTPException(404, "not_found")
    p = T["proposals"]
    rows = (await s.execute(select(p).where(p.c.street_id == who.street_id, p.c.building_id == building_id)
                            .order_by(p.c.created_at.desc(), p.c.id.desc()).limit(21))).all()
    return page(rows, Proposal)


@app.get("/v1/proposals/{proposal_id}", response_model=Proposal)
async def get_proposal(proposal_id: str, who: Caller = Depends(caller), s: AsyncSession = Depends(session)) -> Any:
    p = T["proposals"]
    row = (await s.execute(select(p).where(p.c.id == proposal_id, p.c.street_id == who.street_id))).first()
    if row is None or not sees_building(who, row.building_id):
        raise HTTPException(404, "not_found")
    return Proposal.model_validate(row)


@app.get("/v1/buildings", response_model=Page)
async def list_buildings(who: Caller = Depends(caller), s: AsyncSession = Depends(session)) -> Page:
    if not who.street_wide:
        raise HTTPException(403, "forbidden")
    b, h = T["buildings"], T["households"]
    count = select(func.count()).where(h.c.building_id == b.c.id).scalar_subquery().label("household_count")
    rows = (await s.execute(select(b, count).where(b.c.street_id == who.street_id)
                            .order_by(b.c.created_at.desc(), b.c.id.desc()).limit(21))).all()
    return page(rows, Building)


@app.get("/v1/buildings/{building_id}/tasks", response_model=Page)
async def list_tasks(building_id: str, who: Caller = Depends(caller), s: AsyncSession = Depends(session)) -> Page:
    if not sees_building(who, building_id):
        raise HTTPException(404, "not_found")
    t = T["tasks"]
    rows = (await s.execute(select(t).where(t.c.street_id == who.street_id, t.c.building_id == building_id)
                            .order_by(t.c.created_at.desc(), t.c.id.desc()).limit(21))).all()
    return page(rows, Task)


@app.get("/v1/me", response_model=Me)
async def me(who: Caller = Depends(caller), s: AsyncSession = Depends(session)) -> Me:
    if who.person_id is None:
        raise HTTPException(403, "person_required")
    person = (await s.execute(select(T["persons"]).where(T["persons"].c.id == who.person_id))).first()
    m, r = T["memberships"], T["roles"]
    memberships = (await s.execute(select(m).where(m.c.person_id == who.person_id, m.c.left_at.is_(None),
                                                   m.c.street_id == who.street_id))).mappings().all()
    roles = (await s.execute(select(r).where(r.c.person_id == who.person_id, r.c.street_id == who.street_id,
                                             r.c.revoked_at.is_(None)))).mappings().all()
    return Me(id=person.id, nickname=person.nickname, memberships=[dict(x) for x in memberships],
              roles=[dict(x) for x in roles])


# -- writes ----------------------------------------------------------------------------------

@app.put("/v1/proposals/{proposal_id}/ballot", response_model=BallotOut)
async def cast_ballot(proposal_id: str, body: BallotIn, who: Caller = Depends(caller),
                      s: AsyncSession = Depends(session)) -> BallotOut:
    p, v = T["proposals"], T["votes"]
    proposal = (await s.execute(select(p).where(p.c.id == proposal_id, p.c.street_id == who.street_id)
                                .with_for_update(read=True))).first()
    if proposal is None or not sees_building(who, proposal.building_id):
        raise HTTPException(404, "not_found")
    vote = (await s.execute(select(v).where(v.c.subject_type == "proposal", v.c.subject_id == proposal_id))).first()
    now = datetime.now(UTC)
    if vote is None or not (vote.opens_at <= now < vote.closes_at):
        raise HTTPException(409, "wrong_stage")
    options = (await s.execute(select(T["proposal_options"].c.id).where(
        T["proposal_options"].c.proposal_id == proposal_id))).scalars().all()
    if len(options) == 1 and body.choice is None:
        raise HTTPException(422, "invalid_ballot")
    homes = [h for h, b in who.households.items() if b == proposal.building_id]
    household = body.household_id or (homes[0] if len(homes) == 1 else None)
    if household is None:
        raise HTTPException(422, "household_required")
    e, vv = T["vote_electorate"], T["vote_voters"]
    eligible = (await s.execute(select(e.c.area_m2, vv.c.role).select_from(e.outerjoin(vv, and_(
        vv.c.vote_id == e.c.vote_id, vv.c.household_id == e.c.household_id, vv.c.person_id == who.person_id)))
        .where(e.c.vote_id == vote.id, e.c.household_id == household))).first()
    if eligible is None or eligible.role is None:
        raise HTTPException(422, "household_not_eligible")
    b = T["ballots"]
    receipt = secrets.token_hex(32)
    stmt = insert(b).values(id=new_id("ballot"), street_id=who.street_id, vote_id=vote.id,
                            household_id=household, cast_by=who.person_id, choice=body.choice,
                            option_ids=body.option_ids, receipt=receipt)
    stmt = stmt.on_conflict_do_update(constraint="ballots_vote_household_key", set_={
        "cast_by": stmt.excluded.cast_by, "choice": stmt.excluded.choice, "option_ids": stmt.excluded.option_ids,
        "receipt": stmt.excluded.receipt, "version": b.c.version + 1, "updated_at": func.clock_timestamp()})
    ballot = (await s.execute(stmt.returning(b))).first()
    await s.execute(T["ballot_history"].insert().values(
        street_id=who.street_id, vote_id=vote.id, household_id=household, cast_by=who.person_id,
        choice=body.choice, option_ids=body.option_ids, receipt=receipt, version=ballot.version))
    await s.execute(T["events"].insert().values(
        id=new_id("event"), street_id=who.street_id, type="ballot.cast", occurred_at=func.clock_timestamp(),
        community_id=vote.community_id, building_id=vote.building_id, subject_type="ballot",
        subject_id=ballot.id, data={"proposal_id": proposal_id, "household_id": household,
                                    "version": ballot.version}))
    await s.commit()  # (the caller's grants were read in the same transaction)
    return BallotOut(id=ballot.id, household_id=household, choice=ballot.choice, version=ballot.version,
                     receipt=receipt)


@app.post("/v1/spaces/{space_id}/bookings", response_model=BookingOut, status_code=201)
async def create_booking(space_id: str, body: BookingIn, who: Caller = Depends(caller),
                         s: AsyncSession = Depends(session)) -> Any:
    sp, bk = T["spaces"], T["bookings"]
    space = (await s.execute(select(sp).where(sp.c.id == space_id, sp.c.street_id == who.street_id)
                             .with_for_update())).first()
    if space is None or not sees_building(who, space.building_id):
        raise HTTPException(404, "not_found")
    now = datetime.now(UTC)
    if body.end_at <= body.start_at or body.start_at < now + timedelta(minutes=60):
        raise HTTPException(422, "outside_window")
    homes = [h for h, b in who.households.items() if b == space.building_id]
    household = body.household_id or (homes[0] if homes else None)
    clash = (await s.execute(select(bk.c.start_at, bk.c.end_at).where(
        bk.c.space_id == space_id, bk.c.status.in_(["pending", "confirmed", "checked_in"]),
        text("tstzrange(start_at, end_at, '[)') && tstzrange(:s, :e, '[)')").bindparams(
            s=body.start_at, e=body.end_at)).order_by(bk.c.start_at).limit(1))).first()
    if clash is not None:
        raise HTTPException(409, "booking_conflict")
    su = T["booking_suspensions"]
    suspended = (await s.execute(select(func.max(su.c.ends_at)).where(
        su.c.household_id == household, su.c.starts_at <= now, su.c.ends_at > now))).scalar()
    if suspended is not None:
        raise HTTPException(422, "booking_suspended")
    booking = (await s.execute(bk.insert().values(
        id=new_id("booking"), street_id=who.street_id, space_id=space_id, community_id=space.community_id,
        building_id=space.building_id, household_id=household, person_id=who.person_id,
        start_at=body.start_at, end_at=body.end_at, purpose=body.purpose, attendees=body.attendees,
        status="confirmed", confirmed_at=now).returning(bk))).first()
    for kind, run_at in (("booking.no_show", body.start_at + timedelta(minutes=15)), ("booking.complete", body.end_at)):
        await s.execute(insert(T["jobs"]).values(
            id=new_id("job"), street_id=who.street_id, kind=kind, run_at=run_at,
            payload={"booking_id": booking.id}, dedupe_key=f"{kind}:{booking.id}").on_conflict_do_nothing())
    await s.execute(T["events"].insert().values(
        id=new_id("event"), street_id=who.street_id, type="booking.created", occurred_at=func.clock_timestamp(),
        community_id=space.community_id, building_id=space.building_id, subject_type="booking",
        subject_id=booking.id, data={"booking": {"id": booking.id}}))
    await s.commit()  # (the caller's grants were read in the same transaction)
    return BookingOut.model_validate(booking)


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok", "decimal": str(Decimal(0))}
