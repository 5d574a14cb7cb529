"""One ALERT fanned out to 5,000 DM subscribers through the emulator, at Discord's 50 requests/second.

The bot runs as its own process (`veraz run`), so its peak memory is its own; the emulator, the
people and this script run here. Then, in the same run, the naive way (`await user.send(...)` per
subscriber with discord.py) on a sample, to compare.

    python -m bench.fanout [--subscribers 5000] [--naive 60]
    python -m bench.fanout --roles [--holders 10000] [--dms 1000] [--leavers 100]
    python -m bench.fanout --two-communities [--subscribers 5000] [--small 5]
    python -m bench.fanout --claims [--queued 100000] [--alerts 50] [--sent 1000000] [--rounds 400]

`--roles` measures area roles (issue 14): role holders in three areas and both languages plus DM
subscribers; from the confirming click, the time until the emulator has recorded every concerned role
holder's ping and the DM fan-out; then a CORRECTION, including DMs to people who left their role after
the ALERT; then the same people in DM-only mode (area roles off: role subscribers fall back to DMs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import discord

import storage
from bench import claims
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import Channel, DiscordEmulator, GuildHandle, Limits, MemberActor, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, MANAGE_ROLES, MENTION_EVERYONE, VIEW_CHANNEL
from discord_emulator.redirect import point_discord_at
from verification import usecases
from verification.community import AreaRole
from verification.model import Language

if TYPE_CHECKING:
    from bench.feed import FeedLoad

ROOT = Path(__file__).resolve().parents[1]
PLACES = "name,area,kind,aliases\nHamline Elementary,Back of the Yards,school,\n"


def sent(data: Path) -> int:
    with sqlite3.connect(data / "veraz.db") as db:
        return int(db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'").fetchone()[0])


async def until_sent(data: Path, count: int) -> None:
    """The bot is another process: its database is polled (nothing here is told when it changes)."""
    while sent(data) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.2)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def veraz_fanout(emu: DiscordEmulator, data: Path, count: int, feed: FeedLoad | None = None) -> float:
    """The ALERT's fan-out, and its CORRECTION; returns the ALERT's deliveries a second. With `feed`, the
    bot also serves the community's public feed (issue 15) and `feed` loads it during the ALERT's fan-out."""
    guild = emu.create_guild("Bench network")
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
    queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    marta, dev = guild.add_member("marta", roles=[mods]), guild.add_member("dev", roles=[mods])
    reporter = guild.add_member("reporter")
    members = [guild.add_member(f"s{i:05}") for i in range(count)]
    database = await storage.open_database(data)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "UTC", Language.EN))
    await usecases.import_places(uow, guild.id, PLACES)
    dms = storage.SqliteDeliveryQueue(database)
    for member in members:  # as after each one's /subscribe, which opens their DM channel
        await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
        await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    if feed is not None:
        community = await usecases.set_feed(uow, guild.id, on=True)
        feed.slug = community.feed_slug or ""
    await database.close()

    env = bot_env(emu, data)
    if feed is not None:
        env |= feed.env()
    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env)
    try:
        await emu.wait_until_connected(timeout=60)
        await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=60, what="commands")
        await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
        await marta.slash("incident confirm", id=1)
        limited_before = emu.rate_limited_count
        clicked = time.time()
        if feed is not None:
            await feed.start()
        await dev.slash("incident confirm", id=1)
        await until_sent(data, count + 1)
        if feed is not None:
            await feed.stop()
        corrected = time.time()
        await dev.slash("incident misidentified", id=1, correction="U.S. Secret Service agents, not ICE")
        await until_sent(data, 2 * (count + 1))
        peak = peak_rss_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    if os.environ.get("VERAZ_BENCH_ROUTES"):
        from collections import Counter

        window = [r for r in emu.requests if clicked - 1 <= r.time]
        print(Counter((r.method, r.route, r.status) for r in window).most_common(12))

    def created(ref: str) -> list[float]:
        return sorted(m.history[0].at.timestamp() for member in members for m in member.dms if ref in m.content)

    times, fixes = created("ref 1.1."), created("ref 1.2.")
    first, last = times[0], times[-1]
    print(f"Veraz: {count:,} DMs (+1 channel post) in {last - first:.1f} s from the first to the last: "
          f"{count / (last - first):.1f} deliveries/s (target >= 45); 429s received: "
          f"{emu.rate_limited_count - limited_before} (target 0); confirming click to first delivery: "
          f"{first - clicked:.2f} s (target < 1); bot peak memory (VmHWM) {peak:.0f} MB")  # fmt: skip
    print(f"Veraz CORRECTION to the same {len(fixes):,} people: first {fixes[0] - corrected:.2f} s after the "
          f"moderator's command (target < 2); the last had it {fixes[-1] - corrected:.1f} s after it, "
          f"{(fixes[-1] - corrected) / (last - clicked):.2f}x the ALERT's fan-out time (target <= 1.1)")  # fmt: skip
    return count / (last - first)


async def naive_fanout(emu: DiscordEmulator, sample: int) -> None:
    """What a bot without Veraz's outbox does: look each subscriber up, `await user.send(...)`, in turn."""
    guild = emu.create_guild("Naive network")
    emu.add_bot_to_guild(guild)
    members = [guild.add_member(f"n{i:05}") for i in range(sample)]
    client = discord.Client(intents=discord.Intents.none())
    await client.login(emu.token)
    limited_before = emu.rate_limited_count
    started = time.time()
    first = None
    for member in members:
        user = await client.fetch_user(member.id)
        await user.send("🚨 ALERT · #1 · Hamline Elementary")
        first = first or time.time()
    elapsed = time.time() - started
    await client.close()
    print(f"naive discord.py loop (`await user.send(...)` per subscriber), on a sample of {sample}: "
          f"{sample / elapsed:.1f} deliveries/s; 429s received: {emu.rate_limited_count - limited_before}; "
          f"start to first delivery {first - started if first else float('nan'):.2f} s; "
          f"at that rate 5,000 subscribers would take {5000 / (sample / elapsed) / 60:.0f} min")  # fmt: skip


ROLE_PLACES = (
    "name,area,kind,aliases\nHamline Elementary,Back of the Yards,school,\n"
    "Whittier Elementary,Pilsen,school,\nLittle Village Library,Little Village,other,\n"
)
ROLE_AREAS = ("Back of the Yards", "Pilsen", "Little Village")


def bot_env(emu: DiscordEmulator, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    return env | {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data),
                  "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url,
                  "VERAZ_LOG_LEVEL": "WARNING"}  # fmt: skip


async def roles_fanout(
    emu: DiscordEmulator, data: Path, holders: int, dms: int, leavers: int, *, roles_on: bool
) -> None:
    """One network; with `roles_on` false the same people are served in DM-only mode (role subscribers
    fall back to DMs), for comparison."""
    label = "area roles" if roles_on else "DM-only"
    guild = emu.create_guild(f"Bench network ({label})")
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS | MANAGE_ROLES | MENTION_EVERYONE)
    queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    marta, dev = guild.add_member("marta", roles=[mods]), guild.add_member("dev", roles=[mods])
    reporter = guild.add_member("reporter")
    database = await storage.open_database(data)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "UTC", Language.EN))
    await usecases.import_places(uow, guild.id, ROLE_PLACES)
    await usecases.set_area_roles(uow, guild.id, on=True)  # to record the role subscriptions; maybe off below
    roles = {}
    bot_role = guild.role("Veraz")
    for area in ROLE_AREAS:
        for language in Language:
            suffix = "" if language is Language.EN else f" ({language.value})"
            role = guild.create_role(f"Veraz · {area}{suffix}")
            role.position, bot_role.position = bot_role.position, role.position  # below the bot, as Veraz makes them
            roles[(area, language)] = role
            await usecases.remember_area_role(uow, guild.id, AreaRole(area, language, role.id), clock_now())
    people = []
    for i in range(holders):  # as after each one's /subscribe via:role
        area, language = ROLE_AREAS[i % 3], list(Language)[(i // 3) % 2]
        role = roles[(area, language)]
        member = guild.add_member(f"r{i:05}", roles=[role], locale="es-419" if language is Language.ES else "en-US")
        await usecases.subscribe_by_role(uow, guild.id, member.id, AreaRole(area, language, role.id), clock_now())
        people.append((member, area, language))
    queue_db = storage.SqliteDeliveryQueue(database)
    for member, _, _ in people:  # /subscribe opens (and keeps) the DM channel, by role or by DM
        await queue_db.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    dm_people = [guild.add_member(f"d{i:05}") for i in range(dms)]
    for member in dm_people:
        await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
        await queue_db.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    if not roles_on:
        await usecases.set_area_roles(uow, guild.id, on=False)
    await database.close()
    concerned = [(m, lang) for m, area, lang in people if area == ROLE_AREAS[0]]

    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=bot_env(emu, data))
    try:
        await emu.wait_until_connected(timeout=60)
        await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=60, what="commands")
        await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
        await marta.slash("incident confirm", id=1)
        limited_before = emu.rate_limited_count
        clicked = time.time()
        await dev.slash("incident confirm", id=1)
        alert_rows = (2 + dms) if roles_on else (dms + len(concerned))
        await until_sent(data, alert_rows)
        alert_done = time.time()
        limited_alert = emu.rate_limited_count - limited_before
        left = [m for m, _ in concerned[:leavers]]
        for member in left:  # they leave the role after the ALERT, by /unsubscribe
            await member.slash("unsubscribe", area=ROLE_AREAS[0])
        limited_before = emu.rate_limited_count
        corrected = time.time()
        await dev.slash("incident misidentified", id=1, correction="U.S. Secret Service agents, not ICE")
        fix_rows = (2 + dms + len(left)) if roles_on else (dms + len(concerned))
        await until_sent(data, alert_rows + fix_rows)
        limited_fix = emu.rate_limited_count - limited_before
        peak = peak_rss_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()

    def dm_times(members: list, ref: str) -> list[float]:
        return sorted(m.history[0].at.timestamp() for member in members for m in member.dms if ref in m.content)

    def ping_done(ref: str, start: float) -> tuple[int, float]:
        """Holders pinged by the posts carrying `ref`, and when the last ping was recorded (an ALERT post
        marked amended has lost its ref, so its first version is read)."""
        ids = {m.id for m in alerts.messages if ref in m.history[0].content}
        found = [p for p in emu.pings if p.message_id in ids]
        reached = set().union(*(p.reached for p in found)) if found else set()
        last = max((p.at.timestamp() for p in found), default=float("nan"))
        return len(reached), last - start

    print(f"--- {label}: {holders:,} role holders in 3 areas x 2 languages ({len(concerned):,} hold a role of the "
          f"incident's area), {dms:,} DM subscribers; bot peak memory {peak:.0f} MB")  # fmt: skip
    if roles_on:
        reached, after = ping_done("ref 1.1.", clicked)
        print(f"ALERT: {reached:,} of {len(concerned):,} concerned role holders pinged; every ping recorded "
              f"{after:.2f} s after the confirming click (target <= 2 s); posts: "
              f"{sum('ref 1.1.' in m.history[0].content for m in alerts.messages)}")  # fmt: skip
    times = dm_times(dm_people + [m for m, _ in concerned], "ref 1.1.")
    span = times[-1] - times[0]
    print(f"ALERT DMs: {len(times):,} in {span:.1f} s, {len(times) / max(span, 1e-9):.1f}/s (target >= 45); last "
          f"{times[-1] - clicked:.1f} s after the click; 429s: {limited_alert} (target 0); all settled "
          f"{alert_done - clicked:.1f} s after the click")  # fmt: skip
    if roles_on:
        reached, after = ping_done("ref 1.2.", corrected)
        print(f"CORRECTION: {reached:,} current role holders pinged by the replies, every ping recorded "
              f"{after:.2f} s after the moderator's command")  # fmt: skip
        leaver_times = dm_times(left, "ref 1.2.")
        print(f"CORRECTION DMs to the {len(left)} who left their role after the ALERT: {len(leaver_times)} "
              f"received, the last {leaver_times[-1] - corrected if leaver_times else float('nan'):.1f} s after "
              f"the command")  # fmt: skip
    fixes = dm_times(dm_people + [m for m, _ in concerned], "ref 1.2.")
    span = fixes[-1] - fixes[0]
    print(f"CORRECTION DMs: {len(fixes):,} in {span:.1f} s, {len(fixes) / max(span, 1e-9):.1f}/s; last "
          f"{fixes[-1] - corrected:.1f} s after the command; 429s: {limited_fix} (target 0)")  # fmt: skip


@dataclass
class Network:
    guild: GuildHandle
    alerts: Channel
    moderator: MemberActor
    reporter: MemberActor
    members: list[MemberActor]


async def network(emu: DiscordEmulator, database: storage.Database, name: str, subscribers: int) -> Network:
    """A server set up as an admin would, with `subscribers` DM subscribers (their DM channels opened)."""
    dms = storage.SqliteDeliveryQueue(database)
    guild = emu.create_guild(name)
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
    queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    mod, reporter = guild.add_member(f"{name}-mod", roles=[mods]), guild.add_member(f"{name}-reporter")
    members = [guild.add_member(f"{name}-s{i:05}") for i in range(subscribers)]
    unit = database.unit_of_work()
    await usecases.configure_community(unit, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "UTC", Language.EN))
    await usecases.import_places(unit, guild.id, PLACES)
    for member in members:
        await usecases.subscribe(unit, guild.id, member.id, None, Language.EN)
        await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    return Network(guild, alerts, mod, reporter, members)


async def two_communities(emu: DiscordEmulator, data: Path, big: int, small: int, *, with_small: bool) -> float:
    """A `big`-DM alert in one server; with `with_small`, 2 s after its confirm a `small`-subscriber alert in
    another server. Prints the figures; returns the big fan-out's time (confirm to its last DM)."""
    database = await storage.open_database(data, synchronous="OFF")  # setting up only: the bot reopens it
    a, b = await network(emu, database, "Yards", big), await network(emu, database, "Pilsen", small)
    await database.close()
    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=bot_env(emu, data))
    try:
        await emu.wait_until_connected(timeout=60)
        for n in (a, b):
            await emu.wait_for(lambda g=n.guild: emu.services.commands.listing(g.id), timeout=60, what="commands")
            await n.reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
            await n.moderator.slash("incident statement", id=1, source="CPS", stance="confirms")
        limited_before = emu.rate_limited_count
        a_clicked = time.time()
        await a.moderator.slash("incident confirm", id=1)
        b_clicked = float("nan")
        if with_small:
            await asyncio.sleep(max(0.0, a_clicked + 2 - time.time()))
            b_clicked = time.time()
            await b.moderator.slash("incident confirm", id=1)
        await until_sent(data, big + 1 + ((small + 1) if with_small else 0))
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    limited = emu.rate_limited_count - limited_before

    def times(members: list[MemberActor]) -> list[float]:
        return sorted(m.history[0].at.timestamp() for member in members for m in member.dms if "ref 1.1." in m.content)

    a_times = times(a.members)
    told = a.members + (b.members if with_small else [])
    copies = [sum("ref 1.1." in m.content for m in member.dms) for member in told]
    label = "beside the small alert" if with_small else "alone"
    print(f"{big:,}-DM alert {label}: confirm to last DM {a_times[-1] - a_clicked:.1f} s "
          f"({len(a_times):,} DMs, {len(a_times) / (a_times[-1] - a_times[0]):.1f}/s); 429s: {limited} (target 0); "
          f"copies per subscriber: {min(copies)}..{max(copies)}")  # fmt: skip
    if with_small:
        b_times = times(b.members) + [m.history[0].at.timestamp() for m in b.alerts.messages if "ref 1.1." in
                                      m.history[0].content]  # fmt: skip
        print(f"{small}-subscriber alert in another server, confirmed 2 s after: its last delivery (of "
              f"{len(b_times)}: {small} DMs and the channel post) {max(b_times) - b_clicked:.2f} s after its "
              f"confirm (target <= 2 s)")  # fmt: skip
    return a_times[-1] - a_clicked


def clock_now() -> datetime:
    return datetime.now(UTC)


async def main(args: argparse.Namespace) -> None:
    async with DiscordEmulator("bench-token", limits=Limits()) as emu:
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        try:
            if args.two_communities:
                spans = {}
                for with_small in (False, True):
                    with tempfile.TemporaryDirectory(prefix="veraz-fair-") as tmp:
                        spans[with_small] = await two_communities(emu, Path(tmp) / "data", args.subscribers, args.small,
                                                                  with_small=with_small)  # fmt: skip
                print(f"the big fan-out beside the small alert took {spans[True] / spans[False] - 1:+.1%} longer "
                      f"than alone (target <= +2%)")  # fmt: skip
                return
            if args.roles:
                for roles_on in (True, False) if args.dm_only else (True,):
                    with tempfile.TemporaryDirectory(prefix="veraz-roles-") as tmp:
                        await roles_fanout(emu, Path(tmp) / "data", args.holders, args.dms, args.leavers,
                                           roles_on=roles_on)  # fmt: skip
                return
            with tempfile.TemporaryDirectory(prefix="veraz-fanout-") as tmp:
                await veraz_fanout(emu, Path(tmp) / "data", args.subscribers)
            if args.naive:
                await naive_fanout(emu, args.naive)
        finally:
            undo()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", action="store_true", help="the fair claim's cost (issue 21): bench/claims.py")
    parser.add_argument(
        "--two-communities",
        action="store_true",
        help="issue 21: a --subscribers DM alert, then 2 s later a --small one in another server",
    )
    parser.add_argument("--small", type=int, default=5, help="with --two-communities: the small alert's subscribers")
    claims.add_arguments(parser)
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--naive", type=int, default=60, help="sample size for the naive loop (0: skip it)")
    parser.add_argument("--roles", action="store_true", help="area roles (issue 14) instead of the DM fan-out")
    parser.add_argument("--holders", type=int, default=10_000, help="with --roles: role holders")
    parser.add_argument("--dms", type=int, default=1000, help="with --roles: DM subscribers")
    parser.add_argument("--leavers", type=int, default=100, help="with --roles: holders who leave after the ALERT")
    parser.add_argument("--dm-only", type=int, default=1, help="with --roles: 0 skips the DM-only comparison")
    arguments = parser.parse_args()
    asyncio.run(claims.run(arguments) if arguments.claims else main(arguments))
