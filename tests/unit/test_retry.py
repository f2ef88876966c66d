"""The one back-off policy (domain/retry.py) used by due jobs and webhook deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.retry import Backoff
from domain.webhooks import DELIVERY_BACKOFF
from worker.jobs import JOB_BACKOFF

schedules = st.lists(st.integers(min_value=1, max_value=86_400), min_size=1, max_size=12).map(tuple)
jitters = st.floats(min_value=0, max_value=0.5)
rands = st.floats(min_value=0, max_value=1, exclude_max=True)
attempts = st.integers(min_value=-2, max_value=15)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1),
                       timezones=st.just(UTC))


@given(schedules, jitters, attempts, rands)
def test_a_wait_stays_within_the_jitter_around_its_step(delays, jitter, made, rand):
    wait = Backoff(delays, jitter).delay(made, rand)
    if not 1 <= made <= len(delays):  # the schedule is used up (or nothing failed yet): give up
        assert wait is None
        return
    base = delays[made - 1]
    assert base * (1 - jitter) - 1e-6 <= wait.total_seconds() <= base * (1 + jitter) + 1e-6
    assert wait > timedelta(0)


@given(schedules, jitters, attempts, rands, rands)
def test_more_randomness_never_waits_less(delays, jitter, made, low, high):
    low, high = sorted((low, high))
    policy = Backoff(delays, jitter)
    if policy.delay(made, low) is not None:
        assert policy.delay(made, low) <= policy.delay(made, high)


@given(schedules, jitters, attempts, rands, moments)
def test_the_next_try_is_now_plus_the_wait(delays, jitter, made, rand, now):
    policy = Backoff(delays, jitter)
    wait = policy.delay(made, rand)
    assert policy.next_try(made, now, rand) == (None if wait is None else now + wait)


@given(schedules, jitters, st.lists(rands, min_size=13, max_size=13))
def test_a_whole_schedule_spans_its_sum_within_the_jitter(delays, jitter, draws):
    policy = Backoff(delays, jitter)
    waits = [policy.delay(made, draws[made - 1]) for made in range(1, len(delays) + 2)]
    assert waits[-1] is None and None not in waits[:-1]
    span = sum(w.total_seconds() for w in waits[:-1])
    assert sum(delays) * (1 - jitter) - 1e-3 <= span <= sum(delays) * (1 + jitter) + 1e-3


def test_the_middle_draw_waits_exactly_the_step():
    assert Backoff((10, 60)).delay(2, 0.5) == timedelta(seconds=60)


def test_jobs_and_deliveries_spread_their_retries_by_a_fifth():
    # Both keep the schedules they had: jobs give up after 7 attempts, deliveries after 11.
    assert JOB_BACKOFF.jitter == DELIVERY_BACKOFF.jitter == 0.2
    assert JOB_BACKOFF.attempts == 7 and DELIVERY_BACKOFF.attempts == 11
