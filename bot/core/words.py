"""Domain values in words: agencies, stances, statuses, places, times, in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.core.i18n import clock, t, when
from bot.core.safe import user_text
from intake.time import ObservedTime, TimePrecision
from verification.alerts import AlertFacts
from verification.events import PlaceRef
from verification.incident import VERIFIER_SOURCE
from verification.model import Agency, Language, PlaceKind, SourceKind, Stance, Status


def agency(value: Agency, lang: Language) -> str:
    return t(lang, f"agency.{value.value}")


def source(name: str, lang: Language, limit: int = 100) -> str:
    """A statement's source, made safe; a network's own verifier is named in the reader's language."""
    return t(lang, "source.verifier_on_site") if name == VERIFIER_SOURCE else user_text(name, limit)


def stance(value: Stance, lang: Language) -> str:
    return t(lang, f"stance.{value.value}")


def source_kind(value: SourceKind, lang: Language) -> str:
    return t(lang, f"source_kind.{value.value}")


def status(value: Status, lang: Language) -> str:
    return t(lang, f"status.{value.value}")


def place_kind(value: PlaceKind, lang: Language) -> str:
    return t(lang, f"place_kind.{value.value}")


def place_name(label: str, block: int | None, lang: Language) -> str:
    """A place as subscribers may see it: a home address only ever as its block."""
    name = user_text(label, 100)
    return t(lang, "place.block", block=block, street=name) if block is not None else name


def place_of(ref: PlaceRef | AlertFacts, lang: Language) -> str:
    if isinstance(ref, PlaceRef):
        label, block, area = ref.label, ref.block, ref.area
    else:
        label, block, area = ref.place, ref.block, ref.area
    name = place_name(label, block, lang)
    return t(lang, "place.with_area", place=name, area=user_text(area, 60)) if area else name


def moment(value: datetime, zone: tzinfo, lang: Language) -> str:
    return when(value, zone, lang)


# A window this narrow reads "about 11:05" (its middle is within 5 minutes of any moment in it); a wider
# one, or one cut short at the moment of the report, reads "between 10:50 and 11:10": its middle would be
# a minute nobody said.
ABOUT_WIDTH = timedelta(minutes=10)


def observed(value: ObservedTime, zone: tzinfo, lang: Language, *, short: bool = False) -> str:
    """A reported time as precisely as it was said, never more: "11:15", "about 11:05", "between 10:50
    and 11:10", "time not given (reported 11:12)". `short`: hours only, for lines on a card."""
    full = clock if short else when
    match value.precision:
        case TimePrecision.EXACT:
            return full(value.earliest, zone, lang)
        case TimePrecision.NOT_GIVEN:
            return t(lang, "time.not_given", time=full(value.earliest, zone, lang))
    if value.latest - value.earliest <= ABOUT_WIDTH:
        return t(lang, "time.about", time=full(value.at, zone, lang))
    same_day = value.earliest.astimezone(zone).date() == value.latest.astimezone(zone).date()
    end = clock(value.latest, zone, lang) if same_day else full(value.latest, zone, lang)
    return t(lang, "time.between", start=full(value.earliest, zone, lang), end=end)


def hour(value: datetime, zone: tzinfo, lang: Language) -> str:
    return clock(value, zone, lang)
