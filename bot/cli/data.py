"""The commands that read or tidy the data: `veraz status`, `purge`, `stats`, `export` and `feed`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import storage
from storage.sqlite.feed import SqliteFeedSource
from verification import usecases
from verification.errors import RuleViolation
from verification.model import Language

from ..render.replies import refusal
from ..render.time_to_truth import figures_text
from ..settings import Settings
from .failures import REFUSED


async def status(settings: Settings) -> int:
    database = await storage.open_database(settings.data_dir)
    try:
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


async def purge(settings: Settings) -> int:
    database = await storage.open_database(settings.data_dir)
    try:
        result = await storage.purge(database, datetime.now(UTC))
    finally:
        await database.close()
    print(f"retention applied: {result.reports} report(s) purged in {result.communities} community(ies)")
    return 0


async def stats(settings: Settings, community: int, days: int, lang: Language) -> int:
    database = await storage.open_database(settings.data_dir)
    try:
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
    database = await storage.open_database(settings.data_dir)
    try:
        data: dict[str, Any] = await storage.export_community(database, community, datetime.now(UTC))
    finally:
        await database.close()
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {target}: {len(data['incidents'])} incident(s), {len(data['reports'])} report(s); "
          "no pseudonyms and no subscriber ids are in it")  # fmt: skip
    return 0


async def feed(settings: Settings, community_id: int) -> int:
    from ..feed.links import base_url
    from ..feed.server import FeedServer

    database = await storage.open_database(settings.data_dir)  # creates and migrates it if needed
    await database.close()
    source = await SqliteFeedSource.open(settings.data_dir)
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
