"""Time to truth in words: the escalation and verifier settings, and the figures for debriefs."""

from __future__ import annotations

from datetime import timedelta

from bot.core.i18n import t, tn
from verification.community import Community
from verification.model import Language
from verification.time_to_truth import Figures, Spread


def time_to_truth_lines(community: Community, lang: Language) -> list[str]:
    if community.on_call_role is None:
        escalation = t(lang, "settings.escalation.off")
    else:
        escalation = t(lang, "settings.escalation.on", role=f"<@&{community.on_call_role}>",
                       minutes=community.escalate_after_minutes)  # fmt: skip
    if community.verifiers:
        verifiers = t(lang, "settings.verifiers.on", role=f"<@&{community.verifier_role}>",
                      channel=f"<#{community.verifier_channel}>")  # fmt: skip
    else:
        verifiers = t(lang, "settings.verifiers.off")
    return [escalation, verifiers]


def duration(value: timedelta | None) -> str:
    """ "4 min 30 s", "1 h 05 min", "—": exact enough for a debrief, short enough for a phone."""
    if value is None:
        return "—"
    seconds = round(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def _spread(key: str, spread: Spread, lang: Language) -> str:
    return tn(lang, "stats.line", spread.reached, what=t(lang, f"stats.{key}"), median=duration(spread.median),
              p90=duration(spread.p90))  # fmt: skip


def figures_text(figures: Figures, days: int, lang: Language) -> str:
    lines = [
        tn(lang, "stats.head", days, incidents=tn(lang, "stats.incidents", figures.incidents)),
        _spread("to_first_action", figures.to_first_action, lang),
        _spread("to_confirmation", figures.to_confirmation, lang),
        _spread("to_first_notified", figures.to_first_notified, lang),
        t(lang, "stats.counts", escalated=figures.escalated, sent=figures.sent_to_verifier,
          on_site=figures.confirmed_on_site),
    ]  # fmt: skip
    return "\n".join(lines)
