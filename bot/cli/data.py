"""The commands that read or tidy the data: `veraz status`, `purge`, `stats`, `export` and `feed`.

Each opens the database that exists, as it is (`storage.open_existing`): a mistyped VERAZ_DATA_DIR is an
error, never a new empty database reporting zeros, and a command run beside an older bot never migrates
the schema under it. Only `veraz run` creates or migrates.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import storage
from bot.cli.failures import REFUSED, CommandFailed
from bot.core.replies import refusal
from bot.core.settings import Settings
from bot.core.time_to_truth import figures_text
from storage.private_files import create_private_file
from verification import usecases
from verification.errors import RuleViolation
from verification.model import Language


async def _require_community(database: storage.AnyDatabase, community: int) -> None:
    """An unknown id is said as such, not as an empty result."""
    if all(c.id != community for c in await usecases.all_communities(database.unit_of_work())):
        where = database.path if isinstance(database, storage.Database) else storage.redact(database.url)
        raise CommandFailed(f"no community {community} in {where} (the id is the Discord server's)")


async def status(settings: Settings) -> int:
    database = await storage.open_existing(settings.data_dir, url=settings.database_url)
    try:
        beat = await storage.heartbeat.last(database) if isinstance(database, storage.Database) else None
        counts = await usecases.delivery_counts(database.unit_of_work())
        processes = await storage.process_lines(database)  # PostgreSQL: every host, active or standing by
    finally:
        await database.close()
    if beat is not None:
        print(f"bot: {bot_state(beat, datetime.now(UTC))}")
    for line in processes:
        print(line)
    age = "none"
    if counts.oldest_pending is not None:
        age = f"{(datetime.now(UTC) - counts.oldest_pending).total_seconds():.0f} s"
    print(f"deliveries: {counts.queued} queued, {counts.sending} in flight, {counts.in_doubt} of those in doubt, "
          f"{counts.sent} sent, "
          f"{counts.failed} failed, {counts.cancelled} cancelled; oldest pending: {age}")  # fmt: skip
    return 0


def bot_state(beat: storage.heartbeat.Heartbeat, now: datetime) -> str:
    """Whether a bot runs on this data and is connected to Discord, from its heartbeat."""

    def ago(moment: datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC, {(now - moment).total_seconds():.0f} s ago"

    if beat.alive is None:
        return "no bot has run on this data yet"
    if beat.is_connected(now):
        return f"running, connected to Discord (last heartbeat {ago(beat.alive)})"
    if beat.running(now):
        since = f"last connected {ago(beat.connected)}" if beat.connected else "never connected"
        return f"running, but NOT connected to Discord ({since})"
    if beat.stopped is not None and beat.stopped >= beat.alive:
        return f"not running (stopped cleanly {ago(beat.stopped)})"
    return f"not running, or not responding: no heartbeat since {ago(beat.alive)} (it did not stop cleanly)"


async def purge(settings: Settings) -> int:
    database = await storage.open_existing(settings.data_dir, url=settings.database_url)
    try:
        result = await storage.purge(database, datetime.now(UTC))
    finally:
        await database.close()
    print(f"retention applied: {result.reports} report(s) purged in {result.communities} community(ies)")
    return 0


async def stats(settings: Settings, community: int, days: int, lang: Language) -> int:
    database = await storage.open_existing(settings.data_dir, url=settings.database_url)
    try:
        await _require_community(database, community)
        figures = await usecases.stats(database.unit_of_work(), datetime.now(UTC), community, days)
    except RuleViolation as exc:
        print(f"veraz stats: {refusal(exc, lang)}", file=sys.stderr)
        return REFUSED
    finally:
        await database.close()
    print(figures_text(figures, days, lang))
    return 0


async def export(settings: Settings, community: int, out: Path | None) -> int:
    target = out or Path(f"veraz-export-{community}.json")
    database = await storage.open_existing(settings.data_dir, url=settings.database_url)
    try:
        await _require_community(database, community)
        data: dict[str, Any] = await storage.export_community(database, community, datetime.now(UTC))
    finally:
        await database.close()
    _write_private(target, json.dumps(data, ensure_ascii=False, indent=2))
    print(f"wrote {target}: {len(data['incidents'])} incident(s), {len(data['reports'])} report(s); "
          "no pseudonyms and no subscriber ids are in it")  # fmt: skip
    return 0


def _write_private(target: Path, text: str) -> None:
    """0600, as backups are: an export holds what reporters wrote."""
    if target.is_dir():
        raise CommandFailed(f"{target} is a directory: name the file to write")
    create_private_file(target)
    target.write_text(text, encoding="utf-8")


async def feed(settings: Settings, community_id: int) -> int:
    from bot.feed.links import base_url
    from bot.feed.server import FeedServer

    database = await storage.open_existing(settings.data_dir, url=settings.database_url)
    try:
        await _require_community(database, community_id)
    finally:
        await database.close()
    source = await storage.open_feed_source(settings.data_dir, settings.database_url)
    try:
        community = await source.community_by_id(community_id)
        if community is None or community.feed_slug is None:
            print(f"veraz feed: community {community_id} has never turned its public feed on "
                  "(/settings feed:on)", file=sys.stderr)  # fmt: skip
            return REFUSED
        if not community.feed:
            print(f"veraz feed: the public feed of community {community_id} is off: this is what it would "
                  "serve; its addresses answer 404", file=sys.stderr)  # fmt: skip
        server = FeedServer(source, base_url(settings.feed_url, settings.feed_address))
        rendered = await server.atom(community)
    finally:
        await source.close()
    sys.stdout.write(rendered.body.decode("utf-8") + "\n")
    return 0
