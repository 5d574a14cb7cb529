"""The bot: where storage, use cases, cogs, buttons, the queue cards and the delivery worker meet.

`setup_hook` is the composition root: the only place (with `__main__`) that knows about `storage`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

import discord
from discord.ext import commands

import storage
from verification import usecases
from verification.community import Community
from verification.errors import RuleViolation
from verification.model import Moderator
from verification.ports import UnitOfWork
from verification.usecases import Outcome

from .acting import Acting
from .buttons import CardButton
from .cards import CardPublisher
from .clock import Clock, SystemClock
from .communities import CommunityCache
from .delivery import DeliveryWorker
from .i18n import t
from .pacing import Pacer
from .relay import RelayBook
from .render.safe import user_text
from .settings import Settings
from .translator import CatalogTranslator

log = logging.getLogger(__name__)
COGS = ("bot.cogs.reporting", "bot.cogs.subscriptions", "bot.cogs.moderation", "bot.cogs.admin", "bot.cogs.privacy")


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs tests, the demo and benchmarks turn; production uses the defaults."""

    card_interval: float = 3.0  # at most one edit per queue card this often
    pace: float = 47.0  # our own requests per second, evenly spaced (Discord's global limit is 50)
    concurrency: int = 16  # deliveries in flight at once
    retry_base: float = 2.0  # seconds; a failed delivery waits retry_base ** attempts, with jitter
    nonce_memory: float = 120.0  # how long Discord is trusted to de-duplicate a repeated nonce
    maintenance_every: float = 60.0  # seconds between expiry runs
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
        self._tasks: list[asyncio.Task[None]] = []
        self.synced = asyncio.Event()  # set once commands are registered in every guild at start
        self.rate_limits = RateLimitCounter()
        logging.getLogger("discord.http").addHandler(self.rate_limits)

    # --- wiring ---------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        self.tree.error(self._on_tree_error)
        for cog in COGS:
            await self.load_extension(cog)
        if self.tuning.commands_only:
            return  # `veraz sync` must not touch a database a running bot owns
        self._database = await storage.open_database(self.settings.data_dir)
        self.uow: UnitOfWork = self._database.unit_of_work()
        self.pseudonym = storage.Pseudonymizer.from_data_dir(self.settings.data_dir)
        self.communities = CommunityCache(self.uow)
        self.relay = RelayBook()
        self.pacer = Pacer(self.tuning.pace)
        self.cards = CardPublisher(self, interval=self.tuning.card_interval)
        self.delivery = DeliveryWorker(
            self,
            storage.SqliteDeliveryQueue(self._database),
            self.pacer,
            concurrency=self.tuning.concurrency,
            retry_base=self.tuning.retry_base,
            nonce_memory=timedelta(seconds=self.tuning.nonce_memory),
        )
        self.add_dynamic_items(CardButton)
        self.delivery.start()
        self._tasks.append(asyncio.create_task(self._maintain(), name="veraz-maintenance"))

    async def on_ready(self) -> None:
        log.info("connected", extra={"guilds": len(self.guilds)})
        if self.tuning.sync_commands and self.settings.commands == "guild":
            for guild in self.guilds:
                await self.sync_guild(guild)
        self.synced.set()

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
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._database is not None:
            await self.cards.settle()
            await self.cards.close()
            await self.delivery.close()
        await super().close()
        logging.getLogger("discord.http").removeHandler(self.rate_limits)
        if self._database is not None:
            await self._database.close()
            self._database = None

    # --- what handlers share --------------------------------------------------------------------

    def moderator(self, user: discord.abc.User, community: int) -> Moderator:
        """A moderator as the domain sees them: their id for the record, their reporter pseudonym to
        stop them confirming their own report."""
        return Moderator(str(user.id), self.pseudonym(community, user.id), getattr(user, "display_name", ""))

    async def flush_deleted(self) -> None:
        """After deleting personal data: empty the write-ahead log, so nothing lingers there."""
        if self._database is not None:
            await self._database.checkpoint()

    async def post_to_queue(self, community: Community, number: int, text: str) -> None:
        """A note for moderators, as a reply to the incident's card (or on its own if there is none)."""
        if community.queue_channel is None:
            return
        view = await usecases.incident_view(self.uow, community.id, number)
        channel = self.get_partial_messageable(community.queue_channel)
        reference = None
        if view.card_message is not None:
            reference = discord.MessageReference(
                message_id=view.card_message, channel_id=community.queue_channel, fail_if_not_exists=False
            )
        quiet = discord.AllowedMentions.none()
        if reference is None:
            await channel.send(text, allowed_mentions=quiet, suppress_embeds=True)
        else:
            await channel.send(text, reference=reference, allowed_mentions=quiet, suppress_embeds=True)

    async def ask_reporters(self, act: Acting, community: Community, number: int, question: str) -> None:
        """DM the question to the incident's reporters still reachable; tell the moderator how many."""
        await usecases.incident(self.uow, community.id, number)  # refuses an unknown incident
        now = self.clock.now()
        reached = 0
        reporters = self.relay.reporters(community.id, number, now)
        for ordinal, link in sorted(reporters.items()):
            text = t(link.language, "relay.question", number=number, question=user_text(question, 500),
                     hours=community.relay_hours)  # fmt: skip
            try:
                channel_id = await self.delivery.open_dm_channel_for(link.user_id)
                await self.pacer.slot()
                await self.get_partial_messageable(channel_id).send(
                    text, allowed_mentions=discord.AllowedMentions.none()
                )
            except discord.HTTPException:
                continue
            self.relay.asked(community.id, number, ordinal, link, now)
            reached += 1
        if not reached:
            await act.reply(t(act.lang, "relay.none", number=number, hours=community.relay_hours))
            return
        await act.reply(t(act.lang, "relay.sent", count=reached, number=number))
        note = t(community.language, "relay.asked", moderator=f"<@{act.interaction.user.id}>",
                 question=user_text(question, 500), count=reached)  # fmt: skip
        await self.post_to_queue(community, number, note)

    def changed(self, community: int, outcome: Outcome) -> None:
        """After a use case changed an incident: refresh its card, and deliver what it now owes."""
        self.cards.refresh(community, outcome.number)
        if outcome.deliveries:
            self.delivery.wake()

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        """Failures discord.py catches before our handler runs (a check, a bad option): a polite reply."""
        async with Acting(self, interaction, defer=False):
            original = getattr(error, "original", error)
            if isinstance(original, RuleViolation):
                raise original
            if isinstance(error, discord.app_commands.NoPrivateMessage):
                raise RuleViolation("guild_only")
            raise RuntimeError(f"app command error: {error!r}") from error

    async def _maintain(self) -> None:
        """Expire stale incidents every minute; purge reporters' data as retention says, daily."""
        last_purge = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.tuning.maintenance_every)
            try:
                for guild in self.guilds:
                    if await self.communities.get(guild.id) is None:
                        continue
                    for number in await usecases.expire_stale(self.uow, self.clock.now(), guild.id):
                        self.cards.refresh(guild.id, number)
                if self._database is not None:
                    await storage.release_forgotten(self._database, self.clock.now())
                if loop.time() - last_purge >= self.tuning.purge_every and self._database is not None:
                    result = await storage.purge(self._database, self.clock.now())
                    last_purge = loop.time()
                    log.info("retention purge", extra={"reports": result.reports})
            except Exception:  # maintenance must keep running; the next round tries again
                log.exception("maintenance round failed")
