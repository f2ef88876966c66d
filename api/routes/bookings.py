"""Bookings of shared spaces: request one or a weekly series, read, and move through the
status machine (resources.md §4)."""

from __future__ import annotations

from typing import TypeVar

import asyncpg
from litestar import Controller, Request, Response, get, post

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.routes.spaces import sane
from api.schemas.bookings import (
    Booking,
    BookingCreate,
    BookingSeries,
    BookingTransition,
    SeriesCreate,
    SkippedOccurrence,
    SpaceBooking,
    booking_request,
    booking_view,
    series_request,
    space_booking_view,
)
from domain.bookings import Booking as DomainBooking
from domain.errors import RuleViolation
from domain.permissions import Principal
from store.paging import Keyset
from usecases import bookings
from usecases.bookings import BookingRequest

Command = TypeVar("Command", bound=BookingRequest)


def _sane(command: Command) -> Command:
    # A time before 2000 is in the past, one after 2100 beyond any booking window.
    for moment in (command.start_at, command.end_at):
        sane(moment, "too_late_to_book", "too_far_ahead")
    if command.end_at <= command.start_at:
        raise RuleViolation("invalid_period")
    return command


class BookingController(Controller):
    path = "/v1"
    tags = ["bookings"]
    security = BEARER

    @post("/spaces/{space_id:str}/bookings", operation_id="createBooking",
          summary="Book a space (confirmed, or pending when it needs approval)", responses=problems(WRITE))
    async def create_booking(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                             space_id: str, data: BookingCreate) -> Response[Booking]:
        now = await business_clock(request).now(tx)
        booking = await bookings.create_booking(tx, principal, known_id("space", space_id),
                                                _sane(booking_request(data)), now)
        return resource_response(request, booking_view(booking), 201,
                                 headers={"Location": f"/v1/bookings/{booking.id}"})

    @post("/spaces/{space_id:str}/booking-series", operation_id="createBookingSeries",
          summary="Book a space weekly (up to 12 occurrences)", responses=problems(WRITE))
    async def create_series(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            space_id: str, data: SeriesCreate) -> Response[BookingSeries]:
        now = await business_clock(request).now(tx)
        series_id, created, skipped = await bookings.create_series(
            tx, principal, known_id("space", space_id), _sane(series_request(data)), now)
        body = BookingSeries(id=series_id, created=[booking_view(b) for b in created],
                             skipped=[SkippedOccurrence(a, b, code) for a, b, code in skipped])
        return Response(body, status_code=201)

    @get("/spaces/{space_id:str}/bookings", operation_id="listSpaceBookings",
         summary="Bookings of a space (leaders: all, in full; others: busy ranges)", responses=problems(READ))
    async def list_space_bookings(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                  space_id: str) -> Page[SpaceBooking]:
        found, full = await bookings.space_bookings(conn, principal, known_id("space", space_id), keyset)
        return page_of(found, keyset, lambda booking: space_booking_view(booking, full))

    @get("/me/bookings", operation_id="listMyBookings", summary="Bookings of the caller and their households",
         responses=problems(READ))
    async def list_my_bookings(self, conn: asyncpg.Connection, principal: Principal,
                               keyset: Keyset) -> Page[Booking]:
        return page_of(await bookings.my_bookings(conn, principal, keyset), keyset, booking_view)

    @get("/bookings/{booking_id:str}", operation_id="getBooking", summary="Read a booking",
         responses=problems(READ))
    async def get_booking(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                          booking_id: str) -> Response[Booking]:
        booking = await bookings.get_booking(conn, principal, known_id("booking", booking_id))
        return resource_response(request, booking_view(booking))

    @post("/bookings/{booking_id:str}/transitions", operation_id="transitionBooking", status_code=200,
          summary="Confirm, reject, cancel or check in to a booking", responses=problems(WRITE))
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         booking_id: str, data: BookingTransition) -> Response[Booking]:
        def precondition(current: DomainBooking) -> None:
            check_if_match(request, booking_view(current))

        now = await business_clock(request).now(tx)
        booking = await bookings.transition(tx, principal, known_id("booking", booking_id), data.status, now,
                                            precondition)
        return resource_response(request, booking_view(booking))
