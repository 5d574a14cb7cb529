"""The delivery worker: takes owed messages from the outbox and delivers each exactly once.

- It sleeps until a use case wakes it (or a retry falls due), then claims small batches, amendments
  first, so a correction overtakes the rest of an alert's fan-out and a retraction can still cancel
  what has not been claimed (a batch holds about one second of sending). Each batch shares the sends
  fairly (`verification.fair_share`): round-robin over the servers with something due, and within a
  server over its alerts, so a small alert never waits behind another's fan-out (docs/delivery.md).
- Every send carries the delivery's own stable nonce with `enforce_nonce`, so a send repeated after a
  crash is de-duplicated by Discord. Discord only remembers nonces for a few minutes: a delivery that
  was in flight longer ago than that is first looked for in the recipient's recent DMs, by the short
  reference every message carries.
- All its requests take a slot from the shared `Pacer`; many are in flight at once (bounded).
- With standbys (PostgreSQL), the queue refuses a process that is no longer the active one (NotLeader):
  the worker stops at the first refusal and says so once; a send the fence refused (LostLeadership)
  never left, so it is simply retried, if this process still may.
- Closed DMs (403, code 50007) are tried a bounded number of times, then the subscriber is marked
  unreachable and costs no more requests; a deleted alerts channel is reported to the moderators'
  queue; transient errors are retried with exponential backoff and jitter, never forever.
- When Discord stops answering (a 5xx, or no answer), the worker stops sending: what its batch had not
  tried yet goes back to the queue untried, and it asks Discord with one cheap probe, backing off to
  about one a second, until any request gets an answer. Then every delivery that waited on the outage
  is due at once and the fan-out goes on at full pace (bot/core/discord_health.py; docs/delivery.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, timedelta

import aiohttp
import discord

from bot.core.alert_text import carries, reference, render_alert
from bot.core.clock import Clock
from bot.core.communities import CommunityCache
from bot.core.discord_health import fail_fast
from bot.core.fanout_log import FanOutLog
from bot.core.fencing import LostLeadership
from bot.core.i18n import t, tn
from bot.core.outgoing import Outgoing
from bot.core.services import DeliveryStats
from verification.alerts import AlertMessage
from verification.community import Community, RecipientKind
from verification.deliveries import NOT_TRIED, OUTAGE
from verification.ports import ClaimedDelivery, DeliveryQueue, NotLeader

log = logging.getLogger(__name__)
DISCORD_NONCE_MEMORY = timedelta(minutes=2)  # Discord keeps nonces "a few minutes"; stay well inside
ERROR_PAUSE = 5.0  # seconds after a failed round
STUCK_AFTER = timedelta(minutes=10)  # a 'sending' row older than this was lost (its retry failed too)
STUCK_SWEEP_EVERY = 60.0  # seconds
DM_CLOSED_TRIES = 3
MAX_ATTEMPTS = 6
# A send that met only Discord's own failures (5xx, no answer) while probes got answers (the send endpoint
# down, the rest up) keeps trying this long from its first claim, past MAX_ATTEMPTS: each attempt is one
# request since the worker's sends fail fast, where discord.py's five tries used to take 25 s of it.
OUTAGE_PATIENCE = timedelta(minutes=5)
CANNOT_DM = 50007
UNKNOWN_CHANNEL = 10003
NO_ACCESS = {50001, 50013}
REPLY_REFUSED = {160002, 50035}  # a reply needs Read Message History; an unknown reference is invalid form
IN_CHANNEL = (RecipientKind.CHANNEL, RecipientKind.ROLE_POST)


class _NoAlertsChannel(Exception):
    """A role post is owed but the community has no alerts channel any more."""


class DeliveryWorker:
    def __init__(
        self,
        queue: DeliveryQueue,
        outgoing: Outgoing,
        communities: CommunityCache,
        clock: Clock,
        *,
        concurrency: int = 16,
        batch: int | None = None,
        retry_base: float = 2.0,
        nonce_memory: timedelta = DISCORD_NONCE_MEMORY,
        guilds: Callable[[int], discord.Guild | None] | None = None,
    ) -> None:
        self.queue = queue
        self.outgoing = outgoing
        self.communities = communities
        self.clock = clock
        self.concurrency = concurrency
        self.batch = batch or max(concurrency, int(outgoing.pacer.rate))  # about one second of sending
        self.stats = DeliveryStats()  # the whole bot
        self._by_community: dict[int, DeliveryStats] = {}
        self.retry_base = retry_base
        self.nonce_memory = nonce_memory
        self._guilds = guilds  # the gateway's cache: whether a role post could ping anyone
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._fanout = FanOutLog()

    def stats_for(self, community: int) -> DeliveryStats:
        """One server's figures: its moderators never see another server's activity."""
        return self._by_community.get(community, DeliveryStats())

    def _count(self, d: ClaimedDelivery, figure: str, *, in_doubt: bool = False) -> None:
        for stats in (self.stats, self._by_community.setdefault(d.community, DeliveryStats())):
            setattr(stats, figure, getattr(stats, figure) + 1)
        outcome = {"deduplicated": "sent", "retried": "in_doubt" if in_doubt else "retrying"}.get(figure, figure)
        self._fanout.settled(d, outcome)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="veraz-delivery")

    def wake(self) -> None:
        self._wake.set()

    async def idle(self) -> None:
        """Wait until nothing is due (tests and the demo use it to know all was delivered)."""
        self._idle.clear()
        self.wake()
        await self._idle.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        recovered = False
        last_sweep = time.monotonic()
        while True:
            try:
                if not recovered:
                    count = await self.queue.recover(self.clock.now())
                    recovered = True
                    if count:
                        log.info("resuming deliveries left in flight", extra={"count": count})
                if time.monotonic() - last_sweep > STUCK_SWEEP_EVERY:
                    now = self.clock.now()
                    await self.queue.recover(now, claimed_before=now - STUCK_AFTER)
                    last_sweep = time.monotonic()
                await self._round()
            except NotLeader as exc:  # another process leads now: nothing here may claim or settle
                log.warning("delivery stopped: this process is no longer the active one", extra={"why": str(exc)})
                return
            except Exception:  # a database hiccup (a long backup holding the lock...) must not stop deliveries
                log.exception("delivery round failed; trying again shortly")
                await asyncio.sleep(ERROR_PAUSE)

    async def _round(self) -> None:
        """Claim and send one batch, or sleep until woken or until the next retry falls due."""
        self._wake.clear()
        if self.outgoing.health.failing and await self.queue.next_due() is not None:
            await self._wait_for_discord()
        batch = await self.queue.claim(self.clock.now(), self.batch)
        if batch:
            semaphore = asyncio.Semaphore(self.concurrency)
            await asyncio.gather(*(self._guarded(semaphore, d) for d in batch))
            return
        self._fanout.flush()
        self._idle.set()
        due = await self.queue.next_due()
        timeout = None if due is None else max(0.05, (due - self.clock.now()).total_seconds())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _wait_for_discord(self) -> None:
        """Discord's last word was a failure: ask it, sending nothing else, until a request gets an answer.
        The first probe goes at once (one request's 5xx is not an outage); then they back off, with
        jitter, to about one a second, and any other request's answer (a moderator's command) ends the
        wait too. If Discord was down, everything that waited on the outage is due now."""
        health = self.outgoing.health
        probes = 0
        down = False
        while health.failing:
            if probes and await health.wait_answered(health.probe_delay(probes)):
                break
            probes += 1
            try:
                with fail_fast():
                    await self.outgoing.probe()
            except LostLeadership:
                return  # not the active process: the queue's next step says so (NotLeader) and stops the worker
            except discord.HTTPException as exc:
                if exc.status < 500:
                    break  # an answer all the same (the trace has said so)
            except (aiohttp.ClientError, TimeoutError):
                pass  # no answer (the trace has counted it)
            if health.failing:
                health.confirm_down()
                down = True
        if down:
            resumed = await self.queue.resume_after_outage(self.clock.now())
            if resumed:
                log.info("Discord answers again: deliveries that waited on it are due", extra={"count": resumed})

    async def _guarded(self, semaphore: asyncio.Semaphore, delivery: ClaimedDelivery) -> None:
        async with semaphore:
            self._fanout.claimed(delivery)
            if self.outgoing.health.failing:
                # Discord stopped answering after this batch was claimed: the rest wait for it, untried.
                await self.queue.postpone(delivery.id, NOT_TRIED, self.clock.now())
                return
            try:
                await self._deliver(delivery)
            except NotLeader:
                raise  # stops the worker (_run), once, whatever else the batch was doing
            except Exception as exc:  # one recipient's problem never stops the others
                log.exception("delivery crashed", extra={"delivery": delivery.id})
                try:
                    await self._retry(delivery, f"internal: {type(exc).__name__}", in_doubt=True)
                except NotLeader:
                    raise
                except Exception:  # the row stays 'sending'; recovery after a restart picks it up
                    log.exception("could not reschedule a delivery", extra={"delivery": delivery.id})

    def _text(self, d: ClaimedDelivery, community: Community | None) -> str:
        zone = community.zone if community is not None else UTC
        direct = d.recipient.kind is RecipientKind.DM
        text = render_alert(d.message, d.recipient.language, zone, community=d.community, direct=direct)
        if d.recipient.kind is RecipientKind.ROLE_POST:
            # The mentions come from stored role ids only, never from text anyone typed.
            return " ".join(f"<@&{role}>" for role in d.recipient.roles) + "\n" + text
        return text

    async def _channel_of(self, d: ClaimedDelivery, community: Community | None) -> int:
        match d.recipient.kind:
            case RecipientKind.DM:
                return await self._dm_channel(d)
            case RecipientKind.ROLE_POST:
                # Role posts go to the alerts channel of today (a moved channel takes its roles along).
                if community is None or community.alerts_channel is None:
                    raise _NoAlertsChannel
                return community.alerts_channel
            case _:
                return d.recipient.address

    async def _deliver(self, d: ClaimedDelivery) -> None:
        community = await self.communities.get(d.community)
        direct = d.recipient.kind is RecipientKind.DM
        text = self._text(d, community)
        try:
            try:
                channel_id = await self._channel_of(d, community)
            except _NoAlertsChannel:
                await self.queue.failed(d.id, "alerts_channel_unusable", self.clock.now())
                self._count(d, "failed")
                return
            if (
                d.recipient.kind is RecipientKind.ROLE_POST
                and d.in_doubt_since is None
                and self._cannot_ping(d, channel_id)
            ):
                await self._dms_instead(d, community, channel_id)
                return
            if d.in_doubt_since is not None and self.clock.now() - d.in_doubt_since >= self.nonce_memory:
                try:
                    found = await self._already_sent(channel_id, d)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    await self._check_later(d, f"{OUTAGE}network: {type(exc).__name__}")
                    return
                except discord.HTTPException as exc:
                    if exc.status < 500 and exc.status != 429:
                        raise  # no access to the channel: handled below, like a failed send
                    await self._check_later(d, f"{OUTAGE}http {exc.status}" if exc.status >= 500 else "http 429")
                    return
                if found is not None:
                    self._count(d, "deduplicated")
                    await self.queue.sent(d.id, channel_id, found, self.clock.now())
                    return
            message_id = await self._send(channel_id, text, d)
        except discord.HTTPException as exc:
            await self._failed_send(d, exc, community)
            return
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._retry(d, f"{OUTAGE}network: {type(exc).__name__}", in_doubt=True)
            return
        except LostLeadership:
            # Refused before a byte was written: not in doubt. A process that lost leadership gets
            # NotLeader here from the database, which stops the worker.
            await self._retry(d, "leadership not confirmed")
            return
        await self.queue.sent(d.id, channel_id, message_id, self.clock.now())
        self._count(d, "sent")
        if not direct and d.amends is not None and d.amended_alert is not None:
            await self._mark_amended(d, d.amended_alert, community)

    def _cannot_ping(self, d: ClaimedDelivery, channel_id: int) -> bool:
        """A role of the post is gone, or Veraz may not mention roles in the alerts channel (Mention
        Everyone taken away after area roles were turned on): the post would notify nobody."""
        guild = self._guilds(d.community) if self._guilds is not None else None
        if guild is None:
            return False  # not in the cache yet: the post goes, as it would have before the check
        if any(guild.get_role(role) is None for role in d.recipient.roles):
            return True
        channel = guild.get_channel(channel_id)
        if guild.me is None or not isinstance(channel, discord.abc.GuildChannel):
            return False  # a missing channel is the send's own failure, told to the moderators there
        return not channel.permissions_for(guild.me).mention_everyone

    async def _dms_instead(self, d: ClaimedDelivery, community: Community | None, channel_id: int) -> None:
        # The role post in the community's language stood in for the plain channel post: that is owed again.
        plain = community is not None and d.recipient.language is community.language
        now = self.clock.now()
        queued = await self.queue.role_post_unusable(d.id, "roles_unusable", now, channel_id if plain else None)
        self._count(d, "failed")
        log.warning("a role post could ping nobody: DMs instead", extra={"delivery": d.id, "dms": queued})
        self.wake()
        if community is None or community.queue_channel is None:
            return
        text = tn(community.language, "delivery.roles_unusable", queued, number=d.message.number)
        try:
            await self.outgoing.send(community.queue_channel, text)
        except discord.HTTPException:
            log.warning("could not reach the moderators' queue either", extra={"guild": d.community})

    async def _dm_channel(self, d: ClaimedDelivery) -> int:
        if d.dm_channel is not None:
            return d.dm_channel
        with fail_fast():
            return await self.open_dm_channel(d.community, d.recipient.address)

    async def open_dm_channel(self, community: int, user: int) -> int:
        """Open (or find) the DM channel with a subscriber and remember it: later DMs cost one request."""
        channel_id = await self.open_dm_channel_for(user)
        await self.queue.remember_dm_channel(community, user, channel_id)
        return channel_id

    async def open_dm_channel_for(self, user: int) -> int:
        """Open (or find) a DM channel, remembering nothing (a reporter's is never stored)."""
        return await self.outgoing.open_dm(user)

    async def _send(self, channel_id: int, text: str, d: ClaimedDelivery) -> int:
        # In the alerts channel an amendment answers the post it amends, for all to see.
        in_channel = d.amends is not None and d.recipient.kind in IN_CHANNEL
        with fail_fast():
            message = await self.outgoing.send(
                channel_id, text, nonce=d.nonce, reply_to=d.amends if in_channel else None, roles=d.recipient.roles
            )
        return message.id

    async def _already_sent(self, channel_id: int, d: ClaimedDelivery) -> int | None:
        """The message, if a send before the crash reached Discord: found by its reference and, since
        every post of an alert in the alerts channel (one per language, and the plain one) carries the
        same reference, by mentioning exactly the delivery's roles (the plain post and DMs none)."""
        assert d.in_doubt_since is not None  # only deliveries in doubt are looked for
        ref = reference(d.community, d.message.number, d.message.seq)
        roles = set(d.recipient.roles)
        with fail_fast():
            async for message in self.outgoing.history(channel_id, after=d.in_doubt_since):
                if carries(message.content, ref) and set(message.raw_role_mentions) == roles:
                    return message.id
        return None

    async def _mark_amended(self, d: ClaimedDelivery, alert: AlertMessage, community: Community | None) -> None:
        assert d.amends is not None
        zone = community.zone if community is not None else UTC
        lang = d.recipient.language
        banner = t(lang, f"alert.channel.amended.{d.kind.value}")
        original = render_alert(alert, lang, zone, community=d.community, direct=False)
        try:
            await self.outgoing.edit(d.amends[0], d.amends[1], text=f"{banner}\n{original}")
        except discord.HTTPException as exc:
            log.warning("could not mark the alert post amended", extra={"delivery": d.id, "error": str(exc)})

    async def _failed_send(self, d: ClaimedDelivery, exc: discord.HTTPException, community: Community | None) -> None:
        now = self.clock.now()
        if exc.code == CANNOT_DM:
            if d.attempts >= DM_CLOSED_TRIES:
                await self.queue.failed(d.id, "dms_closed", now)
                await self.queue.unreachable(d.community, d.recipient.address, now)
                self._count(d, "failed")
            else:
                await self._retry(d, "dms_closed")
            return
        if d.recipient.kind is RecipientKind.DM and exc.code == UNKNOWN_CHANNEL:
            await self.queue.forget_dm_channel(d.community, d.recipient.address)
            await self._retry(d, "dm_channel_gone")
            return
        if d.recipient.kind in IN_CHANNEL and (exc.code == UNKNOWN_CHANNEL or exc.code in NO_ACCESS):
            await self.queue.failed(d.id, "alerts_channel_unusable", now)
            self._count(d, "failed")
            await self._tell_moderators(community, d)
            return
        if d.recipient.kind in IN_CHANNEL and d.amends is not None and exc.code in REPLY_REFUSED:
            # Without Read Message History Discord refuses a reply: the amendment is posted on its own
            # (it names the incident and the alert it amends), and the moderators are told why.
            channel_id = d.amends[0]
            message = await self.outgoing.send(
                channel_id, self._text(d, community), nonce=d.nonce, roles=d.recipient.roles
            )
            await self.queue.sent(d.id, channel_id, message.id, now)
            self._count(d, "sent")
            await self._tell_moderators(community, d)
            return
        if exc.status >= 500:
            # A 502/504 can come back after Discord made the message: in doubt, so looked for first.
            await self._retry(d, f"{OUTAGE}http {exc.status}", in_doubt=True)
            return
        if exc.status == 429:
            await self._retry(d, f"http {exc.status}")
            return
        await self.queue.failed(d.id, f"rejected: {exc.status} {exc.code}", now)
        self._count(d, "failed")

    async def _check_later(self, d: ClaimedDelivery, error: str) -> None:
        """The look in DM history failed: the delivery stays in doubt and is looked for again later.
        Sending instead could make a second copy, so a failed look never becomes a plain resend."""
        now = self.clock.now()
        backoff = min(300.0, self.retry_base ** (d.checks + 1)) * random.uniform(0.5, 1.5)
        await self.queue.check_failed(d.id, error, now + timedelta(seconds=backoff), now)
        self._count(d, "retried", in_doubt=True)

    async def _retry(self, d: ClaimedDelivery, error: str, *, in_doubt: bool = False) -> None:
        now = self.clock.now()
        patient = error.startswith(OUTAGE) and d.in_doubt_since is not None and now - d.in_doubt_since < OUTAGE_PATIENCE
        if d.attempts >= MAX_ATTEMPTS and not patient:
            # Given up in doubt (it may have arrived): its amendments still go, so nobody keeps a false alarm.
            await self.queue.failed(d.id, f"gave up: {error}", now, in_doubt=in_doubt)
            self._count(d, "failed")
            return
        backoff = min(300.0, self.retry_base**d.attempts) * random.uniform(0.5, 1.5)
        await self.queue.retry(d.id, error, now + timedelta(seconds=backoff), now, in_doubt=in_doubt)
        self._count(d, "retried", in_doubt=in_doubt)

    async def _tell_moderators(self, community: Community | None, d: ClaimedDelivery) -> None:
        if community is None or community.queue_channel is None:
            return
        where = d.recipient.address if d.recipient.kind is RecipientKind.CHANNEL else community.alerts_channel
        text = t(community.language, "delivery.channel_problem", channel=f"<#{where}>",
                 number=d.message.number)  # fmt: skip
        try:
            await self.outgoing.send(community.queue_channel, text)
        except discord.HTTPException:
            log.warning("could not reach the moderators' queue either", extra={"guild": d.community})
