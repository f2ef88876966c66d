"""Field types shared by every resource."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

# Any Unicode text (emoji and zero-width characters included, stored exactly) except NUL,
# which PostgreSQL text cannot hold. (Lone surrogates never get this far: they are not valid
# UTF-8, and the JSON decoder refuses them.)
TEXT_PATTERN = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0, example: str | None = None,
         description: str | None = None) -> object:
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN,
                               examples=[example] if example is not None else None,
                               description=description)]


ExternalId = Annotated[str, Meta(
    min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
    description="The integrating system's own id (visible ASCII), unique per street.",
    examples=["JY-0001"],
)]


def id_text(example: str) -> object:
    """A resource id in a request: visible ASCII (an unknown id is a 404, never a 500)."""
    return Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$", examples=[example])]
