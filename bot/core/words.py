"""Domain values in words: agencies, stances, statuses, places, times, in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.core.i18n import clock, clock_phrase, date, t, when
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
    """A moment with its day, as a sentence takes it: "Fri 24 Jan, 13:31 CST" / "el viernes 24 de enero,
    a la 1:31 p.m."."""
    return when(value, zone, lang)


# A window this narrow reads "about 11:05" (its middle is within 5 minutes of any moment in it); a wider
# one, or one cut short at the moment of the report, reads "between 10:50 and 11:10": its middle would be
# a minute nobody said.
ABOUT_WIDTH = timedelta(minutes=10)


def observed(value: ObservedTime, zone: tzinfo, lang: Language, *, short: bool = False) -> str:
    """A reported time as precisely as it was said, never more: "Fri 24 Jan, 11:15 CST", "Fri 24 Jan,
    about 11:05 CST", "Fri 24 Jan, between 10:50 and 11:10 CST", "time not given (reported ...)".
    The day and the clocks are separate values, so each language places its own words around them
    ("el viernes 24 de enero, alrededor de las 11:05 a.m."). `short`: hours only, for lines on a card."""
    suffix = ".short" if short else ""
    day = date(value.earliest, zone, lang)
    match value.precision:
        case TimePrecision.EXACT:
            return clock(value.earliest, zone, lang) if short else when(value.earliest, zone, lang)
        case TimePrecision.NOT_GIVEN:
            said = clock_phrase(value.earliest, zone, lang, zone_name=not short)
            return t(lang, f"time.not_given{suffix}", date=day, clock=said)
    if value.latest - value.earliest <= ABOUT_WIDTH:
        return t(lang, f"time.about{suffix}", date=date(value.at, zone, lang),
                 clock=clock_phrase(value.at, zone, lang, zone_name=not short))  # fmt: skip
    start = clock_phrase(value.earliest, zone, lang)
    end = clock_phrase(value.latest, zone, lang, zone_name=not short)
    end_day = date(value.latest, zone, lang)
    if end_day != day and not short:
        return t(lang, "time.between_days", start_date=day, start=start, end_date=end_day, end=end)
    return t(lang, f"time.between{suffix}", date=day, start=start, end=end)


def hour(value: datetime, zone: tzinfo, lang: Language) -> str:
    """A clock alone, for a line that already has its day: "13:15" / "1:15 p.m."."""
    return clock(value, zone, lang)


def at_hour(value: datetime, zone: tzinfo, lang: Language) -> str:
    """A clock with the article a sentence needs: "13:15" / "la 1:15 p.m."."""
    return clock_phrase(value, zone, lang)


def written(text: str, text_es: str | None, lang: Language, limit: int, *, quoted: bool = False) -> str:
    """A moderator's text in the reader's language, made safe: the Spanish when they gave it, for a
    reader of Spanish; otherwise the text they gave, marked with the language it is written in, so
    that nobody takes it for something Veraz failed to translate, or skims past the key fact.
    `quoted`: a source's words, in quotation marks (the mark stays outside them)."""
    if lang is Language.ES:
        mine, other, mark = text_es or "", text, "text.in_english"
    else:
        mine, other, mark = text, text_es or "", "text.in_spanish"
    chosen = mine or other
    if not chosen:
        return ""
    shown = user_text(chosen, limit)
    if quoted:
        shown = t(lang, "text.quoted", text=shown)
    return shown if mine else f"{shown} {t(lang, mark)}"
