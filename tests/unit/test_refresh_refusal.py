"""Why a refresh token may not be rotated (domain.people.refresh_refusal), against a
brute-force reading of the precedence: reuse first, then the client, the person, the clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.people import PresentedRefreshToken, refresh_refusal

REASONS = (("reused", ("used", "revoked")), ("client_disabled", ("client_refused",)),
           ("person_erased", ("person_erased",)), ("expired", ("expired",)))


def _reference(flags: dict[str, bool]) -> str | None:
    named = [reason for reason, causes in REASONS if any(flags[cause] for cause in causes)]
    return named[0] if named else None


@given(st.fixed_dictionaries({name: st.booleans() for name in
                              ("used", "revoked", "expired", "client_refused", "person_erased")}))
def test_the_first_reason_in_precedence_is_named(flags):
    token = PresentedRefreshToken(id="rtk_1", family_id="rtk_1", person_id="psn_1", client_id="cli_1",
                                  street_id="str_1", **flags)
    assert refresh_refusal(token) == _reference(flags)


def test_an_unknown_token_is_refused_as_unknown():
    assert refresh_refusal(None) == "unknown"
