"""Content safety: residents' text checked with WeChat's msgSecCheck v2 before it is saved,
under the author's openid at the mini-program client they signed in through; text that waits
for a decision; leaders' decisions; and the worker's second look at text WeChat gave no
verdict on. Rules: domain/moderation.py; docs/moderation.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

import asyncpg

from domain import moderation as rules
from domain.clients import MiniProgramCredentials
from domain.errors import NotFound, RuleViolation
from domain.permissions import Place, Principal, ensure_for
from integrations.wechat import WeChatClient, WeChatError, unavailable
from store import moderation as store
from store.moderation import Moderated
from usecases import clients
from usecases.actors import actor_for
from usecases.crypto import Sealer
from usecases.kernel import record_event

# The event types built below from the moderated subject (the catalogue, domain/events.py).
APPENDS = ("proposal.moderated", "report.moderated", "comment.moderated")


@dataclass(frozen=True, slots=True)
class Checked:
    """A text's verdict, with what a second look needs."""

    state: str  # passed | pending
    reason: str | None  # review | no_verdict, when pending
    label: int | None
    client_id: str
    person_id: str
    scene: int


class ContentChecker:
    def __init__(self, wechat: WeChatClient, sealer: Sealer, *, enabled: bool) -> None:
        self.wechat = wechat
        self.sealer = sealer
        self.enabled = enabled

    async def check(self, conn: asyncpg.Connection, who: Principal, texts: list[str], scene: int) -> Checked | None:
        """The verdict on ``texts`` (checked as one, in chunks); None when not checked (checks off,
        a platform client or staff without an openid, no text). Risky text raises 422
        ``content_rejected`` with WeChat's label."""
        if not self.enabled or who.person_id is None:
            return None
        credentials = await clients.miniprogram_credentials(conn, who.client_id)
        openid = None if credentials is None else await store.openid(conn, credentials.appid, who.person_id)
        content = "\n".join(text for text in texts if text)
        if credentials is None or openid is None or not content.strip():
            return None
        verdict = await self.verdict(credentials, openid, content, scene)
        base = {"client_id": credentials.id, "person_id": who.person_id, "scene": scene}
        if verdict is None:
            return Checked("pending", "no_verdict", None, **base)
        suggest, label = verdict
        if suggest == "risky":
            raise RuleViolation("content_rejected", {"label": label})
        return Checked(rules.state_of(suggest), "review" if suggest == "review" else None, label, **base)

    async def check_name(self, conn: asyncpg.Connection, who: Principal, names: list[str]) -> None:
        """The names a resident gives themself, checked with scene 1 before they are saved. A
        name is shown on many pages (members, ballots, the leaderboard) and is changed in a
        moment, so it is never held for a leader (see ``check_now``)."""
        await self.check_now(conn, who, names, "name")

    async def check_now(self, conn: asyncpg.Connection, who: Principal, texts: list[str], kind: str) -> None:
        """Text that is never held for a leader — a name, or a vote's option, which every voter
        must see as written — is decided now: ``risky`` and ``review`` are 422
        ``content_rejected`` (with WeChat's label), no verdict is 503 ``wechat_unavailable``
        (Retry-After: the resident tries again). Unchecked callers (see ``check``) pass."""
        checked = await self.check(conn, who, texts, rules.SCENES[kind])
        if checked is None or checked.state == "passed":
            return
        if checked.reason == "review":
            raise RuleViolation("content_rejected", {"label": checked.label})
        raise unavailable()

    async def verdict(self, credentials: MiniProgramCredentials, openid: str, content: str,
                      scene: int) -> tuple[str, int] | None:
        """WeChat's worst verdict over the chunks; None when it gives none (-1, 61010, a
        timeout, an outage: the text waits, never a 5xx)."""
        secret = clients.open_app_secret(self.sealer, credentials)
        verdicts: list[tuple[str, int]] = []
        for piece in rules.chunks(content):
            try:
                verdicts.append(await self.wechat.check_text(credentials.appid, secret, openid=openid,
                                                             content=piece, scene=scene))
            except WeChatError:
                return None
            if verdicts[-1][0] == "risky":
                break  # nothing can be worse
        return rules.worst(verdicts)


class Saved(Protocol):
    """A thing whose text was just saved: a proposal, a report, a comment."""

    @property
    def id(self) -> str: ...
    @property
    def street_id(self) -> str: ...


async def record(conn: asyncpg.Connection, subject_type: str, thing: Saved, checked: Checked | None,
                 now: datetime | None = None) -> str | None:
    """Keep ``checked``'s verdict on the saved thing: its new ``moderation``, None when unchecked."""
    if checked is None:
        return None
    if checked.state == "passed":
        await store.settle(conn, subject_type, thing.id, "passed")
    else:
        await store.hold(conn, subject_type, thing.id, street_id=thing.street_id, client_id=checked.client_id,
                         person_id=checked.person_id, scene=checked.scene, reason=checked.reason or "review",
                         label=checked.label,
                         next_check_at=None if now is None else now + timedelta(seconds=rules.RECHECK_EVERY))
    return checked.state


async def decide(conn: asyncpg.Connection, who: Principal, subject_type: str, subject_id: str,
                 decision: str) -> Moderated:
    """A leader of the thing's place (or staff above it) approves or rejects its text."""
    actor = await actor_for(conn, who)
    found = None
    if subject_type in store.TABLES:
        found = await store.find(conn, subject_type, who.street_id, subject_id, lock=True)
    place = None if found is None else Place(found.street_id, community_id=found.community_id,
                                             building_id=found.building_id)
    if found is None or place is None or not actor.sees(place) or not rules.shown(
            found.moderation, is_author=found.author_id == actor.person_id, is_leader=actor.leader_of(place)):
        raise NotFound("not_found")
    ensure_for(actor, actor.leader_of(place))
    await store.settle(conn, subject_type, subject_id, decision)
    await record_event(conn, f"{subject_type}.moderated", subject_type, found, {"moderation": decision})
    return replace(found, moderation=decision)


async def recheck_one(conn: asyncpg.Connection, checker: ContentChecker, now: datetime) -> bool:
    """Check one text WeChat gave no verdict on again: passed, rejected (risky: hidden from
    others), pending for a leader (review), or later (still no verdict). False: none due."""
    async with conn.transaction():
        item = await store.claim_recheck(conn, now)
        if item is None:
            return False
        credentials = await clients.miniprogram_credentials(conn, item.client_id)
        openid = None if credentials is None else await store.openid(conn, credentials.appid, item.person_id)
        content = "\n".join(t for t in await store.text_of(conn, item.subject_type, item.subject_id) if t)
        verdict = None
        if credentials is not None and openid is not None and content.strip():
            verdict = await checker.verdict(credentials, openid, content, item.scene)
        elif content.strip():  # the client was disabled: only a leader can decide now
            verdict = ("review", 0)
        else:
            verdict = ("pass", 0)  # erased text: nothing left to check
        if verdict is None:
            wait = min(rules.RECHECK_EVERY * 2 ** min(item.attempts + 1, 10), 3600)
            await store.later(conn, item, now + timedelta(seconds=wait))
        elif verdict[0] == "review":
            await store.hold(conn, item.subject_type, item.subject_id, street_id=item.street_id,
                             client_id=item.client_id, person_id=item.person_id, scene=item.scene, reason="review",
                             label=verdict[1], next_check_at=now)
        else:
            await store.settle(conn, item.subject_type, item.subject_id,
                               "rejected" if verdict[0] == "risky" else "passed")
        return True
