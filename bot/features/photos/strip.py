"""Decoding a photo, reading the little the card needs from its metadata, and re-encoding it without any.

Runs in a worker thread (`asyncio.to_thread`): decoding and hashing are CPU work that must never hold up
the event loop, which answers /report.

What is read: the capture time and its UTC offset, the camera's make and model, and whether the file had
GPS coordinates. The coordinates themselves are never read into anything that is kept. The photo that is
posted is a new image made from the decoded pixels only (turned upright as the file said), saved as a
JPEG with no EXIF, XMP, ICC profile or comment: the only header block is JPEG's own JFIF marker.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from bot.features.photos.hashing import signature
from verification.errors import RuleViolation
from verification.photos import CaptureTime, Signature

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024  # the file as sent: 10 MiB, Discord's upload limit without Nitro
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo passes; a decompression bomb does not
MAX_SIDE = 2048  # the posted copy's longest side: enough to read a plate, small to post
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")  # HEIF covers the iPhone's HEIC
# What a malformed file can raise from Pillow's decoders and pillow-heif.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, IndexError, KeyError)


@dataclass(frozen=True, slots=True)
class Processed:
    jpeg: bytes  # the photo to post: pixels only
    signature: Signature
    taken: CaptureTime | None
    camera: str | None
    had_gps: bool


def process(data: bytes) -> Processed:
    """The photo made safe to show moderators, and what the card says about it; a RuleViolation
    (`photo_not_image`, `photo_too_big`) for anything that is not a photo this accepts."""
    if len(data) > MAX_BYTES:
        raise RuleViolation("photo_too_big", megabytes=MAX_BYTES // (1024 * 1024))
    with warnings.catch_warnings():
        # Pillow warns, then refuses, past its own pixel limit; here the stricter limit below applies first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise RuleViolation("photo_too_many_pixels", megapixels=MAX_PIXELS // 1_000_000)
                taken, camera, had_gps = _metadata(opened)
                opened.seek(0)  # an animated file: its first frame
                opened.load()
                upright = ImageOps.exif_transpose(opened)
                pixels = _rgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own, at open
            raise RuleViolation("photo_too_many_pixels", megapixels=MAX_PIXELS // 1_000_000) from None
        except (UnidentifiedImageError, *_DECODE_ERRORS):
            raise RuleViolation("photo_not_image") from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the file's `info` (EXIF, XMP, ICC, comments) follows it.
    clean = Image.frombytes("RGB", pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return Processed(out.getvalue(), signature(clean), taken, camera, had_gps)


def _rgb(picture: Image.Image) -> Image.Image:
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return picture.convert("RGB")


def _metadata(picture: Image.Image) -> tuple[CaptureTime | None, str | None, bool]:
    """The capture time, the camera, whether GPS was there. Broken metadata counts as none."""
    try:
        exif = picture.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except _DECODE_ERRORS:
        return None, None, False
    had_gps = bool(gps) or ExifTags.IFD.GPSInfo in exif
    taken = _capture_time(details, ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal)
    if taken is None:
        taken = _capture_time(details, ExifTags.Base.DateTimeDigitized, ExifTags.Base.OffsetTimeDigitized)
    make = _text(exif.get(ExifTags.Base.Make))
    model = _text(exif.get(ExifTags.Base.Model))
    if make and model and model.lower().startswith(make.lower()):
        make = ""  # "Apple" "iPhone 13" reads well; "Google" "Google Pixel 7" does not need it twice
    camera = " ".join(part for part in (make, model) if part)[:60] or None
    return taken, camera, had_gps


def _capture_time(details: dict[int, object], when: int, offset: int) -> CaptureTime | None:
    text = _text(details.get(when))
    try:
        local = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # absent, or "0000:00:00 00:00:00" from a camera whose clock was never set
    return CaptureTime(local, _offset(_text(details.get(offset))))


def _offset(text: str) -> int | None:
    """EXIF's "+01:00" / "-05:00" as minutes."""
    if len(text) < 6 or text[0] not in "+-" or text[3] != ":" or not (text[1:3] + text[4:6]).isdigit():
        return None
    minutes = int(text[1:3]) * 60 + int(text[4:6])
    return -minutes if text[0] == "-" else minutes


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ").strip() if isinstance(value, str) else ""
