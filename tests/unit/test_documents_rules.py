"""The rules of a building's documents (domain/documents.py): the diff an amendment shows,
held to what difflib's own unified diff says and to rebuilding the new text from it; the
parameters an amendment carries, checked like a PATCH of the building's rules; when an
amendment's vote may open."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import documents as rules
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.places import DECISION_RULES, BuildingRules

# Few distinct lines, so that texts share lines and the diff has context and hunks.
LINE = st.sampled_from(["一、爱护环境", "二、文明养犬", "三、邻里互助", "", "四、按时缴费", "五、安全用电", "a", "b"])
TEXT = st.lists(LINE, max_size=30).map("\n".join)


@given(TEXT, TEXT)
def test_the_diff_rebuilds_the_new_text_from_the_old(before, after):
    assert rules.apply_diff(before, rules.text_diff(before, after)) == after.splitlines()


@given(TEXT, TEXT)
def test_the_diff_text_is_difflibs_unified_diff(before, after):
    lines = rules.text_diff(before, after)
    expected = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "old", "new", lineterm=""))
    assert rules.unified_text(lines, "old", "new").splitlines() == expected
    assert (lines == []) == (before.splitlines() == after.splitlines())


@given(TEXT, TEXT)
def test_every_line_names_its_place_in_the_old_and_new_text(before, after):
    old, new = before.splitlines(), after.splitlines()
    for line in rules.text_diff(before, after):
        if line.kind == "hunk":
            assert line.text.startswith("@@ -") and line.old_number is None and line.new_number is None
            continue
        if line.kind in ("context", "removed"):
            assert old[line.old_number - 1] == line.text
        else:
            assert line.old_number is None
        if line.kind in ("context", "added"):
            assert new[line.new_number - 1] == line.text
        else:
            assert line.new_number is None


def test_a_changed_line_is_removed_then_added_with_context():
    lines = rules.text_diff("甲\n乙\n丙", "甲\n乙改\n丙")
    assert [(line.kind, line.text, line.old_number, line.new_number) for line in lines] == [
        ("hunk", "@@ -1,3 +1,3 @@", None, None), ("context", "甲", 1, 1), ("removed", "乙", 2, None),
        ("added", "乙改", None, 2), ("context", "丙", 3, 3)]


FIELDS = list(BuildingRules().to_stored())
VALUES = st.fixed_dictionaries({}, optional={
    "support_min_households": st.integers(1, 10_000), "support_percent": st.integers(0, 100),
    "collect_days": st.integers(1, 90), "default_decision_rule": st.sampled_from(DECISION_RULES),
    "vote_min_hours": st.integers(1, 720), "evaluation_days": st.integers(1, 60)})


@given(VALUES, VALUES)
def test_parameter_changes_are_exactly_the_fields_that_differ(base, changes):
    before = BuildingRules().changed(base).to_stored()
    after = BuildingRules.from_stored(before).changed(changes).to_stored()
    found = rules.parameter_changes(before, after)
    assert [c.field for c in found] == [f for f in FIELDS if before[f] != after[f]]
    assert {**before, **{c.field: c.after for c in found}} == after
    assert all(c.before == before[c.field] for c in found)


@given(VALUES, VALUES)
def test_a_rules_amendment_carries_complete_parameters_from_its_base(base, changes):
    base_rules = BuildingRules().changed(base)
    amendment = rules.amendment_of("rules_of_procedure", 2, "text", changes, base_rules)
    assert amendment.parameters == {**base_rules.to_stored(), **changes}
    assert rules.Amendment.from_stored(amendment.to_stored()) == amendment


BOUNDS = BuildingRules._BOUNDS


@given(st.sampled_from(sorted(BOUNDS)), st.integers(-5, 20_000))
def test_parameters_are_checked_like_a_patch_of_the_rules(field, value):
    low, high = BOUNDS[field]
    if low <= value <= high:
        assert rules.amendment_of("rules_of_procedure", 0, "t", {field: value}, BuildingRules()).parameters[field] == value
    else:
        with pytest.raises(InvalidInput) as refused:
            rules.amendment_of("rules_of_procedure", 0, "t", {field: value}, BuildingRules())
        assert refused.value.field_path == f"body.amendment.parameters.{field}"


def test_a_convention_carries_no_parameters():
    assert rules.amendment_of("convention", 0, "t", None, BuildingRules()).parameters is None
    with pytest.raises(RuleViolation) as refused:
        rules.amendment_of("convention", 0, "t", {}, BuildingRules())
    assert refused.value.code == "amendment_parameters_not_allowed"
    with pytest.raises(InvalidInput):
        rules.amendment_of("rules_of_procedure", 0, "t", {"default_decision_rule": "unanimity"}, BuildingRules())


@given(st.integers(0, 5), st.integers(0, 5))
def test_the_base_must_be_the_version_in_force(base, in_force):
    if base == in_force:
        rules.ensure_base_in_force(base, in_force)
    else:
        with pytest.raises(Conflict) as stale:
            rules.ensure_base_in_force(base, in_force)
        assert stale.value.code == "document_amendment_stale"


@pytest.mark.parametrize("rule", DECISION_RULES)
def test_only_a_rule_with_a_quorum_decides_an_amendment(rule):
    if rule.startswith("civil_code"):
        rules.ensure_quorum_rule(rule)
    else:
        with pytest.raises(RuleViolation) as refused:
            rules.ensure_quorum_rule(rule)
        assert refused.value.code == "amendment_quorum_required"


@pytest.mark.parametrize(("kind", "has_amendment", "fine"), [
    ("general", False, True), ("document_amendment", True, True),
    ("general", True, False), ("document_amendment", False, False)])
def test_an_amendment_comes_with_its_kind_and_only_with_it(kind, has_amendment, fine):
    if fine:
        rules.check_kind(kind, has_amendment)
    else:
        with pytest.raises(RuleViolation) as refused:
            rules.check_kind(kind, has_amendment)
        assert refused.value.code == "amendment_kind_mismatch"


@pytest.mark.parametrize(("options", "fine"), [(0, False), (1, True), (2, False)])
def test_an_amendment_is_voted_on_one_option(options, fine):
    if fine:
        rules.ensure_single_option(options)
    else:
        with pytest.raises(RuleViolation):
            rules.ensure_single_option(options)
