"""Content safety (msgSecCheck v2): which scene a text is checked under, how a long text is
cut into chunks, which verdict wins, and who sees text that waits for a decision. Pure.

A resource's ``moderation``: ``none`` (not checked: checks off, or a caller without an openid),
``passed`` (WeChat passed it), ``pending`` (WeChat asked for a review, or gave no verdict),
``approved`` or ``rejected`` (a leader decided). Pending and rejected text is shown only to its
author and the leaders of its place."""

from __future__ import annotations

CHUNK = 2500  # characters WeChat checks at once
SCENES = {"name": 1, "talent": 1, "comment": 2, "proposal": 3, "report": 3, "question": 3, "announcement": 3, "activity": 3}
STATES = ("none", "passed", "pending", "approved", "rejected")
HIDDEN = ("pending", "rejected")
TYPES = ("proposal", "report", "comment")  # what POST /v1/moderation/{type}/{id}/… decides on
_RANK = {"pass": 0, "review": 1, "risky": 2}
RECHECK_EVERY = 60  # seconds between the worker's checks of text WeChat gave no verdict on
# WeChat's errcodes that mean "no verdict now" (-1 busy, 61010 the user has not opened the
# mini-program for two hours): the text waits as pending and is checked again.
NO_VERDICT = (-1, 61010)


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """The text in pieces of at most ``size`` characters, in order (none for empty text)."""
    return [text[i:i + size] for i in range(0, len(text), size)]


def worst(verdicts: list[tuple[str, int]]) -> tuple[str, int]:
    """The worst ``(suggest, label)``: risky over review over pass (the first of equals)."""
    found = ("pass", 0)
    for verdict in verdicts:
        if _RANK[verdict[0]] > _RANK[found[0]]:
            found = verdict
    return found


def state_of(suggest: str) -> str:
    """What a verdict makes of saved text (risky text is never saved: 422)."""
    return {"pass": "passed", "review": "pending"}[suggest]


def shown(moderation: str, *, is_author: bool, is_leader: bool) -> bool:
    return moderation not in HIDDEN or is_author or is_leader
