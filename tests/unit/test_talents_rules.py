"""Rules of the talent pool (domain/talents.py) and of an activity's month (domain/activities.py):
consent to the current notice only, stamps of consent given and withdrawn, tags of the fixed
list and the street's, and a month as the place's wall-clock month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import activities, talents
from domain.errors import RuleViolation


def _profile(visible: bool, given_at=None, withdrawn_at=None) -> talents.Profile:
    return talents.Profile("str_1", "psn_1", (), (), visible, None, given_at, withdrawn_at, None, None)


@given(visible=st.booleans(), version=st.one_of(st.none(), st.just(talents.CONSENT_VERSION), st.text(max_size=12)))
def test_showing_needs_the_current_version_and_hiding_needs_none(visible, version):
    if visible and version != talents.CONSENT_VERSION:
        with pytest.raises(RuleViolation) as refused:
            talents.check_consent(visible, version)
        assert refused.value.code == "consent_required"
    else:
        talents.check_consent(visible, version)


def test_consent_stamps_record_given_and_withdrawn():
    t1, t2, t3 = (datetime(2026, 12, d, tzinfo=UTC) for d in (1, 2, 3))
    assert talents.consent_stamps(None, False, t1) == {"consent_given_at": None, "consent_withdrawn_at": None}
    shown = talents.consent_stamps(None, True, t1)
    assert shown == {"consent_given_at": t1, "consent_withdrawn_at": None}
    hidden = talents.consent_stamps(_profile(True, t1), False, t2)
    assert hidden == {"consent_given_at": t1, "consent_withdrawn_at": t2}
    again = talents.consent_stamps(_profile(False, t1, t2), True, t3)
    assert again == {"consent_given_at": t3, "consent_withdrawn_at": t2}
    still_hidden = talents.consent_stamps(_profile(False, t1, t2), False, t3)
    assert still_hidden == {"consent_given_at": t1, "consent_withdrawn_at": t2}


def test_tags_are_the_fixed_list_and_the_streets():
    talents.check_talents([talents.Talent("repair", ""), talents.Talent("书法班", "")], ["书法班"])
    with pytest.raises(RuleViolation) as refused:
        talents.check_talents([talents.Talent("书法班", "")], [])
    assert refused.value.code == "unknown_talent_tag"


@given(year=st.integers(2000, 2999), month=st.integers(1, 12))
def test_a_month_is_the_wall_clock_month_in_shanghai(year, month):
    start, end = activities.month_bounds(f"{year:04d}-{month:02d}", "Asia/Shanghai")
    assert (start.year, start.month, start.day, start.hour) == (year, month, 1, 0)
    assert end.day == 1 and end.hour == 0 and (end.month - month) % 12 == 1
    assert start.utcoffset() == end.utcoffset()  # Shanghai keeps one offset
