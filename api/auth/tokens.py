"""Short-lived signed access tokens (JWT, HS256, with a ``kid`` so keys can rotate).

PyJWT does the signing and checking; this module only decides what goes in a token and
which key signs it: the first configured key signs, every configured key verifies, so a new
key is added first and the old one removed once its tokens have expired."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Literal

import jwt
import msgspec

from domain.ids import new_id
from domain.permissions import Principal

ISSUER = "bilin"
AUDIENCE = "bilin-api"


_Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Claims(msgspec.Struct):
    """What a token must carry, with types. PyJWT checks the signature and the registered
    claims it knows; a validly signed token with a list where an id belongs must still be
    refused as invalid, not reach the routes."""

    iat: int
    exp: int
    sub: _Id
    kind: Literal["platform", "person"]
    cid: _Id
    sid: _Id
    scope: Annotated[str, msgspec.Meta(max_length=512)] = ""


class TokenRejected(Exception):
    def __init__(self, code: str) -> None:  # "invalid_token" or "token_expired"
        super().__init__(code)
        self.code = code


VERIFIED_CACHE_SIZE = 10_000  # tokens; ~5 MB at most per process


@dataclass(frozen=True)
class KeyRing:
    """Verifying a token (HMAC, JSON, typed claims) costs more than the rest of a cached read,
    so each ring remembers the tokens it verified, keyed by the token string, until they
    expire: a token is immutable, and an access token cannot be revoked before its expiry
    (disabling a client revokes its refresh tokens; its access tokens run out, see
    usecases/clients.py). Only tokens that passed every check are remembered; a key taken out
    of the ring means a new ring (settings are read at start), so a new, empty memory."""

    keys: dict[str, bytes]
    active_kid: str
    ttl_seconds: int
    _verified: OrderedDict[str, tuple[Principal, int]] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False)

    def issue(self, principal: Principal) -> tuple[str, int]:
        now = int(time.time())  # security time is always the real clock
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + self.ttl_seconds,
            "jti": new_id("token"),
            "sub": principal.person_id or principal.client_id,
            "kind": principal.kind, "cid": principal.client_id, "sid": principal.street_id,
            "scope": " ".join(sorted(principal.scopes)),
        }
        token = jwt.encode(claims, self.keys[self.active_kid], algorithm="HS256",
                           headers={"kid": self.active_kid})
        return token, self.ttl_seconds

    def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, expires = remembered
            if time.time() < expires:  # PyJWT's rule: expired once now >= exp
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, expires = self._verify(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)  # the least recently used
        return principal

    def _verify(self, token: str) -> tuple[Principal, int]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise TokenRejected("invalid_token") from None
        key = self.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenRejected("invalid_token")
        try:
            claims = jwt.decode(
                token, key, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "cid", "sid", "kind"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token_expired") from None
        except jwt.PyJWTError:
            raise TokenRejected("invalid_token") from None
        try:
            typed = msgspec.convert(claims, Claims, strict=True)
        except msgspec.ValidationError:
            raise TokenRejected("invalid_token") from None
        if typed.exp - typed.iat > self.ttl_seconds:
            # Only this service signs, always with ttl_seconds: a longer-lived token was not
            # issued here, or was issued under a key that must be considered leaked.
            raise TokenRejected("invalid_token")
        return Principal(
            kind=typed.kind, client_id=typed.cid, street_id=typed.sid,
            scopes=frozenset(typed.scope.split()),
            person_id=typed.sub if typed.kind == "person" else None,
        ), typed.exp
