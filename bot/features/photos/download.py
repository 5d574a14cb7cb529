"""Downloading a photo from Discord's CDN, with the size limit enforced while reading."""

from __future__ import annotations

import aiohttp

from bot.features.photos.strip import MAX_BYTES
from verification.errors import RuleViolation

TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)


async def download(session: aiohttp.ClientSession, url: str) -> bytes:
    """The file's bytes; `photo_too_big` past MAX_BYTES (whatever the attachment claimed), and
    `photo_download_failed` when the CDN does not give it."""
    try:
        async with session.get(url, timeout=TIMEOUT) as response:
            if response.status != 200:
                raise RuleViolation("photo_download_failed")
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise RuleViolation("photo_too_big", megabytes=MAX_BYTES // (1024 * 1024))
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError):
        raise RuleViolation("photo_download_failed") from None
