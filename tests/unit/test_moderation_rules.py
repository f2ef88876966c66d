"""domain/moderation.py against brute-force models: chunks rebuild the text within WeChat's
limit, the worst verdict wins, hidden text is shown only to its author and the leaders."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain import moderation as rules

VERDICTS = st.tuples(st.sampled_from(["pass", "review", "risky"]), st.integers(0, 30000))


@given(st.text(max_size=9000), st.integers(1, 3000))
def test_chunks_rebuild_the_text_and_fit(text, size):
    pieces = rules.chunks(text, size)
    assert "".join(pieces) == text
    assert all(1 <= len(p) <= size for p in pieces)
    assert len(pieces) == -(-len(text) // size)


@given(st.lists(VERDICTS, max_size=6))
def test_the_worst_verdict_wins(verdicts):
    order = ["pass", "review", "risky"]
    expected = max(verdicts, key=lambda v: order.index(v[0]), default=("pass", 0))
    first_of_worst = next((v for v in verdicts if v[0] == expected[0]), ("pass", 0))
    assert rules.worst(verdicts) == (first_of_worst if verdicts and expected[0] != "pass" else ("pass", 0))


@given(st.sampled_from(rules.STATES), st.booleans(), st.booleans())
def test_held_text_is_shown_to_its_author_and_the_leaders_only(state, is_author, is_leader):
    assert rules.shown(state, is_author=is_author, is_leader=is_leader) == (
        state in ("none", "passed", "approved") or is_author or is_leader)
