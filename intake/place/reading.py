"""Reading a report's place text: the location phrase in it, whatever is wrapped around it.

`read_place` finds a stretch of street between two corners, an intersection, a street address (kept as
its hundred block), a street on its own, a named business or landmark, other words, or nothing
recognisable. docs/intake.md says how.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .homes import HomeMark, home_marks, home_word
from .streets import (
    Block,
    Corner,
    OnStreet,
    Segment,
    StreetNames,
    display,
    find_block,
    find_corner,
    find_segment,
    find_street,
    is_suffix,
    name_like,
)
from .words import (
    FILLER,
    KIND_WORDS,
    LOCATIVES,
    ON_WORDS,
    Word,
    distinctive,
    is_highway,
    is_ordinal,
    name_form,
    tokens,
    typed_phrase,
    words,
)

_LONG_NUMBER = re.compile(r"\d{3}")
MAX_PHRASE_LABEL = 60
MAX_PHRASE_WORDS = 5
_NAME_JOINERS = frozenset({"of", "de", "del"})  # "St. Agnes of Bohemia", "Mercado de la Villita"
NAME_ARTICLES = frozenset({"el", "la", "los", "las", "don", "dona", "san", "santa", "santo", "st", "sta", "sto"})
# Kind words that come before the name they qualify ("escuela Hamline", "tienda El Güero").
_NAME_FOLLOWS = frozenset(
    {"escuela", "colegio", "iglesia", "parroquia", "parque", "tienda", "mercado", "supermercado", "super", "clinica",
     "corte", "estacion", "carniceria", "panaderia", "taqueria", "restaurante", "lavanderia", "fabrica", "capilla",
     "templo", "catedral", "mezquita", "sinagoga", "tiendita", "mercadito", "farmacia", "primaria", "secundaria",
     "preparatoria", "prepa", "juzgado", "tribunal", "parada", "terminal", "autolavado", "lavado", "hospital",
     "escuelita", "almacen", "bodega", "ministerio", "parquecito", "abarrotes"}
)  # fmt: skip
_OF = frozenset({"de", "del"})  # "Walgreens de la Cicero": the business on the street
# Words between a business's name and the streets it is at: "Walgreens at 26th & Cicero", "la Shell de la
# Pulaski y 47".
_LEAD_INS = frozenset({"at", "@", "on", "en", "de", "del", "in", "by", "near", "off", "sobre", "por", "of"})
_SPOKEN_ONLY = frozenset("@<>`*_|#~[]()\\")


class ReadingKind(StrEnum):
    KNOWN = "known"  # one of the community's places
    CORNER = "corner"  # "26th St & Pulaski Rd"
    BLOCK = "block"  # "2300 block of S Pulaski Rd"
    SEGMENT = "segment"  # "Pulaski Rd, 26th St–27th St"
    STREET = "street"  # "Pulaski Rd": somewhere on it
    NAMED = "named"  # a business or landmark: "El Güero market"
    WORDS = "words"  # other words, kept as they are
    VAGUE = "vague"  # nothing that tells one place from another: "the school", "outside"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A business or landmark named in the text."""

    words: tuple[str, ...]  # folded distinctive name words
    label: str
    kind: str  # kind class ("store", "park"...) or ""
    span: range


@dataclass(frozen=True, slots=True)
class Reading:
    """Where the text says the report happened, before known places are looked up."""

    kind: ReadingKind
    corner: Corner | None = None
    block: Block | None = None
    segment: Segment | None = None
    street: OnStreet | None = None
    phrase: Phrase | None = None
    kinds: tuple[str, ...] = ()  # kind classes named anywhere ("the school": "school")
    street_words: frozenset[int] = frozenset()  # positions of the words read as streets
    excerpt: str = ""  # the words kept for WORDS and VAGUE readings
    after: str = ""  # the folded word right after a business named without a street: maybe its street


# --- reading ---------------------------------------------------------------------------------------


def read_place(text: str, names: StreetNames | None = None, areas: Sequence[range] = ()) -> Reading:
    """The location phrase in `text`: streets first, then a named place, then any words. The words at
    `areas` (spans of `words(text)`, see `PlaceBook.area_spans`) write a neighbourhood: context, never a
    business beside a street, nor a street unless a known street is called just so."""
    return read_words(words(text), names or StreetNames(), areas)


def read_words(ws: Sequence[Word], names: StreetNames, area_spans: Sequence[range] = ()) -> Reading:
    homes = home_marks(ws)
    # A home's word or number is never a street: "casa 12 calle Elm" is not 12th St, "2nd floor" not 2nd
    # St, "Kedzie near the house of Abdul" no corner of a House St.
    homely = frozenset(i for i, w in enumerate(ws) if home_word(w))
    reading = _read_form(ws, names, area_spans, homely | frozenset(h.unit for h in homes))
    return _as_home(reading, homes) if homes else reading


def _read_form(ws: Sequence[Word], names: StreetNames, area_spans: Sequence[range], units: frozenset[int]) -> Reading:
    kinds = tuple(dict.fromkeys(KIND_WORDS[w.norm] for w in ws if w.norm in KIND_WORDS))
    areas = frozenset(i for span in area_spans for i in span)
    # "Archer Heights" is an area, not Archer Ave; an area called like a known street ("Lawndale") is it.
    # ... nor is one written with a street's type after it ("Elmhurst Ave" in the Elmhurst area).
    not_streets = units | frozenset(
        i
        for span in area_spans
        if names.find(" ".join(ws[k].norm for k in span)) is None and not _suffixed(ws, span.stop)
        for i in span
    )
    segment = find_segment(ws, names)
    if segment is not None:
        span = frozenset(segment.span)
        phrase = _beside(ws, span, areas)
        return Reading(ReadingKind.SEGMENT, segment=segment, phrase=phrase, kinds=kinds, street_words=span)
    block = find_block(ws, names, not_streets)
    if block is not None:
        block = Block(block.block, names.complete(block.street), block.span)
        span = frozenset(block.span)
        return Reading(ReadingKind.BLOCK, block=block, phrase=_beside(ws, span, areas), kinds=kinds, street_words=span)
    corner = find_corner(ws, names, not_streets)
    if corner is not None:
        # "sunset/alvarado echo park": the area is not the end of a longer street name either.
        area_words = {ws[i].norm for i in areas}
        a, b = (
            replace(x, alts=tuple(y for y in x.alts if not area_words & set(y.split()))) for x in (corner.a, corner.b)
        )
        corner = Corner(names.complete(a), names.complete(b), corner.span)
        span = frozenset(corner.span)
        phrase = _beside(ws, span, areas)
        return Reading(ReadingKind.CORNER, corner=corner, phrase=phrase, kinds=kinds, street_words=span)
    on = find_street(ws, names, not_streets)
    if on is not None:
        on = OnStreet(names.complete(on.street), on.span, on.sure)
    taken = frozenset(on.span) if on else frozenset()
    sure = taken if on is not None and on.sure else frozenset()
    # Beside a street, an area is where the street is ("en la Pulaski, Little Village"), not a business.
    phrase = find_phrase(ws, taken | areas if on is not None else taken)
    if phrase is None and on is not None:
        # "Walgreens on Cermak", "Walgreens de la Cicero": the words before a street are the place on it.
        start = on.span.start
        lead = 1 if start and (ws[start - 1].norm in ON_WORDS or ws[start - 1].norm in _OF) else 0
        run = _run_backward(ws, start - lead, set(taken | areas))
        phrase = _phrase(ws, run, run, "") if run else None
    if phrase is not None and (phrase.words or on is not None):
        after = _word_after(ws, phrase.span, taken | areas) if on is None else ""
        return Reading(ReadingKind.NAMED, street=on, phrase=phrase, kinds=kinds, street_words=sure, after=after)
    if on is not None:
        return Reading(ReadingKind.STREET, street=on, kinds=kinds, street_words=sure)
    named = [i for i, w in enumerate(ws) if name_like(w) and w.norm not in KIND_WORDS and i not in taken]
    if named:
        # The first few name words, with the small numbers between them ("Food 4 Less").
        last = named[min(len(named), MAX_PHRASE_WORDS) - 1]
        homes = {h.unit for h in home_marks(ws)}
        rest = [ws[i] for i in range(named[0], last + 1) if (i in named or _name_word(ws[i])) and i not in homes]
        return Reading(ReadingKind.WORDS, kinds=kinds, excerpt=phrase_label(rest))
    kind_words = [w for w in ws if w.norm in KIND_WORDS]
    return Reading(ReadingKind.VAGUE, kinds=kinds, excerpt=phrase_label(kind_words[:2]))


def _suffixed(ws: Sequence[Word], j: int) -> bool:
    return j < len(ws) and not ws[j].pause and is_suffix(ws[j].norm)


def _word_after(ws: Sequence[Word], span: range, blocked: frozenset[int]) -> str:
    """ "Sparkle car wash Olympic": the one name word typed right after a business, which may be the
    street it is on."""
    k = span.stop
    if k >= len(ws) or k in blocked or ws[k].pause or not name_like(ws[k]) or ws[k].norm in KIND_WORDS:
        return ""
    return ws[k].norm


def _as_home(reading: Reading, homes: Sequence[HomeMark]) -> Reading:
    """A reading of a text that gives a home's number: on a street, the home's block when the number is
    the house's ("house 45 on Elm St": the 0 block of Elm St), else only the street ("apt 3B on Elm St");
    a corner or a block stays as it is. Without a street it stays the reporter's words (never published
    as they stand), without the number."""
    if reading.kind in (ReadingKind.BLOCK, ReadingKind.CORNER, ReadingKind.SEGMENT) or reading.street is None:
        return reading
    on = reading.street
    numbers = [h.number for h in homes if h.number is not None]
    if numbers:
        span = range(min(on.span.start, *(h.marker for h in homes)), max(on.span.stop, *(h.unit + 1 for h in homes)))
        block = Block(numbers[0] // 100 * 100, on.street, span)
        return Reading(ReadingKind.BLOCK, block=block, kinds=reading.kinds, street_words=frozenset(on.span))
    return Reading(ReadingKind.STREET, street=on, kinds=reading.kinds, street_words=reading.street_words)


def _beside(ws: Sequence[Word], span: frozenset[int], areas: frozenset[int]) -> Phrase | None:
    """A business named beside the streets ("El Güero market at 26th & Pulaski", "the car wash on
    Cicero & 31st", "Walgreens at 26th & Cicero", "cicero & 26th walgreens"), to meet the reports that
    name only the business. An area's name is never one ("Kedzie & Archer, Brighton Park")."""
    blocked = span | areas
    phrase = find_phrase(ws, blocked)
    if phrase is not None and (phrase.words or phrase.kind):
        return phrase
    start, end = min(span), max(span) + 1
    while start > 0 and ws[start - 1].norm in _LEAD_INS and not ws[start].pause:
        start -= 1
    run = _run_backward(ws, start, set(blocked), across=True) if start > 0 else None
    if run is not None and ws[start].pause and run.start and not ws[run.start].pause:
        run = None  # "CVS, 2400 E Whittier": a name alone before the pause, not the end of a sentence
    if run is None and end < len(ws) and not ws[end].pause:
        run = _run_forward(ws, end, set(blocked))
    if run is None:
        return None
    found = _phrase(ws, run, run, "")
    return found if found.words else None


def find_phrase(ws: Sequence[Word], taken: Iterable[int]) -> Phrase | None:
    """A business or landmark: a name with a kind word ("El Güero market", "tienda El Güero"), else a
    name after "at" / "en" ("at Home Depot"), else a kind word alone ("the car wash")."""
    blocked = set(taken)
    bare: Phrase | None = None  # a kind word with no name: "the car wash on Cicero"
    for k, w in enumerate(ws):
        if w.norm not in KIND_WORDS or k in blocked:
            continue
        after = k + 1
        while after < len(ws) and ws[after].norm in {"de", "del", "of"} and not ws[after].pause:
            after += 1
        forward = _run_forward(ws, after, blocked)
        backward = _run_backward(ws, k, blocked)
        first, second = (forward, backward) if w.norm in _NAME_FOLLOWS else (backward, forward)
        run = first or second
        if run:
            span = range(min(run.start, k), max(run.stop, k + 1))
            return _phrase(ws, span, run, KIND_WORDS[w.norm])
        if bare is None:
            bare = Phrase((), phrase_label([w]), KIND_WORDS[w.norm], range(k, k + 1))
    for k, w in enumerate(ws):
        if w.norm in LOCATIVES and k not in blocked:
            if w.norm in _NAME_JOINERS and k and not w.pause and _name_word(ws[k - 1]) and k - 1 not in blocked:
                continue  # "Walgreens de Cicero", "Our Lady of Tepeyac": one name, not a place "at" one
            start = k + 1
            while start < len(ws) and ws[start].norm in FILLER and ws[start].norm not in NAME_ARTICLES:
                start += 1
            run = _run_forward(ws, start, blocked)
            if run:
                return _phrase(ws, run, run, "")
    return bare


def _phrase(ws: Sequence[Word], span: range, run: range, kind: str) -> Phrase:
    name = [ws[i] for i in run if ws[i].norm not in NAME_ARTICLES]
    folded = [name_form(w) for w in distinctive(tokens(" ".join(w.norm for w in name)))]
    homes = {h.unit for h in home_marks(ws)}
    shown = [ws[i] for i in span if not _house_number(ws[i]) and i not in homes]
    return Phrase(tuple(folded), phrase_label(shown), kind, span)


def _run_forward(ws: Sequence[Word], i: int, blocked: set[int]) -> range | None:
    j = i
    while j < len(ws) and j - i < MAX_PHRASE_WORDS and j not in blocked and not (j > i and ws[j].pause):
        joins = ws[j].norm in NAME_ARTICLES or (j > i and ws[j].norm in _NAME_JOINERS)
        if not (_name_word(ws[j]) or (joins and j + 1 < len(ws) and _name_word(ws[j + 1]) and j + 1 not in blocked)):
            break
        j += 1
    return range(i, j) if any(_name_word(ws[x]) for x in range(i, j)) else None


def _run_backward(ws: Sequence[Word], end: int, blocked: set[int], *, across: bool = False) -> range | None:
    """The name words ending just before `ws[end]`; `across` a pause there ("CVS, 2400 E Whittier")."""
    j = end
    while (
        j > 0
        and end - j < MAX_PHRASE_WORDS
        and (j - 1) not in blocked
        and not (ws[j].pause and (j < end or not across))
    ):
        inner = j < end and j >= 2 and ws[j - 1].norm in _NAME_JOINERS and _name_word(ws[j - 2]) and not ws[j - 1].pause
        if not (_name_word(ws[j - 1]) or inner):
            break
        j -= 1
    if j < end and j > 0 and ws[j - 1].norm in NAME_ARTICLES and not ws[j].pause:
        j -= 1  # "El Güero market", "St. Agnes church"
    return range(j, end) if any(_name_word(ws[x]) for x in range(j, end)) else None


def _name_word(w: Word) -> bool:
    """A word of a business's name: "Food 4 Less", never a numbered street ("26th") nor a kind word."""
    return (
        (name_like(w) or (w.norm.isdigit() and len(w.norm) < 3)) and w.norm not in KIND_WORDS and not is_ordinal(w.norm)
    )


def _queens_number(ws: Sequence[Word], i: int) -> bool:
    """A part of a house number of Queens's kind ("41-32"), two short numbers joined by a hyphen."""
    w = ws[i]
    if not w.norm.isdigit():
        return False
    before = i >= 1 and w.glued and ws[i - 1].norm.isdigit()
    after = i + 1 < len(ws) and ws[i + 1].glued and ws[i + 1].norm.isdigit()
    return before or after


def _house_number(w: Word) -> bool:
    """Three digits or more, even glued to letters: never shown."""
    return any(c.isdigit() for c in w.norm) and bool(_LONG_NUMBER.search(w.norm)) and not is_highway(w.norm)


def phrase_label(shown: Sequence[Word]) -> str:
    """The typed words, without formatting characters, house numbers or a home's number ("apt 3B");
    all-lower or all-upper typing is capitalised word by word."""
    units = {h.unit for h in home_marks(shown)}
    kept = [
        Word("".join(c for c in w.typed if c not in _SPOKEN_ONLY), w.norm, w.pause, w.glued)
        for i, w in enumerate(shown)
        if i not in units
    ]
    kept = [w for i, w in enumerate(kept) if w.typed and not _house_number(w) and not _queens_number(kept, i)]
    text = typed_phrase(kept).strip()
    if text == text.lower() or text == text.upper():
        text = typed_phrase([Word(display(w), w.norm, w.pause, w.glued) for w in kept])
    if len(text) > MAX_PHRASE_LABEL:
        text = text[:MAX_PHRASE_LABEL].rsplit(" ", 1)[0]
    return text
