"""A loopback stand-in for cdn.discordapp.com, so Attachment.read() can download uploaded files."""

from __future__ import annotations

from aiohttp import web

from .registry import Registry


def register(app: web.Application, world: Registry) -> None:
    async def download(request: web.Request) -> web.Response:
        found = world.attachments.get(int(request.match_info["attachment_id"]))
        if found is None or found.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=found.data, headers={"Content-Type": found.content_type})

    for folder in ("attachments", "ephemeral-attachments"):
        app.router.add_get(rf"/cdn/{folder}/{{scope:\d+}}/{{attachment_id:\d+}}/{{filename}}", download)
