"""Whatever a caller sends, token parsing refuses it in its own terms (invalid_client,
invalid_token) and never fails otherwise: HTTP Basic credentials and the claims of a validly
signed token, against a brute-force model of what is acceptable."""

from __future__ import annotations

import base64
import time

import jwt
from hypothesis import given, settings
from hypothesis import strategies as st

from api.auth.token_endpoint import _basic_credentials
from api.auth.tokens import AUDIENCE, ISSUER, KeyRing, TokenRejected
from api.conventions.problems import ProblemError

KEY = b"k" * 32
RING = KeyRing({"test": KEY}, "test", 900)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60),
                 st.binary(max_size=40).map(lambda raw: base64.b64encode(raw).decode())))
def test_basic_credentials_are_parsed_or_refused_as_invalid_client(encoded):
    try:
        user, password = _basic_credentials(encoded)
    except ProblemError as refused:
        assert refused.code == "invalid_client"
        return
    decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    assert ":" in decoded and user


def _valid_claim(name: str, value: object) -> bool:
    """The model: what each claim must be for the token to pass."""
    if name in ("sub", "cid", "sid"):
        return isinstance(value, str) and 1 <= len(value) <= 64
    if name == "kind":
        return value in ("platform", "person")
    if name == "scope":
        return isinstance(value, str) and len(value) <= 512
    return True


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: json_values | st.text(min_size=1, max_size=70)
                                           for name in ("sub", "cid", "sid", "kind", "scope")}),
       st.integers(-60, 2000).filter(lambda seconds: abs(seconds) >= 5))  # no second-boundary races
def test_signed_claims_give_a_principal_exactly_when_well_typed(claims, lifetime):
    now = int(time.time())
    full = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + lifetime, **claims}
    token = jwt.encode(full, KEY, algorithm="HS256", headers={"kid": "test"})
    expected = (all(name in claims for name in ("sub", "cid", "sid", "kind"))
                and all(_valid_claim(name, value) for name, value in claims.items())
                and 0 < lifetime <= 900)
    try:
        principal = RING.verify(token)
    except TokenRejected as rejected:
        assert not expected, (claims, lifetime, rejected.code)
        assert rejected.code in ("invalid_token", "token_expired")
        return
    assert expected, (claims, lifetime)
    assert principal.client_id == claims["cid"] and principal.kind == claims["kind"]
