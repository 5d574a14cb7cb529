"""Signed CDN links, as Discord has made them since 2024: `?ex=<expiry>&is=<issued>&hm=<signature>`, the
times as hex Unix seconds, the signature an HMAC the CDN checks. A link without a valid signature, or
past its expiry, gets 404 "This content is no longer available." (so a bot must download an attachment
while its link is fresh, and cannot make up a link to one). Also: an image's width and height, which
Discord puts in the attachment object."""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Mapping
from datetime import datetime


def _mac(path: str, expires: str, issued: str, secret: bytes) -> str:
    return hmac.new(secret, f"{path}|{expires}|{issued}".encode(), hashlib.sha256).hexdigest()


def sign(path: str, secret: bytes, now: datetime, lifetime: float) -> str:
    issued = f"{int(now.timestamp()):x}"
    expires = f"{int(now.timestamp() + lifetime):x}"
    return f"ex={expires}&is={issued}&hm={_mac(path, expires, issued, secret)}&"


def valid(path: str, query: Mapping[str, str], secret: bytes, now: datetime) -> bool:
    expires, issued, given = query.get("ex", ""), query.get("is", ""), query.get("hm", "")
    if not (expires and issued and given):
        return False
    if not hmac.compare_digest(given, _mac(path, expires, issued, secret)):
        return False
    try:
        return int(expires, 16) > now.timestamp()
    except ValueError:
        return False


def dimensions(data: bytes) -> tuple[int | None, int | None]:
    """An image's width and height from its header (Pillow reads no pixels for it); None if unreadable."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        return None, None
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None, None
