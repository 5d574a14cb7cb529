"""Message catalogs (gettext .po files read with Babel) and the language each person gets.

Keys are symbolic ("error.already_voted", "alert.first_line"); the English catalog holds the English
text. Placeholders are `{name}` fields filled by `str.format`; user text must already be made safe
(`bot.core.safe`) before it is passed in. A key missing from Spanish falls back to English, so a
missing translation never blocks a message; the catalog tests keep both complete.

A count that changes the words ("1 report", "3 reports") is a gettext plural entry (`msgid_plural`,
`msgstr[0]`, `msgstr[1]`) read with `tn`, which picks the form by the catalog's own Plural-Forms rule:
never "report(s)".
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache
from importlib import resources

from babel.dates import format_datetime, format_time, format_timedelta
from babel.messages.pofile import read_po

from verification.model import Language

DOMAIN = "veraz"


@dataclass(frozen=True, slots=True)
class _Catalog:
    singular: Mapping[str, str]
    plural: Mapping[str, tuple[str, ...]]
    plural_form: Callable[[int], int]


@cache
def _load(language: Language) -> _Catalog:
    path = resources.files("bot").joinpath("locales", language.value, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as f:
        po = read_po(f, locale=language.value)
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for m in po:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            forms = tuple(str(s) for s in m.string or ())
            if forms and all(forms):
                plural[str(m.id[0])] = forms
        elif m.string:
            singular[str(m.id)] = str(m.string)
    return _Catalog(singular, plural, gettext.c2py(po.plural_expr))


def catalog(language: Language) -> Mapping[str, str]:
    """The catalog's messages without plural forms (those are in `plurals`)."""
    return _load(language).singular


def plurals(language: Language) -> Mapping[str, tuple[str, ...]]:
    """The catalog's plural messages: each key's forms, in the order its Plural-Forms rule numbers them."""
    return _load(language).plural


def language_of(locale: object) -> Language:
    """Discord locales es-ES and es-419 (and any es-*) read Spanish; everything else English."""
    text = str(getattr(locale, "value", locale) or "").lower()
    return Language.ES if text == "es" or text.startswith("es-") else Language.EN


def t(language: Language, key: str, /, **params: object) -> str:
    """The text for `key` in `language` with its placeholders filled."""
    text = catalog(language).get(key) or catalog(Language.EN).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalogs")
    return _one_period(text.format(**params)) if params else text


def tn(language: Language, key: str, count: int, /, **params: object) -> str:
    """The form of plural message `key` that `count` takes in `language`; `{count}` is filled with it."""
    found = _load(language)
    forms = found.plural.get(key)
    if forms is None:
        found = _load(Language.EN)
        forms = found.plural.get(key)
        if forms is None:
            raise KeyError(f"no plural message {key!r} in the catalogs")
    index = min(found.plural_form(count), len(forms) - 1)
    return _one_period(forms[index].format(count=count, **params))


_DOUBLE_PERIOD = re.compile(r"(\b[ap]\.\s?m\.)\.")


def _one_period(text: str) -> str:
    """A sentence that ends on "1:31 p.m." ends there: the abbreviation's period is the sentence's."""
    return _DOUBLE_PERIOD.sub(r"\1", text)


def has(key: str) -> bool:
    return key in catalog(Language.EN)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- dates and times, in the community's zone and the reader's language -----------------------------
#
# A date and a clock are always given to a sentence separately, so that the sentence can supply the
# words around each ("el viernes 24 de enero, alrededor de las 11:05 a.m."): a full date dropped into
# "alrededor de ..." reads wrong in Spanish.

# Babel's CLDR locale for each language. US Latino readers use 12-hour time ("1:31 p.m."), the way
# es_US writes it; English keeps the 24-hour clock with the zone it has always shown.
LOCALES = {Language.EN: "en", Language.ES: "es_US"}
# Spanish abbreviations collide ("mar" is both martes and marzo): Spanish dates are written out.
_DATES = {Language.EN: "EEE d MMM", Language.ES: "EEEE d 'de' MMMM"}
_NARROW_NBSP = "\u202f"
_NBSP = "\u00a0"


def date(moment: datetime, zone: tzinfo, language: Language) -> str:
    """'Fri 24 Jan' / 'viernes 24 de enero'."""
    return format_datetime(moment, _DATES[language], tzinfo=zone, locale=LOCALES[language])


_LONG_DATES = {Language.EN: "d MMMM y", Language.ES: "d 'de' MMMM 'de' y"}


def long_date(moment: datetime, zone: tzinfo, language: Language) -> str:
    """'14 March 2023' / '14 de marzo de 2023': a day that may be in another year."""
    return format_datetime(moment, _LONG_DATES[language], tzinfo=zone, locale=LOCALES[language])


def clock(moment: datetime, zone: tzinfo, language: Language, *, zone_name: bool = False) -> str:
    """'11:15' (with `zone_name`: '11:15 CST') / '11:15 a.m.' (Babel has no Spanish zone abbreviations).

    The narrow no-break space CLDR puts before "a.m." becomes a plain no-break space: it still keeps
    "1:31" and "p.m." on one line, and every phone font has it."""
    if language is Language.ES:
        text = format_time(moment, "short", tzinfo=zone, locale=LOCALES[language])
        return text.replace(_NARROW_NBSP, _NBSP)
    return format_datetime(moment, "HH:mm zzz" if zone_name else "HH:mm", tzinfo=zone, locale=LOCALES[language])


def clock_phrase(moment: datetime, zone: tzinfo, language: Language, *, zone_name: bool = False) -> str:
    """A clock with the article a Spanish sentence needs before it: 'la 1:31 p.m.', 'las 11:05 a.m.'
    (a plural entry counted by the hour on the 12-hour dial); English has none: '13:31'."""
    hour = moment.astimezone(zone).hour % 12 or 12
    return tn(language, "time.clock", hour, clock=clock(moment, zone, language, zone_name=zone_name))


def when(moment: datetime, zone: tzinfo, language: Language) -> str:
    """A moment with its day: 'Fri 24 Jan, 11:15 CST' / 'el viernes 24 de enero, a las 11:15 a.m.'."""
    return t(language, "time.exact", date=date(moment, zone, language),
             clock=clock_phrase(moment, zone, language, zone_name=True))  # fmt: skip


def ago(moment: datetime, now: datetime, language: Language) -> str:
    """'10 minutes ago' / 'hace 10 minutos'."""
    delta: timedelta = moment - now
    return format_timedelta(delta, add_direction=True, threshold=1.5, locale=LOCALES[language])
