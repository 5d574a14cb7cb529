"""Message catalogs (gettext .po files read with Babel) and the language each person gets.

Keys are symbolic ("error.already_voted", "alert.first_line"); the English catalog holds the English
text. Placeholders are `{name}` fields filled by `str.format`; user text must already be made safe
(`bot.core.safe`) before it is passed in. A key missing from Spanish falls back to English, so a
missing translation never blocks a message; the catalog tests keep both complete.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from functools import cache
from importlib import resources

from babel.dates import format_datetime, format_timedelta
from babel.messages.pofile import read_po

from verification.model import Language

DOMAIN = "veraz"


@cache
def catalog(language: Language) -> Mapping[str, str]:
    path = resources.files("bot").joinpath("locales", language.value, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as f:
        po = read_po(f, locale=language.value)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def language_of(locale: object) -> Language:
    """Discord locales es-ES and es-419 (and any es-*) read Spanish; everything else English."""
    text = str(getattr(locale, "value", locale) or "").lower()
    return Language.ES if text == "es" or text.startswith("es-") else Language.EN


def t(language: Language, key: str, /, **params: object) -> str:
    """The text for `key` in `language` with its placeholders filled."""
    text = catalog(language).get(key) or catalog(Language.EN).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalogs")
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in catalog(Language.EN)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- dates and times, in the community's zone and the reader's language -----------------------------

# Spanish abbreviations collide ("mar" is both martes and marzo): Spanish dates are written out.
_PATTERNS = {Language.EN: "EEE d MMM, HH:mm zzz", Language.ES: "EEEE d 'de' MMMM, H:mm"}
_SHORT = {Language.EN: "HH:mm", Language.ES: "HH:mm"}


def when(moment: datetime, zone: tzinfo, language: Language) -> str:
    """'Fri 24 Jan, 11:15 CST' / 'vie 24 de ene, 11:15' (Babel has no Spanish zone abbreviations)."""
    return format_datetime(moment, _PATTERNS[language], tzinfo=zone, locale=language.value)


def clock(moment: datetime, zone: tzinfo, language: Language) -> str:
    return format_datetime(moment, _SHORT[language], tzinfo=zone, locale=language.value)


def ago(moment: datetime, now: datetime, language: Language) -> str:
    """'10 minutes ago' / 'hace 10 minutos'."""
    delta: timedelta = moment - now
    return format_timedelta(delta, add_direction=True, threshold=1.5, locale=language.value)
