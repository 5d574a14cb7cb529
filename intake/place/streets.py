"""Streets as people write them: names, intersections, house numbers and stretches between corners.

"26th & Pulaski", "Pulaski/26th", "W 26th St and S Pulaski Rd", "la 26 y Pulaski" and "Pulaski at 26th"
are one intersection; "#1234 Elm", "1234 Elm Apt 3", "Elm 1234" and "enfrente del 2314 de la Pulaski"
are addresses, kept only as their hundred block. Directions, suffixes, Spanish prefixes ("calle",
"avenida", "la") and ordinals fold away from a street's key; typos and shortenings of streets the
community's places are on fold into them ("Pulasky", "Cali", "Wstrn", "MLK", "Chavez": `StreetNames`),
and a word of such a street's name is that street even where it is also a common word ("Federal").
"Pulaski esquina 27", "Kedzie casi esquina con la 31" and "Soto at the corner of 4th" are corners too.

The parsers walk outwards from a cue (a connector, a house number, a suffix) and stop at a pause or
at a word that is never part of a street's name (`places.NOISE`), so the words around a place ("they're
arresting kids, tell everyone") never become part of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .words import (
    CONNECTORS,
    DIRECTIONS,
    FILLER,
    KIND_WORDS,
    NOISE,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    SUFFIX_LABELS,
    TRAILING_SUFFIXES,
    Word,
    house_at,
    is_highway,
    is_ordinal,
    ordinal_label,
    ordinal_number,
    skeleton,
    typo_budget,
    words,
)

MAX_NAME_WORDS = 3  # "Martin Luther King Dr"
DIRECTION_LABELS = {"n": "N", "s": "S", "e": "E", "w": "W"}
_ARTICLES = frozenset({"la", "el", "the"})
_BLOCK_WORDS = frozenset({"block", "blk", "cuadra"})
# Words between a street and its house number: "Elm #2314", "la Elm, el 2314", "Elm St cuadra 2300".
_NUMBER_MARKS = frozenset({"#", "no", "num", "numero", "nro", "n", "el"}) | _BLOCK_WORDS
_BETWEEN = frozenset({"between", "btw", "btwn", "entre"})
_ON = frozenset({"on", "en", "sobre"})
# Connectors that join two streets however weak each side looks ("cermak and pulaski"); the others join
# them only when one side is clearly a street ("Pulaski at 26th", but never "ICE at Hamline").
# "esquina" between two streets is the corner of both ("Pulaski esquina 27", "Kedzie esquina con la 31").
STRONG_CONNECTORS = CONNECTORS | {"x", "n", "esquina"}  # "26th n pulaski"
WEAK_CONNECTORS = frozenset({"at", "near", "by", "off", "cerca", "sobre"})
# Words that may follow a connector before the second street: "cerca de la 23", "esquina con Kedzie", "at
# the corner of 31st"; and that may come before it: "Kedzie casi esquina con la 31", "Kedzie right at 31st".
_CONNECTOR_TAILS = frozenset({"de", "del", "con", "the", "corner", "of", "esquina"})
_CONNECTOR_LEADS = frozenset({"casi", "almost", "right", "just"})
MIN_TYPO = 5
MIN_SHORT = 3  # a shortening of a street's name: "MLK", "Wstrn"
MIN_PREFIX = 4  # "Cali" for California: shorter beginnings ("Cal", "Ash") are too many streets' and words'

_BARE_DIRECTIONS = frozenset({"north", "south", "east", "west"})  # "North Ave", "western and north"
_SUFFIXES = {**STREET_SUFFIXES, **TRAILING_SUFFIXES}
_LONG_NUMBER = re.compile(r"\d{3}")
_NAMES_IN_FILLER = frozenset({"main"})  # "the main door", but "1st & Main"


@dataclass(frozen=True, slots=True)
class Street:
    """A street: its canonical name words ("26", "pulaski", "central park") and how to show it."""

    core: str
    name: str  # display name without direction or suffix: "26th", "Pulaski", "Central Park"
    suffix: str = ""  # canonical suffix ("st", "ave"...), typed or known
    direction: str = ""  # "n", "s", "e", "w" when typed
    alts: tuple[str, ...] = ()  # other cores the words may mean when the name's extent is uncertain

    @property
    def key(self) -> str:
        """Its name's key; a numbered street's with its type when that is not a street's ("37th Rd" is not
        37th Ave, nor 37th St, which is "37" as typed without a type)."""
        if self.suffix and self.suffix != "st" and self.core.isdigit():
            return f"{self.core} {self.suffix}"
        return street_key(self.core)

    @property
    def number(self) -> int | None:
        return int(self.core) if self.core.isdigit() else None

    def label(self, *, direction: bool = False) -> str:
        suffix = self.suffix or ("st" if self.number is not None else "")
        parts = [DIRECTION_LABELS[self.direction]] if direction and self.direction else []
        parts.append(self.name)
        if suffix:
            parts.append(SUFFIX_LABELS[suffix])
        return " ".join(parts)


def _shortens(short: str, name: str) -> bool:
    """ "cali" (a beginning of four letters or more) for "california", or the name with vowels left out
    ("wstrn" for "western", "lancstr" for "lancaster")."""
    if len(short) >= len(name) or short[0] != name[0]:
        return False
    if len(short) >= MIN_PREFIX and name.startswith(short):
        return True
    return _consonants(short) == _consonants(name) and _in_order(short, name)


def _consonants(word: str) -> str:
    return "".join(c for c in word if c not in _VOWELS)


def _in_order(short: str, name: str) -> bool:
    letters = iter(name)
    return all(c in letters for c in short)


def _initials(core: str) -> str:
    return "".join(w[0] for w in core.split())


_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=16384)
def street_key(core: str) -> str:
    """The key of a street's name: spelling-tolerant, and without a middle initial ("Edward L Grant" and
    "Edward Grant" are one street)."""
    parts = core.split()
    if len(parts) > 2:
        parts = [w for i, w in enumerate(parts) if i in (0, len(parts) - 1) or len(w) > 1 or w.isdigit()]
    return " ".join(skeleton(w) for w in parts)


@dataclass
class StreetNames:
    """The streets a community's places are on: typos of them fold into them, and they lend their suffix
    to a street typed without one ("pulasky" -> "Pulaski Rd")."""

    _by_key: dict[str, Street] = field(default_factory=dict)
    _one_word: dict[str, str] = field(default_factory=dict)  # folded one-word core -> key, for typos
    _words: set[str] = field(default_factory=set)  # every word of a known street's name
    _glued: dict[str, str] = field(default_factory=dict)  # a longer name typed as one word -> key ("longpoint")
    corners: set[str] = field(default_factory=set)  # the corners registered places are at ("90|elmhurst")
    _typed_numbers: dict[str, set[str]] = field(default_factory=dict)  # "37" -> {"37 ave", "37 rd"}

    def add(self, street: Street) -> None:
        if street.number is not None and street.key != street.core:
            self._typed_numbers.setdefault(street.core, set()).add(street.key)
        known = self._by_key.get(street.key)
        if known is None or (street.suffix and not known.suffix):
            self._by_key[street.key] = replace(street, direction="", alts=())
        if " " not in street.core and street.number is None:
            self._one_word[street.core] = street.key
        elif street.number is None and not any(w.isdigit() for w in street.core.split()):
            self._glued[street.core.replace(" ", "")] = street.key
        if street.number is None:
            self._words.update(street.core.split())

    def crossing(self, a: Street, b: Street) -> bool:
        """Whether a registered place is at the corner of these two streets."""
        return "|".join(sorted((a.key, b.key))) in self.corners

    def may_start(self, norm: str, *, later: bool = False) -> bool:
        """Whether a word may begin a known street's name as typed (or, `later`, be part of the name)."""
        return norm in self._words or norm in self._glued or (later and (norm in _SUFFIXES or norm in DIRECTIONS))

    def knows_word(self, norm: str) -> bool:
        """Whether a word is part of a known street's name: "Federal" is Federal Blvd where one is known,
        whatever else the word says ("federal agents")."""
        return norm in self._words

    def find(self, core: str) -> Street | None:
        """The known street `core` names, through a typo if it must."""
        known = self._by_key.get(street_key(core)) or self._by_key.get(self._glued.get(core, ""))
        if known is None and core.isdigit():
            typed = self._typed_numbers.get(core, set())
            known = self._by_key[next(iter(typed))] if len(typed) == 1 else None  # "la 37" where only 37th Ave is
        if known is not None or " " in core or core.isdigit():
            return known
        # A four-letter word a letter away from a known name is as often another word or another
        # street's beginning ("Cali" is not "Cal"): typos are read in longer names only, as place names are.
        budget = typo_budget(core) if len(core) >= MIN_TYPO else 0
        if not budget or not self._one_word:
            return None
        best = process.extractOne(core, self._one_word.keys(), scorer=OSA.distance, score_cutoff=budget)
        return None if best is None else self._by_key[self._one_word[best[0]]]

    def complete(self, street: Street) -> Street:
        """`street` with a known street's name and suffix when it is one (the typed direction stays).

        Only for words already read as a street: there a shortening of one known street's name stands for
        it, which it may not do anywhere else ("the arch" is not Archer Ave): its beginning ("Division &
        Cali"), its consonants ("Wstrn & 46th"), its initials ("MLK & 47th") or the first or last word of a
        longer name ("Soto y Chavez", "Laurel y Ventura")."""
        known = self.find(street.core)
        if known is not None and street.number is not None and street.suffix and street.suffix != known.suffix:
            return street  # "37th Rd" where 37th Ave is known: another street
        if known is None:
            known = self._shortened(street.core)
            if known is not None and street.suffix and known.suffix and street.suffix != known.suffix:
                known = None  # "Cedar Ave" is not Cedar Hollow Rd shortened
        if known is None and street.number is not None and not street.suffix:
            return replace(street, suffix=self._numbered_type())  # "38th" where the numbered streets are Aves
        if known is None:
            return street
        return replace(known, direction=street.direction, suffix=known.suffix or street.suffix)

    def _numbered_type(self) -> str:
        """The one type every numbered street the community's places are on has, if one: "ave" where they
        are W 46th Ave and W 47th Ave (Denver), "" where some are streets or types differ (Queens)."""
        types = {key.partition(" ")[2] for core, keys in self._typed_numbers.items() for key in keys}
        plain = any(k.isdigit() for k in self._by_key)
        return types.pop() if len(types) == 1 and not plain else ""

    def _shortened(self, core: str) -> Street | None:
        if len(core) < MIN_SHORT or not core.isalpha():
            return None
        found = {key for name, key in self._one_word.items() if _shortens(core, name)}
        for key, known in self._by_key.items():
            parts = known.core.split()
            if len(parts) > 1 and (
                _initials(known.core) == core or (len(core) >= MIN_PREFIX and core in (parts[0], parts[-1]))
            ):
                found.add(key)  # "MLK" for Martin Luther King Dr, "Chavez" for Cesar Chavez Ave, "Laurel" for
                # Laurel Canyon Blvd
        return self._by_key[found.pop()] if len(found) == 1 else None

    def cores(self) -> list[str]:
        """The known streets' names, folded: "pulaski", "central park"."""
        return [s.core for s in self._by_key.values()]

    def __len__(self) -> int:
        return len(self._by_key)


# --- words ----------------------------------------------------------------------------------------


# Whose a thing is, never a street's name: "on my way to Elm St" is on Elm St, not "My Way".
_POSSESSIVES = frozenset(
    {"my", "mi", "mis", "your", "ur", "tu", "tus", "his", "her", "its", "our", "ours", "their", "su", "sus",
     "nuestro", "nuestra", "nuestros", "nuestras", "this", "that"}
)  # fmt: skip


def is_suffix(norm: str) -> bool:
    return norm in _SUFFIXES


def name_like(w: Word) -> bool:
    """A word that can be part of a street's or a place's name."""
    n = w.norm
    return (
        n[:1].isalnum()
        and not n.isdigit()
        and (not _LONG_NUMBER.search(n) or is_highway(n))  # "a1234": a house number glued to a word is no name
        and n not in NOISE
        and n not in _POSSESSIVES
        and (n not in FILLER or n in _NAMES_IN_FILLER)
        and n not in STRONG_CONNECTORS
        and n not in _SUFFIXES
        and n not in DIRECTIONS
        and n not in _BETWEEN
        and n not in _BLOCK_WORDS  # "on the block of 26th St" is on 26th St, not on a street called Block
    )


def street_word(ws: Sequence[Word], j: int, names: StreetNames) -> bool:
    """A word that can be part of a street's name: a name-like word, or a word of a known street's name
    unless it qualifies the word after it ("Federal y 38" is Federal Blvd, "federal agents" are not)."""
    w = ws[j]
    if _number_street(w) is not None:
        return False  # a numbered street ends a name: "King Soopers 38th Ave" is on 38th Ave
    if name_like(w):
        return True
    if w.norm not in NOISE or not names.knows_word(w.norm):
        return False
    after = ws[j + 1] if j + 1 < len(ws) else None
    return after is None or after.pause or after.norm not in NOISE


def display(w: Word) -> str:
    """A word as a label shows it: as typed when typed in mixed case ("McCormick"), else capitalised;
    short words typed in capitals stay so ("MLK")."""
    typed = w.typed
    if is_highway(w.norm):
        prefix = typed.rstrip("0123456789 -")
        return (prefix.upper() if len(prefix) <= 2 else prefix[:1].upper() + prefix[1:].lower()) + typed[len(prefix) :]
    mixed = any(c.isupper() for c in typed) and any(c.islower() for c in typed)
    if mixed or (typed.isupper() and len(typed) <= 3 and typed.isalpha()):
        return typed
    return typed[:1].upper() + typed[1:].lower()


def _number_street(w: Word) -> int | None:
    """A street number: "26th", "26", "la 26" (never a house number: at most three digits)."""
    return ordinal_number(w.norm)


def _street(
    run: Sequence[Word], suffix: str, direction: str, certain: bool, names: StreetNames, *, keep_first: bool
) -> tuple[Street, int] | None:
    """The street a run of name words names, and how many of the words it takes; `keep_first` says
    which end of the run touches the cue (the connector, the house number)."""
    if not run:
        return None
    for size in range(len(run), 0, -1):  # the longest known street the words name
        part = run[:size] if keep_first else run[-size:]
        known = names.find(" ".join(w.norm for w in part))
        if known is not None:
            return replace(known, suffix=known.suffix or suffix, direction=direction), size
    if all(w.norm in KIND_WORDS for w in run) and not suffix:
        return None  # "la escuela", "26th & the park": a kind word alone is no street
    if certain:
        chosen = list(run)
        alts: tuple[str, ...] = ()
    else:
        # Without a suffix the name's extent is a guess: the word touching the cue, with its neighbour
        # as another reading ("cermak and central park": "central", or "central park").
        chosen = [run[0]] if keep_first else [run[-1]]
        if chosen[0].norm in KIND_WORDS and len(run) > 1:
            chosen = list(run[:2]) if keep_first else list(run[-2:])
        if len(run) > 1 and run[0].norm in _SAINT and (keep_first or len(run) == 2):
            chosen = list(run[:2])  # "St Louis": never "St" alone
        pair = run[:2] if keep_first else run[-2:]
        alts = (" ".join(w.norm for w in pair),) if len(pair) == 2 and len(chosen) == 1 else ()
        if all(w.norm in KIND_WORDS for w in chosen):
            return None
    core = " ".join(w.norm for w in chosen)
    name = " ".join(display(w) for w in chosen)
    return Street(core, name, suffix, direction, alts), len(chosen)


def _typed_by(prefix_suffix: str) -> str:
    """The type a Spanish word before a numbered street gives it: "avenida 5" is 5th Ave, but "calle 26"
    is only "street 26" (26th Ave where the numbered streets are avenues)."""
    return "" if prefix_suffix == "st" else prefix_suffix


def _numbered(number: int, suffix: str, direction: str) -> Street:
    return Street(str(number), ordinal_label(number), suffix, direction)


def _suffix_at(ws: Sequence[Word], j: int) -> str:
    """The suffix at `ws[j]` when it is attached to the word before it. "calle", "avenida" before a street
    name or number begin that street: "mi tia rosa calle Elm" is on Elm St, never "Tia Rosa St"."""
    if 0 < j < len(ws) and is_suffix(ws[j].norm) and not ws[j].pause:
        after = ws[j + 1] if j + 1 < len(ws) else None
        names_next = after is not None and not after.pause and (_number_street(after) is not None or name_like(after))
        numbered_before = _number_street(ws[j - 1]) is not None  # "6 av fairmont": 6th Ave, in Fairmont
        if ws[j].norm in STREET_PREFIXES and names_next and not numbered_before:
            return ""
        return _SUFFIXES[ws[j].norm]
    return ""


def street_forward(ws: Sequence[Word], i: int, names: StreetNames) -> tuple[Street, int, bool] | None:
    """A street starting at `ws[i]`: (street, index after it, whether it is clearly a street)."""
    j, prefix_suffix, clear = i, "", False
    while j < len(ws) and (ws[j].norm in _ARTICLES or ws[j].norm in STREET_PREFIXES) and j - i < 2:
        if ws[j].norm in STREET_PREFIXES:
            prefix_suffix, clear = STREET_PREFIXES[ws[j].norm], True
        elif ws[j].norm == "la" and _street_after_la(ws, i, j):
            clear = True  # "la Kedzie", "la 26": Spanish names a street so ("la calle")
        j += 1
    direction = ""
    if j + 1 < len(ws) and ws[j].norm in DIRECTIONS and not ws[j + 1].pause and _can_follow_direction(ws, j + 1):
        direction = DIRECTIONS[ws[j].norm]
        j += 1
    if j >= len(ws) or (j > i and ws[j].pause):
        return None
    number = _number_street(ws[j])
    if number is not None:
        suffix = _suffix_at(ws, j + 1)
        end = j + 1 + bool(suffix)
        if not direction and _direction_after(ws, end):
            direction, end = DIRECTIONS[ws[end].norm], end + 1  # "calle 138 este", "138th St East"
        clear = clear or bool(suffix) or bool(direction) or is_ordinal(ws[j].norm)
        return _numbered(number, suffix or _typed_by(prefix_suffix), direction), end, clear
    first = j
    run: list[Word] = []
    if not direction and ws[j].norm in _BARE_DIRECTIONS:
        run, j = [ws[j]], j + 1  # "North Ave": the direction is the name
    elif _saint_at(ws, j):
        run, j = [ws[j]], j + 1  # "St Louis Ave": a saint's name, not a suffix
    while j < len(ws) and len(run) < MAX_NAME_WORDS and street_word(ws, j, names) and not (run and ws[j].pause):
        run.append(ws[j])
        j += 1
        more = j < len(ws) and not ws[j].pause and street_word(ws, j, names)
        if run[-1].norm in KIND_WORDS and more:
            run.pop()  # a kind word only ends a street's name ("Central Park Ave"): "Home Depot Cermak"
            j -= 1
            break
    if not run and j < len(ws) and _plain(ws[j]) and _suffix_at(ws, j + 1):
        run, j = [ws[j]], j + 1  # "Main St", "Church St": a common word before a suffix is a name
    typed = _suffix_at(ws, j) if run else ""
    found = _street(run, typed or prefix_suffix, direction, clear or bool(typed), names, keep_first=True)
    if found is None:
        return None
    street, used = found
    end = first + used + (1 if typed and used == len(run) else 0)
    return street, end, clear or bool(typed) or is_highway(street.core) or names.find(street.core) is not None


def street_backward(ws: Sequence[Word], end: int, names: StreetNames) -> tuple[Street, int, bool] | None:
    """A street ending just before `ws[end]`: (street, index of its first word, whether clearly a street)."""
    j = end - 1
    after = ""  # a direction spelled out after a numbered street ("calle 138 este")
    if j >= 1 and _direction_after(ws, j) and _number_street(ws[j - 1 - bool(_suffix_at(ws, j - 1))]) is not None:
        after, j = DIRECTIONS[ws[j].norm], j - 1
    suffix = _suffix_at(ws, j) if j >= 1 else ""
    if suffix:
        j -= 1
    if j < 0:
        return None
    number = _number_street(ws[j])
    if number is not None:
        direction, start = _direction_before(ws, j)
        direction = direction or after
        start, prefixed, prefix_suffix = _prefix_before(ws, start)
        clear = bool(suffix) or is_ordinal(ws[j].norm) or prefixed or bool(direction)
        return _numbered(number, suffix or _typed_by(prefix_suffix), direction), start, clear
    run: list[Word] = []
    while j >= 0 and len(run) < MAX_NAME_WORDS and street_word(ws, j, names) and not (run and ws[j].norm in KIND_WORDS):
        run.insert(0, ws[j])  # a kind word only ends a name ("Central Park & Cermak"), never starts it
        j -= 1
        if run[0].pause:
            break
    if not run and j >= 0 and ws[j].norm in _BARE_DIRECTIONS:
        run, j = [ws[j]], j - 1
    if run and j >= 0 and _saint_at(ws, j) and (j == 0 or ws[j].pause or not name_like(ws[j - 1])):
        run.insert(0, ws[j])  # "la St Louis": the saint's street, not a street called Louis
    if not run and suffix and j >= 0 and _plain(ws[j]):
        run = [ws[j]]  # "Main St"
    found = _street(run, suffix, "", bool(suffix), names, keep_first=False)
    if found is None:
        return None
    street, used = found
    start = end - (1 if suffix else 0) - used
    direction, start = _direction_before(ws, start)
    start, prefixed, prefix_suffix = _prefix_before(ws, start)
    street = replace(street, direction=direction, suffix=street.suffix or prefix_suffix)
    sure = bool(suffix) or prefixed or is_highway(street.core) or names.find(street.core) is not None
    return street, start, sure


_PREPOSITIONS = frozenset({"at", "on", "of", "in", "by", "to", "from", "near", "de", "del", "en", "al", "por"})


_SAINT = frozenset({"st", "saint", "ste"})


def _saint_at(ws: Sequence[Word], j: int) -> bool:
    """ "St" before a name begins a street named for a saint ("St Louis", "St. Charles")."""
    return ws[j].norm in _SAINT and j + 1 < len(ws) and not ws[j + 1].pause and name_like(ws[j + 1])


def _plain(w: Word) -> bool:
    """Any word but an article, a preposition, a connector or a possessive: "Main", "Church", "Park" before
    a suffix."""
    return (
        w.norm[:1].isalpha()
        and w.norm not in _ARTICLES
        and w.norm not in _POSSESSIVES
        and w.norm not in _PREPOSITIONS
        and w.norm not in STRONG_CONNECTORS
        and not _LONG_NUMBER.search(w.norm)
    )


def _street_after_la(ws: Sequence[Word], i: int, j: int) -> bool:
    """ "la Kedzie" is a street, "tienda La Chiquita" a shop: not after a kind word, nor before one."""
    if j + 1 >= len(ws) or ws[j + 1].norm in NOISE or ws[j + 1].pause:
        return False
    before = ws[i - 1].norm if i >= 1 and j == i else ""
    after = ws[j + 2].norm if j + 2 < len(ws) and not ws[j + 2].pause else ""
    if after in {"de", "del"} and j + 3 < len(ws) and _number_street(ws[j + 1]) is None:
        return False  # "la Michoacana de la 26": a business "of" the street after it
    return before not in KIND_WORDS and after not in KIND_WORDS and ws[j + 1].norm not in KIND_WORDS


_SPELLED_DIRECTIONS = frozenset({"north", "south", "east", "west", "norte", "sur", "este", "oeste"})


def _direction_after(ws: Sequence[Word], j: int) -> bool:
    """A direction spelled out after a numbered street, where the street ends ("calle 138 este con Willis"):
    not "este" meaning "this" ("la 26 este lugar")."""
    if j >= len(ws) or ws[j].pause or ws[j].norm not in _SPELLED_DIRECTIONS:
        return False
    after = ws[j + 1] if j + 1 < len(ws) else None
    return after is None or after.pause or after.norm in STRONG_CONNECTORS or after.norm in _SUFFIXES


def _can_follow_direction(ws: Sequence[Word], j: int) -> bool:
    return _number_street(ws[j]) is not None or name_like(ws[j]) or _saint_at(ws, j)


def _direction_before(ws: Sequence[Word], start: int) -> tuple[str, int]:
    if start >= 1 and ws[start - 1].norm in DIRECTIONS and not ws[start].pause:
        return DIRECTIONS[ws[start - 1].norm], start - 1
    return "", start


def _prefix_before(ws: Sequence[Word], start: int) -> tuple[int, bool, str]:
    """Skips "la", "calle", "la calle" before a street: (new start, whether one was there, its suffix)."""
    prefixed, suffix = False, ""
    while start >= 1 and not ws[start].pause and (ws[start - 1].norm in STREET_PREFIXES or ws[start - 1].norm == "la"):
        prefixed = True
        suffix = suffix or STREET_PREFIXES.get(ws[start - 1].norm, "")
        start -= 1
    return start, prefixed, suffix


# --- what the streets in a message make --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corner:
    a: Street
    b: Street
    span: range

    @property
    def streets(self) -> tuple[Street, Street]:
        return (self.a, self.b) if self.a.key <= self.b.key else (self.b, self.a)


@dataclass(frozen=True, slots=True)
class Block:
    """A street address as its hundred block: the house number itself is never kept."""

    block: int
    street: Street
    span: range


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one street between two cross streets: "Pulaski between 26th and 27th"."""

    street: Street
    a: Street
    b: Street
    span: range


@dataclass(frozen=True, slots=True)
class OnStreet:
    street: Street
    span: range
    sure: bool = True  # a suffix, a number, a known street or "on" says so; not just "la Villita"


def find_corner(
    ws: Sequence[Word], names: StreetNames, taken: Iterable[int] = (), *, adjacent: bool = True
) -> Corner | None:
    """The clearest intersection the words name, if any; `adjacent` also reads two streets typed side by
    side without a connector ("ICE 26th pulaski"), which a place's name never is ("18th Pink Line")."""
    blocked = set(taken)
    best: tuple[int, int, Corner] | None = None
    for c, w in enumerate(ws):
        strong = w.norm in STRONG_CONNECTORS
        if c in blocked or not (strong or w.norm in WEAK_CONNECTORS) or c == 0:
            continue
        right_at = c + 1
        while right_at < len(ws) and right_at - c <= 3 and ws[right_at].norm in _CONNECTOR_TAILS:
            right_at += 1
        left_at = c - 1 if c > 1 and ws[c - 1].norm in _CONNECTOR_LEADS and not ws[c].pause else c
        left = street_backward(ws, left_at, names)  # "Pulaski Rd (by 26th)": a pause may come before the connector
        right = street_forward(ws, right_at, names) if right_at < len(ws) and not ws[right_at].pause else None
        if left is None or right is None:
            continue
        (a, start, a_clear), (b, end, b_clear) = left, right
        if a.key == b.key or blocked & set(range(start, end)):
            continue
        # "12/03", "2 y 3": a date or a count, not two streets; but "5ta ave y 45": one side says it is a
        # street, and the other is one unless it counts something ("5th Ave y 2 vans") or is an hour.
        numbers = a.number is not None and b.number is not None and not (a_clear and b_clear)
        if numbers and (not (a_clear or b_clear) or _counts(ws, start, end, a_clear)):
            continue
        if not strong and not (a_clear or b_clear):
            continue
        clarity = int(a_clear) + int(b_clear) + int(strong)
        if best is None or clarity > best[0]:
            best = (clarity, -start, Corner(a, b, range(start, end)))
    if best is None:
        return _adjacent_corner(ws, names, blocked) if adjacent else None
    return best[2]


_HOUR_LEADS = frozenset({"las", "a", "at", "around", "como", "eso", "about", "since", "desde"})


def _counts(ws: Sequence[Word], start: int, end: int, left_clear: bool) -> bool:
    """Whether the bare number of a corner of two numbers counts something or tells the time: "y 2 vans",
    "a las 5 y la 26"."""
    if left_clear:
        after = ws[end] if end < len(ws) else None
        return after is not None and not after.pause and (after.norm in NOISE or after.norm in _HOUR_WORDS)
    before = ws[start - 1] if start >= 1 else None
    return before is not None and not ws[start].pause and before.norm in _HOUR_LEADS


_HOUR_WORDS = frozenset({"am", "pm", "min", "mins", "minutes", "minutos", "hrs", "horas", "hours", "h"})


def _adjacent_corner(ws: Sequence[Word], names: StreetNames, blocked: set[int]) -> Corner | None:
    """Two streets typed side by side, no "&" between: "ICE 26th pulaski", "Pulaski Rd 26th st"."""
    for k, w in enumerate(ws):
        if k in blocked or _number_street(w) is None:
            continue
        numbered = street_forward(ws, k, names)
        if numbered is None:
            continue
        street, end, clear = numbered
        saint = street_forward(ws, k + 1, names) if end == k + 2 and _saint_at(ws, k + 1) else None
        if saint is not None and names.crossing(_numbered(street.number or 0, "", ""), saint[0]):
            return Corner(_numbered(street.number or 0, "", ""), saint[0], range(k, saint[1]))  # "181 St Nicholas"
        if w.norm.isdigit() and len(w.norm) > 2:
            continue
        after = street_forward(ws, end, names) if end < len(ws) and not ws[end].pause else None
        if not clear and (after is None or not names.crossing(street, after[0])):
            continue  # a bare "26" beside a word is a count, not a street, unless a place is at that corner
        # "82 st casa 40-12": a home's word is no street.
        if after is not None and after[0].number is None and ws[end].norm not in KIND_WORDS:  # noqa: SIM102
            if not blocked & set(range(k, after[1])):
                return Corner(street, after[0], range(k, after[1]))
        before = street_backward(ws, k, names) if k >= 1 and not w.pause else None
        # A name before a numbered street is as often a business on it ("King Soopers 38th Ave",
        # "Walgreens 26th St"): a street only when known or written as one ("Pulaski 26th").
        if before is not None and before[0].number is None and before[2] and ws[k - 1].norm not in KIND_WORDS:
            return Corner(before[0], street, range(before[1], end))
    return _known_side_by_side(ws, names, blocked)


def _known_side_by_side(ws: Sequence[Word], names: StreetNames, blocked: set[int]) -> Corner | None:
    """Two streets the community's places are on, typed side by side ("Maple Elm", "esquina Maple
    Birch"): a corner, where words of anything else are not."""
    for k in range(len(ws) - 1):
        if k in blocked or not names.may_start(ws[k].norm) or not names.may_start(ws[k + 1].norm, later=True):
            continue  # cheap: each side begins with a known street's word (the first side may also be glued)
        if ws[k].norm in KIND_WORDS or not street_word(ws, k, names):
            continue
        first = street_forward(ws, k, names)
        if first is None or first[0].number is not None or names.find(first[0].core) is None:
            continue
        street, end, _ = first
        if end >= len(ws) or ws[end].pause or end in blocked:
            continue
        second = street_forward(ws, end, names)
        if second is None or second[0].number is not None or names.find(second[0].core) is None:
            continue
        if second[0].key != street.key and not blocked & set(range(k, second[1])):
            return Corner(street, second[0], range(k, second[1]))
    return None


def find_segment(ws: Sequence[Word], names: StreetNames) -> Segment | None:
    """ "Pulaski between 26th and 27th", "entre Kedzie y Pulaski en la 26"."""
    for k, w in enumerate(ws):
        if w.norm not in _BETWEEN:
            continue
        first = street_forward(ws, k + 1, names)
        if first is None:
            continue
        a, middle, _ = first
        if middle >= len(ws) or ws[middle].norm not in STRONG_CONNECTORS:
            continue
        second = street_forward(ws, middle + 1, names)
        if second is None:
            continue
        b, end, _ = second
        on = k - 1 if k >= 1 and ws[k - 1].norm in _ON else k
        main = _main_street(ws, on, names)
        if main is None and end < len(ws) and ws[end].norm in _ON:
            after = street_forward(ws, end + 1, names)  # "between Kedzie and Pulaski on 26th"
            if after is not None:
                main, end = (after[0], k, after[2]), after[1]
        if main is None:
            continue
        street, start, _ = main
        if len({street.key, a.key, b.key}) == 3:
            return Segment(street, a, b, range(min(start, k), end))
    return _range(ws, names)


# "from 90th to 94th", "desde la 90 hasta la 94", "de la 90 a la 94", "Fondren to Gessner".
_FROM = frozenset({"from", "desde", "de", "del"})
_TO = frozenset({"to", "thru", "through", "till", "until", "hasta", "a", "al"})
_WEAK_TO = frozenset({"a", "al"})  # "a" is also "at": only after "de" ("de la 90 a la 94")
# The roads beside a highway are the highway's stretch: "59 feeder", "Southwest Fwy service rd".
_ROADSIDE = frozenset({"feeder", "frontage", "service", "access", "lateral"})


def _main_street(ws: Sequence[Word], end: int, names: StreetNames) -> tuple[Street, int, bool] | None:
    """The street a stretch is of, ending before `ws[end]`, past the words for a highway's side roads."""
    while end >= 2 and (
        ws[end - 1].norm in _ROADSIDE or (ws[end - 1].norm in {"rd", "road"} and ws[end - 2].norm in _ROADSIDE)
    ):
        end -= 1
    return street_backward(ws, end, names) if end >= 1 else None


def _range(ws: Sequence[Word], names: StreetNames) -> Segment | None:
    """A street and a range of its cross streets: "Elm from 3rd to 7th", "la Elm de la 3 a la 7", "Elm
    Ave 3-7", "Southwest Fwy service rd Fondren to Gessner"."""
    for k, w in enumerate(ws):
        hyphen = w.glued and w.norm.isdigit() and k >= 1 and ws[k - 1].norm.isdigit() and len(w.norm) <= 3
        second: tuple[Street, int, bool] | None
        if hyphen:
            if len(ws[k - 1].norm) > 3 or int(w.norm) <= int(ws[k - 1].norm):
                continue  # "41-32": a house number of Queens's kind, not a range
            a_start, a = k - 1, _numbered(int(ws[k - 1].norm), "", "")
            second = (_numbered(int(w.norm), "", ""), k + 1, True)
        elif w.norm in _TO and not w.pause:
            left = street_backward(ws, k, names)
            if left is None:
                continue
            a, a_start, _ = left
            second = street_forward(ws, k + 1, names)
        else:
            continue
        if second is None:
            continue
        b, end, _ = second
        lead = a_start - 1 if a_start >= 1 and ws[a_start - 1].norm in _FROM and not ws[a_start].pause else None
        if w.norm in _WEAK_TO and lead is None:
            continue
        joint = lead if lead is not None else a_start
        main = None if ws[joint].pause else _main_street(ws, joint, names)
        if main is None:
            continue
        street, first, _ = main
        if len({street.key, a.key, b.key}) == 3:
            return Segment(street, a, b, range(first, end))
    return None


def find_block(ws: Sequence[Word], names: StreetNames, taken: Iterable[int] = ()) -> Block | None:
    """The first street address in the words, as its hundred block; none whose street is at `taken` (a
    home's word, an area's name: "casa 40-12 Elmhurst" is no address on an Elmhurst street)."""
    blocked = set(taken)
    for k, w in enumerate(ws):
        if not w.norm.isdigit() or len(w.norm) > 6 or _hyphen_tail(ws, k):
            continue
        number, last = house_at(ws, k)
        found = _address_forward(ws, k, last, names) or _address_backward(ws, k, last, names)
        street_at = {i for i in range(found[1], found[2]) if i < k - 1 or i > last} if found else set()
        if found is not None and not blocked & street_at:
            street, start, end = found
            return Block(number // 100 * 100, street, range(start, end))
    return None


def _hyphen_tail(ws: Sequence[Word], k: int) -> bool:
    """The "32" of "41-32": part of the number before it."""
    return k >= 1 and ws[k - 1].norm.isdigit() and house_at(ws, k - 1)[1] == k


def _digits(ws: Sequence[Word], k: int, last: int) -> int:
    return sum(len(ws[i].norm) for i in range(k, last + 1))


def _address_forward(ws: Sequence[Word], k: int, last: int, names: StreetNames) -> tuple[Street, int, int] | None:
    """ "1234 W Elm St", "#1234 Elm", "2314 de la Pulaski", "the 2300 block of S Pulaski", "41-32 Elm St"."""
    start = k - 1 if k >= 1 and ws[k - 1].norm == "#" else k
    j = last + 1
    if j < len(ws) and ws[j].norm in _BLOCK_WORDS:
        j += 1
    if j < len(ws) and ws[j].norm in {"de", "del", "of"} and not ws[j].pause:
        j += 1
    if j >= len(ws) or ws[j].pause or (ws[j].norm in STRONG_CONNECTORS and ws[j].norm not in DIRECTIONS):
        return None
    found = street_forward(ws, j, names)
    if found is None:
        return None
    street, end, clear = found
    digits = _digits(ws, k, last)
    if digits <= 3 and k >= 1 and ws[k - 1].norm in STRONG_CONNECTORS and not ws[k].pause:
        return None  # "Roosevelt y 103 la plaza": a numbered street of a corner, not a house
    if digits <= 3 and last == k and names.crossing(_numbered(int(ws[k].norm), "", ""), street):
        return None  # "estacion 90 Elm Ave" where a place is registered at 90th & Elm: that corner
    if digits == 3 and k > 0 and not clear:
        return None  # "PS 132 Wash Heights": a number of a name, beside words that may be a street
    if digits < 3 and not (street.suffix and street.number is None and clear and not _number_street(ws[j])):
        return None  # "2 agents", "26 & Pulaski": a count or a street, not a house
    if digits < 3 and ws[j].norm in _SUFFIXES:
        return None  # "26 st": a numbered street
    saint = street.core.split()[0] in _SAINT and ws[j].norm in _SAINT
    if digits == 3 and saint and names.find(street.core) is None and not street.suffix:
        return None  # "167 st Bronx": 167th St in the Bronx, not a house on a St Bronx
    corner_next = end < len(ws) and ws[end].norm in STRONG_CONNECTORS and not ws[end].pause
    if corner_next and street.number is None and not street.suffix and street_forward(ws, end + 1, names):
        return None  # "100 Pulaski & Cermak"?: read as the corner
    return street, start, end


def _address_backward(ws: Sequence[Word], k: int, last: int, names: StreetNames) -> tuple[Street, int, int] | None:
    """The Spanish order: "calle Pulaski 2314", "Pulaski #2314", "Elm 1234", "la Elm, el 2300", "Elm St
    cuadra 2300", "Elm 2300 block"; after a pause, only a long number that ends the phrase ("la Elm,
    2300")."""
    digits = _digits(ws, k, last)
    if digits < 3:
        return None
    after = ws[last + 1] if last + 1 < len(ws) else None
    ends = (
        after is None
        or after.pause
        or after.norm in NOISE
        or after.norm in FILLER
        or after.norm == "#"
        or after.norm in _BLOCK_WORDS
    )
    if (ws[k].pause and not (digits >= 4 and ends)) or (after is not None and after.norm in _HOUR_WORDS):
        return None  # "la Alder, 830", "Alder St 10-15 min ago"
    j = k
    while j >= 1 and ws[j - 1].norm in _NUMBER_MARKS and not ws[j].pause:
        j -= 1
    if last > k and j == k:
        return None  # "Elm Ave 3-7" is a stretch of Elm; a number of Queens's kind after its street needs "el", "#"
    found = street_backward(ws, j, names)
    if found is None:
        return None
    street, start, clear = found
    if street.number is not None and not clear:
        return None  # "enero 24 2025"
    if not (clear or ends) or (ws[j].pause and not clear):
        return None
    if digits == 3 and j == k and not clear:
        return None  # "Corona Plaza 103": a name and a number (or a numbered street), not "Plaza, house 103"
    return street, start, last + 1 + bool(after is not None and not after.pause and after.norm in _BLOCK_WORDS)


def find_street(ws: Sequence[Word], names: StreetNames, taken: Iterable[int] = ()) -> OnStreet | None:
    """A street named on its own: "on Pulaski", "la 26", "calle Kedzie", "Pulaski Rd". A name after "la"
    alone may be a business's as well ("la palletera en la Hempstead", "la troca de tacos en la Airline"):
    a street said to be where it is ("en", "on", "sobre") comes first."""
    first: OnStreet | None = None
    for found, said, bare in _streets_alone(ws, names, set(taken)):
        if first is None:
            first = found
            if not bare:
                return found
        elif said:
            return found
    return first


def _streets_alone(ws: Sequence[Word], names: StreetNames, blocked: set[int]) -> Iterable[tuple[OnStreet, bool, bool]]:
    """Each street named on its own, with whether the text says the place is on it ("en la Hempstead")
    and whether only an article says it is a street ("la palletera")."""
    for i, w in enumerate(ws):
        if i in blocked:
            continue
        cue = w.norm in {"on", "sobre", "down", "up"} or w.norm in STREET_PREFIXES or w.norm == "la"
        start = i + 1 if w.norm in {"on", "sobre", "down", "up"} else i
        if not cue and not (street_word(ws, i, names) or _number_street(w) is not None):
            continue
        found = street_forward(ws, start, names)
        if found is None:
            continue
        street, end, clear = found
        known = names.find(street.core) is not None
        if blocked & set(range(start, end)):
            continue
        if not known and " " in street.core and _known_tail(ws, start, end, names):
            continue  # "CVS Whittier Blvd": the business before Whittier Blvd, which is known
        on = w.norm in {"on", "sobre"}
        said = on or (i >= 1 and ws[i - 1].norm in _ON and not w.pause)
        bare = w.norm == "la" and not said and not known and street.number is None and not street.suffix
        sure = on or known or street.number is not None or bool(street.suffix)
        written = clear and (street.number is None or is_ordinal(ws[end - 1].norm) or bool(street.suffix) or cue)
        if written or ((on or known) and street.number is None):
            yield OnStreet(street, range(start, end), sure), said, bare


def _known_tail(ws: Sequence[Word], start: int, end: int, names: StreetNames) -> bool:
    """Whether the words end with a known street, after words that are not its name: "CVS Whittier Blvd",
    "where kevin lives Kedzie Ave"."""
    for later_start in range(start + 1, end):
        later = street_forward(ws, later_start, names)
        if later is not None and later[1] == end and names.find(later[0].core) is not None:
            return True
    return False


def read_street(text: str, names: StreetNames | None = None) -> Street | None:
    """One street written on its own, as in a place's cross streets: "S Pulaski Rd", "26th", "calle 26"."""
    ws = words(text)
    found = street_forward(ws, 0, names or StreetNames())
    if found is None:
        return None
    street, _, _ = found
    return replace(street, alts=())
