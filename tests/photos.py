"""Photos for issue 24's tests: made by bench.photo_scenes, and a reader of a JPEG's header blocks."""

from __future__ import annotations

import struct

from bench.photo_scenes import CAMERA_MAKE, CAMERA_MODEL, LATITUDE, LONGITUDE, encode, exif, jpeg, street

__all__ = ["CAMERA_MAKE", "CAMERA_MODEL", "LATITUDE", "LONGITUDE", "encode", "exif", "jpeg", "jpeg_blocks", "street"]


def jpeg_blocks(data: bytes) -> list[tuple[int, bytes]]:
    """The marker and payload of each header block of a JPEG up to its image data (SOS)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    blocks, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        blocks.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
    return blocks


# APPn (0xE0-0xEF) and COM (0xFE) are where metadata lives; APP0 with JFIF is JPEG's own header.
METADATA_MARKERS = set(range(0xE1, 0xF0)) | {0xFE}
