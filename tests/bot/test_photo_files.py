"""What the bot does with a photo's file (issue 24): read the capture time, camera and whether it had GPS;
post pixels only; refuse anything else clearly. Files made here, in every accepted format."""

from __future__ import annotations

import io
from datetime import datetime

import imagehash
import pillow_heif
import pytest
from PIL import ExifTags, Image

from bot.features.photos.hashing import signature
from bot.features.photos.strip import MAX_BYTES, MAX_SIDE, process
from tests.photos import CAMERA_MODEL, METADATA_MARKERS, encode, exif, jpeg, jpeg_blocks, street
from verification.errors import RuleViolation
from verification.photos import CROPS, CaptureTime, distance, same_photo

TAKEN = datetime(2025, 3, 14, 10, 42, 7)


def with_metadata(fmt: str) -> bytes:
    picture, metadata = street(1, 900, 600), exif(TAKEN, offset="-05:00")
    if fmt == "JPEG":
        return jpeg(picture, metadata)
    if fmt == "HEIF":
        pillow_heif.register_heif_opener()
        return encode(picture, "HEIF", exif=metadata.tobytes(), quality=80)
    if fmt == "PNG":
        return encode(picture, "PNG", exif=metadata, pnginfo=None)
    return encode(picture, "WEBP", exif=metadata, quality=80)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_every_accepted_format_is_read_and_posted_without_any_metadata(fmt):
    sent = with_metadata(fmt)
    assert CAMERA_MODEL.encode() in sent
    done = process(sent)
    assert done.taken == CaptureTime(TAKEN, -300)
    assert done.camera == "Google Pixel 7"
    assert done.had_gps
    assert [m for m, _ in jpeg_blocks(done.jpeg) if m in METADATA_MARKERS] == []
    assert CAMERA_MODEL.encode() not in done.jpeg
    with Image.open(io.BytesIO(done.jpeg)) as posted:
        assert posted.size == (900, 600)
        assert dict(posted.getexif()) == {}
        assert "icc_profile" not in posted.info
        assert "comment" not in posted.info


def test_a_file_without_metadata_has_no_time_no_camera_and_no_gps():
    done = process(jpeg(street(2)))
    assert (done.taken, done.camera, done.had_gps) == (None, None, False)


def test_a_camera_whose_clock_was_never_set_gives_no_time():
    metadata = exif(None, gps=False)
    metadata.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "0000:00:00 00:00:00"
    assert process(jpeg(street(3), metadata)).taken is None


def test_the_photo_is_turned_upright_as_the_file_says_and_made_smaller():
    wide = street(4, 3000, 1000)
    metadata = exif(TAKEN, gps=False)
    metadata[ExifTags.Base.Orientation] = 6  # rotated 90° clockwise when shown
    done = process(jpeg(wide, metadata))
    with Image.open(io.BytesIO(done.jpeg)) as posted:
        assert posted.size == (round(MAX_SIDE * 1000 / 3000), MAX_SIDE)  # upright, longest side MAX_SIDE


def test_transparency_is_flattened_on_white():
    done = process(encode(Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "PNG"))
    with Image.open(io.BytesIO(done.jpeg)) as posted:
        assert posted.convert("RGB").getpixel((20, 15)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "photo_not_image"),
        (b"%PDF-1.7 not a photo", "photo_not_image"),
        (jpeg(street(5))[:3000], "photo_not_image"),  # cut short
        (encode(Image.new("L", (20_000, 20_000)), "PNG"), "photo_too_many_pixels"),  # beyond Pillow's own limit
        (encode(Image.new("L", (9_000, 8_000)), "PNG"), "photo_too_many_pixels"),  # 72 MP: beyond ours only
        (b"\xff\xd8" + b"\x00" * (MAX_BYTES + 1), "photo_too_big"),
    ],
    ids=["gif", "pdf", "truncated", "bomb", "too-many-pixels", "too-big"],
)
def test_what_is_not_a_usable_photo_is_refused_with_its_reason(data, code):
    with pytest.raises(RuleViolation) as refused:
        process(data)
    assert refused.value.code == code


def test_the_whole_pictures_hashes_are_exactly_imagehashs():
    picture = street(6)
    grey = picture.convert("L").resize((256, 256), Image.Resampling.LANCZOS)
    found = signature(picture)
    assert found.whole.phash == int(str(imagehash.phash(grey)), 16)
    assert found.whole.dhash == int(str(imagehash.dhash(grey)), 16)
    crop = grey.crop((0, 0, 256, 205))  # CROPS' (0, 0, 0, 0.2)
    index = next(i for i, c in enumerate(CROPS) if (c.left, c.top, c.right, c.bottom) == (0.0, 0.0, 0.0, 0.2))
    assert found.crops[index].phash == int(str(imagehash.phash(crop)), 16)


def test_copies_of_a_processed_photo_match_it_and_another_scene_does_not():
    original = street(7, 1600, 1200)
    kept = process(jpeg(original)).signature
    copies = {
        "rescaled": original.resize((640, 480)),
        "cropped": original.crop((160, 0, 1600, 1080)),
        "re-encoded": Image.open(io.BytesIO(jpeg(original, quality=25))),
    }
    for name, copy in copies.items():
        assert same_photo(process(encode(copy.convert("RGB"), "WEBP", quality=50)).signature, kept), name
    assert distance(process(jpeg(street(8, 1600, 1200))).signature, kept) > 30
