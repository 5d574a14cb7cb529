"""What a reporter can do about their own data."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..ports import UnitOfWork


async def forget_reporter(uow: UnitOfWork, community: int, reporter: str, now: datetime) -> list[int]:
    """Delete the text of all of a reporter's reports and every link from them to those reports, and what
    was kept of their photos (their queue posts are then deleted from Discord).

    Incident summaries and counts stay: the incidents happened. Returns the incidents concerned.
    """
    async with uow:
        settings = await uow.communities.get(community)
        window = settings.report_window if settings is not None else timedelta(0)
        # Photos first: they are found through the reports' pseudonym, which forgetting removes.
        photos = await uow.photos.forget(community, reporter, now)
        numbers = await uow.reports.forget(community, reporter, now, keep_since=now - window)
        await uow.standing.forget(community, reporter)
        for number in numbers:  # the cards still show the text
            uow.effects.card(community, number)
        if photos:
            uow.effects.photo_posts()  # their posts in the queue are to be deleted
        await uow.commit()
    return numbers
