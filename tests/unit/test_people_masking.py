"""Masked names and phone numbers (domain/people.py): what other people may see of a person.

Each mask is checked against a position-by-position reference (which characters may show)
and against the privacy promise itself: it keeps the length and shows no more than it may."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.people import display_name, mask_name, mask_phone

NAMES = st.text(alphabet=st.sampled_from("张王李欧阳建国小华丽ÉmilyJoe·🙂 "), min_size=1, max_size=12)
NUMBERS = st.text(alphabet="0123456789", min_size=1, max_size=16) | st.from_regex(r"\+[1-9]\d{7,13}", fullmatch=True)


def reference(text: str, shown: set[int]) -> str:
    return "".join(ch if i in shown else "*" for i, ch in enumerate(text))


@given(NAMES)
def test_a_name_shows_its_first_and_last_character_only(name: str):
    n = len(name)
    shown = {0} if n <= 2 else {0, n - 1}
    masked = mask_name(name)
    assert masked == (name if n == 1 else reference(name, shown))
    assert len(masked) == n
    revealed = [i for i, ch in enumerate(masked) if ch != "*" and ch == name[i]]
    assert len(revealed) <= 2 and set(revealed) <= {0, n - 1}


def test_names_as_people_see_them():
    assert [mask_name(n) for n in ("张小华", "李四", "欧阳建国", "王")] == ["张*华", "李*", "欧**国", "王"]
    assert display_name("张小华", "老张") == "张*华"
    assert display_name(None, "阳台种花的老王") == "阳台种花的老王"
    assert display_name(None, None) == "居民"


@given(NUMBERS)
def test_a_phone_number_shows_at_most_its_first_three_and_last_four_digits(number: str):
    n = len(number)
    shown = set(range(3)) | set(range(n - 4, n)) if n >= 11 else set(range(max(0, n - 2), n))
    masked = mask_phone(number)
    assert masked == reference(number, shown)
    assert len(masked) == n
    assert sum(ch != "*" for ch in masked) <= (7 if n >= 11 else 2)


def test_phone_numbers_as_people_see_them():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+85291234567") == "+85*****4567"
    assert mask_phone(None) is None and mask_phone("") is None
