"""docs/emulator.md stays in step with the code: every limit and every control route is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aiohttp import web

from discord_emulator import Limits
from discord_emulator.control import PREFIX, register
from discord_emulator.world import World

DOC = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text()


def test_every_limit_is_documented() -> None:
    """Each field of Limits appears in the limits table."""
    assert [f.name for f in dataclasses.fields(Limits) if f"`{f.name}`" not in DOC] == []


def test_every_control_route_is_documented() -> None:
    """Each /_emulator route appears in the control API table (path parameters as written there)."""
    app = web.Application()
    register(app, World.create(token="t", limits=Limits(), bot_name="Veraz"))
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    documented = {
        path.replace("{guild_id}", "{guild}").replace(
            "{action}", "{slash,autocomplete,click,select,submit_modal,dm,say}"
        )
        for path in paths
    }
    assert sorted(p for p in documented if p not in DOC) == []
    assert all(p.startswith(PREFIX) for p in paths)
