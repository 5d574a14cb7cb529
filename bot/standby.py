"""`veraz run` on PostgreSQL: one active process, any number of standbys (issue 22).

A process starts as a standby: it checks its pseudonym key against the database, serves the public feed
(read-only) if asked, and polls for leadership every second without opening a gateway session. Once it
is the leader (storage.postgres.leadership) it logs in, connects to the gateway and runs everything a
single Veraz runs: commands, the delivery worker (fenced by its epoch), cards, maintenance. It renews its
leadership every second; if it cannot, or another process took over, it stops at once (a hard exit, as
if killed: in-flight sends are settled by the next leader through the nonce and DM history) and the
service manager starts it again, as a standby.

The process keeps time by the database's clock (storage.postgres.clock), measured on the leadership
connection: every timestamp it writes or compares (deliveries due, claims, recovery of rows another host
left in flight, expiry, purges, escalation pages, rate windows, /healthz's oldest due delivery) is then in
the same time as the other hosts', whatever the host's own clock says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import asyncpg

import storage
from bot.core import metrics
from bot.core.fencing import Fence
from bot.core.settings import Settings
from bot.health import Probe, serve_health
from storage.postgres.clock import DatabaseClock
from storage.postgres.database import PostgresDatabase
from storage.postgres.key_check import KeyMismatch, check_pseudonym_key
from storage.postgres.leadership import RENEW_EVERY, Leadership, application_name, new_process_id
from storage.pseudonyms import KEY_FILE, load_or_create_key

if TYPE_CHECKING:
    from bot.client import VerazBot
    from bot.feed.process import FeedChild

log = logging.getLogger(__name__)
LOST_LEADERSHIP = 5  # the exit code of a process that stopped because it is no longer the leader

StartBot = Callable[..., Awaitable["VerazBot | int"]]
ServeFeed = Callable[[Settings], Awaitable["FeedChild | None"]]


async def run_with_standbys(
    settings: Settings, token: str, stop: asyncio.Event, start: StartBot, feed: ServeFeed
) -> int:
    """Stand by until this process leads, then run the bot until stopped; an exit code."""
    from bot.client import VerazBot

    assert settings.database_url is not None
    process = new_process_id()
    # Opening migrates the database (once, whoever starts first) before anything reads it.
    database = await PostgresDatabase.open(
        settings.database_url, pool_size=2, application_name=application_name(process)
    )
    try:
        await check_pseudonym_key(database, load_or_create_key(settings.data_dir / KEY_FILE))
    except KeyMismatch as exc:
        await database.close()
        print(f"veraz run: {exc}", file=sys.stderr)
        return 1
    clock = DatabaseClock()
    leadership = Leadership(settings.database_url, process, clock)
    await leadership.open()
    server = await feed(settings)
    running: list[VerazBot] = []
    probe = Probe(
        lambda now: storage.queue_health(database, now),
        lambda: leadership.current_epoch() is not None,
        lambda: bool(running) and running[0].is_ready() and not running[0].is_closed(),
        process,
        leadership.current_epoch,
        clock.now,
    )
    health = await serve_health(settings.health_listen, probe)
    try:
        log.info("standing by", extra={"instance": process})
        while not stop.is_set():
            try:
                if await leadership.try_acquire() is not None:
                    metrics.LEADERSHIP_CHANGES.inc()
                    break
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError, ConnectionError) as exc:
                # The database restarted or is out of reach: stand by and poll again, rather than leave
                # nobody to lead when it answers (the active process exits in that case, by design).
                log.warning("could not poll for leadership", extra={"error": f"{type(exc).__name__}: {exc}"})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RENEW_EVERY)
        if stop.is_set():
            return 0
        log.info("active", extra={"instance": process, "epoch": leadership.epoch})
        bot = await start(
            settings,
            token,
            stop,
            fence=Fence(leadership.current_epoch, leadership.confirm),
            process=process,
            clock=clock,
        )
        if not isinstance(bot, VerazBot):
            return bot
        running.append(bot)
        watch = asyncio.create_task(_keep_leading(leadership, bot), name="veraz-leadership")
        connection = asyncio.create_task(bot.connect())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({connection, stopping, watch}, return_when=asyncio.FIRST_COMPLETED)
        watch.cancel()
        await bot.close()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(connection, watch, return_exceptions=True)
        return 0 if stop.is_set() else 4
    finally:
        if health is not None:
            await health.stop()
        if server is not None:
            await server.stop()
        await leadership.close()
        await database.close()


async def _keep_leading(leadership: Leadership, bot: VerazBot) -> None:
    """Renew every second; the moment leadership is lost, stop sending: exit at once."""
    while True:
        await asyncio.sleep(RENEW_EVERY)
        leadership.gateway = bot.is_ready() and not bot.is_closed()
        if not await leadership.renew():
            print("veraz run: lost leadership (another process took over, or the database stopped answering): "
                  "stopped at once; start again to stand by", file=sys.stderr, flush=True)  # fmt: skip
            logging.shutdown()
            os._exit(LOST_LEADERSHIP)
