"""A feed server on the world of tests/feed/world.py, through aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import storage
from bot.feed.server import FeedServer
from storage.sqlite.feed import SqliteFeedSource
from tests.feed.world import NOW, World, build

BASE = "https://alerts.example.org"


@dataclass
class Served:
    client: TestClient  # type: ignore[type-arg]
    server: FeedServer
    world: World
    database: storage.Database

    @property
    def slug(self) -> str:
        assert self.world.community.feed_slug is not None
        return self.world.community.feed_slug


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    database = await storage.open_database(tmp_path)
    world = await build(database)
    source = await SqliteFeedSource.open(tmp_path)
    server = FeedServer(source, BASE, now=lambda: NOW, rate=1000.0, burst=1000)
    try:
        async with TestClient(TestServer(server.app())) as client:
            yield Served(client, server, world, database)
    finally:
        await source.close()
        await database.close()
