"""Taking in a report's photos, after /report has answered: download, strip, hash, compare, keep, post.

Nothing here is on the interaction's path. `accept` only queues the photos and returns; one worker takes
them in turn (the CPU work in a thread, so the event loop keeps answering /report), and the reporter gets
one private follow-up saying what became of each photo. The queue is bounded: in a flood, photos past
`MAX_WAITING` are not taken, with a reply saying so, and the report stays filed either way.

The photo is posted in the community's private queue channel as a reply to the incident's card, and
nowhere else. A photo that retention or /forget-me removed has its post deleted here (`remove_posts`),
at start, when told (`remove_posts_soon`), and every `SWEEP_EVERY` seconds for what failed before.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from dataclasses import dataclass

import aiohttp
import discord
from discord.ext import commands

from bot.core import photo_text
from bot.core.i18n import t
from bot.core.replies import refusal
from bot.core.safe import user_text
from bot.core.services import SentPhotos, Services
from bot.features.photos.download import download
from bot.features.photos.strip import MAX_BYTES, process
from verification import usecases
from verification.errors import RuleViolation
from verification.photos import MAX_PHOTOS, PhotoFacts, StoredPhoto, earliest_match

log = logging.getLogger(__name__)
MAX_WAITING = 32  # photos queued at once, all communities together
SWEEP_EVERY = 60.0  # seconds between looks for removed photos' posts still on Discord
CARD_WAIT = 15.0  # seconds to wait for the incident's card to be posted before posting without it
DRAIN_WAIT = 20.0  # seconds a stop waits for queued photos (the unit gives 30 before SIGKILL)


@dataclass(frozen=True, slots=True)
class _Job:
    sent: SentPhotos
    position: int
    attachment: discord.Attachment
    results: list[str]
    remaining: list[int]  # photos of this report still to do, shared by its jobs


class PhotoIntake(commands.Cog, name="Photos"):
    def __init__(self, services: Services) -> None:
        self.services = services
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(MAX_WAITING)
        self._sweep = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._telling: set[asyncio.Task[None]] = set()  # follow-ups to reporters still being sent
        self._session: aiohttp.ClientSession | None = None
        self.busy = 0  # photos being processed now (for tests)

    async def cog_load(self) -> None:
        self._session = aiohttp.ClientSession()
        self._tasks = [
            asyncio.create_task(self._work(), name="veraz-photos"),
            asyncio.create_task(self._sweeper(), name="veraz-photo-posts"),
        ]
        self._sweep.set()  # posts a purge or /forget-me left while the bot was stopped

    async def cog_unload(self) -> None:
        # A stop (a deploy, systemd's restart) finishes the photos already queued rather than lose them:
        # the queue lives in memory, and the reporter was told their photos are on the way. The wait is
        # bounded well inside the unit's TimeoutStopSec; a crash still loses what was queued.
        try:
            await asyncio.wait_for(self._queue.join(), DRAIN_WAIT)
        except TimeoutError:
            log.warning("stopping with photos not taken in", extra={"count": self._queue.qsize() + self.busy})
        if self._telling:
            await asyncio.wait(self._telling, timeout=5)
        for task in [*self._tasks, *self._telling]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._telling, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    # --- intake -------------------------------------------------------------------------------------

    def accept(self, sent: SentPhotos) -> None:
        """Queue a report's photos (returns at once); what cannot even be queued is answered at once."""
        results: list[str] = []
        remaining = [0]
        jobs = []
        for position, attachment in enumerate(sent.photos[:MAX_PHOTOS], start=1):
            name = _name(attachment)
            if attachment.size > MAX_BYTES:  # Discord says how big it is: no need to fetch it to refuse it
                results.append(_refused(sent, name, RuleViolation("photo_too_big", megabytes=MAX_BYTES >> 20)))
                continue
            jobs.append(_Job(sent, position, attachment, results, remaining))
        for job in jobs:
            try:
                self._queue.put_nowait(job)
                remaining[0] += 1
            except asyncio.QueueFull:
                results.append(_refused(sent, _name(job.attachment), RuleViolation("photo_busy")))
        if remaining[0] == 0 and results:
            self._tell(sent, results)

    async def idle(self) -> None:
        """Wait until every queued photo is taken in (tests)."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            self.busy += 1
            try:
                job.results.append(await self._take(job))
            except Exception:  # one photo's failure must not stop the others
                log.exception("photo not taken in", extra={"guild": job.sent.community})
                job.results.append(t(job.sent.lang, "photo.failed", name=_name(job.attachment)))
            finally:
                self.busy -= 1
                job.remaining[0] -= 1
                if job.remaining[0] == 0:
                    self._tell(job.sent, job.results)
                self._queue.task_done()

    async def _take(self, job: _Job) -> str:
        """One photo, start to end; what to tell its reporter."""
        sent, services, name = job.sent, self.services, _name(job.attachment)
        if self._session is None:
            raise RuntimeError("the photo intake is not started")
        try:
            data = await download(self._session, job.attachment.url)
            done = await asyncio.to_thread(process, data)
            now = services.clock.now()
            earlier = await usecases.photos_to_compare(services.storage, sent.community, now)
            match = await asyncio.to_thread(earliest_match, done.signature, earlier)
            facts = PhotoFacts(done.signature, done.taken, done.camera, done.had_gps)
            stored = await usecases.add_photo(
                services.storage, now, sent.community, sent.report_id, sent.reporter, job.position, facts, match
            )
        except RuleViolation as refused:
            return _refused(sent, name, refused)
        await self._post(sent.community, stored, done.jpeg)
        key = "photo.accepted_gps" if stored.had_gps else "photo.accepted"
        return t(sent.lang, key, name=name)

    async def _post(self, community_id: int, photo: StoredPhoto, jpeg: bytes) -> None:
        """The stripped photo, as a reply to the card in the private queue channel, with the card's line."""
        services = self.services
        community = await services.communities.get(community_id)
        if community is None or community.queue_channel is None:
            return
        card = await self._card(community_id, photo.number)
        caption = f"#{photo.number} · " + photo_text.line(photo, community.language, community.zone)
        reply_to = (community.queue_channel, card) if card is not None else None
        upload = discord.File(io.BytesIO(jpeg), filename=f"photo-{photo.id}.jpg")
        try:
            message = await services.outgoing.send(community.queue_channel, caption, reply_to=reply_to, file=upload)
        except discord.HTTPException as exc:  # the card still shows what the photo was; it is just not posted
            log.warning("photo not posted", extra={"guild": community_id, "error": str(exc)})
            return
        await usecases.photo_posted(services.storage, community_id, photo.id, community.queue_channel, message.id)
        self.remove_posts_soon()  # removed meanwhile (a /forget-me while it was being taken in)

    async def _card(self, community: int, number: int) -> int | None:
        """The incident's card message; a just-filed report's card may still be on its way."""
        waited = 0.0
        while True:
            card = await usecases.card_message(self.services.storage, community, number)
            if card is not None or waited >= CARD_WAIT:
                return card
            await asyncio.sleep(0.25)
            waited += 0.25

    def _tell(self, sent: SentPhotos, results: list[str]) -> None:
        async def tell() -> None:
            try:
                await sent.tell("\n".join(results))
            except discord.HTTPException as exc:  # the interaction's 15 minutes may be over
                log.info("could not tell the reporter about their photos", extra={"error": str(exc)})

        task = asyncio.create_task(tell())
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    # --- removing the posts of removed photos ----------------------------------------------------------

    def remove_posts_soon(self) -> None:
        self._sweep.set()

    async def _sweeper(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # a look every SWEEP_EVERY in any case
                await asyncio.wait_for(self._sweep.wait(), SWEEP_EVERY)
            self._sweep.clear()
            try:
                await self.remove_posts()
            except Exception:  # the next round tries again
                log.exception("could not delete removed photos' posts")

    async def remove_posts(self) -> int:
        """Delete from Discord the queue posts of photos that were removed; how many went."""
        storage, removed = self.services.storage, 0
        while posts := await usecases.photo_posts_to_remove(storage):
            for post in posts:
                try:
                    await self.services.outgoing.delete(post.channel, post.message)
                except discord.NotFound:
                    pass  # deleted already (by a moderator, or with the channel)
                except discord.HTTPException as exc:
                    log.warning("photo post not deleted", extra={"guild": post.community, "error": str(exc)})
                    return removed  # tried again at the next sweep
                await usecases.photo_post_removed(storage, post.photo_id)
                removed += 1
        return removed


def _name(attachment: discord.Attachment) -> str:
    """The file's name as the reporter gave it, made safe: shown only to them, in their follow-up."""
    return user_text(attachment.filename, 60)


def _refused(sent: SentPhotos, name: str, refused: RuleViolation) -> str:
    return t(sent.lang, "photo.refused", name=name, reason=refusal(refused, sent.lang))
