"""Photos for the upload tests, made with Pillow: a JPEG carrying a GPS position (and, if
asked, an orientation), the same picture in the other formats, and damaged files; and an
S3-compatible server on loopback (moto's server mode) to store them in."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer
from PIL import Image

from integrations.s3 import S3Settings

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# A home's position, to the second: 31°14'N 121°28'E (what must never be published).
GPS = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 9.0)}


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = GPS
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def picture(width: int = 64, height: int = 48) -> Image.Image:
    image = Image.new("RGB", (width, height), "white")
    image.paste((200, 30, 30), (0, 0, width // 2, height // 2))  # a red top-left corner
    return image


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def jpeg_with_gps(width: int = 64, height: int = 48, orientation: int | None = None) -> bytes:
    data = encoded(picture(width, height), "JPEG", exif=exif_with_gps(orientation), quality=90)
    assert has_gps(data)  # the test photo does carry what must be removed
    return data


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def heic() -> bytes | None:
    """A HEIC photo with a GPS tag, or None when this pillow-heif build cannot encode one."""
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        return encoded(picture(), "HEIF", exif=exif_with_gps().tobytes())
    except (ImportError, KeyError, OSError, ValueError):
        return None


def bomb() -> bytes:
    """A tiny PNG that says it is 20000×20000 pixels (400 megapixels)."""
    return encoded(Image.new("1", (20000, 20000)), "PNG", optimize=True)


@contextmanager
def s3_server() -> Iterator[S3Settings]:
    """A real S3-compatible HTTP server on an ephemeral loopback port, with a bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings = S3Settings(bucket=f"bilin-media-{uuid.uuid4().hex[:8]}", endpoint=f"http://{host}:{port}",
                          region="us-east-1", access_key="test-access-key", secret_key="test-secret-key")
    boto3.client("s3", endpoint_url=settings.endpoint, region_name=settings.region,
                 aws_access_key_id=settings.access_key,
                 aws_secret_access_key=settings.secret_key).create_bucket(Bucket=settings.bucket)
    try:
        yield settings
    finally:
        server.stop()
