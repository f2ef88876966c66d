"""Media (photos a resident or leader uploads): the stored photo as a frozen model, the limits
of an upload, who may attach it, when an unattached one is an orphan, and the signed URL's
expiry and signature.

A signed URL is valid for the current clock hour plus one: it expires at the start of the
next hour plus an hour, so the same photo has the same URL all hour long and the ETag of a
resource that shows it does not change on every read."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_BYTES = 10 * 1024 * 1024  # integrations.md §B: ≤ 10 MB
# Decoded pixels an upload may have: a 48-megapixel phone photo fits, a small file that
# unpacks into gigabytes of pixels (a decompression bomb) does not.
MAX_PIXELS = 50_000_000
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
ORPHAN_AFTER = timedelta(days=1)
MAX_ATTACHED = 9  # per report or progress note, as photo URLs
_HOUR = 3600


@dataclass(frozen=True, slots=True)
class Media:
    id: str
    street_id: str
    owner_id: str
    storage_key: str
    content_type: str
    bytes: int
    width: int
    height: int
    sha256: str
    attached_at: datetime | None
    created_at: datetime


def storage_key(media_id: str) -> str:
    """Where a photo is kept: derived from its id alone, so a resource that names the id can
    link it without reading the media table."""
    return f"media/{media_id}"


def may_attach(person_id: str | None, street_id: str, media: Media | None) -> bool:
    """Only the person who uploaded a photo attaches it, in the street it was uploaded to."""
    return media is not None and person_id is not None and media.owner_id == person_id \
        and media.street_id == street_id


def is_orphan(media: Media, now: datetime) -> bool:
    return media.attached_at is None and media.created_at <= now - ORPHAN_AFTER


def url_expiry(now: datetime) -> int:
    """The Unix time a URL signed at ``now`` expires: the start of the next hour, plus one."""
    seconds = int(now.timestamp())
    return seconds - seconds % _HOUR + 2 * _HOUR


def hour_start(expires: int) -> datetime:
    """The start of the hour in which URLs expiring at ``expires`` are signed."""
    return datetime.fromtimestamp(expires - 2 * _HOUR, UTC)


def signature(secret: bytes, key: str, expires: int) -> str:
    return hmac.new(secret, f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()


def signature_holds(secret: bytes, key: str, expires: int, given: str, now: datetime) -> bool:
    """A local URL's signature is the service's own and its hour has not passed."""
    return now.timestamp() < expires and hmac.compare_digest(signature(secret, key, expires), given)


def content_type_of(head: bytes) -> str | None:
    """The type of a stored (re-encoded) photo from its first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
