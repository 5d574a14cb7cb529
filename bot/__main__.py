"""The `veraz` command line: run the bot, sync commands, replay a demo, and look after the data.

veraz --version                this Veraz, and the database schema it uses
veraz run                      start the bot (DISCORD_TOKEN, VERAZ_DATA_DIR, ... see bot/core/settings.py)
veraz sync [--global]          register the slash commands (per guild by default; --global: everywhere)
veraz demo [--scenario NAME|FILE] [--core]
veraz status                   whether a bot runs and is connected; the delivery queue
veraz purge                    apply the retention period now (the bot also does it daily)
veraz backup PATH [--force]    a consistent copy of the database, safe while the bot runs
veraz restore PATH             put a backup in place (stop the bot first)
veraz export --community ID    a community's data as JSON, for its admins
veraz stats --community ID     time to truth
veraz feed --community ID      print a community's public Atom feed, as `veraz run` serves it
veraz feed serve               serve the public feeds alone (VERAZ_FEED_ADDRESS), e.g. on another host

The commands themselves are in bot/cli/; this module parses the arguments and turns every failure an
operator can meet into one line on stderr (bot/cli/failures.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli import backups, data, data_dir
from bot.cli import run as running
from bot.cli.failures import BAD_SETTINGS, OPERATIONAL, REFUSED, CommandFailed, one_line
from bot.core import logs
from bot.core.settings import SettingsError, load_settings
from bot.demo import core, script
from bot.version import version
from storage.sqlite.migrations import bundled
from verification.model import Language

SCHEMA = len(bundled())  # the schema `veraz run` migrates a database to


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="veraz", description="Veraz: vetted alerts from community reports.")
    parser.add_argument("--version", action="version", version=f"veraz {version()} (database schema {SCHEMA})")
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
    backup.add_argument("--force", action="store_true", help="replace the file if it exists")
    restore = commands.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("path", type=Path)
    export = commands.add_parser("export", help="a community's data as JSON, for its admins (docs/SECURITY.md)")
    export.add_argument("--community", type=int, required=True, help="the Discord server (guild) id")
    export.add_argument("--out", type=Path, help="the file to write (default: veraz-export-<id>.json)")
    stats = commands.add_parser("stats", help="time to truth: how fast reports became alerts (docs/time-to-truth.md)")
    stats.add_argument("--community", type=int, required=True, help="the Discord server (guild) id")
    stats.add_argument("--days", type=int, default=7, help="incidents first reported in the last DAYS days")
    stats.add_argument("--language", choices=[x.value for x in Language], default="en")
    copy_db = commands.add_parser("copy-db", help="copy the SQLite database into an empty PostgreSQL database")
    copy_db.add_argument("--to", required=True, metavar="POSTGRESQL_URL", help="postgresql://user:password@host/db")
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
        return BAD_SETTINGS
    logs.configure(settings.log_level)
    try:
        if args.command != "sync":  # the one command that keeps nothing in the data directory
            data_dir.check(settings, args.command)
        match args.command:
            case "run":
                return asyncio.run(running.run(settings))
            case "sync":
                return asyncio.run(running.sync(settings, everywhere=args.everywhere))
            case "status":
                return asyncio.run(data.status(settings))
            case "purge":
                return asyncio.run(data.purge(settings))
            case "stats":
                return asyncio.run(data.stats(settings, args.community, args.days, Language(args.language)))
            case "feed" if args.action == "serve":
                from bot.feed.process import serve

                return asyncio.run(serve(settings))
            case "feed":
                if args.community is None:
                    feed.error("say which feed to print (--community ID), or `veraz feed serve`")
                return asyncio.run(data.feed(settings, args.community))
            case "export":
                return asyncio.run(data.export(settings, args.community, args.out))
            case "backup":
                return asyncio.run(backups.backup(settings, args.path, force=args.force))
            case "restore":
                return backups.restore(settings, args.path)
            case "copy-db":
                return asyncio.run(backups.copy_db(settings, args.to))
    except OPERATIONAL as exc:
        print(f"veraz {args.command}: {one_line(exc)}", file=sys.stderr)
        return exc.code if isinstance(exc, CommandFailed) else REFUSED
    return BAD_SETTINGS


def _demo(name: str, *, core_only: bool, lang: Language) -> int:
    path = Path(name) if name.endswith(".toml") else script.bundled(name)
    try:
        scenario = script.load(path)
    except script.ScenarioError as exc:
        print(f"veraz demo: {exc}", file=sys.stderr)
        return 2
    if core_only:
        return 0 if asyncio.run(core.run(scenario, sys.stdout, lang)) else 1
    from bot.demo.discord_run import run as through_discord  # the emulator is only loaded for the demo

    return 0 if asyncio.run(through_discord(scenario, sys.stdout, lang)) else 1


if __name__ == "__main__":
    sys.exit(main())
