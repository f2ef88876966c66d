"""The image pipeline of an upload, with Pillow (and pillow-heif for HEIC): the type is read
from the bytes, never from a name or a declared type; the picture is decoded, turned upright
by its EXIF orientation, and encoded again without EXIF, XMP or text chunks (an ICC colour
profile may stay). What is not a photo we take, or is damaged, or unpacks into too many
pixels, is refused with a code the API answers with (4xx), never an exception of Pillow's.

Decoding is CPU work: callers run ``process`` in a thread (``asyncio.to_thread``)."""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pillow_heif
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from domain.errors import RuleViolation
from domain.media import MAX_BYTES, MAX_PIXELS

pillow_heif.register_heif_opener()
# An explicit limit instead of Pillow's default; between it and twice it Pillow only warns,
# so the warning is made an error too (set once, at import, for every thread).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated upload is refused, not padded with grey

# Pillow's format name → what we store. HEIC (HEIF) becomes JPEG: mini-programs and browsers
# show JPEG everywhere, HEIC almost nowhere.
_OUTPUT = {"JPEG": "JPEG", "MPO": "JPEG", "HEIF": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_CONTENT_TYPE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
JPEG_QUALITY = 85


class ImageRefused(RuleViolation):
    """An upload that is not a photo we take; its code names why (the problem catalogue)."""


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def process(source: Path | str | IO[bytes], size: int) -> Photo:
    """The re-encoded photo of an upload (a file, or a spooled file object of ``size`` bytes)."""
    if size <= 0:
        raise ImageRefused("media_empty")
    if size > MAX_BYTES:
        raise ImageRefused("media_too_large", {"max_bytes": MAX_BYTES})
    try:
        with Image.open(_rewound(source)) as probe:
            kind = probe.format or ""
            if kind not in _OUTPUT:
                raise ImageRefused("media_unsupported_type", {"detected": kind.lower() or None})
            _check_pixels(probe.size)
            probe.verify()  # checksums and structure, without decoding the pixels
        with Image.open(_rewound(source)) as image:
            image.load()  # decodes every pixel: a truncated file fails here
            return _encode(image, _OUTPUT[kind])
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("media_too_many_pixels", {"max_pixels": MAX_PIXELS}) from None
    except UnidentifiedImageError:
        raise ImageRefused("media_unsupported_type", {"detected": None}) from None
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error, IndexError, KeyError,
            ZeroDivisionError):
        # Pillow's (and libheif's) words for a damaged or truncated file: SyntaxError from
        # verify(), the rest from decoders reading past what a malformed file promises.
        raise ImageRefused("media_damaged") from None


def _rewound(source: Path | str | IO[bytes]) -> Path | str | IO[bytes]:
    if not isinstance(source, (Path, str)):
        source.seek(0)
    return source


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageRefused("media_damaged")
    if width * height > MAX_PIXELS:
        raise ImageRefused("media_too_many_pixels", {"max_pixels": MAX_PIXELS})


def _encode(image: Image.Image, output: str) -> Photo:
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # applies the orientation before the tag goes
    upright.info = {}  # nothing of the upload's metadata is carried into the new file
    if output == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif output == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if "A" in upright.mode or "transparency" in image.info else "RGB")
    elif output == "PNG" and upright.mode not in ("1", "L", "LA", "I", "P", "RGB", "RGBA"):
        upright = upright.convert("RGBA")
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if output in ("JPEG", "WEBP"):
        options["quality"] = JPEG_QUALITY
    if output == "PNG":
        options["optimize"] = True
    buffer = io.BytesIO()
    upright.save(buffer, output, **options)
    data = buffer.getvalue()
    return Photo(data=data, content_type=_CONTENT_TYPE[output], width=upright.width, height=upright.height,
                 sha256=hashlib.sha256(data).hexdigest())
