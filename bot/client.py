"""The bot: where storage, use cases, cogs, buttons, the queue cards and the delivery worker meet.

`setup_hook` is the composition root: it builds one `Services` and gives it to every cog. It is the
only place (with `__main__` and the demo) that imports `storage`.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import discord
from discord.ext import commands

import storage
from bot import lifecycle
from bot.core import metrics
from bot.core.acting import Acting
from bot.core.area_roles import RoleKeeper
from bot.core.card_button import CardActions
from bot.core.clock import Clock, SystemClock
from bot.core.communities import CommunityCache
from bot.core.discord_health import DiscordHealth
from bot.core.effects import ShowEffects
from bot.core.feature import Host
from bot.core.fencing import Fence, Refusals, gate_events, http_gate
from bot.core.outgoing import Outgoing
from bot.core.pacing import Pacer
from bot.core.relay_book import RelayBook
from bot.core.services import Hooks, Services
from bot.core.settings import Settings
from bot.core.translator import CatalogTranslator
from bot.features import admin, moderation, photos, privacy, queue, relay, reporting, subscriptions, verifiers
from bot.features.delivery.worker import DeliveryWorker
from bot.features.escalation.paging import page_on_call
from bot.features.queue.after_restore import mark_orphans
from bot.features.queue.publisher import CardPublisher
from bot.feed.links import base_url
from bot.heartbeat import Heartbeat
from verification import usecases
from verification.effects import Effects
from verification.errors import RuleViolation

log = logging.getLogger(__name__)
# Each registers its commands, views and card actions (`setup`); none imports another.
FEATURES = (reporting, subscriptions, moderation, relay, verifiers, admin, privacy, queue, photos)


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs tests, the demo and benchmarks turn; production uses the defaults."""

    card_interval: float = 3.0  # at most one edit per queue card this often
    pace: float = 47.0  # our own requests per second, evenly spaced (Discord's global limit is 50)
    concurrency: int = 16  # deliveries in flight at once
    retry_base: float = 2.0  # seconds; a failed delivery waits retry_base ** attempts, with jitter
    nonce_memory: float = 120.0  # how long Discord is trusted to de-duplicate a repeated nonce
    probe_cap: float = 1.0  # seconds between two probes while Discord is down, at most (then jitter)
    maintenance_every: float = 60.0  # seconds between expiry runs
    heartbeat_every: float = storage.heartbeat.EVERY.total_seconds()
    purge_every: float = 24 * 3600.0
    sync_commands: bool = True
    commands_only: bool = False  # `veraz sync`: the command tree, no database, no worker


class RateLimitCounter(logging.Handler):
    """Counts the 429s discord.py waited out (it handles them itself, and says so in its log)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "rate limited" in str(record.msg):
            self.count += 1
            metrics.RATE_LIMITED.inc()


class VerazBot(commands.Bot):
    services: Services  # built in setup_hook

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        tuning: Tuning | None = None,
        fence: Fence | None = None,
        process: str | None = None,
    ) -> None:
        tuning = tuning or Tuning()
        self.discord_health = DiscordHealth(probe_cap=tuning.probe_cap)  # every REST request's outcome (trace)
        self.refusals = Refusals()  # what the fence kept from Discord, once leadership was lost
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles: the bot checks the moderator role itself
        intents.dm_messages = True  # reporters answering a moderator's question (issue 7's relay)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.5,
            max_messages=None,
            http_trace=self.discord_health.trace(),
        )
        self.settings = settings
        self.fence = fence  # the leader's epoch, on PostgreSQL with standbys (bot.standby)
        if fence is not None:
            # Its session is made at login, with one trace: the fence's gate, and the health's outcomes.
            self.http.http_trace = self.discord_health.watch(http_gate(fence, self.refusals))
            gate_events(self._connection.parsers, fence, self.refusals)
        self.process = process  # this process's name in veraz_processes, given to its connections
        self.clock: Clock = clock or SystemClock()
        self.tuning = tuning
        self._database: storage.AnyDatabase | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._redraw_all = False
        self._heartbeat: Heartbeat | None = None
        self.synced = asyncio.Event()  # set once commands are registered in every guild at start
        self.rate_limits = RateLimitCounter()
        self.card_actions = CardActions()  # filled by the features' setup
        logging.getLogger("discord.http").addHandler(self.rate_limits)

    @property
    def database(self) -> storage.AnyDatabase:
        """The database this bot opened in `setup_hook` (for its maintenance and for tests)."""
        if self._database is None:
            raise RuntimeError("the database is not open")
        return self._database

    # --- wiring ---------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        self.tree.error(self._on_tree_error)
        data_dir = self.settings.data_dir
        if self.tuning.commands_only:
            # `veraz sync` only needs the command tree, but cogs are built with their services; they
            # get a scratch database, since the real one may belong to a running bot.
            self._scratch = tempfile.TemporaryDirectory(prefix="veraz-sync-")
            data_dir = Path(self._scratch.name)
        url = None if self.tuning.commands_only else self.settings.database_url
        self._database = await storage.open_database(data_dir, url=url, process=self.process)
        if not self.tuning.commands_only:
            lifecycle.started(data_dir, self._database.schema)
        await storage.take_note(self._database, data_dir)
        self.services = self._services(self._database, data_dir, await storage.restored_horizon(self._database))
        host = Host(self, self.services, self.card_actions)
        for feature in FEATURES:
            await feature.setup(host)
        if self.tuning.commands_only:
            return
        self._redraw_all = await self._after_restore(self._database)  # before anything new is posted
        self.services.delivery.start()
        self._tasks.append(asyncio.create_task(self._maintain(), name="veraz-maintenance"))
        database = self._database
        if isinstance(database, storage.Database):  # PostgreSQL keeps its processes' roles (leadership)
            self._heartbeat = Heartbeat(self, lambda at, up: storage.heartbeat.beat(database, at, connected=up),
                                        self.tuning.heartbeat_every)  # fmt: skip
            self._tasks.append(asyncio.create_task(self._heartbeat.run(), name="veraz-heartbeat"))

    async def _after_restore(self, database: storage.AnyDatabase) -> bool:
        """Mark the cards a restore from backup orphaned (issue 26); whether one happened."""
        since = await storage.sweep_due(database)
        if since is None:
            return False
        if (await mark_orphans(self.services, since)).complete:
            await storage.sweep_done(database, since)
        return True

    def _services(self, database: storage.AnyDatabase, data_dir: Path, restored: datetime | None) -> Services:
        self.show_effects = ShowEffects(self.get_guild)
        uow = database.unit_of_work(self.show_effects)
        communities = CommunityCache(uow)
        outgoing = Outgoing(self, Pacer(self.tuning.pace), self.discord_health)
        cards = CardPublisher(self, uow, communities, self.clock, outgoing, interval=self.tuning.card_interval)
        delivery = DeliveryWorker(
            metrics.CountingQueue(storage.delivery_queue(database, fence=self.fence.epoch if self.fence else None)),
            outgoing,
            communities,
            self.clock,
            concurrency=self.tuning.concurrency,
            retry_base=self.tuning.retry_base,
            nonce_memory=timedelta(seconds=self.tuning.nonce_memory),
            guilds=self.get_guild,
        )
        hooks = Hooks()
        self.show_effects.connect(cards, delivery, hooks)
        counter = self.rate_limits
        return Services(
            storage=uow,
            clock=self.clock,
            communities=communities,
            pseudonyms=storage.Pseudonymizer.from_data_dir(data_dir),
            relay=RelayBook(),
            cards=cards,
            delivery=delivery,
            outgoing=outgoing,
            checkpoint=database.checkpoint,
            rate_limited=lambda: counter.count,
            roles=RoleKeeper(outgoing, self.clock, uow),
            feed_url=base_url(self.settings.feed_url, self.settings.feed_address)
            if self.settings.feed_address
            else None,
            restored_horizon=restored,
            hooks=hooks,
        )

    async def on_ready(self) -> None:
        log.info("connected", extra={"guilds": len(self.guilds)})
        if self.tuning.sync_commands and self.settings.commands == "guild":
            for guild in self.guilds:
                await self.sync_guild(guild)
        self.synced.set()
        redraw_all, self._redraw_all = self._redraw_all, False  # after a restore: the buttons too
        for guild in self.guilds:
            await self.services.cards.redraw(guild.id, all_open=redraw_all)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self.tuning.sync_commands and self.settings.commands == "guild":
            await self.sync_guild(guild)

    async def sync_guild(self, guild: discord.Guild) -> None:
        """Guild commands appear at once (global ones can take an hour): `veraz sync --global` does those."""
        self.tree.copy_global_to(guild=guild)
        try:
            await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            log.warning("could not sync commands", extra={"guild": guild.id, "error": str(exc)})

    async def close(self) -> None:
        """Finish in-flight work, then close the database: SIGTERM and SIGINT both end here."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        services: Services | None = getattr(self, "services", None)
        if services is not None:
            await services.cards.settle()
            await services.cards.close()
            await services.delivery.close()
            database = self._database
            if database is not None and not self.tuning.commands_only:

                async def mark_stopped(at: datetime) -> None:
                    if isinstance(database, storage.Database):  # PostgreSQL keeps its processes' roles
                        await storage.heartbeat.stopped(database, at)

                await lifecycle.stopped(services, mark_stopped)
        await super().close()
        logging.getLogger("discord.http").removeHandler(self.rate_limits)
        if self._database is not None:
            await self._database.close()
            self._database = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        """Failures discord.py catches before our handler runs (a check, a bad option): a polite reply."""
        async with Acting(self.services, interaction, defer=False):
            original = getattr(error, "original", error)
            if isinstance(original, RuleViolation):
                raise original
            if isinstance(error, discord.app_commands.NoPrivateMessage):
                raise RuleViolation("guild_only")
            raise RuntimeError(f"app command error: {error!r}") from error

    async def _maintain(self) -> None:
        """Every minute: expire stale incidents in every community in the database (one whose server the
        bot has left too) and page the on-call moderators about urgent unattended incidents; purge
        reporters' data as retention says, when the last purge recorded in the database (a wall-clock
        time, so restarts never put it off) is a day old."""
        every = timedelta(seconds=self.tuning.purge_every)
        while True:
            await asyncio.sleep(self.tuning.maintenance_every)
            try:
                await usecases.expire_stale_everywhere(self.services.storage, self.clock.now())
                await page_on_call(self.services, {guild.id for guild in self.guilds})
                if self._database is not None:
                    await storage.release_forgotten(self._database, self.clock.now())
                if self._database is not None and await storage.purge_due(self._database, self.clock.now(), every):
                    result = await storage.purge(self._database, self.clock.now())
                    log.info("retention purge", extra={"reports": result.reports})
                    # Cards show the text; the photos' queue posts are to be deleted.
                    self.show_effects(Effects(cards=frozenset(result.incidents), photo_posts=result.photos > 0))
            except Exception:  # maintenance must keep running; the next round tries again
                log.exception("maintenance round failed")


class ShardedVerazBot(VerazBot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot, for when Discord recommends more than one shard
    (GET /gateway/bot): as many gateway sessions as it recommends, all in this one process. Splitting
    shards across processes is out of scope: Discord's 50 requests a second per token is the same
    however many machines send (docs/deploy.md, "Many servers")."""
