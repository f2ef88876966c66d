"""The rules of a vote (domain/votes.py): the ballot window, the plan, the canonical ballot,
receipts, and the secret-ballot rule (what is stored beside a household, what a voter sees)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import votes
from domain.errors import Conflict, RuleViolation

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def a_vote(*, secret: bool = False, opens_at: datetime = NOW, closes_at: datetime = NOW + timedelta(hours=24),
           tallied_at: datetime | None = None) -> votes.Vote:
    return votes.Vote(id="vot_1", street_id="str_1", community_id="com_1", building_id="bld_1",
                      subject_type="proposal", subject_id="prp_1", rule="simple_majority", secret=secret,
                      max_choices=1, opens_at=opens_at, closes_at=closes_at, result=None, tallied_at=tallied_at,
                      created_at=NOW, updated_at=NOW)


def a_ballot(*, choice: str | None, receipt: str = "r" * 64) -> votes.Ballot:
    return votes.Ballot(id="blt_1", vote_id="vot_1", household_id="hh_1", cast_by="psn_1", choice=choice,
                        option_ids=None, receipt=receipt, version=1, created_at=NOW, updated_at=NOW)


def test_the_ballot_window():
    vote = a_vote()
    with pytest.raises(Conflict, match="vote_not_open"):
        votes.ballot_window(NOW, None)  # no vote opened on the subject
    with pytest.raises(Conflict, match="vote_not_open"):
        votes.ballot_window(NOW - timedelta(seconds=1), vote)
    votes.ballot_window(vote.closes_at - timedelta(microseconds=1), vote)
    with pytest.raises(Conflict, match="vote_closed"):
        votes.ballot_window(vote.closes_at, vote)  # from closes_at on, tallied or not
    with pytest.raises(Conflict, match="vote_closed"):
        votes.ballot_window(NOW, a_vote(tallied_at=NOW))


def test_a_vote_plan_and_ballots_fit_the_options():
    with pytest.raises(RuleViolation, match="vote_too_short"):
        votes.plan(now=NOW, options=1, opens_at=None, closes_at=NOW + timedelta(hours=23), max_choices=None,
                   min_hours=24)
    terms = votes.plan(now=NOW, options=3, opens_at=None, closes_at=NOW + timedelta(days=2), max_choices=2,
                       min_hours=24)
    assert (terms.opens_at, terms.max_choices) == (NOW, 2)
    assert votes.check_ballot(["a"], 1, "yes", None) == ("yes", None)
    assert votes.check_ballot(["a", "b", "c"], 2, None, ["c", "a"]) == (None, ["a", "c"])
    assert votes.check_ballot(["a", "b"], 1, None, []) == (None, [])  # an abstention
    for choice, chosen in (("yes", None), (None, ["a", "b"]), (None, ["z"]), (None, ["a", "a"])):
        with pytest.raises(RuleViolation):
            votes.check_ballot(["a", "b", "c"], 1, choice, chosen)


def test_the_receipt_is_the_published_formula():
    nonce = "0" * 32
    expected = hashlib.sha256(b"bilin-ballot\nprp_1\na,b\n" + nonce.encode()).hexdigest()
    assert votes.receipt_of("prp_1", None, ["b", "a"], nonce) == expected


choices = st.sampled_from(["yes", "no", "abstain"])


@given(secret=st.booleans(), choice=choices, at_cast=st.booleans())
def test_a_secret_choice_is_never_kept_beside_the_household_nor_answered(secret: bool, choice: str,
                                                                         at_cast: bool):
    """Against the rule as stated: an open vote keeps and shows the choice and receipt; a
    secret one keeps no choice beside the household, never shows it, and shows the receipt
    only in the answer to the cast (the one with the nonce)."""
    vote = a_vote(secret=secret)
    stored = votes.stored_choice(secret, choice, None)
    assert stored == ((None, None) if secret else (choice, None))
    seen = votes.as_seen_by_voter(vote, a_ballot(choice=stored[0]), choice=choice, option_ids=None,
                                  nonce="n" * 32 if at_cast else None)
    assert seen.secret is secret
    assert seen.choice == (None if secret else choice)
    assert (seen.receipt is not None) == (not secret or at_cast)
    assert seen.subject == votes.Subject("proposal", "prp_1")
