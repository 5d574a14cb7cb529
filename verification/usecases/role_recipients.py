"""Who area roles make a message owed to, on top of the recipient contract of `owed_messages`.

- **ALERT**, with area roles on and an alerts channel: one ROLE_POST per language that has a role for
  the incident's area or for every area, mentioning exactly those roles. The plain channel post in the
  community's language is left out when a role post in that language exists (one post per language).
  Subscribers the ledger has holding one of the posts' roles get no DM: the post reaches them. Any other
  role subscriber (their role deleted, say) gets a DM.
- **Amendments**: every role post of the incident's ALERTs counts (confirmed, resolved, reopened and
  confirmed again makes two per language); the amendment is posted once per distinct set of roles, as a
  reply to the latest post that mentioned exactly those roles, mentioning them again.
- **CORRECTION and RETRACTION** also go by DM to whoever the ledger had holding one of those roles when
  the ALERT post went out and who holds it no more, in the role's language, unless they are already an
  earlier DM recipient of the incident or hold now any role a reply post of the amendment mentions (one
  copy of each message each).
"""

from __future__ import annotations

from dataclasses import replace

from ..community import Community, Recipient, RecipientKind
from ..model import Language
from ..ports import EarlierRecipient, NewDelivery, UnitOfWork


async def role_posts(uow: UnitOfWork, community: Community, area: str) -> list[Recipient]:
    """One ROLE_POST per language with a role for `area` or for every area (see the module doc)."""
    if not community.area_roles or community.alerts_channel is None:
        return []
    by_language: dict[Language, list[int]] = {}
    for role in await uow.area_roles.all(community.id):
        if role.area == "" or role.area.casefold() == area.casefold():
            by_language.setdefault(role.language, []).append(role.role)
    posts = []
    for language in Language:  # a stable order: the same incident always makes the same rows
        roles = tuple(sorted(by_language.get(language, [])))
        if roles:
            posts.append(Recipient(RecipientKind.ROLE_POST, roles[0], language, roles))
    return posts


def role_replies(earlier: list[EarlierRecipient]) -> list[EarlierRecipient]:
    """The role posts an amendment answers: the latest of each distinct set of roles.

    A reply's outbox row needs an address of its own in the amendment (one row per message and
    recipient), and a role post's address is one of its roles: the lowest not already taken. A set whose
    roles are all taken by other replies is left out; those replies ping every one of its holders.
    """
    latest: dict[tuple[int, ...], EarlierRecipient] = {}
    for e in earlier:
        if e.recipient.kind is RecipientKind.ROLE_POST:
            latest[e.recipient.roles] = e
    taken: set[int] = set()
    out: list[EarlierRecipient] = []
    for e in sorted(latest.values(), key=lambda e: e.alert_delivery):
        free = [role for role in e.recipient.roles if role not in taken]
        if not free:
            continue
        taken.add(free[0])
        out.append(replace(e, recipient=replace(e.recipient, address=free[0])))
    return out


async def left_role_holders(
    uow: UnitOfWork, community: Community, earlier: list[EarlierRecipient], priority: int
) -> list[NewDelivery]:
    """DMs of an urgent amendment for those who held a pinged role then and have left it since, unless
    a reply post of this amendment pings them anyway (they hold another of its roles now: switched
    language, or still hold "every area")."""
    told_by_dm = {e.recipient.address for e in earlier if e.recipient.kind is RecipientKind.DM}
    posts = [e for e in earlier if e.recipient.kind is RecipientKind.ROLE_POST]
    # The replies mention the same roles as the posts they answer, and go only where there is a channel.
    pinged = {role for e in posts for role in e.recipient.roles} if community.alerts_channel is not None else set()
    out: list[NewDelivery] = []
    for e in posts:
        for recipient in await uow.area_roles.left_since(community.id, e.alert_delivery):
            if recipient.address in told_by_dm:
                continue
            told_by_dm.add(recipient.address)
            if any(held.role in pinged for held in await uow.area_roles.held(community.id, recipient.address)):
                continue
            out.append(NewDelivery(recipient, priority, e.alert_delivery))
    return out
