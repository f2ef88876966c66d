"""What the benchmark drives: the hot reads as the caller who makes them, and the writes as
request files (bench/paths.lua) — fresh ballots, fresh slots, a taken slot — for the API and,
with the caller in the query instead of a token, for the floor."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed import Seeded

SLOTS_PER_DAY = 20  # 30-minute slots from 00:00 UTC (08:00 in Shanghai), clear of the seeded 10:00 UTC bookings


@dataclass
class Scenario:
    name: str
    who: str = ""  # the token for GET paths: "resident" or "platform"
    paths: list[str] = field(default_factory=list)
    floor_paths: list[str] | None = None  # None: no floor for it
    requests: Path | None = None  # a request file instead of paths (writes)
    floor_requests: Path | None = None
    expect_status: int | None = None  # a scenario that measures an error answer (the 409 path)

    @property
    def write(self) -> bool:
        return self.requests is not None


def _line(method: str, path: str, token: str, body: dict | None) -> str:
    return f"{method}\t{path}\t{token}\t{json.dumps(body, separators=(',', ':')) if body else ''}\n"


def _caller(s: Seeded, person: str) -> str:
    return f"person={person}&household={s.household_of[person]}"


def _write_files(directory: Path, name: str, api: list[str], floor: list[str]) -> tuple[Path, Path]:
    api_file, floor_file = directory / f"{name}.api.txt", directory / f"{name}.floor.txt"
    api_file.write_text("".join(api))
    floor_file.write_text("".join(floor))
    return api_file, floor_file


def day_start(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


def scenarios(s: Seeded, tokens: dict[str, str], directory: Path) -> list[Scenario]:
    b = s.building_ids[0]
    start = day_start(1)
    window = f"from={start:%Y-%m-%dT%H:%M:%SZ}&to={start + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
    resident = s.resident_id
    reads = [
        Scenario("GET /v1/buildings/{id}/proposals", "resident", [f"/v1/buildings/{b}/proposals"],
                 [f"/buildings/{b}/proposals"]),
        Scenario("GET /v1/proposals/{id}", "resident", [f"/v1/proposals/{p}" for p in s.proposal_ids],
                 [f"/proposals/{p}" for p in s.proposal_ids]),
        Scenario("GET /v1/buildings", "platform", ["/v1/buildings"], ["/buildings"]),
        Scenario("GET /v1/spaces/{id}/availability (7 days)", "resident",
                 [f"/v1/spaces/{s.space_id}/availability?{window}"]),
        Scenario("GET /v1/buildings/{id}/tasks", "platform", [f"/v1/buildings/{b}/tasks"], [f"/buildings/{b}/tasks"]),
        Scenario("GET /v1/me", "resident", ["/v1/me"], [f"/me?{_caller(s, resident)}"]),
    ]
    # Fresh ballots: every household of every building on each of its building's open votes,
    # buildings interleaved so that concurrent requests meet different households.
    ballots_api, ballots_floor = [], []
    for i in range(max(len(v) for v in s.voting_of.values())):
        for r in range(len(s.residents_of[b])):
            for building in s.building_ids:
                person, proposal = s.residents_of[building][r], s.voting_of[building][i]
                ballots_api.append(_line("PUT", f"/v1/proposals/{proposal}/ballot", tokens[person], {"choice": "yes"}))
                ballots_floor.append(_line("PUT", f"/proposals/{proposal}/ballot?{_caller(s, person)}", "",
                                           {"choice": "yes"}))
    # Fresh slots: every 30-minute slot of the next 12 days in every building's lounge, spaces interleaved.
    bookings_api, bookings_floor = [], []
    for day in range(2, 14):
        for k in range(SLOTS_PER_DAY):
            for n, building in enumerate(s.building_ids):
                slot = day_start(day) + timedelta(minutes=30 * k)
                body = {"start_at": slot.isoformat(), "end_at": (slot + timedelta(minutes=30)).isoformat(),
                        "attendees": 2}
                person = s.residents_of[building][(k + n) % len(s.residents_of[building])]
                space = s.space_of[building]
                bookings_api.append(_line("POST", f"/v1/spaces/{space}/bookings", tokens[person], body))
                bookings_floor.append(_line("POST", f"/spaces/{space}/bookings?{_caller(s, person)}", "", body))
    # The 409 path: the seeded booking of tomorrow 10:00–11:00 UTC in building 0's lounge, asked for again.
    taken = day_start(1).replace(hour=10)
    body = {"start_at": taken.isoformat(), "end_at": (taken + timedelta(hours=1)).isoformat(), "attendees": 2}
    clash_api = [_line("POST", f"/v1/spaces/{s.space_id}/bookings", tokens[p], body) for p in s.residents_of[b]]
    clash_floor = [_line("POST", f"/spaces/{s.space_id}/bookings?{_caller(s, p)}", "", body) for p in s.residents_of[b]]
    writes = []
    for name, api, floor, expect in (
            ("PUT /v1/proposals/{id}/ballot (fresh ballots)", ballots_api, ballots_floor, None),
            ("POST /v1/spaces/{id}/bookings (fresh slots)", bookings_api, bookings_floor, None),
            ("POST /v1/spaces/{id}/bookings (409, slot taken)", clash_api, clash_floor, 409)):
        api_file, floor_file = _write_files(directory, name.split()[1].strip("/").replace("/", "_") + str(len(writes)),
                                            api, floor)
        writes.append(Scenario(name, requests=api_file, floor_requests=floor_file, floor_paths=[],
                               expect_status=expect))
    return reads + writes
