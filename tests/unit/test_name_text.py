"""The hand-listed characters names refuse cover every control and format character (and
line/paragraph separator) the Unicode database knows, and nothing a name needs."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from api.schemas.common import NAME_PATTERN

REFUSED = {"Cc", "Cf", "Zl", "Zp"}
NAME = re.compile(NAME_PATTERN)


def test_every_control_and_format_character_is_refused() -> None:
    missed = [f"U+{cp:04X}" for cp in range(sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) in REFUSED and NAME.match(f"王{chr(cp)}五")]
    assert not missed, missed


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Cs", "Cn")), max_size=20))
def test_visible_text_is_a_name(name: str) -> None:
    assert NAME.match(name)
