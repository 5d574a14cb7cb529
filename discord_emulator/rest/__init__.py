"""Discord's REST API v10 as emulated routes, grouped by resource."""

from __future__ import annotations

from ..world import World
from . import commands, directory, messages, webhooks
from .router import Call, Reply, Router

__all__ = ["Call", "Reply", "Router", "build_router"]


def build_router(services: World) -> Router:
    router = Router(services)
    for module in (directory, messages, commands, webhooks):
        module.register(router, services)
    return router
