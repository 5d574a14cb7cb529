"""The public feed's reads: only what subscribers were sent, on a connection that cannot write."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

import storage
from storage.postgres.feed import PgFeedSource
from storage.sqlite.feed import SqliteFeedSource
from tests.builders import MOD_A
from tests.feed.world import NOW, World, build
from verification import usecases
from verification.alerts import AlertKind
from verification.public_feed import FeedSource, is_slug

Source = tuple[storage.AnyDatabase, FeedSource, World]


@pytest.fixture
async def source(any_database: storage.AnyDatabase, tmp_path: Path) -> AsyncIterator[Source]:
    world = await build(any_database)
    url = any_database.url if isinstance(any_database, storage.PostgresDatabase) else None
    feed = await storage.open_feed_source(tmp_path, url)
    try:
        yield any_database, feed, world
    finally:
        await feed.close()


async def test_a_community_is_found_by_its_slug_only_while_its_feed_is_on(
    source: Source,
) -> None:
    database, feed, world = source
    slug = world.community.feed_slug
    assert slug is not None
    assert is_slug(slug)
    assert (await feed.community(slug)) == world.community
    off = await usecases.set_feed(database.unit_of_work(), world.community.id, on=False)
    assert off.feed_slug == slug  # kept: the addresses given out work again when it is back on
    assert await feed.community(slug) is None
    again = await usecases.set_feed(database.unit_of_work(), world.community.id, on=True)
    assert again.feed_slug == slug
    assert await feed.community(slug) is not None
    assert await feed.community("' OR 1=1 --") is None


async def test_only_messages_published_to_the_feed_newest_first(
    source: Source,
) -> None:
    _, feed, world = source
    shown = await feed.published(world.community.id)
    assert [p.id for p in shown] == sorted((p.id for p in shown), reverse=True)
    numbers = {p.message.number for p in shown}
    assert world.unconfirmed_number not in numbers
    assert world.private_number not in numbers  # confirmed while the feed was off
    unsent = [p.message.kind for p in shown if p.message.number == world.unsent_number]
    assert unsent == [AlertKind.ALL_CLEAR, AlertKind.ALERT]  # nobody else was told: the feed was
    kinds = [(p.message.number, p.message.kind) for p in shown]
    assert (world.retracted_number, AlertKind.RETRACTION) in kinds
    assert (world.open_number, AlertKind.CORRECTION) in kinds
    correction = next(p for p in shown if p.message.kind is AlertKind.CORRECTION)
    alert = next(p for p in shown if p.message.number == world.open_number and p.message.kind is AlertKind.ALERT)
    assert correction.amends_id == alert.id
    assert correction.amends_at == alert.message.at
    assert await feed.one(world.community.id, correction.id) == correction
    assert await feed.one(world.community.id + 1, correction.id) is None
    assert len(await feed.published(world.community.id, limit=10_000)) <= 100


async def test_the_page_lists_open_incidents_and_the_past_week(
    source: Source,
) -> None:
    _, feed, world = source
    listed = await feed.incidents(world.community.id, NOW - timedelta(days=7))
    by_number = {i.number: i for i in listed}
    assert set(by_number) == {world.open_number, world.retracted_number, world.cleared_number, world.unsent_number}
    assert by_number[world.open_number].open
    assert by_number[world.open_number].latest.message.kind is AlertKind.CORRECTION
    assert not by_number[world.retracted_number].open


async def test_the_stamp_moves_with_every_new_message(
    source: Source,
) -> None:
    database, feed, world = source
    before = await feed.stamp(world.community.id)
    await usecases.resolve(database.unit_of_work(), NOW, world.community.id, world.open_number, MOD_A)
    after = await feed.stamp(world.community.id)
    assert after.newest_id > before.newest_id
    assert after.count == before.count + 1


async def test_the_feed_connection_cannot_write(source: Source) -> None:
    _, feed, _ = source
    if isinstance(feed, PgFeedSource):
        async with feed.pool.acquire() as conn:
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await conn.execute("DELETE FROM alerts")
        return
    assert isinstance(feed, SqliteFeedSource)
    with pytest.raises(sqlite3.OperationalError):
        await feed.db.execute("DELETE FROM alerts")
