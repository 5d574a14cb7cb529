"""Who is owed a message: the one rule that decides, as a pure function of what storage loaded.

Storage only loads rows (an incident's ALERT deliveries, today's subscribers, the area roles, who left a
pinged role since); `recipients` decides. The contract, whole:

- **ALERT** (the incident is confirmed): the community's alerts channel and every subscriber of the
  incident's area (or of every area), each once, in the language they chose. Nobody else, ever.
- **UPDATE and ALL CLEAR**: the earlier recipients of an ALERT of this incident who are still subscribed
  today to an area an ALERT of it went to (an update is news about a live alert; whoever left does not
  want it; a moderator moving the incident to another area does not unsubscribe them), in today's
  language.
- **CORRECTION and RETRACTION**: every earlier recipient of an ALERT of this incident, subscribed or not
  (they were told something wrong), in their language of today if still subscribed, else of then.
- **Earlier recipient** (`earlier_recipients`): for each address, its latest ALERT delivery of the
  incident that was queued, in flight, sent, or given up after an attempt that may have arrived (in
  doubt); never one that surely failed or was cancelled, and never one a RETRACTION was already queued
  against (someone told an alert was false is not sent a correction of a later alert they never got).
  Every role post counts on its own. Each amendment row `depends_on` that ALERT delivery.
- **Area roles**: with them on and an alerts channel, an ALERT also owes one ROLE_POST per language that
  has a role for the area or for every area (mentioning exactly those roles; it replaces the plain
  channel post in that language), and subscribers the ledger has wearing one of those roles get no DM
  (any other role subscriber, say of a deleted role, gets one). Amendments answer the latest role post of
  each distinct set of roles (`role_replies`), mentioning them: whoever wears them when the reply goes
  out is notified, someone who took a role after the alert too (README, "What always holds", 3). A
  CORRECTION or RETRACTION also reaches by DM whoever held a pinged role when the ALERT post went out and
  has left it since, unless they are an earlier DM recipient or wear now a role a reply post of the
  amendment mentions (one copy each).
- **The public feed** (issue 23; decided in `usecases.owed_messages`, recorded by `Outbox.add_alert`): an
  ALERT while the community's feed is on; every later message of an incident one of whose ALERTs it got,
  always, even while the feed is off, whatever became of the other deliveries. Never cancelled.

tests/verification/test_recipients.py checks these rules as properties over generated histories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .alerts import AlertKind
from .community import AreaRole, Community, Recipient, RecipientKind
from .deliveries import DeliveryState, EarlierRecipient, LoggedAlert, NewDelivery, Subscriber
from .model import Language

# Lower goes first. A correction must travel at least as fast as the alarm did.
PRIORITY = {
    AlertKind.CORRECTION: 0,
    AlertKind.RETRACTION: 0,
    AlertKind.ALERT: 1,
    AlertKind.UPDATE: 2,
    AlertKind.ALL_CLEAR: 2,
}
_MAY_HAVE_ARRIVED = frozenset({DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT})


@dataclass(frozen=True, slots=True)
class Audience:
    """What the rules need to know about one message's possible recipients, loaded in its transaction."""

    log: tuple[LoggedAlert, ...] = ()  # every delivery of the incident's ALERTs, in the order queued
    subscribers: tuple[Subscriber, ...] = ()  # subscribed today to an area concerned (or to every area)
    area_roles: tuple[AreaRole, ...] = ()
    # For each earlier role post (by delivery): who held one of its roles then and has left it since.
    left: Mapping[int, tuple[Recipient, ...]] = field(default_factory=dict)
    # For those who left: the area roles the ledger has them wearing now.
    wearing: Mapping[int, frozenset[int]] = field(default_factory=dict)


def earlier_recipients(log: Iterable[LoggedAlert]) -> list[EarlierRecipient]:
    """Those an ALERT of the incident may have reached and who were not told since it was false."""
    latest: dict[tuple[RecipientKind, int], LoggedAlert] = {}
    for row in sorted(log, key=lambda r: r.delivery):
        if row.retracted:
            continue
        if row.state not in _MAY_HAVE_ARRIVED and not (row.state is DeliveryState.FAILED and row.in_doubt):
            continue
        role_post = row.recipient.kind is RecipientKind.ROLE_POST
        latest[(row.recipient.kind, row.delivery if role_post else row.recipient.address)] = row
    return [EarlierRecipient(r.recipient, r.delivery, r.state) for r in latest.values()]


def role_posts(community: Community, area: str, roles: Iterable[AreaRole]) -> list[Recipient]:
    """One ROLE_POST per language with a role for `area` or for every area."""
    if not community.area_roles or community.alerts_channel is None:
        return []
    by_language: dict[Language, list[int]] = {}
    for role in roles:
        if role.area == "" or role.area.casefold() == area.casefold():
            by_language.setdefault(role.language, []).append(role.role)
    posts = []
    for language in Language:  # a stable order: the same incident always makes the same rows
        mentioned = tuple(sorted(by_language.get(language, [])))
        if mentioned:
            posts.append(Recipient(RecipientKind.ROLE_POST, mentioned[0], language, mentioned))
    return posts


def role_replies(earlier: Iterable[EarlierRecipient]) -> list[EarlierRecipient]:
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


def recipients(kind: AlertKind, community: Community, area: str, audience: Audience) -> list[NewDelivery]:
    """Everyone a message of `kind` about an incident in `area` is owed to, each once (see the module doc)."""
    priority = PRIORITY[kind]
    if kind is AlertKind.ALERT:
        return [NewDelivery(r, priority) for r in _alert(community, area, audience)]
    earlier = earlier_recipients(audience.log)
    direct = [e for e in earlier if e.recipient.kind is not RecipientKind.ROLE_POST]
    replies = role_replies(earlier)
    current = {(r.kind, r.address): r for r in _today(community, audience.subscribers)}
    if kind.urgent_amendment:
        # Told something wrong: they get this last message even if they have since unsubscribed.
        told = [NewDelivery(current.get(_key(e.recipient), e.recipient), priority, e.alert_delivery) for e in direct]
        told += [NewDelivery(e.recipient, priority, e.alert_delivery) for e in replies]
        return told + _left_role_holders(community, earlier, audience, priority)
    still = [e for e in direct if _key(e.recipient) in current]
    owed = [NewDelivery(current[_key(e.recipient)], priority, e.alert_delivery) for e in still]
    # A role post is answered in the same place, pinging the same roles: whoever holds them now wants it.
    if community.alerts_channel is not None:
        owed += [NewDelivery(e.recipient, priority, e.alert_delivery) for e in replies]
    return owed


def left_role_posts(log: Iterable[LoggedAlert]) -> list[int]:
    """The earlier role posts whose leavers a CORRECTION or RETRACTION must look up (their deliveries)."""
    return [e.alert_delivery for e in earlier_recipients(log) if e.recipient.kind is RecipientKind.ROLE_POST]


def _alert(community: Community, area: str, audience: Audience) -> list[Recipient]:
    posts = role_posts(community, area, audience.area_roles)
    out: list[Recipient] = []
    if community.alerts_channel is not None and all(p.language is not community.language for p in posts):
        out.append(Recipient(RecipientKind.CHANNEL, community.alerts_channel, community.language))
    out += posts
    pinged = frozenset(role for post in posts for role in post.roles)
    out += [s.recipient for s in audience.subscribers if not s.wearing & pinged]
    return _unique(out)


def _today(community: Community, subscribers: Sequence[Subscriber]) -> list[Recipient]:
    """Who is subscribed today, in the language they chose today; the alerts channel, where there is one."""
    today = [s.recipient for s in subscribers]
    if community.alerts_channel is not None:
        today.append(Recipient(RecipientKind.CHANNEL, community.alerts_channel, community.language))
    return today


def _left_role_holders(
    community: Community, earlier: list[EarlierRecipient], audience: Audience, priority: int
) -> list[NewDelivery]:
    """DMs of an urgent amendment for those who held a pinged role then and have left it since, unless a
    reply post of this amendment pings them anyway (they wear another of its roles now: switched language,
    or still wear "every area")."""
    told_by_dm = {e.recipient.address for e in earlier if e.recipient.kind is RecipientKind.DM}
    posts = [e for e in earlier if e.recipient.kind is RecipientKind.ROLE_POST]
    # The replies mention the same roles as the posts they answer, and go only where there is a channel.
    pinged = {role for e in posts for role in e.recipient.roles} if community.alerts_channel is not None else set()
    out: list[NewDelivery] = []
    for e in posts:
        for recipient in audience.left.get(e.alert_delivery, ()):
            if recipient.address in told_by_dm:
                continue
            told_by_dm.add(recipient.address)
            if audience.wearing.get(recipient.address, frozenset()) & pinged:
                continue
            out.append(NewDelivery(recipient, priority, e.alert_delivery))
    return out


def _key(recipient: Recipient) -> tuple[RecipientKind, int]:
    return recipient.kind, recipient.address


def _unique(found: list[Recipient]) -> list[Recipient]:
    seen: set[tuple[RecipientKind, int]] = set()
    out = []
    for r in found:
        if _key(r) not in seen:
            seen.add(_key(r))
            out.append(r)
    return out
