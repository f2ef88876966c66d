"""The back-off policy for work that failed and is tried again: due jobs and webhook
deliveries. Pure: the caller brings the clock and the randomness of the jitter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits after the 1st, 2nd, … failed attempt; once they are used up, the work is given up.

    Each wait is spread ±``jitter`` (a fraction of it), so work that failed together (one
    receiver down, one bad deploy) is not retried in lockstep."""

    delays: tuple[int, ...]  # seconds
    jitter: float = 0.2

    @property
    def attempts(self) -> int:
        """How many attempts are made in all: the first, and one after each wait."""
        return len(self.delays) + 1

    def delay(self, attempts_made: int, rand: float) -> timedelta | None:
        """The wait after the ``attempts_made``-th failed attempt, jittered by ``rand`` ∈ [0, 1)
        (0.5 waits exactly the step); None once the schedule is used up."""
        if not 1 <= attempts_made <= len(self.delays):
            return None
        base = self.delays[attempts_made - 1]
        return timedelta(seconds=base * (1 + self.jitter * (2 * rand - 1)))

    def next_try(self, attempts_made: int, now: datetime, rand: float) -> datetime | None:
        """When to try again after the ``attempts_made``-th failure; None: give up."""
        wait = self.delay(attempts_made, rand)
        return None if wait is None else now + wait
