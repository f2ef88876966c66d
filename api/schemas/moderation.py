"""Wire types of content safety: the ``moderation`` of a resource and a leader's decision."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Moderation = Annotated[Literal["none", "passed", "pending", "approved", "rejected"], Meta(
    examples=["passed"], description=(
        "How the text fared in WeChat's content check: none (not checked), passed, pending (shown "
        "only to its author and the leaders until a leader decides), approved, rejected (hidden the same way)"))]


class Moderated(msgspec.Struct):
    type: Annotated[Literal["proposal", "report", "comment"], Meta(examples=["proposal"])]
    id: Annotated[str, Meta(examples=["prp_5t7v9x2b4d6f8h1k"])]
    moderation: Moderation
