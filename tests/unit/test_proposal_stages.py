"""The stage machine of resources.md §2: the transitions table, and the moves the service
makes by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import proposals as stages
from domain.errors import Conflict, Forbidden, RuleViolation

NOW = datetime(2026, 11, 22, 8, tzinfo=UTC)


def ask(stage, to, outcome=None, *, author=False, leader=False, reason=None, duplicate_of=None, ballot=False):
    return stages.requested_move(stage, stages.TransitionRequest(to, outcome, reason, duplicate_of, ballot,
                                                                 author, leader))


# (from, to, outcome, who) → the move; every other request is refused.
TABLE = {
    ("collecting", "deliberating", None, "leader"): ("deliberating", None),
    ("collecting", "closed", "withdrawn", "author"): ("closed", "withdrawn"),
    ("deliberating", "closed", "withdrawn", "author"): ("closed", "withdrawn"),
    ("collecting", "closed", "dismissed", "leader"): ("closed", "dismissed"),
    ("deliberating", "closed", "dismissed", "leader"): ("closed", "dismissed"),
    ("collecting", "closed", "duplicate", "leader"): ("closed", "duplicate"),
    ("deliberating", "closed", "duplicate", "leader"): ("closed", "duplicate"),
    ("deliberating", "voting", None, "leader"): ("voting", None),
    ("implementing", "evaluating", None, "leader"): ("evaluating", None),
    ("evaluating", "closed", "adopted", "leader"): ("closed", "adopted"),
    ("evaluating", "closed", None, "leader"): ("closed", "adopted"),
}


@given(st.sampled_from(stages.STAGES), st.sampled_from(["deliberating", "voting", "evaluating", "closed"]),
       st.sampled_from([None, "adopted", "withdrawn", "dismissed", "duplicate"]),
       st.sampled_from(["leader", "author", "resident"]))
def test_only_the_table_moves(stage, to, outcome, who):
    try:
        move = ask(stage, to, outcome, author=who == "author", leader=who == "leader", reason="重复",
                   duplicate_of="prp_x", ballot=True)
    except (Conflict, Forbidden, RuleViolation):
        assert (stage, to, outcome, who) not in TABLE
        return
    assert TABLE[(stage, to, outcome, who)] == (move.to, move.outcome)


def test_wrong_stage_is_a_conflict_and_wrong_person_is_forbidden():
    with pytest.raises(Conflict) as wrong:
        ask("voting", "closed", "withdrawn", author=True)
    assert wrong.value.code == "wrong_stage"
    with pytest.raises(Forbidden):
        ask("collecting", "deliberating", author=True)
    with pytest.raises(RuleViolation) as no_reason:
        ask("collecting", "closed", "dismissed", leader=True)
    assert no_reason.value.code == "reason_required"
    with pytest.raises(RuleViolation) as no_ballot:
        ask("deliberating", "voting", leader=True)
    assert no_ballot.value.code == "ballot_required"


def test_the_threshold_moves_once():
    assert stages.support_reached("collecting", 3, 3).to == "deliberating"
    assert stages.support_reached("collecting", 2, 3) is None
    assert stages.support_reached("deliberating", 4, 3) is None  # the second crossing finds it moved


def test_deadlines_act_only_when_due_and_only_in_their_stage():
    until = NOW + timedelta(days=14)
    assert stages.collection_expired("collecting", until, NOW) is None
    assert stages.collection_expired("collecting", until, until).outcome == "insufficient_support"
    assert stages.collection_expired("deliberating", until, until) is None
    closes = NOW + timedelta(hours=24)
    assert stages.vote_decided("voting", closes, closes - timedelta(seconds=1), "adopted") is None  # never early
    assert stages.vote_decided("voting", closes, closes, "adopted").to == "implementing"
    assert stages.vote_decided("voting", closes, closes, "no_quorum").outcome == "no_quorum"
    assert stages.evaluation_expired("evaluating", until, until).outcome == "adopted"


@given(st.sampled_from(stages.STAGES), st.sampled_from(stages.STAGES), st.sampled_from([None, *stages.OUTCOMES]),
       st.sampled_from(["leader", "author", "resident"]))
def test_a_known_stage_not_reachable_from_here_is_wrong_stage(stage, to, outcome, who):
    """Everything the table does not offer from this stage is automatic or 409 (never 400/422),
    whoever asks; only an outcome with a stage other than closed is a malformed request."""
    reachable = any(key[:3] == (stage, to, outcome) for key in TABLE) or (
        to == "closed" and outcome is None and stage in stages.OPEN_STAGES)  # 422: which outcome?
    if reachable or (outcome is not None and to != "closed"):
        return
    with pytest.raises(Conflict) as refused:
        ask(stage, to, outcome, author=who == "author", leader=who == "leader", reason="x", duplicate_of="prp_x",
            ballot=True)
    assert refused.value.code == "wrong_stage"
