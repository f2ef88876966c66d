"""The outbox's filter of event data: ids, codes, statuses, numbers and times pass; free text
goes, at any depth (property-based, against a direct model)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.events import FREE_TEXT_KEYS, without_free_text

keys = st.sampled_from(sorted(FREE_TEXT_KEYS) + ["id", "status", "to", "household_id", "count", "due_at", "reason"])
leaves = st.none() | st.booleans() | st.integers() | st.sampled_from(["vote_closed", "erased", "邻居电话 139", "Spam!"])
payloads = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
                        max_leaves=20)


def model(value):
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if key in FREE_TEXT_KEYS:
                continue
            if key == "reason" and item not in (None, "vote_closed", "erased"):
                continue
            kept[key] = model(item)
        return kept
    if isinstance(value, list):
        return [model(item) for item in value]
    return value


@given(payloads)
def test_free_text_never_passes_and_everything_else_does(payload):
    assert without_free_text(payload) == model(payload)


def test_a_typed_reason_goes_and_a_code_stays():
    assert without_free_text({"reason": "垃圾广告", "to": "closed"}) == {"to": "closed"}
    assert without_free_text({"reason": "vote_closed", "booking": {"purpose": "读书会", "id": "bkg_1"}}) == {
        "reason": "vote_closed", "booking": {"id": "bkg_1"}}
