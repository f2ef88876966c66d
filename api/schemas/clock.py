"""Wire types of the test clock (resources.md §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from domain.clock import MAX_ADVANCE_SECONDS


class BusinessTime(msgspec.Struct):
    now: Annotated[datetime, Meta(examples=["2026-12-06T08:00:00Z"],
                                  description="The service's business time.")]
    advanced_seconds: Annotated[int, Meta(examples=[1209600],
                                          description="How far the clock has been moved ahead of real time.")]


class ClockAdvance(Input):
    advance_seconds: Annotated[int, Meta(ge=1, le=MAX_ADVANCE_SECONDS, examples=[1209600],
                                         description="Seconds to move business time forward.")]
