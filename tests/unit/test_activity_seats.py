"""Seats and the waiting list (domain/activities.py), as the sign-up use cases apply them one
change at a time, against a brute-force model that re-derives who is confirmed after every
change: a new sign-up joins the end of the list, and while any waitlisted sign-up fits the
free seats, the first that fits is confirmed. Both must agree on every sign-up's status after
every step; the seats confirmed never exceed the capacity; nobody is promoted twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import activities as rules

# A step: ("sign_up", companions) or ("cancel", which live sign-up, as an index mod their count).
steps = st.lists(st.one_of(st.tuples(st.just("sign_up"), st.integers(0, rules.MAX_COMPANIONS)),
                           st.tuples(st.just("cancel"), st.integers(0, 1000))), max_size=40)


class Incremental:
    """What the use cases do: place a new sign-up; on a confirmed one's cancellation, free its
    seats and promote with ``rules.promotions``."""

    def __init__(self, capacity: int | None) -> None:
        self.capacity, self.taken = capacity, 0
        self.signups: list[list] = []  # [id, seats, status]
        self.promoted: list[str] = []

    def sign_up(self, seats: int) -> None:
        status = rules.placed(self.capacity, self.taken, seats)
        self.signups.append([f"s{len(self.signups)}", seats, status])
        if status == rules.CONFIRMED:
            self.taken += seats

    def cancel(self, signup: list) -> None:
        was = signup[2]
        signup[2] = rules.CANCELLED
        if was == rules.CONFIRMED:
            self.taken -= signup[1]
            waiting = [(s[0], s[1]) for s in self.signups if s[2] == rules.WAITLISTED]
            chosen = rules.promotions(self.capacity, self.taken, waiting)
            for s in self.signups:
                if s[0] in chosen:
                    s[2] = rules.CONFIRMED
                    self.taken += s[1]
            self.promoted.extend(chosen)


def brute_force(capacity: int | None, history: list[tuple[str, int | str]]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    seats: dict[str, int] = {}
    order: list[str] = []
    for kind, value in history:
        if kind == "sign_up":
            name = f"s{len(order)}"
            order.append(name)
            seats[name], statuses[name] = int(value), rules.WAITLISTED
        else:
            statuses[str(value)] = rules.CANCELLED
        while True:
            taken = sum(seats[n] for n in order if statuses[n] == rules.CONFIRMED)
            fitting = [n for n in order if statuses[n] == rules.WAITLISTED
                       and (capacity is None or taken + seats[n] <= capacity)]
            if not fitting:
                break
            statuses[fitting[0]] = rules.CONFIRMED
    return statuses


@settings(max_examples=300, deadline=None)
@given(capacity=st.one_of(st.none(), st.integers(1, 12)), script=steps)
def test_incremental_seats_agree_with_the_brute_force_model(capacity, script):
    seats = Incremental(capacity)
    history: list[tuple[str, int | str]] = []
    for kind, value in script:
        if kind == "sign_up":
            seats.sign_up(1 + value)
            history.append(("sign_up", 1 + value))
        else:
            live = [s for s in seats.signups if s[2] != rules.CANCELLED]
            if not live:
                continue
            chosen = live[value % len(live)]
            seats.cancel(chosen)
            history.append(("cancel", chosen[0]))
        assert {s[0]: s[2] for s in seats.signups} == brute_force(capacity, history)
        confirmed = sum(s[1] for s in seats.signups if s[2] == rules.CONFIRMED)
        assert confirmed == seats.taken
        assert capacity is None or seats.taken <= capacity
        assert len(seats.promoted) == len(set(seats.promoted))
        if capacity is None:
            assert not [s for s in seats.signups if s[2] == rules.WAITLISTED]


def test_the_first_that_fits_is_promoted_and_a_big_one_keeps_its_place():
    assert rules.promotions(4, 2, [("big", 3), ("one", 1), ("two", 2)]) == ["one"]
    assert rules.promotions(4, 0, [("big", 3), ("one", 1), ("two", 2)]) == ["big", "one"]
    assert rules.promotions(None, 100, [("a", 5)]) == ["a"]
    assert rules.placed(3, 2, 2) == rules.WAITLISTED and rules.placed(3, 2, 1) == rules.CONFIRMED
