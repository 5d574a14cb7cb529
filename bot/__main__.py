"""The `veraz` command line: run the bot, sync commands, replay a demo, and look after the data.

veraz run                      start the bot (DISCORD_TOKEN, VERAZ_DATA_DIR, ... see bot/settings.py)
veraz sync [--global]          register the slash commands (per guild by default; --global: everywhere)
veraz demo [--scenario NAME|FILE] [--core]
veraz status                   deliveries queued, sent, failed, cancelled; oldest pending
veraz purge                    apply the retention period now (the bot also does it daily)
veraz backup PATH              a consistent copy of the database, safe while the bot runs
veraz restore PATH             put a backup in place (stop the bot first)
veraz feed --community ID      print a community's public Atom feed, as `veraz run` serves it
veraz feed serve               serve the public feeds alone (VERAZ_FEED_ADDRESS), e.g. on another host
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

import storage
from storage.sqlite.feed import SqliteFeedSource
from verification.model import Language

from . import logs
from .demo import core, script
from .feed.guard import raise_open_files_limit
from .settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from .client import VerazBot
    from .feed.process import FeedChild


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="veraz", description="Veraz: vetted alerts from community reports.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the bot")
    sync = commands.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--global", dest="everywhere", action="store_true", help="globally (can take an hour)")
    demo = commands.add_parser("demo", help="replay a scenario and print what each person saw")
    demo.add_argument("--scenario", default="hamline", help="hamline, los-angeles, or a .toml file of your own")
    demo.add_argument("--core", action="store_true", help="without Discord: the use cases and storage only")
    demo.add_argument("--language", choices=["en", "es"], default="en", help="the narrator's language")
    commands.add_parser("status", help="show the delivery queue")
    commands.add_parser("purge", help="apply the retention period now")
    backup = commands.add_parser("backup", help="copy the database consistently, even while the bot runs")
    backup.add_argument("path", type=Path)
    restore = commands.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("path", type=Path)
    export = commands.add_parser("export", help="a community's data as JSON, for its admins (docs/SECURITY.md)")
    export.add_argument("--community", type=int, required=True, help="the Discord server (guild) id")
    export.add_argument("--out", type=Path, help="the file to write (default: veraz-export-<id>.json)")
    stats = commands.add_parser("stats", help="time to truth: how fast reports became alerts (docs/time-to-truth.md)")
    stats.add_argument("--community", type=int, required=True, help="the Discord server (guild) id")
    stats.add_argument("--days", type=int, default=7, help="incidents first reported in the last DAYS days")
    stats.add_argument("--language", choices=[x.value for x in Language], default="en")
    feed = commands.add_parser("feed", help="print a community's public Atom feed (issue 15), or serve the feeds")
    feed.add_argument("action", nargs="?", choices=["serve"], help="serve: the feeds' HTTP server alone")
    feed.add_argument("--community", type=int, help="the Discord server (guild) id whose feed to print")
    args = parser.parse_args(argv)

    if args.command == "demo":
        return _demo(args.scenario, core_only=args.core, lang=Language(args.language))
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"veraz: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        match args.command:
            case "run":
                return asyncio.run(_run(settings))
            case "sync":
                return asyncio.run(_sync(settings, everywhere=args.everywhere))
            case "status":
                return asyncio.run(_status(settings))
            case "purge":
                return asyncio.run(_purge(settings))
            case "stats":
                return asyncio.run(_stats(settings, args.community, args.days, Language(args.language)))
            case "feed" if args.action == "serve":
                from .feed.process import serve

                return asyncio.run(serve(settings))
            case "feed":
                if args.community is None:
                    feed.error("say which feed to print (--community ID), or `veraz feed serve`")
                return asyncio.run(_feed(settings, args.community))
            case "export":
                out = args.out or Path(f"veraz-export-{args.community}.json")
                data = asyncio.run(_export(settings, args.community))
                out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
                print(f"wrote {out}: {len(data['incidents'])} incident(s), {len(data['reports'])} report(s); "
                      "no pseudonyms and no subscriber ids are in it")  # fmt: skip
                return 0
            case "backup":
                version = asyncio.run(storage.backup(settings.data_dir / storage.DATABASE_NAME, args.path))
                key = settings.data_dir / "pseudonym.key"
                print(f"backup written to {args.path} (schema version {version}). "
                      f"Keep {key} safe too, separately: it is not in the backup.")  # fmt: skip
                return 0
            case "restore":
                with storage.DataDirLock(settings.data_dir):
                    restored = storage.restore(args.path, settings.data_dir / storage.DATABASE_NAME)
                kept = restored.kept
                print(f"restored {args.path}" + (f"; the replaced database is kept at {kept}" if kept else ""))
                if restored.repurged:
                    print(f"veraz restore: warning: the backup held the text of {restored.repurged} report(s) "
                          "purged since it was made (retention or /forget-me). It is purged again in the restored "
                          "database, but the backup file still holds it: delete or rotate old backups.",
                          file=sys.stderr)  # fmt: skip
                if not restored.compared:
                    print("veraz restore: warning: there was no database to compare with, so text purged or "
                          "forgotten since the backup was made may be back; run `veraz purge` now.",
                          file=sys.stderr)  # fmt: skip
                return 0
    except (SettingsError, storage.SchemaTooNew, storage.MigrationFailed, storage.RestoreRefused,
            storage.DataDirInUse, FileNotFoundError, LookupError) as exc:  # fmt: skip
        print(f"veraz {args.command}: {exc}", file=sys.stderr)
        return 1
    return 2


def _demo(name: str, *, core_only: bool, lang: Language) -> int:
    path = Path(name) if name.endswith(".toml") else script.bundled(name)
    try:
        scenario = script.load(path)
    except script.ScenarioError as exc:
        print(f"veraz demo: {exc}", file=sys.stderr)
        return 2
    if core_only:
        return 0 if asyncio.run(core.run(scenario, sys.stdout, lang)) else 1
    from .demo.discord_run import run as through_discord  # the emulator is only loaded for the demo

    return 0 if asyncio.run(through_discord(scenario, sys.stdout, lang)) else 1


def _point_at(settings: Settings) -> None:
    if settings.api_base_url or settings.gateway_url:
        import yarl
        from discord import http
        from discord.gateway import DiscordWebSocket

        if settings.api_base_url:
            http.Route.BASE = settings.api_base_url.rstrip("/")
        if settings.gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def _run(settings: Settings) -> int:
    from .client import VerazBot

    token = settings.require_token()
    _point_at(settings)
    raise_open_files_limit()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with storage.DataDirLock(settings.data_dir):
        bot = await _logged_in(settings, token, stop)
        if not isinstance(bot, VerazBot):
            return bot
        feed = _serve_feed(settings)  # after login: setup_hook has migrated the database
        connection = asyncio.create_task(bot.connect())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        ended = connection.done() and not stopping.done()  # Discord ended it, not a signal
        if feed is not None:
            await feed.stop()
        await bot.close()  # finishes in-flight work, then closes the database
        stopping.cancel()
        failure: BaseException | None = None
        with contextlib.suppress(asyncio.CancelledError):
            failure = connection.exception() if connection.done() else None
            await asyncio.gather(connection, return_exceptions=True)
        if ended:
            # A token reset (4004), a privileged intent refused (4014)...: say so, and exit non-zero so
            # a service manager notices and restarts or alerts.
            cause = f"{type(failure).__name__}: {failure}" if failure is not None else "the connection ended"
            print(f"veraz run: Discord closed the connection for good: {cause}", file=sys.stderr)
            return 4
    return 0


def _serve_feed(settings: Settings) -> FeedChild | None:
    """The public feeds, from a process of their own that this one watches, when VERAZ_FEED_ADDRESS is set."""
    if settings.feed_listen is None:
        return None
    from .feed.process import FeedChild

    child = FeedChild()
    child.start()
    return child


async def _feed(settings: Settings, community_id: int) -> int:
    from .feed.links import base_url
    from .feed.server import FeedServer

    database = await storage.open_database(settings.data_dir)  # creates and migrates it if needed
    await database.close()
    source = await SqliteFeedSource.open(settings.data_dir)
    try:
        community = await source.community_by_id(community_id)
        if community is None or community.feed_slug is None:
            print(f"veraz feed: community {community_id} has never turned its public feed on "
                  "(/settings feed:on)", file=sys.stderr)  # fmt: skip
            return 1
        if not community.feed:
            print(f"veraz feed: the public feed of community {community_id} is off: this is what it would "
                  "serve; its addresses answer 404", file=sys.stderr)  # fmt: skip
        server = FeedServer(source, base_url(settings.feed_url, settings.feed_address))
        rendered = await server.atom(community)
    finally:
        await source.close()
    sys.stdout.write(rendered.body.decode("utf-8") + "\n")
    return 0


START_PATIENCE = 300.0  # seconds of retrying an unreachable Discord before giving up at start
FIRST_RETRY = 2.0
# aiohttp's connection errors (DNS, refused, TLS) are its ClientErrors; a local OSError (a key file it
# cannot read) is not Discord being unreachable and is not retried.
UNREACHABLE = (aiohttp.ClientError, TimeoutError, discord.GatewayNotFound)


async def _logged_in(settings: Settings, token: str, stop: asyncio.Event) -> VerazBot | int:
    """A logged-in bot, or an exit code. An unreachable Discord (DNS, TLS, refused, an outage) is
    said in one line and retried with backoff for `VERAZ_START_PATIENCE` seconds; a bad token is not
    retried: it will not get better."""
    from .client import VerazBot

    patience = float(os.environ.get("VERAZ_START_PATIENCE", START_PATIENCE))
    deadline = time.monotonic() + patience
    delay = FIRST_RETRY
    while True:
        bot = VerazBot(settings)
        try:
            await bot.login(token)
            return bot
        except discord.LoginFailure:
            await bot.close()
            print("veraz run: Discord refused the token (DISCORD_TOKEN): check it in the Developer Portal",
                  file=sys.stderr)  # fmt: skip
            return 1
        except discord.HTTPException as exc:
            if exc.status < 500 and exc.status != 429:
                await bot.close()
                print(f"veraz run: Discord refused to start the bot: HTTP {exc.status} {exc.text[:200]}",
                      file=sys.stderr)  # fmt: skip
                return 1
            cause = f"Discord answered HTTP {exc.status}" + (
                " (rate limited)" if exc.status == 429 else " (an outage?)"
            )
        except UNREACHABLE as exc:
            cause = _unreachable_cause(exc)
        await bot.close()  # closes its HTTP session: no "Unclosed client session" at exit
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"veraz run: gave up: Discord could not be reached for {patience:.0f} s ({cause})", file=sys.stderr)
            return 3
        wait = min(delay, left)
        print(f"veraz run: cannot reach Discord: {cause}; trying again in {wait:.0f} s", file=sys.stderr)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        if stop.is_set():
            return 0
        delay = min(delay * 2, 60.0)


def _unreachable_cause(exc: BaseException) -> str:
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


async def _sync(settings: Settings, *, everywhere: bool) -> int:
    from .client import Tuning, VerazBot

    _point_at(settings)
    bot = VerazBot(settings, tuning=Tuning(sync_commands=False, commands_only=True))
    try:
        await bot.login(settings.require_token())
    except discord.LoginFailure:
        await bot.close()
        print("veraz sync: Discord refused the token (DISCORD_TOKEN)", file=sys.stderr)
        return 1
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
    finally:
        await bot.close()
    return 0


async def _status(settings: Settings) -> int:
    database = await storage.open_database(settings.data_dir)
    try:
        from verification import usecases

        counts = await usecases.delivery_counts(database.unit_of_work())
    finally:
        await database.close()
    age = "none"
    if counts.oldest_pending is not None:
        age = f"{(datetime.now(UTC) - counts.oldest_pending).total_seconds():.0f} s"
    print(f"deliveries: {counts.queued} queued, {counts.sending} in flight, {counts.in_doubt} of those in doubt, "
          f"{counts.sent} sent, "
          f"{counts.failed} failed, {counts.cancelled} cancelled; oldest pending: {age}")  # fmt: skip
    return 0


async def _stats(settings: Settings, community: int, days: int, lang: Language) -> int:
    from verification import usecases
    from verification.errors import RuleViolation

    from .render.replies import refusal
    from .render.time_to_truth import figures_text

    database = await storage.open_database(settings.data_dir)
    try:
        figures = await usecases.stats(database.unit_of_work(), datetime.now(UTC), community, days)
    except RuleViolation as exc:
        print(f"veraz stats: {refusal(exc, lang)}", file=sys.stderr)
        return 1
    finally:
        await database.close()
    print(figures_text(figures, days, lang))
    return 0


async def _export(settings: Settings, community: int) -> dict[str, Any]:
    database = await storage.open_database(settings.data_dir)
    try:
        return await storage.export_community(database, community, datetime.now(UTC))
    finally:
        await database.close()


async def _purge(settings: Settings) -> int:
    database = await storage.open_database(settings.data_dir)
    try:
        result = await storage.purge(database, datetime.now(UTC))
    finally:
        await database.close()
    print(f"retention applied: {result.reports} report(s) purged in {result.communities} community(ies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
