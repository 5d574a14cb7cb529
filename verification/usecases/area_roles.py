"""Area roles, as the adapter uses them: whether a subscription goes by role, the roles Veraz made, and
its ledger of grants and removals (see `verification.recipients` for who the roles make a message owed to).

The roles themselves are made and granted on Discord by the adapter; these use cases keep what it did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..community import AreaRole, AskedGrant, Community, Subscription, Via
from ..errors import RuleViolation
from ..model import Language
from ..ports import UnitOfWork
from .loading import community_or_refuse
from .subscribing import _closest, _known_area


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    """How a subscription will be delivered, and why it is not what was asked when it is not."""

    via: Via
    fell_back: bool  # role asked (or the community's default), but area roles are off: DMs instead


def choose_delivery(community: Community, asked: Via | None) -> DeliveryChoice:
    wanted = asked or community.default_delivery
    if wanted is Via.ROLE and not community.area_roles:
        return DeliveryChoice(Via.DM, fell_back=True)
    return DeliveryChoice(wanted, fell_back=False)


# How many area roles one member may ask for in an hour: each may make a role, and takes Discord calls.
ROLE_GRANTS_PER_HOUR = 5
ROLE_GRANT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class RoleWanted:
    """A role subscription about to be made: the role, if Veraz made it already, else None to make."""

    area: str  # as the community names it; "" = every area
    language: Language
    role: int | None
    room: bool = True  # with no role yet: whether Veraz may make one (it has fewer than its limit)


async def role_wanted(
    uow: UnitOfWork,
    community_id: int,
    area: str | None,
    language: Language,
    *,
    user: int | None = None,
    now: datetime | None = None,
) -> RoleWanted:
    """The role a role subscription to `area` in `language` needs. Refused when area roles are off, or when
    `user` has asked for `ROLE_GRANTS_PER_HOUR` roles in the hour before `now`."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        if not community.area_roles:
            raise RuleViolation("area_roles_off")
        if user is not None and now is not None:
            asked = await uow.area_roles.grants_asked(community.id, user, now - ROLE_GRANT_WINDOW)
            if asked >= ROLE_GRANTS_PER_HOUR:
                raise RuleViolation("role_rate_limited", limit=ROLE_GRANTS_PER_HOUR)
        chosen = await _known_area(uow, community.id, area)
        found = await uow.area_roles.get(community.id, chosen, language)
        room = found is not None or len(await uow.area_roles.all(community.id)) < community.area_role_limit
    return RoleWanted(chosen, language, found.role if found is not None else None, room)


async def grant_asked(uow: UnitOfWork, community_id: int, user: int, role: AreaRole, at: datetime) -> None:
    """Veraz is about to ask Discord to give `user` the role: kept (and counted by the rate limit) until
    `subscribe_by_role` or `role_not_granted` settles it, or `unsettled_grants` finds it after a crash."""
    async with uow:
        await uow.area_roles.ask_grant(community_id, user, role, at)
        await uow.commit()


async def unsettled_grants(uow: UnitOfWork, community_id: int, asked_before: datetime) -> list[AskedGrant]:
    async with uow:
        return await uow.area_roles.unsettled(community_id, asked_before)


async def unworn(uow: UnitOfWork, community_id: int, roles: Iterable[int]) -> tuple[int, ...]:
    """Those of Veraz's area roles among `roles` that nobody holds, and no grant is on its way to: the
    adapter deletes them, so that roles exist only for areas with subscribers."""
    async with uow:
        known = {r.role for r in await uow.area_roles.all(community_id)}
        return tuple([r for r in dict.fromkeys(roles) if r in known and not await uow.area_roles.worn(community_id, r)])


async def remember_area_role(uow: UnitOfWork, community_id: int, role: AreaRole, at: datetime) -> AreaRole:
    """The adapter made this role on Discord. Returns the area's role: this one, or the one recorded
    first if another was (the adapter then deletes its own: an area has one role per language)."""
    async with uow:
        await uow.area_roles.remember(community_id, role, at)
        kept = await uow.area_roles.get(community_id, role.area, role.language)
        await uow.commit()
    return kept or role


async def forget_area_role(uow: UnitOfWork, community_id: int, role: int, at: datetime) -> None:
    """The role is gone from Discord (deleted by an admin): the next subscription makes a new one."""
    async with uow:
        await uow.area_roles.forget(community_id, role, at)
        await uow.commit()


@dataclass(frozen=True, slots=True)
class RoleSubscribed:
    subscription: Subscription
    removed: tuple[int, ...]  # the roles the ledger now has the member leaving: the adapter takes them away


async def subscribe_by_role(
    uow: UnitOfWork, community_id: int, user: int, role: AreaRole, at: datetime
) -> RoleSubscribed:
    """Record a role subscription and its grant in the ledger, once Discord confirmed the grant: until
    then the member's subscription stays what it was. The ledger never has a holder Discord lacks (the
    role posts would leave them out of the DMs and reach them by nothing); a grant a crash cut short is
    settled at the next start (`unsettled_grants`).

    One role per area: the other language's role goes, whichever subscription recorded it, even one
    running at the same moment; the adapter takes away exactly the roles returned."""
    async with uow:
        await community_or_refuse(uow, community_id)
        await uow.subscriptions.subscribe(community_id, user, role.area, role.language, Via.ROLE)
        await uow.area_roles.granted(community_id, user, role.role, at)
        await uow.area_roles.settle_grants(community_id, user, role.role, at)
        removed = []
        for other in await uow.area_roles.held(community_id, user):
            if other.area.casefold() == role.area.casefold() and other.role != role.role:
                await uow.area_roles.removed(community_id, user, other.role, at)
                removed.append(other.role)
        await uow.commit()
    return RoleSubscribed(Subscription(user, role.area, role.language, Via.ROLE), tuple(removed))


async def role_not_granted(uow: UnitOfWork, community_id: int, user: int, role: AreaRole, at: datetime) -> None:
    """The member does not hold the role (Discord refused it) or may not (its answer was lost): the ledger
    has them not holding it, so role posts leave nobody out of the DMs. Their subscriptions stay as they
    were: the reply tells them nothing was changed."""
    async with uow:
        await uow.area_roles.removed(community_id, user, role.role, at)
        await uow.area_roles.settle_grants(community_id, user, role.role, at)
        await uow.commit()


async def take_back_roles(uow: UnitOfWork, community_id: int, user: int, area: str, at: datetime) -> tuple[int, ...]:
    """The member now gets `area` by DM (as the community names it; "" = the every-area role only, not
    every role): the ledger has them leaving its roles, which the adapter then takes away on Discord."""
    async with uow:
        roles = []
        for held in await uow.area_roles.held(community_id, user):
            if held.area.casefold() == area.casefold():
                await uow.area_roles.removed(community_id, user, held.role, at)
                roles.append(held.role)
        await uow.commit()
    return tuple(roles)


@dataclass(frozen=True, slots=True)
class Ended:
    count: int  # subscriptions ended
    roles: tuple[int, ...]  # roles the adapter must now take away on Discord


async def end_subscriptions(
    uow: UnitOfWork, community_id: int, user: int, area: str | None, at: datetime, worn: tuple[int, ...] = ()
) -> Ended:
    """Unsubscribe from one area or all, and note in the ledger every role that goes with them.

    `worn`: the roles the member holds on Discord. Veraz's area roles among them go too, whatever the
    ledger says: a grant whose answer was lost, or a removal Discord refused last time, is put right by
    running /unsubscribe again."""
    async with uow:
        community = await community_or_refuse(uow, community_id, configured=False)
        subscribed = await uow.subscriptions.of(community.id, user)
        held = await uow.area_roles.held(community.id, user)
        known = [r for r in await uow.area_roles.all(community.id) if r.role in worn]
        chosen = None
        if area and area.strip():
            names = [s.area for s in subscribed if s.area] + [r.area for r in (*held, *known) if r.area]
            chosen = _closest(area, list(dict.fromkeys(names))) or area.strip()
        count = await uow.subscriptions.unsubscribe(community.id, user, chosen)
        roles = []
        for role in (*held, *known):
            if (chosen is None or role.area.casefold() == chosen.casefold()) and role.role not in roles:
                await uow.area_roles.removed(community.id, user, role.role, at)
                roles.append(role.role)
        await uow.commit()
    return Ended(count, tuple(roles))


async def area_roles_of(uow: UnitOfWork, community_id: int) -> list[AreaRole]:
    async with uow:
        return await uow.area_roles.all(community_id)


async def held_roles(uow: UnitOfWork, community_id: int, user: int) -> list[AreaRole]:
    async with uow:
        return await uow.area_roles.held(community_id, user)


async def set_area_roles(
    uow: UnitOfWork, community_id: int, *, on: bool | None = None, default: Via | None = None
) -> Community:
    """Turn area roles on or off, or choose what /subscribe does when not told. The adapter checks the
    permissions first and never turns them on without them."""
    async with uow:
        current = await community_or_refuse(uow, community_id)
        updated = current
        if on is not None:
            updated = replace(updated, area_roles=on)
        if default is not None:
            updated = replace(updated, default_delivery=default)
        await uow.communities.save(updated)
        await uow.commit()
    return updated


async def set_area_menu(uow: UnitOfWork, community_id: int, message: int | None) -> None:
    async with uow:
        current = await community_or_refuse(uow, community_id)
        await uow.communities.save(replace(current, area_menu=message))
        await uow.commit()


def role_subscription(subscriptions: list[Subscription], area: str) -> Subscription | None:
    for s in subscriptions:
        if s.via is Via.ROLE and s.area.casefold() == area.casefold():
            return s
    return None
