"""A due job: "run this kind of work at that business time" (the queue is store/jobs.py, the
handlers are each feature's usecases/<feature>_jobs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    street_id: str | None
    kind: str
    run_at: datetime
    payload: dict[str, Any]  # the feature's payload Struct, as JSON; its handler decodes it
    status: str
    attempts: int
    last_error: str | None
    dedupe_key: str | None
    done_at: datetime | None
    done_by: str | None
