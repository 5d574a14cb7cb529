"""Photos made here, for issue 24's bench and tests: street scenes drawn with Pillow, and EXIF capture
times, camera and GPS coordinates written by Pillow, as a phone writes them."""

from __future__ import annotations

import io
import random
from datetime import datetime

from PIL import ExifTags, Image, ImageDraw, ImageFilter

# Where the test photos say they were taken (a house in Chicago): none of it may ever be kept or shown.
LATITUDE = ((41, 1), (48, 1), (3021, 100))
LONGITUDE = ((87, 1), (39, 1), (4417, 100))
CAMERA_MAKE, CAMERA_MODEL = "Google", "Pixel 7"


def street(seed: int, width: int = 1200, height: int = 900) -> Image.Image:
    """A street scene of its own for each seed: sky, buildings with windows, vans, people, sensor noise."""
    r = random.Random(seed)
    horizon = int(height * r.uniform(0.3, 0.55))
    picture = Image.new("RGB", (width, height), tuple(r.randint(60, 120) for _ in range(3)))
    draw = ImageDraw.Draw(picture)
    top = [r.randint(60, 140), r.randint(120, 190), r.randint(190, 255)]
    bottom = [r.randint(180, 240), r.randint(190, 240), r.randint(200, 255)]
    for y in range(horizon):
        mix = y / max(1, horizon - 1)
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True))
        )
    x = r.randint(-100, 50)
    while x < width:
        wide, tall = r.randint(120, 320), r.randint(100, horizon + 50)
        colour = tuple(r.randint(80, 200) for _ in range(3))
        draw.rectangle([x, horizon - tall, x + wide, horizon + 20], fill=colour)
        for wy in range(horizon - tall + 15, horizon - 20, 40):
            for wx in range(x + 12, x + wide - 20, 36):
                draw.rectangle([wx, wy, wx + 18, wy + 22], fill=tuple(max(0, c - 60) for c in colour))
        x += wide + r.randint(0, 40)
    for _ in range(r.randint(1, 4)):
        vx, vy = r.randint(-100, width - 100), r.randint(horizon + 30, height - 120)
        vw, vh = r.randint(220, 420), r.randint(90, 170)
        draw.rounded_rectangle([vx, vy, vx + vw, vy + vh], radius=20, fill=tuple(r.randint(0, 255) for _ in range(3)))
        draw.rectangle([vx + vw * 0.55, vy + 10, vx + vw * 0.9, vy + vh * 0.45], fill=(40, 50, 60))
        for wx in (vx + vw * 0.2, vx + vw * 0.8):
            draw.ellipse([wx - 28, vy + vh - 28, wx + 28, vy + vh + 28], fill=(20, 20, 20))
    for _ in range(r.randint(0, 6)):
        px, py, s = r.randint(0, width), r.randint(horizon, height - 50), r.uniform(0.6, 1.4)
        draw.ellipse([px - 12 * s, py - 110 * s, px + 12 * s, py - 86 * s], fill=(150, 110, 80))
        draw.rectangle(
            [px - 20 * s, py - 86 * s, px + 20 * s, py - 30 * s], fill=tuple(r.randint(0, 255) for _ in range(3))
        )
        draw.rectangle([px - 16 * s, py - 30 * s, px + 16 * s, py], fill=(30, 30, 50))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    return Image.blend(picture, noise, 0.08).filter(ImageFilter.GaussianBlur(0.8))


def exif(taken: datetime | None = None, *, offset: str | None = None, gps: bool = True) -> Image.Exif:
    """EXIF as a phone writes it: camera, capture time (and its offset), and where it was taken."""
    found = Image.Exif()
    found[ExifTags.Base.Make] = CAMERA_MAKE
    found[ExifTags.Base.Model] = CAMERA_MODEL
    found[ExifTags.Base.Software] = "HDR+ 1.0"
    details = found.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if offset is not None:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        place = found.get_ifd(ExifTags.IFD.GPSInfo)
        place[ExifTags.GPS.GPSLatitudeRef] = "N"
        place[ExifTags.GPS.GPSLatitude] = tuple(a / b for a, b in LATITUDE)
        place[ExifTags.GPS.GPSLongitudeRef] = "W"
        place[ExifTags.GPS.GPSLongitude] = tuple(a / b for a, b in LONGITUDE)
    return found


def jpeg(picture: Image.Image, metadata: Image.Exif | None = None, *, quality: int = 90) -> bytes:
    out = io.BytesIO()
    kwargs: dict[str, object] = {"quality": quality}
    if metadata is not None:
        kwargs["exif"] = metadata
        kwargs["comment"] = b"shot on the corner of 47th and Damen"
        kwargs["icc_profile"] = b"\x00" * 128  # an ICC block of its own: metadata too
    picture.save(out, "JPEG", **kwargs)
    return out.getvalue()


def encode(picture: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()
