"""The words people use for times, in English and Spanish, and the tokens they become."""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- lexicon ----------------------------------------------------------------------------------------------
# Phrases (after cleaning) and the tokens they stand for. Upper-case tokens cannot come from the text, which
# is case-folded. An empty value drops the words: they say nothing about the time.

_LEXICON: dict[str, tuple[str, ...]] = {
    "NOW": (
        "now", "right now", "rite now", "rigth now", "rn", "atm", "asap", "happening now", "happening right now",
        "happening", "currently", "at the moment", "at this moment", "this moment", "as we speak", "live",
        "ongoing", "still", "still there", "still here", "now now", "ahora", "ahorita", "ahorita mismo",
        "ahora mismo", "orita", "horita", "ahoritita", "ya mismo", "justo ahora", "en este momento",
        "en estos momentos", "este momento", "ahora mero", "en vivo", "actualmente", "todavia", "aun", "siguen",
        "pasando", "esta pasando", "en curso", "in progress", "going on", "rightnow", "justo ahorita",
    ),
    "YA": ("ya",),  # "now" alone, "already" beside other words ("ya se fueron")
    "JUST": ("just", "justo", "recien", "recientito", "acaba de", "acaban de", "acabo de", "acabamos de"),
    "W_MOMENT": (
        "just now", "justnow", "hace nada", "moment", "a moment", "moments", "a few moments", "momento",
        "un momento", "momentito", "un momentito", "unos momentos", "a sec", "a second", "a few seconds",
        "few seconds", "un segundo", "un segundito", "unos segundos", "unos segunditos",
    ),
    "W_RATITO": (
        "a little while", "little while", "a bit", "a little bit", "little bit", "bit", "a short while",
        "short while", "ratito", "un ratito", "ratitito", "un poco", "un poquito", "poquito",
    ),
    "W_POCO": ("poco", "not long", "not too long", "not that long", "no mucho"),
    "W_RATO": ("a while", "awhile", "while", "rato", "un rato", "some time", "un tiempo"),
    "W_GOODWHILE": (
        "a good while", "a long while", "quite a while", "a good bit", "un buen rato", "buen rato",
        "un rato largo", "rato largo", "ratote",
    ),
    "W_RECENT": ("recently", "recent", "lately", "recientemente"),
    "W_THISWEEK": (
        "this week", "esta semana", "past week", "in the past week", "in the last week", "within the last week",
        "durante la semana", "en la semana",
    ),
    "W_LASTWEEK": ("last week", "la semana pasada", "semana pasada", "the other day", "el otro dia"),
    "EARLIER": ("earlier", "earlier on", "mas temprano", "previously", "hace rato ya"),
    "EARLY": ("early", "temprano", "tempranito"),
    "LONGAGO": ("a long time ago", "long ago", "long time ago", "hace mucho", "hace mucho tiempo", "hace tiempo"),
    "HEDGE": (
        "?", "about", "abt", "bout", "abut", "abour", "around", "round", "arnd", "like", "approx",
        "approximately", "approximate", "aprox", "aproximadamente", "aproximado", "aproximada", "apx", "aprx",
        "apprx", "roughly", "maybe", "may be", "probably", "prob", "probs", "prolly", "perhaps", "possibly",
        "i think", "think", "i believe", "believe", "i guess", "guess", "guessing", "im guessing", "not 100 sure",
        "not exactly", "no se bien", "creo", "creo que", "yo creo", "tal vez",
        "talvez", "quizas", "quiza", "a lo mejor", "capaz", "como", "como que", "tipo", "cerca de", "cerca del",
        "cerca", "mas o menos", "masomenos", "mas menos", "maso", "more or less", "or so", "or something",
        "o algo asi", "o algo", "give or take", "ish", "estimated", "estimate", "alrededor de", "alrededor",
        "al rededor de", "eso de", "a eso de", "por eso de", "por ahi de", "por ahi", "something like",
        "somewhere around", "round about", "plus or minus", "plus minus", "circa", "some", "unos", "unas",
        "sometime", "sometime around", "at some point", "en algun momento",
        "give or take a few",
    ),
    # "I don't know": alone, the time is not given (and that was understood); beside a time, a hedge.
    "DUNNO": (
        "idk", "i dont know", "dont know", "dunno", "i dunno", "not sure", "im not sure", "not sure when",
        "no idea", "unknown", "unsure", "n a", "na", "who knows", "no se", "no lo se", "no estoy seguro",
        "no estoy segura", "ni idea", "quien sabe", "desconocido", "no recuerdo", "dont remember",
    ),
    "ALMOST": (
        "almost", "nearly", "just under", "a little under", "little under", "not quite", "casi",
        "un poco menos de", "poco menos de", "just before", "right before", "shortly before", "a little before",
        "poco antes de", "un poco antes de", "poco antes de las", "un poco antes de las",
    ),
    "JUSTOVER": (
        "just over", "a little over", "little over", "a bit over", "un poco mas de", "poco mas de", "just after",
        "a little after", "shortly after", "right after", "poco despues de", "un poco despues de",
        "poco despues de las", "un poco despues de las", "despuesito de",
    ),
    "OVER": ("over", "more than", "mas de", "at least", "por lo menos", "al menos", "or more", "maybe more", "o mas"),
    "WITHIN": (
        "less than", "under", "menos de", "within", "within the last", "within the past", "in the last",
        "in the past", "the last", "the past", "over the last", "over the past", "during the last",
        "for the last", "for the past", "en los ultimos", "en las ultimas", "los ultimos", "las ultimas",
        "en el ultimo", "en la ultima", "durante los ultimos", "durante las ultimas", "no more than", "at most",
        "or less", "maybe less", "o menos",
    ),
    "FOR": ("for", "durante", "llevan"),
    "BETWEEN": ("between", "entre", "somewhere between"),
    "SINCE": ("since", "desde", "starting at", "desde las", "desde la"),
    "SINCE AGO": ("desde hace",),
    "BEFORE": ("before", "antes", "antes de", "antes de las", "antes de la", "prior to"),
    "AFTER": ("after", "despues", "despues de", "despues de las", "despues de la"),
    "PICO": ("y pico", "and something", "something", "y algo", "y tantos", "and change"),
    "AGO": ("ago", "hace", "ase", "ace", "hase", "haze", "atras", "atraz", "back", "antes de ahora"),
    "AGO HEDGE": ("hace como", "hace unos", "hace unas"),
    "AGO W_POCO": ("no hace mucho",),
    "GONE": ("left", "gone", "se fueron", "fueron", "se fue", "went", "already", "ya se fueron", "ya se fue"),
    "IN": ("in", "en", "within the next"),
    "FUTURE": (
        "from now", "later", "later today", "later on", "luego", "mas tarde", "al rato", "next", "proximo",
        "dentro de",
    ),
    "TOMORROW": ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "pasado manana", "manana temprano"),
    "MANANA": ("manana",),  # "tomorrow", but also a lost "(esta) mañana"
    "TODAY": ("today", "tday", "hoy", "this day", "hoy dia", "el dia de hoy", "all day", "all day long",
              "the whole day", "todo el dia"),
    "YESTERDAY": ("yesterday", "yday", "yest", "ystrdy", "ayer", "el dia de ayer"),
    "DBY": ("day before yesterday", "the day before yesterday", "anteayer", "antier", "antes de ayer", "antesdeayer"),
    "THIS": ("this", "esta", "este"),
    "LAST": ("last", "pasado", "pasada", "this past"),
    "MORNING": (
        "morning", "mornin", "morn", "midmorning", "mid morning", "the morning", "in the morning", "la manana",
        "de la manana", "en la manana", "por la manana", "mananita", "la mananita", "de manana", "this am", "in the am",
    ),
    "THIS MORNING": ("esta manana", "this mornin", "esta mananita"),
    "EARLYMORNING": (
        "early morning", "early in the morning", "madrugada", "la madrugada", "de madrugada",
        "de la madrugada", "en la madrugada", "por la madrugada", "early am", "dawn", "at dawn", "amanecer",
        "al amanecer", "temprano en la manana",
    ),
    "THIS EARLYMORNING": ("early this morning", "this early morning", "esta madrugada"),
    "AFTERNOON": (
        "afternoon", "the afternoon", "midafternoon", "mid afternoon", "in the afternoon", "la tarde",
        "de la tarde", "en la tarde", "por la tarde", "tarde", "tardecita", "la tardecita", "this pm", "in the pm",
    ),
    "THIS AFTERNOON": ("esta tarde", "esta tardecita"),
    "EVENING": ("evening", "the evening", "in the evening", "eve"),
    "NIGHT": (
        "night", "nite", "at night", "the night", "la noche", "de la noche", "en la noche", "por la noche",
        "noche", "overnight",
    ),
    "THIS NIGHT": ("tonight", "tonite", "esta noche"),
    "YESTERDAY NIGHT": (
        "anoche", "last nite", "lastnight", "lastnite", "ayer en la noche", "ayer por la noche", "ayer noche",
    ),
    "LUNCH": (
        "lunch", "lunchtime", "at lunch", "at lunchtime", "during lunch", "around lunch", "lunch time",
        "a la hora del almuerzo", "a la hora de la comida", "la hora del almuerzo", "hora de comida", "almuerzo",
    ),
    "NOON": ("noon", "midday", "mediodia", "medio dia", "el mediodia", "12 noon", "12 mediodia"),
    "MIDNIGHT": ("midnight", "medianoche", "media noche", "la medianoche", "12 midnight"),
    "CLOCKAT": ("at", "a las", "a la", "las", "de las", "by", "alas"),
    "OCLOCK": ("oclock", "o clock", "en punto", "hours sharp", "sharp"),
    "AM": ("am",),
    "PM": ("pm",),
    "SEC": ("sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos", "segunditos"),
    "MIN": (
        "min", "mins", "minute", "minutes", "minuto", "minutos", "minutito", "minutitos", "mn", "mns", "mnt",
        "mnts", "mint", "mints", "minits", "minuts", "mits", "minitos",
    ),
    "HOUR": ("hour", "hours", "hr", "hrs", "hora", "horas", "horitas", "hs", "hrz", "hors"),
    "1 HOUR": ("una horita", "1 horita"),  # "horita" alone is "ahorita": now
    "DAY": ("day", "days", "dia", "dias"),
    "WEEK": ("week", "weeks", "wk", "wks", "semana", "semanas"),
    "0.5 HOUR": (
        "half an hour", "half a hour", "half hour", "a half hour", "a half an hour", "half an hr", "half hr",
        "media hora", "media horita", "1/2 hour", "1/2 hr", "1/2 an hour",
    ),
    "0.25 HOUR": ("a quarter of an hour", "quarter of an hour", "quarter hour", "a quarter hour",
                  "un cuarto de hora", "cuarto de hora"),
    "0.75 HOUR": ("three quarters of an hour", "tres cuartos de hora", "3/4 of an hour", "3/4 hour"),
    "FEW": ("few", "a few", "a few of", "unos pocos", "unas pocas", "pocos", "pocas", "algunos", "algunas"),
    "COUPLE": ("couple", "a couple", "a couple of", "couple of", "un par de", "par de", "un par"),
    "SEVERAL": ("several", "varios", "varias", "many", "muchos", "muchas"),
    "HALFMORE": ("and a half", "and half", "y media", "y medio"),
    "QUARTERMORE": ("y cuarto", "and a quarter"),
    "QUARTERLESS": ("menos cuarto",),
    "HALFPAST": ("half past", "half after"),
    "QUARTERPAST": ("quarter past", "a quarter past", "quarter after", "a quarter after"),
    "QUARTERTO": (
        "quarter to", "a quarter to", "quarter till", "a quarter till", "quarter til", "quarter of",
        "cuarto para las", "cuarto para la", "un cuarto para las", "un cuarto para la",
    ),
    "PAST": ("past",),
    "TO": ("to",),
    "TILL": ("till", "til", "until", "para las", "para la", "para"),
    "MINUS": ("menos",),
    "OR": ("or", "o", "u"),
    "Y": ("and", "y", "plus", "con"),
    "1": ("an", "un", "una", "uno", "one"),
    "ZONE_EST": ("est",), "ZONE_EDT": ("edt",), "ZONE_CST": ("cst",), "ZONE_CDT": ("cdt",),
    "ZONE_MST": ("mst",), "ZONE_MDT": ("mdt",), "ZONE_PST": ("pst",), "ZONE_PDT": ("pdt",),
    "ZONE_UTC": ("utc", "gmt", "utc time"),
    "ZONE_CENTRAL": ("central", "central time", "ct", "hora del centro"),
    "ZONE_EASTERN": ("eastern", "eastern time", "et"),
    "ZONE_MOUNTAIN": ("mountain", "mountain time", "mt"),
    "ZONE_PACIFIC": ("pacific", "pacific time", "pt"),
    "": (
        "i", "im", "ive", "we", "they", "theyre", "them", "he", "she", "it", "its", "was", "were", "is", "are",
        "been", "be", "r", "saw", "seen", "see", "spotted", "noticed", "happened", "came", "come", "arrived",
        "showed up", "there", "here", "that", "the", "of", "on", "el", "lo", "los", "le", "les", "yo", "vi",
        "vimos", "visto", "vieron", "fue", "paso", "sucedio", "ocurrio", "llegaron", "llego", "estaban",
        "estan", "eran", "son", "se", "que", "q", "ok", "okay", "lol", "lmao", "omg", "pls", "plz", "please",
        "por favor", "porfa", "um", "umm", "uh", "eh", "hmm", "ah", "oh", "so", "well", "bueno", "pues",
        "oye", "hey", "yes", "yeah", "yep", "si", "only", "solo", "nomas", "no mas", "exactly", "exactamente",
        "precisely", "time", "the time", "de", "del", "al", "por", "when", "cuando", "ice", "migra", "la migra",
        "agents", "agentes", "cops", "police", "policia", "was like", "it was", "eso fue", "fue como",
        "around here", "por aqui", "aqui", "ahi", "alli", "alla", "late", "pasar", "ir", "irse", "llegar", "ver",
        "verlos", "hurry", "help", "urgent", "urgente", "ayuda", "cuidado", "careful", "alert", "alerta",
        "emergency", "emergencia", "all", "todo", "toda", "whole", "entire", "mid", "local time", "hora local",
        "mero",
    ),
}  # fmt: skip

_WEEKDAYS = (
    ("monday", "mon", "lunes"), ("tuesday", "tue", "tues", "martes"), ("wednesday", "wed", "weds", "miercoles"),
    ("thursday", "thu", "thur", "thurs", "jueves"), ("friday", "fri", "viernes"), ("saturday", "sabado"),
    ("sunday", "domingo"),
)  # fmt: skip
_MONTHS = (
    ("january", "jan", "enero", "ene"), ("february", "feb", "febrero"), ("march", "marzo"),
    ("april", "apr", "abril", "abr"), ("may", "mayo"), ("june", "jun", "junio"), ("july", "jul", "julio"),
    ("august", "aug", "agosto"), ("september", "sep", "sept", "septiembre", "setiembre"),
    ("october", "oct", "octubre"), ("november", "nov", "noviembre"), ("december", "dec", "diciembre", "dic"),
)  # fmt: skip
_ONES_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_ONES_ES = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once",
            "doce", "trece", "catorce", "quince", "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte",
            "veintiuno", "veintidos", "veintitres", "veinticuatro", "veinticinco", "veintiseis", "veintisiete",
            "veintiocho", "veintinueve")  # fmt: skip
_TENS_EN = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}  # fmt: skip
_TENS_ES = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
            "noventa": 90}  # fmt: skip


def _number_words() -> dict[str, tuple[str, ...]]:
    words: dict[str, list[str]] = {}
    for ones in (_ONES_EN, _ONES_ES):
        for value, word in enumerate(ones):
            words.setdefault(str(value), []).append(word)
    words["21"].append("veintiun")
    words["21"].append("veintiuna")
    for tens, value in _TENS_EN.items():
        words.setdefault(str(value), []).append(tens)
        for unit in range(1, 10):
            words.setdefault(str(value + unit), []).append(f"{tens} {_ONES_EN[unit]}")
    for tens, value in _TENS_ES.items():
        words.setdefault(str(value), []).append(tens)
        for unit in range(1, 10):
            words.setdefault(str(value + unit), []).append(f"{tens} y {_ONES_ES[unit]}")
        words.setdefault(str(value + 1), []).extend((f"{tens} y un", f"{tens} y una"))
    return {key: tuple(value) for key, value in words.items()}


def _build_phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    entries: list[tuple[str, Iterable[str]]] = list(_LEXICON.items())
    entries += [(f"WD{n}", names) for n, names in enumerate(_WEEKDAYS)]
    entries += [(f"MON{n}", names) for n, names in enumerate(_MONTHS, start=1)]
    entries += list(_number_words().items())
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for tokens, texts in entries:
        for text in texts:
            words, meaning = tuple(text.split()), tuple(tokens.split())
            if phrases.setdefault(words, meaning) != meaning:
                raise ValueError(f"{text!r} is listed as both {phrases[words]} and {meaning}")
    return phrases


_PHRASES = _build_phrases()
_LONGEST_PHRASE = max(len(words) for words in _PHRASES)
_VOCABULARY = frozenset(word for words in _PHRASES for word in words if word.isalpha())
_TYPO_VOCABULARY = tuple(sorted(word for word in _VOCABULARY if len(word) >= 5))
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
CLOCK_TOKEN = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?", re.ASCII)
_UNIT_AFTER_NUMBER = {"m": "MIN", "h": "HOUR", "s": "SEC", "d": "DAY", "p": "PM"}


def lex(words: list[str]) -> list[str]:
    """Known phrases, longest first, as their tokens; numbers as they are; unknown words as they are."""
    words = [_spelled(word) for word in words]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        previous_is_number = bool(tokens) and bool(re.fullmatch(r"[0-9][0-9.:]*", tokens[-1]))
        if word == "h" and previous_is_number and re.fullmatch(r"[0-5][0-9]", after):
            tokens.append("HCLOCK")  # "19h30" is a clock time; "1h30 ago" a duration
        elif word in _UNIT_AFTER_NUMBER and previous_is_number:
            tokens.append(_UNIT_AFTER_NUMBER[word])
        elif word == "a" and previous_is_number and not NUMBER.fullmatch(after) and after not in ("las", "la"):
            tokens.append("AM")  # "7a": but "10 a 15 minutos" is a range and "a las" a clock
        elif word == "z" and tokens and CLOCK_TOKEN.fullmatch(tokens[-1]):
            tokens.append("ZONE_UTC")
        elif word == "la" and after[:1].isdigit():
            tokens.append("CLOCKAT")  # "la 1"
        else:
            for length in range(min(_LONGEST_PHRASE, len(words) - i), 0, -1):
                meaning = _PHRASES.get(tuple(words[i : i + length]))
                if meaning is not None:
                    if length == 1 and word in _SINGULAR_UNITS and not _counted(tokens):
                        tokens.append("1")  # "the last hour", "hour ago": one of it; "hours ago" is a few
                    tokens.extend(meaning)
                    i += length
                    break
            else:
                tokens.append(word)
                i += 1
            continue
        i += 1
    return tokens


_SINGULAR_UNITS = frozenset(
    {"hour", "hr", "hora", "minute", "minuto", "minutito", "second", "segundo", "day", "dia", "week",
     "semana", "wk"}
)  # fmt: skip


def _counted(tokens: list[str]) -> bool:
    """Whether the unit about to follow already has its count."""
    return bool(tokens) and (tokens[-1][0].isdigit() or tokens[-1] in ("a", "FEW", "COUPLE", "SEVERAL", "HALFMORE"))


def _spelled(word: str) -> str:
    """A known word for a slip of the keyboard ("nowww", "mintues"); other words unchanged."""
    if word in _VOCABULARY or not word.isalpha() or not word.isascii():
        return word
    squeezes = (re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word), re.sub(r"(.)\1$", r"\1", word))
    for squeezed in squeezes:  # "nowww", "agoo", "ahoritaaa"
        if squeezed != word and squeezed in _VOCABULARY:
            return squeezed
    if len(word) < 5:
        return word
    near = [known for known in _TYPO_VOCABULARY if _one_slip(word, known)]
    meanings = {_PHRASES.get((known,), (known,)) for known in near}
    return near[0] if len(meanings) == 1 else word  # "minuets": "minutes" and "minuts" mean the same


def _one_slip(word: str, known: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(word) - len(known)) > 1 or word == known:
        return False
    start = 0
    while start < min(len(word), len(known)) and word[start] == known[start]:
        start += 1
    a, b = word[start:], known[start:]
    return a[1:] == b[1:] or a == b[1:] or a[1:] == b or (a[:2] == b[1::-1] and a[2:] == b[2:])
