"""Verified tokens are remembered until they expire (api/auth/tokens.py): a remembered token
answers as verifying it would — the same caller while valid, token_expired from its expiry on,
nothing for a token one character off, and nothing in a ring without its key — and the memory
stays bounded."""

from __future__ import annotations

import time as real_time
from datetime import datetime

import jwt.api_jwt
import pytest

from api.auth import tokens
from api.auth.tokens import KeyRing, TokenRejected
from domain.permissions import Principal

KEY = b"k" * 32
CALLER = Principal(kind="person", client_id="cli_1", street_id="str_1", person_id="per_1")


class Clock:
    """One moment for the ring and for PyJWT's checks alike."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(float(int(real_time.time())))

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(fake.now, tz)

    monkeypatch.setattr(tokens, "time", fake)
    monkeypatch.setattr(jwt.api_jwt, "datetime", FrozenDatetime)
    return fake


def test_a_remembered_token_answers_as_verifying_it_would(clock):
    ring = KeyRing({"a": KEY}, "a", 900)
    token, _ = ring.issue(CALLER)
    assert ring.verify(token) == CALLER
    assert token in ring._verified
    assert ring.verify(token) == CALLER  # from memory
    clock.now += 899
    assert ring.verify(token) == CALLER
    clock.now += 1  # now == exp: expired, as PyJWT has it
    with pytest.raises(TokenRejected) as refused:
        ring.verify(token)
    assert refused.value.code == "token_expired" and token not in ring._verified


def test_a_token_one_character_off_or_a_removed_key_is_refused(clock):
    ring = KeyRing({"a": KEY, "b": b"b" * 32}, "a", 900)
    token, _ = ring.issue(CALLER)
    ring.verify(token)
    head, payload, signature = token.split(".")
    tampered = ".".join((head, payload, ("A" if signature[0] != "A" else "B") + signature[1:]))
    with pytest.raises(TokenRejected):
        ring.verify(tampered)
    rotated = KeyRing({"b": b"b" * 32}, "b", 900)  # key "a" taken out: settings make a new ring
    with pytest.raises(TokenRejected) as refused:
        rotated.verify(token)
    assert refused.value.code == "invalid_token"


def test_refused_tokens_are_not_remembered_and_the_memory_is_bounded(clock, monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 5)
    ring = KeyRing({"a": KEY}, "a", 900)
    with pytest.raises(TokenRejected):
        ring.verify("not-a-token")
    assert not ring._verified
    issued = []
    for i in range(8):
        clock.now += 1  # a distinct iat, so a distinct token
        issued.append(ring.issue(Principal(kind="platform", client_id=f"cli_{i}", street_id="str_1"))[0])
        ring.verify(issued[-1])
    assert list(ring._verified) == issued[-5:]
    ring.verify(issued[3])  # used again: the most recent
    ring.verify(ring.issue(CALLER)[0])
    assert issued[3] in ring._verified and issued[4] not in ring._verified
