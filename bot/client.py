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
from verification import usecases
from verification.errors import RuleViolation

from . import lifecycle
from .acting import Acting
from .after_restore import mark_orphans
from .area_menu import AreaMenu
from .area_roles import RoleKeeper
from .buttons import CardButton, MergeButton
from .card_publisher import CardPublisher
from .clock import Clock, SystemClock
from .cogs.admin import Admin
from .cogs.moderation import Incident
from .cogs.privacy import Privacy
from .cogs.relay import AnswerButton, Relay
from .cogs.reporting import PlaceMenu, Reporting, TimeButton
from .cogs.subscriptions import Subscriptions
from .communities import CommunityCache
from .delivery import DeliveryWorker
from .escalation import page_on_call
from .feed.links import base_url
from .heartbeat import Heartbeat
from .outgoing import Outgoing
from .pacing import Pacer
from .relay import RelayBook
from .services import Services
from .settings import Settings
from .translator import CatalogTranslator
from .verifiers import VisitButton

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs tests, the demo and benchmarks turn; production uses the defaults."""

    card_interval: float = 3.0  # at most one edit per queue card this often
    pace: float = 47.0  # our own requests per second, evenly spaced (Discord's global limit is 50)
    concurrency: int = 16  # deliveries in flight at once
    retry_base: float = 2.0  # seconds; a failed delivery waits retry_base ** attempts, with jitter
    nonce_memory: float = 120.0  # how long Discord is trusted to de-duplicate a repeated nonce
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


class VerazBot(commands.Bot):
    services: Services  # built in setup_hook

    def __init__(self, settings: Settings, *, clock: Clock | None = None, tuning: Tuning | None = None) -> None:
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
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.tuning = tuning or Tuning()
        self._database: storage.Database | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._redraw_all = False
        self._heartbeat: Heartbeat | None = None
        self.synced = asyncio.Event()  # set once commands are registered in every guild at start
        self.rate_limits = RateLimitCounter()
        logging.getLogger("discord.http").addHandler(self.rate_limits)

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
        self._database = await storage.open_database(data_dir)
        if not self.tuning.commands_only:
            lifecycle.started(data_dir, self._database.schema)
        await storage.take_note(self._database, data_dir)
        self.services = self._services(self._database, data_dir, await storage.restored_horizon(self._database))
        for cog in (Reporting, Subscriptions, Incident, Admin, Privacy, Relay):
            await self.add_cog(cog(self.services))
        if self.tuning.commands_only:
            return
        self._redraw_all = await self._after_restore(self._database)  # before anything new is posted
        self.add_dynamic_items(CardButton, MergeButton, AnswerButton, TimeButton, PlaceMenu, AreaMenu, VisitButton)
        self.services.delivery.start()
        self._tasks.append(asyncio.create_task(self._maintain(), name="veraz-maintenance"))
        database = self._database
        self._heartbeat = Heartbeat(self, lambda at, up: storage.heartbeat.beat(database, at, connected=up),
                                    self.tuning.heartbeat_every)  # fmt: skip
        self._tasks.append(asyncio.create_task(self._heartbeat.run(), name="veraz-heartbeat"))

    async def _after_restore(self, database: storage.Database) -> bool:
        """Mark the cards a restore from backup orphaned (issue 26); whether one happened."""
        since = await storage.sweep_due(database)
        if since is None:
            return False
        if (await mark_orphans(self.services, since)).complete:
            await storage.sweep_done(database, since)
        return True

    def _services(self, database: storage.Database, data_dir: Path, restored: datetime | None) -> Services:
        uow = database.unit_of_work()
        communities = CommunityCache(uow)
        outgoing = Outgoing(self, Pacer(self.tuning.pace))
        cards = CardPublisher(self, uow, communities, self.clock, outgoing, interval=self.tuning.card_interval)
        delivery = DeliveryWorker(
            storage.SqliteDeliveryQueue(database),
            outgoing,
            communities,
            self.clock,
            concurrency=self.tuning.concurrency,
            retry_base=self.tuning.retry_base,
            nonce_memory=timedelta(seconds=self.tuning.nonce_memory),
            guilds=self.get_guild,
        )
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
            roles=RoleKeeper(self, outgoing, self.clock, uow),
            feed_url=base_url(self.settings.feed_url, self.settings.feed_address)
            if self.settings.feed_address
            else None,
            restored_horizon=restored,
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
                await lifecycle.stopped(services, lambda at: storage.heartbeat.stopped(database, at))
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
                expired = await usecases.expire_stale_everywhere(self.services.storage, self.clock.now())
                for community, numbers in expired.items():
                    if self.get_guild(community) is not None:
                        for number in numbers:
                            self.services.cards.refresh(community, number)
                await page_on_call(self.services, {guild.id for guild in self.guilds})
                if self._database is not None:
                    await storage.release_forgotten(self._database, self.clock.now())
                if self._database is not None and await storage.purge_due(self._database, self.clock.now(), every):
                    result = await storage.purge(self._database, self.clock.now())
                    log.info("retention purge", extra={"reports": result.reports})
                    for community, number in result.incidents:  # the cards still show the purged text
                        if self.get_guild(community) is not None:
                            self.services.cards.refresh(community, number)
            except Exception:  # maintenance must keep running; the next round tries again
                log.exception("maintenance round failed")
