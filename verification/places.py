"""Place text: normalisation, look-alike folding, street vocabulary, and the keys places are matched by.

Reporters type places on phones, in two languages, with typos: "la escuela Hamline", "Hamline Elem",
"26th St and Pulaski Rd", "pulaski/26". Everything that matches places goes through `tokens()`, which
folds case, accents, punctuation, look-alike letters from other scripts, street suffixes and directions,
ordinals ("48th" -> "48") and kind words ("escuela", "elementary" -> "school").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters from other scripts that render like Latin ones; folded so "Hаmline" (Cyrillic а) is Hamline.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
        # Greek
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip

# Kind words: two places of different kinds are never the same place ("Whittier Elementary" is not
# "Whittier Park"), and a kind word alone never identifies a place.
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ["school", "schools", "elementary", "elem", "primary", "academy", "escuela", "colegio", "high",
         "middle", "preschool", "kindergarten", "prepa", "secundaria", "primaria", "elementaria"],
        "school",
    ),
    **dict.fromkeys(
        ["church", "iglesia", "parish", "parroquia", "mosque", "mezquita", "temple", "templo",
         "synagogue", "sinagoga", "cathedral", "catedral", "chapel", "capilla"],
        "worship",
    ),
    **dict.fromkeys(["hospital", "clinic", "clinica", "medical", "er", "emergency"], "hospital"),
    **dict.fromkeys(["court", "courthouse", "corte", "tribunal", "juzgado"], "court"),
    **dict.fromkeys(["park", "parque", "playground", "field"], "park"),
    **dict.fromkeys(["store", "tienda", "market", "mercado", "supermarket", "shop"], "store"),
    **dict.fromkeys(["station", "estacion", "stop", "parada"], "station"),
}  # fmt: skip

STREET_SUFFIXES: dict[str, str] = {
    **dict.fromkeys(["st", "street", "str", "calle"], "st"),
    **dict.fromkeys(["ave", "avenue", "av", "avenida"], "ave"),
    **dict.fromkeys(["rd", "road"], "rd"),
    **dict.fromkeys(["blvd", "boulevard", "bulevar"], "blvd"),
    **dict.fromkeys(["dr", "drive"], "dr"),
    **dict.fromkeys(["pl", "place"], "pl"),
    **dict.fromkeys(["ct"], "ct"),
    **dict.fromkeys(["ln", "lane"], "ln"),
    **dict.fromkeys(["pkwy", "parkway"], "pkwy"),
    **dict.fromkeys(["hwy", "highway"], "hwy"),
}
DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(["n", "north", "norte"], "n"),
    **dict.fromkeys(["s", "south", "sur"], "s"),
    **dict.fromkeys(["e", "east", "este"], "e"),
    **dict.fromkeys(["w", "west", "oeste"], "w"),
}
# Words around a place name that say nothing about which place it is.
FILLER = frozenset(
    {
        "the", "at", "on", "of", "near", "in", "by", "a", "an", "to", "from", "outside", "front", "corner",
        "door", "doors", "entrance", "gate", "gates", "main",
        "la", "el", "los", "las", "de", "del", "en", "al", "por", "frente", "cerca", "afuera", "puerta",
        "entrada", "esquina", "junto", "enfrente",
    }
)  # fmt: skip
CONNECTORS = frozenset({"and", "y", "&", "/", "@", "con"})

_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th|o|a|er|ro|vo|ta|mo)$")
_WORD = re.compile(r"[a-z0-9]+|[&/@]")


def clean(text: str) -> str:
    """NFKC, no invisible format characters (zero-width, bidi), no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text if unicodedata.category(c) != "Cf"
    )
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: cleaned, look-alikes folded, accents stripped, case folded."""
    text = clean(text).translate(CONFUSABLES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def has_confusables(text: str) -> bool:
    """Whether `text` mixes in letters from other scripts that only look Latin."""
    cleaned = clean(text)
    return cleaned.translate(CONFUSABLES) != cleaned


def raw_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def canonical(word: str) -> str:
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return ordinal.group(1)
    if word in STREET_SUFFIXES:
        return STREET_SUFFIXES[word]
    if word in DIRECTIONS:
        return DIRECTIONS[word]
    return KIND_WORDS.get(word, word)


def tokens(text: str) -> list[str]:
    """The words that identify a place, canonical and in order; filler and connectors dropped."""
    return [canonical(w) for w in raw_words(text) if w not in FILLER and w not in CONNECTORS]


def kinds_in(words: list[str]) -> set[str]:
    return {w for w in words if w in _KIND_CLASSES}


def distinctive(words: list[str]) -> list[str]:
    """Words that can tell one place from another: no kind words, suffixes or directions."""
    return [w for w in words if w not in _KIND_CLASSES and w not in _SUFFIX_FORMS and w not in _DIRECTION_FORMS]


_KIND_CLASSES = frozenset(KIND_WORDS.values())
_SUFFIX_FORMS = frozenset(STREET_SUFFIXES.values())
_DIRECTION_FORMS = frozenset(DIRECTIONS.values())


def place_key(name: str) -> str:
    """The key a known place (or one of its aliases) is stored and matched under."""
    return " ".join(tokens(name))


# --- free text that is not a known place ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreePlace:
    """A place described in free text: a home address (kept at block level), a corner, or words."""

    key: str
    label: str
    words: tuple[str, ...]  # distinctive words, for similarity with other free text
    block: int | None = None  # for a street address: the hundred block ("2300")


_ADDRESS = re.compile(
    r"(?<![\w#])(\d{1,6})\s+((?:(?:n|s|e|w|north|south|east|west)\.?\s+)?"
    r"[\w'.-]+(?:\s+[\w'.-]+){0,3}?\s+"
    r"(?:st|street|ave|avenue|av|rd|road|blvd|boulevard|dr|drive|pl|place|ct|court|ln|lane|pkwy|parkway|way|ter|terrace)\.?)"
    r"(?!\w)",
    re.IGNORECASE,
)
# A house number without a street suffix: "2314 Pulaski", "2314 S Pulaski" (three digits or more, so
# "26 & Pulaski" stays a corner), and the Spanish order, "Calle Pulaski 2314", "avenida Cicero 48".
_BARE_ADDRESS = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(\d{3,6})\s+((?:(?:n|s|e|w|north|south|east|west|norte|sur|este|oeste)\.?\s+)?"
    r"[^\W\d_][\w'.-]*(?:\s+[^\W\d_][\w'.-]*){0,2})\s*$",
    re.IGNORECASE,
)
_SPANISH_ADDRESS = re.compile(
    r"((?:calle|avenida|av\.?|avda\.?|bulevar|camino|callejón|callejon)\s+[\w'.-]+(?:\s+[^\W\d_][\w'.-]*){0,2})"
    r"\s*(?:no\.?|n[º°]|#)?\s*(\d{1,6})(?!\w)",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:&|/|@|\band\b|\by\b|\bcon\b|\bat\b)\s*", re.IGNORECASE)
MAX_LABEL = 100


def _block(number: int, street_text: str) -> FreePlace:
    """A home address as its hundred block: the house number never becomes part of a place."""
    block = number // 100 * 100
    street = " ".join(street_text.split())
    street_words = tokens(street)
    return FreePlace(
        key=f"block:{block}:{' '.join(street_words)}",
        label=street[:MAX_LABEL],
        words=tuple(distinctive(street_words)),
        block=block,
    )


def free_place(text: str) -> FreePlace:
    """Describe free text as a place: an address becomes its block, a corner a sorted pair of streets."""
    cleaned = clean(text).translate(CONFUSABLES)
    address = _ADDRESS.search(cleaned) or _BARE_ADDRESS.search(cleaned)
    if address:
        return _block(int(address.group(1)), address.group(2))
    spanish = _SPANISH_ADDRESS.search(cleaned)
    if spanish:
        return _block(int(spanish.group(2)), spanish.group(1))
    parts = [p for p in _SPLIT.split(cleaned) if p.strip()]
    if len(parts) == 2:
        streets = sorted(" ".join(distinctive(tokens(p))) for p in parts)
        if all(streets):
            corner = tuple(w for s in streets for w in s.split())
            return FreePlace(key="corner:" + "|".join(streets), label=cleaned[:MAX_LABEL], words=corner)
    words = tokens(cleaned)
    return FreePlace(
        key="text:" + " ".join(sorted(set(words))), label=cleaned[:MAX_LABEL], words=tuple(distinctive(words))
    )
