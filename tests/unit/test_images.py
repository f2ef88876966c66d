"""The image pipeline (integrations/images.py) on photos made with Pillow: EXIF (a GPS
position above all) never survives, the orientation is applied first, HEIC becomes JPEG, the
type comes from the bytes, and every bad upload is a 4xx code, never an exception of Pillow's."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from api.conventions.catalogue import PROBLEMS
from integrations.images import ImageRefused, process
from tests.support.photos import bomb, encoded, exif_of, exif_with_gps, has_gps, heic, jpeg_with_gps, picture


def run(data: bytes):
    return process(io.BytesIO(data), len(data))


def test_gps_and_every_other_exif_tag_are_gone_from_a_jpeg():
    upload = jpeg_with_gps()
    photo = run(upload)
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (64, 48)
    assert not has_gps(photo.data) and exif_of(photo.data) == {}
    assert b"Exif\x00\x00" not in photo.data and b"PhoneMaker" not in photo.data


def test_the_orientation_is_applied_before_the_tag_goes():
    photo = run(jpeg_with_gps(64, 48, orientation=6))  # "rotate 90° clockwise to view"
    assert (photo.width, photo.height) == (48, 64) and exif_of(photo.data) == {}
    with Image.open(io.BytesIO(photo.data)) as upright:
        red, _, _ = upright.convert("RGB").getpixel((40, 5))  # the red corner is now top-right
        assert red > 150


@pytest.mark.parametrize("kind,content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_stay_what_they_are_without_exif(kind, content_type):
    upload = encoded(picture(), kind, exif=exif_with_gps().tobytes())
    assert has_gps(upload)
    photo = run(upload)
    assert photo.content_type == content_type and not has_gps(photo.data) and exif_of(photo.data) == {}


def test_heic_becomes_jpeg_without_exif():
    upload = heic()
    if upload is None:
        pytest.skip("this pillow-heif build cannot encode HEIC")
    assert has_gps(upload)
    photo = run(upload)
    assert photo.content_type == "image/jpeg" and photo.data.startswith(b"\xff\xd8")
    assert not has_gps(photo.data) and (photo.width, photo.height) == (64, 48)


def test_the_type_is_read_from_the_bytes_not_the_name():
    photo = run(encoded(picture(), "PNG"))  # whatever the client called it
    assert photo.content_type == "image/png"


@pytest.mark.parametrize("name,data,code", [
    ("empty", b"", "media_empty"),
    ("text", b"just some text, not an image at all", "media_unsupported_type"),
    ("gif", encoded(picture(), "GIF"), "media_unsupported_type"),
    ("truncated jpeg", jpeg_with_gps(400, 300)[:3000], "media_damaged"),
    ("truncated png", encoded(picture(400, 300), "PNG")[:500], "media_damaged"),
    ("bomb", bomb(), "media_too_many_pixels"),
    ("warning-size bomb", encoded(Image.new("1", (8000, 8000)), "PNG"), "media_too_many_pixels"),
])
def test_bad_uploads_are_refused_with_a_4xx_code(name, data, code):
    with pytest.raises(ImageRefused) as refused:
        run(data)
    assert refused.value.code == code and 400 <= PROBLEMS[code].status < 500


def test_too_large_is_refused_before_decoding():
    with pytest.raises(ImageRefused) as refused:
        process(io.BytesIO(b""), 10 * 1024 * 1024 + 1)
    assert refused.value.code == "media_too_large" and PROBLEMS["media_too_large"].status == 413


_SAMPLES = [jpeg_with_gps(), encoded(picture(), "PNG"), encoded(picture(), "WEBP")]
if (_heic := heic()) is not None:
    _SAMPLES.append(_heic)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_SAMPLES), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
       st.integers(0, 10**6))
def test_no_damaged_upload_escapes_as_anything_but_a_refusal(sample, flips, cut):
    """Whatever is done to a photo's bytes (bytes changed, the end cut off), the pipeline
    answers with a photo or a refusal code (a 4xx), never another exception (a 5xx)."""
    data = bytearray(sample[: max(1, cut % (len(sample) + 1))])
    for position, value in flips:
        data[position % len(data)] = value
    try:
        photo = run(bytes(data))
    except ImageRefused as refused:
        assert 400 <= PROBLEMS[refused.code].status < 500
    else:
        assert exif_of(photo.data) == {} and photo.width > 0 and photo.height > 0
