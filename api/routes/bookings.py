"""Bookings of shared spaces: request one or a weekly series, read, and move through the
status machine (resources.md §4)."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.routes.spaces import sane
from api.schemas.spaces import (
    Booking,
    BookingCreate,
    BookingSeries,
    BookingTransition,
    SeriesCreate,
    SkippedOccurrence,
    SpaceBooking,
    booking_view,
    space_booking_view,
)
from domain.errors import RuleViolation
from domain.permissions import Principal
from store.paging import Keyset
from usecases import bookings


def _request(data: BookingCreate) -> bookings.Request:
    # A time before 2000 is in the past, one after 2100 beyond any booking window.
    start, end = (sane(t, "too_late_to_book", "too_far_ahead") for t in (data.start_at, data.end_at))
    if end <= start:
        raise RuleViolation("invalid_period")
    return bookings.Request(start_at=start, end_at=end,
                            purpose=data.purpose, attendees=data.attendees, household_id=data.household_id)


class BookingController(Controller):
    path = "/v1"
    tags = ["bookings"]
    security = BEARER

    @post("/spaces/{space_id:str}/bookings", operation_id="createBooking",
          summary="Book a space (confirmed, or pending when it needs approval)", responses=problems(WRITE))
    async def create_booking(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                             space_id: str, data: BookingCreate) -> Response[Booking]:
        now = await business_clock(request).now(tx)
        row = await bookings.create_booking(tx, principal, known_id("space", space_id), _request(data), now)
        return resource_response(request, booking_view(row), 201, headers={"Location": f"/v1/bookings/{row['id']}"})

    @post("/spaces/{space_id:str}/booking-series", operation_id="createBookingSeries",
          summary="Book a space weekly (up to 12 occurrences)", responses=problems(WRITE))
    async def create_series(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            space_id: str, data: SeriesCreate) -> Response[BookingSeries]:
        now = await business_clock(request).now(tx)
        series_id, created, skipped = await bookings.create_series(
            tx, principal, known_id("space", space_id), _request(data), data.weekly_count, data.on_conflict, now)
        body = BookingSeries(id=series_id, created=[booking_view(r) for r in created],
                             skipped=[SkippedOccurrence(a, b, code) for a, b, code in skipped])
        return Response(body, status_code=201)

    @get("/spaces/{space_id:str}/bookings", operation_id="listSpaceBookings",
         summary="Bookings of a space (leaders: all, in full; others: busy ranges)", responses=problems(READ))
    async def list_space_bookings(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                  space_id: str) -> Page[SpaceBooking]:
        rows, full = await bookings.space_bookings(conn, principal, known_id("space", space_id), keyset)
        return page_of(rows, keyset, lambda row: space_booking_view(row, full))

    @get("/me/bookings", operation_id="listMyBookings", summary="Bookings of the caller and their households",
         responses=problems(READ))
    async def list_my_bookings(self, conn: asyncpg.Connection, principal: Principal,
                               keyset: Keyset) -> Page[Booking]:
        return page_of(await bookings.my_bookings(conn, principal, keyset), keyset, booking_view)

    @get("/bookings/{booking_id:str}", operation_id="getBooking", summary="Read a booking",
         responses=problems(READ))
    async def get_booking(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                          booking_id: str) -> Response[Booking]:
        row = await bookings.get_booking(conn, principal, known_id("booking", booking_id))
        return resource_response(request, booking_view(row))

    @post("/bookings/{booking_id:str}/transitions", operation_id="transitionBooking", status_code=200,
          summary="Confirm, reject, cancel or check in to a booking", responses=problems(WRITE))
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         booking_id: str, data: BookingTransition) -> Response[Booking]:
        def precondition(current: Any) -> None:
            check_if_match(request, booking_view(current))

        now = await business_clock(request).now(tx)
        row = await bookings.transition(tx, principal, known_id("booking", booking_id), data.status, now,
                                        precondition)
        return resource_response(request, booking_view(row))
