"""Point discord.py at an emulator. The only emulator module that imports discord."""

from __future__ import annotations

from collections.abc import Callable

import yarl
from discord import http
from discord.gateway import DiscordWebSocket


def point_discord_at(api_base: str, gateway_url: str) -> Callable[[], None]:
    """Redirect REST and gateway URLs (process-wide class attributes); call the result to undo it."""
    previous_base = http.Route.BASE
    previous_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    http.Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def undo() -> None:
        http.Route.BASE = previous_base
        DiscordWebSocket.DEFAULT_GATEWAY = previous_gateway

    return undo
