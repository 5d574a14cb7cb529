"""Photos sent with a report (issue 24): checked for reuse, kept as a signature, shown on the card.

The bot reads and hashes a photo off the interaction's path, then calls these. Comparing a new photo with
every earlier one is CPU work, so it is split: `photos_to_compare` reads the earlier signatures in one short
transaction, the bot compares them outside any transaction (`verification.photos.earliest_match`), and
`add_photo` keeps the photo with what it matched.
"""

from __future__ import annotations

from datetime import datetime

from ..errors import RuleViolation
from ..photos import MAX_PHOTOS, SIGNATURE_KEPT, EarlierPhoto, PhotoFacts, PhotoPost, StoredPhoto
from ..ports import UnitOfWork
from .loading import community_or_refuse


async def photos_to_compare(uow: UnitOfWork, community: int, now: datetime) -> list[EarlierPhoto]:
    """The community's photos whose signature is still kept: only its own, never another server's."""
    async with uow:
        return await uow.photos.earlier(community, now - SIGNATURE_KEPT)


async def add_photo(
    uow: UnitOfWork, now: datetime, community_id: int, report_id: int, reporter: str, position: int,
    facts: PhotoFacts, match: EarlierPhoto | None,
) -> StoredPhoto:  # fmt: skip
    """Keep a photo of the reporter's report: refused if the report is not theirs or was forgotten meanwhile,
    and past the per-reporter limit (photos count as reports do: `report_limit` per `report_window`)."""
    if not 1 <= position <= MAX_PHOTOS:
        raise RuleViolation("unknown_report")
    async with uow:
        community = await community_or_refuse(uow, community_id)
        report = await uow.photos.report(community.id, report_id)
        if report is None or report.pseudonym != reporter or report.purged:
            raise RuleViolation("unknown_report")
        recent = await uow.photos.recent_count(community.id, reporter, now - community.report_window)
        if recent >= community.report_limit:
            raise RuleViolation(
                "photo_rate_limited", limit=community.report_limit, minutes=community.report_window_minutes
            )
        if match is not None and match.received_at < now - SIGNATURE_KEPT:
            match = None
        photo_id = await uow.photos.add(community.id, report_id, position, facts, now, match)
        stored = await uow.photos.get(community.id, photo_id)
        if stored is None:
            raise RuntimeError("a photo just added is not there")
        uow.effects.card(community.id, report.number)
        await uow.commit()
    return stored


async def photo_posted(uow: UnitOfWork, community: int, photo_id: int, channel: int, message: int) -> None:
    async with uow:
        await uow.photos.set_post(community, photo_id, channel, message)
        await uow.commit()


async def photo_posts_to_remove(uow: UnitOfWork, limit: int = 50) -> list[PhotoPost]:
    """Queue posts of photos that retention or /forget-me removed, still on Discord."""
    async with uow:
        return await uow.photos.posts_to_remove(limit)


async def photo_post_removed(uow: UnitOfWork, photo_id: int) -> None:
    """The post is gone from Discord (deleted now, or already): its id is forgotten too."""
    async with uow:
        await uow.photos.post_removed(photo_id)
        await uow.commit()
