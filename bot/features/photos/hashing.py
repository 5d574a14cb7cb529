"""A photo's `Signature` (verification.photos): pHash and dHash of the whole picture and of each crop.

The picture is first brought to a fixed 256 x 256 grey image, so a crop is taken at the same place
whatever the picture's size. The hashes are imagehash's `phash` and `dhash`, computed for all the crops
at once with numpy (imagehash one crop at a time took a second a photo); tests check that the whole
picture's hashes are exactly imagehash's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy.fftpack import dct  # type: ignore[import-untyped]

from verification.photos import CROPS, Crop, HashPair, Signature

_BASE = 256
_LANCZOS = Image.Resampling.LANCZOS


def _box(crop: Crop) -> tuple[int, int, int, int]:
    return (
        round(_BASE * crop.left),
        round(_BASE * crop.top),
        round(_BASE * (1 - crop.right)),
        round(_BASE * (1 - crop.bottom)),
    )


_BOXES = [(0, 0, _BASE, _BASE), *(_box(crop) for crop in CROPS)]


def _words(bits: NDArray[np.bool_]) -> list[int]:
    """Each row of 64 bits as an int, first bit highest (as imagehash's hex string reads)."""
    packed = np.packbits(bits.reshape(len(bits), 64), axis=1)
    return [int.from_bytes(row.tobytes(), "big") for row in packed]


def _phashes(pictures: list[Image.Image]) -> list[int]:
    """imagehash.phash (hash_size 8, highfreq_factor 4) of each picture."""
    pixels = np.stack([np.asarray(p.resize((32, 32), _LANCZOS), dtype=np.float64) for p in pictures])
    low = dct(dct(pixels, axis=1), axis=2)[:, :8, :8].reshape(len(pictures), 64)
    return _words(low > np.median(low, axis=1, keepdims=True))


def _dhashes(pictures: list[Image.Image]) -> list[int]:
    """imagehash.dhash (hash_size 8) of each picture."""
    pixels = np.stack([np.asarray(p.resize((9, 8), _LANCZOS), dtype=np.float64) for p in pictures])
    return _words(pixels[:, :, 1:] > pixels[:, :, :-1])


def signature(picture: Image.Image) -> Signature:
    grey = picture.convert("L").resize((_BASE, _BASE), _LANCZOS)
    parts = [grey.crop(box) for box in _BOXES]
    pairs = [HashPair(p, d) for p, d in zip(_phashes(parts), _dhashes(parts), strict=True)]
    return Signature(picture.width / picture.height, pairs[0], tuple(pairs[1:]))
