"""Rendering a notification's values to WeChat's limits (domain/notifications.py), against a
brute-force model: every rendered value fits its key type, and keeps what it can."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain import notifications as rules

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
TIMEZONES = st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "UTC", "America/New_York"])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def _folded(text: str) -> str:
    return " ".join(text.split())


@given(TEXT, st.sampled_from(["thing", "name"]))
def test_thing_and_name_fit_and_keep_their_start(text, kind):
    rendered = rules.render(text, kind, "Asia/Shanghai")
    limit = rules.LIMITS[kind]
    assert len(rendered) <= limit
    folded = _folded(text)
    if len(folded) <= limit:
        assert rendered == folded
    else:
        assert rendered == folded[: limit - 1] + "…"


@given(TEXT)
def test_a_phrase_is_at_most_five_chinese_characters(text):
    rendered = rules.render(text, "phrase", "UTC")
    assert len(rendered) <= 5 and all("\u4e00" <= c <= "\u9fff" for c in rendered)
    assert rendered == "".join(c for c in text if "\u4e00" <= c <= "\u9fff")[:5]


@given(TEXT, st.sampled_from(["character_string", "number", "letter", "amount"]))
def test_strings_keep_only_what_wechat_allows(text, kind):
    rendered = rules.render(text, kind, "UTC")
    assert len(rendered) <= 32 and re.fullmatch(r"[0-9A-Za-z_\-.:/#@+]*", rendered)


@given(MOMENTS, TIMEZONES)
def test_a_time_is_written_in_the_places_zone(moment, timezone):
    local = moment.astimezone(ZoneInfo(timezone))
    expected = f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"
    assert rules.render(moment.isoformat(), "time", timezone) == expected
    assert rules.render(moment.isoformat(), "date", timezone) == expected.split(" ")[0]


def test_the_specs_example():
    moment = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert rules.wechat_time(moment, "Asia/Shanghai") == "2026年12月1日 19:00"
    assert rules.wechat_time(moment + timedelta(hours=5), "Asia/Shanghai") == "2026年12月2日 00:00"


@given(st.dictionaries(st.sampled_from(["thing1", "phrase2", "time3", "name4", "number5"]),
                       st.sampled_from(sorted(rules.SOURCES)), max_size=5),
       st.dictionaries(st.sampled_from(sorted(rules.SOURCES)), TEXT))
def test_every_field_of_a_template_fits(fields, facts):
    data = rules.render_data(fields, facts, "Asia/Shanghai")
    assert set(data) == set(fields)
    for key, item in data.items():
        assert len(item["value"]) <= rules.LIMITS[rules.key_type(key) or "thing"]


@given(st.one_of(st.none(), st.integers(-5, 50000)), st.integers(1, 8))
def test_what_each_answer_means(errcode, attempts):
    outcome = rules.answer_of(errcode, attempts)
    if errcode is None:
        assert (outcome.status, outcome.outcome) == ("unknown", "timeout")
    elif errcode == 0:
        assert outcome.status == "sent"
    elif errcode == -1:  # the only one tried again, while the back-off lasts
        assert outcome.status == ("queued" if attempts <= len(rules.SEND_BACKOFF.delays) else "failed")
    else:
        assert outcome.status == "failed"
    assert outcome.zero_quota == (errcode == 43101)
