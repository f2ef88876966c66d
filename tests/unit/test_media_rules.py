"""The rules of uploaded photos (domain/media.py) against brute-force models: a signed URL's
expiry (the current hour plus one, the same all hour), its signature, who attaches a photo,
and when an unattached one is an orphan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import media as rules
from domain.media import Media

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def brute_expiry(now: datetime) -> int:
    """Walk back to the top of the hour (seconds, then minutes), then add two hours."""
    top = now.replace(microsecond=0)
    while top.minute or top.second:
        top -= timedelta(seconds=1) if top.second else timedelta(minutes=1)
    return int((top + timedelta(hours=2)).timestamp())


@given(moments)
def test_a_url_expires_at_the_start_of_the_next_hour_plus_one(now):
    expires = rules.url_expiry(now)
    assert expires == brute_expiry(now)
    assert now.timestamp() + 3600 < expires <= now.timestamp() + 7200
    assert rules.hour_start(expires) <= now < rules.hour_start(expires) + timedelta(hours=1)


@given(moments, st.integers(min_value=0, max_value=3599))
def test_the_expiry_is_the_same_all_hour(now, seconds):
    top = now.replace(minute=0, second=0, microsecond=0)
    assert rules.url_expiry(top + timedelta(seconds=seconds)) == rules.url_expiry(top)
    assert rules.url_expiry(top + timedelta(hours=1)) == rules.url_expiry(top) + 3600


@given(st.binary(min_size=32, max_size=32), st.text(min_size=1, max_size=40), st.integers(1, 4_000_000_000),
       st.integers(1, 4_000_000_000))
def test_a_signature_holds_for_its_key_and_expiry_only(secret, key, expires, other):
    signed = rules.signature(secret, key, expires)
    early = datetime.fromtimestamp(0, UTC)  # before every expiry drawn
    assert rules.signature_holds(secret, key, expires, signed, early)
    assert not rules.signature_holds(secret, key, expires, signed, datetime.fromtimestamp(expires, UTC))
    assert not rules.signature_holds(secret, key + "x", expires, signed, early)
    assert not rules.signature_holds(bytes(32) if secret != bytes(32) else b"x" * 32, key, expires, signed, early)
    if other != expires:
        assert not rules.signature_holds(secret, key, other, signed, early)


def photo(owner: str = "psn_a", street: str = "str_a", attached: datetime | None = None,
          created: datetime = datetime(2026, 12, 1, tzinfo=UTC)) -> Media:
    return Media(id="med_x", street_id=street, owner_id=owner, storage_key="media/med_x", content_type="image/jpeg",
                 bytes=10, width=1, height=1, sha256="0" * 64, attached_at=attached, created_at=created)


def test_only_the_uploader_attaches_in_their_street():
    assert rules.may_attach("psn_a", "str_a", photo())
    assert not rules.may_attach("psn_b", "str_a", photo())
    assert not rules.may_attach("psn_a", "str_b", photo())
    assert not rules.may_attach(None, "str_a", photo())  # a platform client owns no photos
    assert not rules.may_attach("psn_a", "str_a", None)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)), st.booleans())
def test_an_unattached_photo_is_an_orphan_a_day_after_its_upload(age, attached):
    created = datetime(2026, 12, 1, tzinfo=UTC)
    media = photo(created=created, attached=created if attached else None)
    assert rules.is_orphan(media, created + age) == (not attached and age >= timedelta(days=1))


@given(st.binary(max_size=16))
def test_stored_types_are_told_by_their_first_bytes(head):
    for prefix, kind in ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")):
        assert rules.content_type_of(prefix + head) == kind
    assert rules.content_type_of(b"RIFF" + b"\0" * 4 + b"WEBP" + head) == "image/webp"
    if not head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"RIFF")):
        assert rules.content_type_of(head) is None
