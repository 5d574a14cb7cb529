"""Times typed by reporters and moderators, read by `intake`; what it refuses becomes a `WhenRefused`."""

from __future__ import annotations

from datetime import datetime, tzinfo

import intake.time
from intake import Refused
from intake.time import ObservedTime

from .errors import WhenRefused
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
