"""Domain values in words: agencies, stances, statuses, places, times, in the reader's language."""

from __future__ import annotations

from datetime import datetime, tzinfo

from verification.alerts import AlertFacts
from verification.events import PlaceRef
from verification.model import Agency, Language, PlaceKind, SourceKind, Stance, Status

from ..i18n import clock, t, when
from .safe import user_text


def agency(value: Agency, lang: Language) -> str:
    return t(lang, f"agency.{value.value}")


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


def hour(value: datetime, zone: tzinfo, lang: Language) -> str:
    return clock(value, zone, lang)
