"""Times and places typed by reporters and moderators, read by `intake`: what it refuses becomes the
domain's one refusal type (`WhenRefused` for times, `RuleViolation` for places)."""

from __future__ import annotations

from datetime import datetime, tzinfo

import intake.place
import intake.time
from intake import Refused
from intake.place import Place, PlaceBook, ResolvedPlace
from intake.time import ObservedTime

from .errors import RuleViolation, WhenRefused
from .model import Language


def read_when(text: str | None, *, now: datetime, zone: tzinfo, language: Language) -> ObservedTime:
    """See `intake.time.read_when`: a window, or "not given"; refuses only what cannot be recent."""
    try:
        return intake.time.read_when(text, now=now, zone=zone, language=language)
    except Refused as refused:
        raise WhenRefused(refused.code, **refused.details) from refused


def parse_when(text: str | None, *, now: datetime, zone: tzinfo, language: Language) -> datetime:
    """See `intake.time.parse_when`: one instant, for a statement's published time or a moderator's fix."""
    try:
        return intake.time.parse_when(text, now=now, zone=zone, language=language)
    except Refused as refused:
        raise WhenRefused(refused.code, **refused.details) from refused


def resolve_place(text: str, book: PlaceBook) -> ResolvedPlace:
    """See `intake.place.resolve_place`: refuses only empty, oversized or spoofed text."""
    try:
        return intake.place.resolve_place(text, book)
    except Refused as refused:
        raise RuleViolation(refused.code, **refused.details) from refused


def resolve_as_typed(text: str, book: PlaceBook) -> ResolvedPlace:
    """See `intake.place.resolve_as_typed`."""
    try:
        return intake.place.resolve_as_typed(text, book)
    except Refused as refused:
        raise RuleViolation(refused.code, **refused.details) from refused


def resolve_named(text: str, book: PlaceBook) -> ResolvedPlace:
    """See `intake.place.resolve_named`: a moderator's place; a home's number with no street is refused."""
    try:
        return intake.place.resolve_named(text, book)
    except Refused as refused:
        raise RuleViolation(refused.code, **refused.details) from refused


def resolve_chosen(place: Place, book: PlaceBook) -> ResolvedPlace:
    """See `intake.place.resolve_chosen`: the known place a reporter picked from the menu."""
    return intake.place.resolve_chosen(place, book)
