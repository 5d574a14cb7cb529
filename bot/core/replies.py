"""Replies to the person who acted: reporters, moderators, subscribers, admins. Ephemeral unless said."""

from __future__ import annotations

from bot.core.i18n import has, t, tn
from bot.core.safe import user_text
from bot.core.words import status
from verification.community import Community, Subscription, Via
from verification.errors import RuleViolation
from verification.model import Language, Status
from verification.photos import SIGNATURE_KEPT
from verification.usecases import Outcome


def refusal(violation: RuleViolation, lang: Language) -> str:
    """A rule violation in plain words; its details are user-influenced, so they are made safe."""
    key = f"error.{violation.code}"
    if not has(key):
        key = "error.refused"
    details = {k: user_text(str(v), 200) if isinstance(v, str) else v for k, v in violation.details.items()}
    if violation.code == "import_line":
        problem = f"import_problem.{violation.details.get('problem')}"
        details["problem"] = t(lang, problem) if has(problem) else t(lang, "error.refused")
    text = t(lang, key, **details)
    suggestions = details.get("suggestions")
    if suggestions and violation.code.startswith("place_"):
        text += "\n" + t(lang, "error.did_you_mean", suggestions=suggestions)
    return text


def report_accepted(outcome: Outcome, lang: Language) -> str:
    """Never says how many others reported: that would let anyone probe unconfirmed activity."""
    lines = [t(lang, "report.accepted", number=outcome.number)]
    if outcome.status is Status.CONFIRMED:
        lines.append(t(lang, "report.already_confirmed", number=outcome.number))
    lines.append(t(lang, "report.rights"))
    return "\n".join(lines)


def moderated(action: str, outcome: Outcome, lang: Language) -> str:
    """What a moderator sees after acting: the new status and what went out because of it."""
    lines = [t(lang, f"moderation.{action}", number=outcome.number, status=status(outcome.status, lang))]
    if action == "confirm" and outcome.status is Status.UNVERIFIED:
        lines.append(t(lang, "moderation.needs_second", number=outcome.number))
    if action in ("update", "correct") and outcome.status is Status.UNVERIFIED:
        lines.append(t(lang, "moderation.not_sent", number=outcome.number))
    for message in outcome.alerts:
        kind = t(lang, f"alert.kind.{message.kind.value}")
        lines.append(tn(lang, "moderation.queued", outcome.deliveries, kind=kind))
    if outcome.cancelled:
        lines.append(tn(lang, "moderation.cancelled", outcome.cancelled))
    return "\n".join(lines)


def subscribed(subscription: Subscription, lang: Language) -> str:
    language = t(lang, f"language.{subscription.language.value}")
    if subscription.via is Via.ROLE:
        area = user_text(subscription.area, 80) if subscription.area else t(lang, "subscriptions.every_area")
        return t(lang, "subscribe.by_role", area=area, language=language)
    if subscription.area:
        return t(lang, "subscribe.area", area=user_text(subscription.area, 80), language=language)
    return t(lang, "subscribe.all", language=language)


def unsubscribed(count: int, area: str | None, lang: Language) -> str:
    if count == 0:
        return t(lang, "unsubscribe.none")
    if area:
        return t(lang, "unsubscribe.area", area=user_text(area, 80))
    return t(lang, "unsubscribe.all")


def subscriptions(subs: list[Subscription], lang: Language) -> str:
    if not subs:
        return t(lang, "subscriptions.none")

    def named(s: Subscription) -> str:
        return user_text(s.area, 80) if s.area else t(lang, "subscriptions.every_area")

    by_dm = [named(s) for s in subs if s.via is Via.DM]
    by_role = [named(s) for s in subs if s.via is Via.ROLE]
    language = t(lang, f"language.{subs[0].language.value}")
    lines = []
    if by_dm:
        lines.append(t(lang, "subscriptions.list", areas=", ".join(by_dm), language=language))
    if by_role:
        lines.append(t(lang, "subscriptions.by_role", areas=", ".join(by_role), language=language))
        # Veraz's ledger knows only the grants and removals it made itself.
        lines.append(t(lang, "subscriptions.role_ledger"))
    return "\n".join(lines)


def privacy_notice(community: Community, lang: Language) -> str:
    """Said plainly the first time someone reports: what is kept, for how long, and what Discord sees."""
    return t(lang, "privacy.notice", days=community.retention_days, hours=community.relay_hours,
             photo_days=SIGNATURE_KEPT.days)  # fmt: skip
