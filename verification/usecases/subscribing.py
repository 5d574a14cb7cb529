"""Subscribing to confirmed alerts for an area (or every area), in a language."""

from __future__ import annotations

from intake.place.words import fold

from ..clustering import words_alike
from ..community import Subscription
from ..errors import RuleViolation
from ..model import Language
from ..ports import UnitOfWork
from .loading import community_or_refuse


async def subscribe(
    uow: UnitOfWork, community_id: int, user: int, area: str | None, language: Language | None
) -> Subscription:
    """Subscribe `user` to `area` ("" or None: every area). A known area is matched loosely."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        chosen = await _known_area(uow, community.id, area)
        lang = language or community.language
        await uow.subscriptions.subscribe(community.id, user, chosen, lang)
        await uow.commit()
    return Subscription(user, chosen, lang)


async def unsubscribe(uow: UnitOfWork, community_id: int, user: int, area: str | None) -> int:
    """Stop alerts for one area, or for everything when `area` is empty. Returns how many ended."""
    async with uow:
        community = await community_or_refuse(uow, community_id, configured=False)
        chosen = None
        if area and area.strip():
            subscribed = [s.area for s in await uow.subscriptions.of(community.id, user)]
            chosen = _closest(area, [a for a in subscribed if a]) or area.strip()
        removed = await uow.subscriptions.unsubscribe(community.id, user, chosen)
        await uow.commit()
    return removed


async def subscriptions_of(uow: UnitOfWork, community_id: int, user: int) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.of(community_id, user)


async def areas(uow: UnitOfWork, community_id: int) -> list[str]:
    async with uow:
        return await uow.places.areas(community_id)


async def _known_area(uow: UnitOfWork, community: int, area: str | None) -> str:
    if area is None or not area.strip():
        return ""
    known = await uow.places.areas(community)
    if not known:
        raise RuleViolation("unknown_area_none")
    match = _closest(area, known)
    if match is None:
        raise RuleViolation("unknown_area", area=area.strip()[:60], areas=", ".join(known[:10]))
    return match


def _closest(text: str, choices: list[str]) -> str | None:
    wanted = fold(text).strip()
    for choice in choices:
        if fold(choice) == wanted:
            return choice
    alike = [c for c in choices if words_alike(fold(c), wanted)]
    return alike[0] if len(alike) == 1 else None
