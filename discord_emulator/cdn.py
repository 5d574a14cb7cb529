"""A loopback stand-in for cdn.discordapp.com, so Attachment.read() can download uploaded files.

Links are signed and expire (`cdn_links`): an unsigned, forged or expired link gets Discord's 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from . import cdn_links
from .registry import Registry

GONE = "This content is no longer available."


def register(app: web.Application, world: Registry) -> None:
    async def download(request: web.Request) -> web.Response:
        found = world.attachments.get(int(request.match_info["attachment_id"]))
        if found is None or found.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        if not cdn_links.valid(request.path, request.query, world.cdn_secret, datetime.now(UTC)):
            return web.Response(status=404, text=GONE)
        return web.Response(body=found.data, headers={"Content-Type": found.content_type})

    for folder in ("attachments", "ephemeral-attachments"):
        app.router.add_get(rf"/cdn/{folder}/{{scope:\d+}}/{{attachment_id:\d+}}/{{filename}}", download)
