"""Field types shared by every resource."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

import msgspec
from msgspec import Meta

from api.conventions.problems import PATTERN_CODES
from api.conventions.validation_messages import described

# A moment in an answer: RFC 3339 in UTC (``Z``), the form every resource uses.
Stamp = Annotated[datetime, Meta(examples=["2026-11-22T08:00:00Z"])]

# Any Unicode text (emoji and zero-width characters included, stored exactly) except NUL,
# which PostgreSQL text cannot hold. (Lone surrogates never get this far: they are not valid
# UTF-8, and the JSON decoder refuses them.)
TEXT_PATTERN = described(r"^[^\x00]*$", "不含 NUL 字符的文本", "text without NUL characters")


def text(max_length: int, *, min_length: int = 0, example: str | None = None,
         description: str | None = None) -> object:
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN,
                               examples=[example] if example is not None else None,
                               description=description)]


# Names of persons and organisations are shown to neighbours: they refuse control and format
# characters (Unicode Cc and Cf) and line/paragraph separators, so no name can reorder the
# text around it (bidi overrides U+202A–202E, isolates U+2066–2069, marks U+200E/F and U+061C)
# or hide characters (zero-width U+200B–200D, word joiner U+2060, BOM U+FEFF, tags). Listed by
# hand because JSON Schema patterns have no \p{…} classes; tests/unit/test_name_text.py checks
# the list against the Unicode database. Content text (descriptions, comments) stays exact.
NAME_FORBIDDEN = (r"\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
                  r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                  r"\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                  r"\U000e0001\U000e0020-\U000e007f")
NAME_PATTERN = rf"^[^{NAME_FORBIDDEN}]*$"
PATTERN_CODES[NAME_PATTERN] = "name_character"


def name_text(max_length: int, *, min_length: int = 1, example: str | None = None) -> object:
    """A display name of a person or organisation: visible text only (see NAME_FORBIDDEN)."""
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, pattern=NAME_PATTERN,
                               examples=[example] if example is not None else None)]


ExternalId = Annotated[str, Meta(
    min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
    description="The integrating system's own id (visible ASCII), unique per street.",
    examples=["JY-0001"],
)]


def id_text(example: str) -> object:
    """A resource id in a request: visible ASCII (an unknown id is a 404, never a 500)."""
    return Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$", examples=[example])]


C = TypeVar("C")


def command_of(body: msgspec.Struct, command_type: type[C]) -> C:
    """A request body as the use case's typed command: the fields the client sent, by name
    (unsent ``UNSET`` ones stay unset); times, dates and decimals pass through as they are."""
    sent = msgspec.to_builtins(body, builtin_types=(datetime, date, Decimal))
    return msgspec.convert(sent, command_type)


class Actor(msgspec.Struct):
    """Who acted, as stored beside a change (usecases/kernel.py ``actor_ref``)."""

    type: Literal["person", "client", "system"]
    id: str | None
