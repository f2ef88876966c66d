"""Wire types of bookings of shared spaces."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import Stamp, command_of, id_text, text
from api.schemas.spaces import When
from domain.bookings import Booking as DomainBooking
from usecases.bookings import BookingRequest, SeriesRequest

Status = Literal["pending", "confirmed", "checked_in", "completed", "rejected", "cancelled", "no_show"]
Purpose = text(200, example="业主议事会")


class BookingCreate(Input):
    start_at: When
    end_at: When
    attendees: Annotated[int, Meta(ge=1, le=10000, examples=[8])]
    purpose: Purpose = ""
    household_id: id_text("hh_5t7v9x2b4d6f8h1k") | None = None


class SeriesCreate(BookingCreate):
    weekly_count: Annotated[int, Meta(ge=1, le=12, examples=[12])] = 1
    on_conflict: Literal["fail", "skip"] = "fail"


class Booking(msgspec.Struct):
    id: Annotated[str, Meta(examples=["bkg_7k2m9q4x8r1t5v3w"])]
    space_id: str
    household_id: str | None
    organization_id: str | None
    person_id: str | None
    series_id: str | None
    start_at: Stamp
    end_at: Stamp
    purpose: str
    attendees: int
    status: Status
    confirmed_at: Stamp | None
    checked_in_at: Stamp | None
    completed_at: Stamp | None
    rejected_at: Stamp | None
    cancelled_at: Stamp | None
    no_show_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


def booking_view(booking: DomainBooking) -> Booking:
    return Booking(**{name: getattr(booking, name) for name in Booking.__struct_fields__})


class SpaceBooking(msgspec.Struct):
    """A booking as the space's list shows it: leaders see who and why; others only the
    busy range (the other fields are null)."""

    id: str
    start_at: Stamp
    end_at: Stamp
    status: Status
    household_id: str | None
    person_id: str | None
    purpose: str | None
    attendees: int | None


def space_booking_view(booking: DomainBooking, full: bool) -> SpaceBooking:
    return SpaceBooking(id=booking.id, start_at=booking.start_at, end_at=booking.end_at, status=booking.status,
                        household_id=booking.household_id if full else None,
                        person_id=booking.person_id if full else None,
                        purpose=booking.purpose if full else None, attendees=booking.attendees if full else None)


class BookingTransition(Input):
    status: Status  # a known status not reachable from here is 409 booking_transition_not_allowed


class SkippedOccurrence(msgspec.Struct):
    start_at: Stamp
    end_at: Stamp
    code: str


class BookingSeries(msgspec.Struct):
    id: str
    created: list[Booking]
    skipped: list[SkippedOccurrence]


def booking_request(body: BookingCreate) -> BookingRequest:
    return command_of(body, BookingRequest)


def series_request(body: SeriesCreate) -> SeriesRequest:
    return command_of(body, SeriesRequest)
