"""A community (one Discord server) and its settings; subscribers and where alerts go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import RuleViolation
from .model import Language


class Via(StrEnum):
    """How a subscriber is told: a DM each, or one post in the alerts channel that pings a role they hold."""

    DM = "dm"
    ROLE = "role"


@dataclass(frozen=True, slots=True)
class Community:
    id: int
    timezone: str = "UTC"
    language: Language = Language.EN
    moderator_role: int | None = None
    queue_channel: int | None = None
    alerts_channel: int | None = None
    retention_days: int = 30
    stale_hours: int = 6
    cluster_window_minutes: int = 120
    report_limit: int = 5
    report_window_minutes: int = 10
    new_account_days: int = 7
    new_member_hours: int = 24
    relay_hours: int = 24
    places_stamp: int = 0  # a new random value whenever the community's places change: caches key on it
    # Area roles: one role per area and language, pinged by one post per language in the alerts channel.
    area_roles: bool = False
    default_delivery: Via = Via.DM  # what /subscribe and the alerts channel's menu do when not told
    area_menu: int | None = None  # the "Get alerts for..." message in the alerts channel
    area_role_limit: int = 50  # roles Veraz may make at most (Discord allows a server 250 in all)
    # Time to truth: who is paged about urgent incidents nobody acted on, and after how long; the trusted
    # verifiers who go and look, and their private channel.
    on_call_role: int | None = None
    escalate_after_minutes: int = 3
    verifier_role: int | None = None
    verifier_channel: int | None = None
    # The public feed (issue 15): off unless an admin turns it on; the slug stays when it is turned off.
    feed: bool = False
    feed_slug: str | None = None

    @property
    def configured(self) -> bool:
        return self.moderator_role is not None and self.queue_channel is not None

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.stale_hours)

    @property
    def cluster_window(self) -> timedelta:
        return timedelta(minutes=self.cluster_window_minutes)

    @property
    def report_window(self) -> timedelta:
        return timedelta(minutes=self.report_window_minutes)

    @property
    def escalate_after(self) -> timedelta:
        return timedelta(minutes=self.escalate_after_minutes)

    @property
    def verifiers(self) -> bool:
        return self.verifier_role is not None and self.verifier_channel is not None

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a refusal naming what was typed."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleViolation("bad_timezone", timezone=name[:60]) from exc


class RecipientKind(StrEnum):
    DM = "dm"
    CHANNEL = "channel"
    ROLE_POST = "role_post"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a message goes: a subscriber's DMs (address = user id), a channel (address = channel id), or
    a post in the alerts channel that pings area roles (address = one of its `roles`, unique among the
    posts of one message; one per language and set of roles).
    """

    kind: RecipientKind
    address: int
    language: Language
    roles: tuple[int, ...] = ()  # for a ROLE_POST, the exact roles it mentions, and nothing else ever


@dataclass(frozen=True, slots=True)
class Subscription:
    user: int
    area: str  # "" means every area
    language: Language
    via: Via = Via.DM


@dataclass(frozen=True, slots=True)
class AreaRole:
    """The role Veraz manages for an area ("" = every area) in a language."""

    area: str
    language: Language
    role: int


@dataclass(frozen=True, slots=True)
class AskedGrant:
    """A grant of an area role Veraz asked Discord for and has no answer to yet (or lost it in a crash)."""

    user: int
    role: AreaRole
    asked_at: datetime


ROLE_PREFIX = "Veraz · "
MAX_ROLE_NAME = 100


def area_role_name(label: str, language: Language, community_language: Language) -> str:
    """ "Veraz · Pilsen", and "Veraz · Pilsen (es)" in a language other than the community's. `label` is
    the area's name, or how the community says "every area"."""
    shown = label.strip() or "*"
    suffix = "" if language is community_language else f" ({language.value})"
    return (ROLE_PREFIX + shown)[: MAX_ROLE_NAME - len(suffix)] + suffix
