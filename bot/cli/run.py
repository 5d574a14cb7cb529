"""`veraz run` and `veraz sync`: log in to Discord, then serve until a signal or until Discord ends it.

Whatever fails after login (the feed's port taken, the database unwritable, a bug) closes the bot and
the database, says so in one line, and exits non-zero, so a service manager restarts it or alerts
someone: a process that stays alive without a connection looks healthy and helps nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

import storage
from bot.cli.failures import (
    DISCORD_ENDED,
    FAILED_AFTER_LOGIN,
    OPERATIONAL,
    REFUSED,
    UNREACHABLE,
    CommandFailed,
    one_line,
)
from bot.core.settings import Settings

if TYPE_CHECKING:
    from bot.client import VerazBot
    from bot.feed.process import FeedChild

log = logging.getLogger("bot.run")
FIRST_RETRY = 2.0
# aiohttp's connection errors (DNS, refused, TLS) are its ClientErrors; a local OSError (a key file it
# cannot read) is not Discord being unreachable and is not retried.
UNREACHABLE_ERRORS = (aiohttp.ClientError, TimeoutError, discord.GatewayNotFound)


def point_at(settings: Settings) -> None:
    """Talk to the Discord `settings` name (the emulator, in tests and the demo)."""
    if settings.api_base_url or settings.gateway_url:
        import yarl
        from discord import http
        from discord.gateway import DiscordWebSocket

        if settings.api_base_url:
            http.Route.BASE = settings.api_base_url.rstrip("/")
        if settings.gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def run(settings: Settings) -> int:
    from bot.feed.guard import raise_open_files_limit

    token = settings.require_token()
    raise_open_files_limit()
    print(f"veraz run: data directory {settings.data_dir.resolve()}", file=sys.stderr)
    point_at(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if settings.database_url:  # PostgreSQL: one active process, any number of standbys (docs/deploy.md)
        from bot.standby import run_with_standbys

        with storage.DataDirLock(settings.data_dir):
            return await run_with_standbys(settings, token, stop, _logged_in, _serve_feed)
    with storage.DataDirLock(settings.data_dir):
        bot = await _logged_in(settings, token, stop)
        if not isinstance(bot, int):
            return await _serve(settings, bot, stop)
        return bot


async def _serve(settings: Settings, bot: VerazBot, stop: asyncio.Event) -> int:
    """From login to the end: connect and wait; close everything whatever happens."""
    from bot.health import HealthServer, Probe, serve_health

    feed: FeedChild | None = None
    health: HealthServer | None = None
    connection: asyncio.Task[None] | None = None
    stopping = asyncio.create_task(stop.wait())
    try:
        feed = await _serve_feed(settings)  # after login: setup_hook has migrated the database
        health = await serve_health(
            settings.health_listen,
            Probe(lambda now: storage.queue_health(bot.database, now), lambda: True, bot.is_ready),
        )
        connection = asyncio.create_task(bot.connect())
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
    except OPERATIONAL as exc:
        print(f"veraz run: {one_line(exc)}", file=sys.stderr)
        return FAILED_AFTER_LOGIN
    except Exception as exc:  # a bug: its traceback goes to the log, and the bot still stops cleanly
        log.exception("veraz run failed")
        print(f"veraz run: failed: {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        return FAILED_AFTER_LOGIN
    finally:
        if health is not None:
            await health.stop()
        await _close(bot, feed)
        stopping.cancel()
    assert connection is not None  # the try block returned otherwise
    failure: BaseException | None = None
    with contextlib.suppress(asyncio.CancelledError):
        failure = connection.exception() if connection.done() else None
        await asyncio.gather(connection, return_exceptions=True)
    if not stop.is_set():
        # A token reset (4004), a privileged intent refused (4014)...: say so, and exit non-zero so a
        # service manager notices and restarts or alerts.
        cause = f"{type(failure).__name__}: {failure}" if failure is not None else "the connection ended"
        print(f"veraz run: Discord closed the connection for good: {cause}", file=sys.stderr)
        return DISCORD_ENDED
    return 0


async def _close(bot: VerazBot, feed: FeedChild | None) -> None:
    if feed is not None:
        await feed.stop()
    await bot.close()  # finishes in-flight work, then closes the database


async def _serve_feed(settings: Settings) -> FeedChild | None:
    """The public feeds, when VERAZ_FEED_ADDRESS is set: bound here, served by a process of their own that
    this one watches (bot/feed/process.py), so nothing done to the HTTP port can stop the bot."""
    listen = settings.feed_listen
    if listen is None:
        return None
    from bot.feed.process import FeedChild, listening_socket

    try:
        sock = listening_socket(*listen)
    except OSError as exc:
        host, port = listen
        why = "another program listens there" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise CommandFailed(f"cannot serve the public feed on {host}:{port} (VERAZ_FEED_ADDRESS): {why}",
                            FAILED_AFTER_LOGIN) from exc  # fmt: skip
    child = FeedChild(sock)
    child.start()
    return child


async def _logged_in(settings: Settings, token: str, stop: asyncio.Event, **bot_options: Any) -> VerazBot | int:
    """A logged-in bot, or an exit code. An unreachable Discord (DNS, TLS, refused, an outage) is
    said in one line and retried with backoff for `VERAZ_START_PATIENCE` seconds; a bad token is not
    retried: it will not get better."""
    patience = settings.start_patience
    deadline = time.monotonic() + patience
    delay = FIRST_RETRY
    while True:
        try:
            return await _login(settings, token, bot_options)
        except discord.LoginFailure:
            print("veraz run: Discord refused the token (DISCORD_TOKEN): check it in the Developer Portal",
                  file=sys.stderr)  # fmt: skip
            return REFUSED
        except discord.HTTPException as exc:
            if exc.status < 500 and exc.status != 429:
                print(f"veraz run: Discord refused to start the bot: HTTP {exc.status} {exc.text[:200]}",
                      file=sys.stderr)  # fmt: skip
                return REFUSED
            cause = f"Discord answered HTTP {exc.status}" + (
                " (rate limited)" if exc.status == 429 else " (an outage?)"
            )
        except UNREACHABLE_ERRORS as exc:
            cause = unreachable_cause(exc)
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"veraz run: gave up: Discord could not be reached for {patience:.0f} s ({cause})", file=sys.stderr)
            return UNREACHABLE
        wait = min(delay, left)
        print(f"veraz run: cannot reach Discord: {cause}; trying again in {wait:.0f} s", file=sys.stderr)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        if stop.is_set():
            return 0
        delay = min(delay * 2, 60.0)


async def _login(settings: Settings, token: str, bot_options: dict[str, Any]) -> VerazBot:
    """The bot Discord's recommendation calls for, logged in (its setup_hook opens and migrates the
    database); closed again, with everything it opened, if anything fails."""
    from bot.client import ShardedVerazBot, VerazBot

    shards = await recommended_shards(token)
    bot = (ShardedVerazBot if shards > 1 else VerazBot)(settings, **bot_options)
    try:
        await bot.login(token)
    except BaseException:
        await bot.close()  # closes its HTTP session (no "Unclosed client session") and any database
        raise
    if shards > 1:
        log.info("sharded", extra={"shards": shards})
    return bot


async def recommended_shards(token: str) -> int:
    """How many gateway sessions Discord recommends for this bot (GET /gateway/bot): more than one
    once it is in many servers (Discord requires shards from 2,500)."""
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        shards, _, _ = await http.get_bot_gateway()
        return max(1, int(shards))
    finally:
        await http.close()


def unreachable_cause(exc: BaseException) -> str:
    """The reason in words an operator can act on, without a traceback."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return f"TLS failed ({exc})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, socket.gaierror):
            return f"DNS lookup failed for {exc.host} ({os_error.strerror})"
        if isinstance(os_error, ConnectionRefusedError):
            return f"connection refused by {exc.host}:{exc.port}"
        return f"cannot connect to {exc.host}:{exc.port} ({os_error.strerror or os_error})"
    if isinstance(exc, TimeoutError):
        return "the connection timed out"
    return f"{type(exc).__name__}: {exc}"


async def sync(settings: Settings, *, everywhere: bool) -> int:
    from bot.client import Tuning, VerazBot

    point_at(settings)
    bot = VerazBot(settings, tuning=Tuning(sync_commands=False, commands_only=True))
    try:
        await bot.login(settings.require_token())
    except discord.LoginFailure:
        await bot.close()
        print("veraz sync: Discord refused the token (DISCORD_TOKEN)", file=sys.stderr)
        return REFUSED
    except UNREACHABLE_ERRORS as exc:
        await bot.close()
        print(f"veraz sync: cannot reach Discord: {unreachable_cause(exc)}; try again later", file=sys.stderr)
        return UNREACHABLE
    except BaseException:
        await bot.close()
        raise
    try:
        if everywhere:
            synced = await bot.tree.sync()
            print(f"{len(synced)} commands registered globally (Discord may take up to an hour to show them)")
            async for guild in bot.fetch_guilds():  # per-server copies would show every command twice
                bot.tree.clear_commands(guild=guild)
                await bot.tree.sync(guild=guild)
            print("per-server copies removed; set VERAZ_COMMANDS=global so `veraz run` does not add them back")
        else:
            async for guild in bot.fetch_guilds():
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"{len(synced)} commands registered in {guild.name}")
    except UNREACHABLE_ERRORS as exc:
        print(f"veraz sync: cannot reach Discord: {unreachable_cause(exc)}; try again later", file=sys.stderr)
        return UNREACHABLE
    finally:
        await bot.close()
    return 0
