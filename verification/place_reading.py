"""Reading where a report happened: from what a reporter typed to one place, with the keys to group by.

A report's place text is read once, here:

1. `read_place` finds the location phrase in the text, whatever is wrapped around it ("26th & Pulaski
   they're arresting kids, tell everyone"): a stretch of street between two corners, an intersection, a
   street address (kept as its hundred block), a street on its own, a named business or landmark ("El
   Güero market", "Home Depot on Pulaski", "Walgreens at 26th & Cicero"), other words, or nothing
   recognisable. A neighbourhood's name beside a location is context ("Division y California, Humboldt
   Park"), never a business nor the place itself.
2. `resolve_place` looks the text up in the community's `PlaceBook` by name and by where the places are
   (an address on a known place's block, a corner of its cross streets) and returns a `ResolvedPlace`:
   the place subscribers will see named (a known place's name, or a label built from canonical street
   forms or the extracted phrase, never the reporter's other words), the keys reports are grouped by, and
   the closest known places when the reporter should choose (`needs_choice`).

Vague or ambiguous text is kept, never refused: the reporter can pick from `alternatives` afterwards
(`resolve_chosen`), or keep the place as typed (`resolve_as_typed`).

Keys (see `clustering` for how they group reports):
- `lookup_keys` are stored with the incident. A key without "~" says where the incident is: a report
  that has it in its own `same_keys` is at the same place. A key with "~" marks what is near it.
- `loose_keys` name the same place less surely (the text names two places equally well, or a name
  without the kind or street another report gave): they join an open incident when it is the only one.
- `near_keys` find incidents close by (the next corner, the block next door, a sibling place with the
  same name, a similar business name) to show moderators as possible duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .errors import RuleViolation
from .events import PlaceRef
from .model import MAX_WHERE, Place, PlaceKind
from .place_book import KIND_OF_CLASS, TIE_MARGIN, Grid, PlaceBook, PlaceMatch, block_index, corner_index
from .places import (
    FILLER,
    KIND_WORDS,
    NOISE,
    Word,
    distinctive,
    has_confusables,
    is_ordinal,
    name_form,
    skeleton,
    tokens,
    typed_phrase,
    words,
)
from .streets import (
    Block,
    Corner,
    OnStreet,
    Segment,
    Street,
    StreetNames,
    display,
    find_block,
    find_corner,
    find_segment,
    find_street,
    name_like,
    street_key,
)

MAX_LABEL = 100
_LONG_NUMBER = re.compile(r"\d{3}")
MAX_PHRASE_LABEL = 60
MAX_ALTERNATIVES = 5
MAX_SIBLINGS = 4
RESOLVED_LIMIT = 10_000  # texts remembered per book
MAX_PHRASE_WORDS = 5
_LOCATIVES = frozenset(
    {"at", "@", "en", "in", "outside", "near", "by", "afuera", "frente", "enfrente", "cerca", "inside", "dentro",
     "behind", "detras", "across", "from", "of", "de", "del", "al", "a"}
)  # fmt: skip
_NAME_JOINERS = frozenset({"of", "de", "del"})  # "St. Agnes of Bohemia", "Mercado de la Villita"
_NAME_ARTICLES = frozenset({"el", "la", "los", "las", "don", "dona", "san", "santa", "santo", "st", "sta", "sto"})
# Kind words that come before the name they qualify ("escuela Hamline", "tienda El Güero").
_NAME_FOLLOWS = frozenset(
    {"escuela", "colegio", "iglesia", "parroquia", "parque", "tienda", "mercado", "supermercado", "super", "clinica",
     "corte", "estacion", "carniceria", "panaderia", "taqueria", "restaurante", "lavanderia", "fabrica", "capilla",
     "templo", "catedral", "mezquita", "sinagoga", "tiendita", "mercadito", "farmacia", "primaria", "secundaria",
     "preparatoria", "prepa", "juzgado", "tribunal", "parada", "terminal", "autolavado", "lavado", "hospital",
     "escuelita", "almacen", "bodega", "ministerio", "parquecito", "abarrotes"}
)  # fmt: skip
_ON = frozenset({"on", "sobre", "en"})
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


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    ref: PlaceRef
    lookup_keys: tuple[str, ...]  # stored with the incident: where it is ("~": what it is near)
    words: tuple[str, ...]  # distinctive words of the label, for similarity between unregistered places
    reading: ReadingKind = ReadingKind.KNOWN
    loose_keys: tuple[str, ...] = ()  # join an open incident holding one when it is the only one
    near_keys: tuple[str, ...] = ()  # find incidents close by, for moderators
    alternatives: tuple[Place, ...] = ()  # closest known places, best first, for a menu
    needs_choice: bool = False  # the reporter should pick one of `alternatives` or keep it as typed
    ties: int = 0  # how many of the first `alternatives` the text names equally well
    score: float = 0.0  # how surely the text names the known place (1.0: its whole name, or its address)

    @property
    def same_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.lookup_keys if not k.startswith("~"))

    @property
    def search_keys(self) -> tuple[str, ...]:
        """The keys to find candidate incidents by (pass these to `Incidents.candidates`)."""
        return tuple(dict.fromkeys((*self.same_keys, *self.loose_keys, *self.near_keys)))


# --- reading ---------------------------------------------------------------------------------------


def read_place(text: str, names: StreetNames | None = None, areas: Sequence[range] = ()) -> Reading:
    """The location phrase in `text`: streets first, then a named place, then any words. The words at
    `areas` (spans of `words(text)`, see `PlaceBook.area_spans`) write a neighbourhood: context, never a
    business beside a street, nor a street unless a known street is called just so."""
    return _read(words(text), names or StreetNames(), areas)


def _read(ws: Sequence[Word], names: StreetNames, area_spans: Sequence[range] = ()) -> Reading:
    homes = home_marks(ws)
    # A home's word or number is never a street: "casa 12 calle Elm" is not 12th St, "2nd floor" not 2nd
    # St, "Kedzie near the house of Abdul" no corner of a House St.
    homely = frozenset(i for i, w in enumerate(ws) if _home_word(w))
    reading = _read_form(ws, names, area_spans, homely | frozenset(h.unit for h in homes))
    return _as_home(reading, homes) if homes else reading


def _read_form(ws: Sequence[Word], names: StreetNames, area_spans: Sequence[range], units: frozenset[int]) -> Reading:
    kinds = tuple(dict.fromkeys(KIND_WORDS[w.norm] for w in ws if w.norm in KIND_WORDS))
    areas = frozenset(i for span in area_spans for i in span)
    # "Archer Heights" is an area, not Archer Ave; an area called like a known street ("Lawndale") is it.
    not_streets = units | frozenset(
        i for span in area_spans if names.find(" ".join(ws[k].norm for k in span)) is None for i in span
    )
    segment = find_segment(ws, names)
    if segment is not None:
        span = frozenset(segment.span)
        phrase = _beside(ws, span, areas)
        return Reading(ReadingKind.SEGMENT, segment=segment, phrase=phrase, kinds=kinds, street_words=span)
    block = find_block(ws, names)
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
        lead = 1 if start and (ws[start - 1].norm in _ON or ws[start - 1].norm in _OF) else 0
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
        return Reading(ReadingKind.WORDS, kinds=kinds, excerpt=_phrase_label(rest))
    kind_words = [w for w in ws if w.norm in KIND_WORDS]
    return Reading(ReadingKind.VAGUE, kinds=kinds, excerpt=_phrase_label(kind_words[:2]))


def _word_after(ws: Sequence[Word], span: range, blocked: frozenset[int]) -> str:
    """ "Sparkle car wash Olympic": the one name word typed right after a business, which may be the
    street it is on."""
    k = span.stop
    if k >= len(ws) or k in blocked or ws[k].pause or not name_like(ws[k]) or ws[k].norm in KIND_WORDS:
        return ""
    return ws[k].norm


# --- homes -------------------------------------------------------------------------------------------

# Words that make the number or letter after them a home's: "house 45", "apt 3B", "lote 12", "trailer B",
# "cuarto 4", "#12". A home is shown only as its block, or not at all.
# Of these, the words for where a person lives: "Maria Gonzalez house", "la casa de los Chávez".
DWELLINGS = frozenset(
    {"house", "home", "casa", "casita", "ksa", "apt", "apartment", "apartamento", "apto", "depto", "dept",
     "departamento", "depa", "trailer", "traila", "trailor", "room", "cuarto", "condo", "townhouse", "cabin"}
)  # fmt: skip
HOME_WORDS = DWELLINGS | frozenset(
    {"unit", "unidad", "lot", "lote", "suite", "space", "espacio", "bldg", "building", "edificio", "piso", "floor",
     "fl", "num", "numero", "nro", "#"}
)  # fmt: skip
# Of these, those whose number is the house's number on its street: "house 45 on Elm St" is 45 Elm St.
_HOUSE_NUMBER_WORDS = frozenset({"house", "home", "casa", "num", "numero", "nro", "#"})
_NUMBER_SIGNS = frozenset({"#", "no", "num", "numero", "nro"})  # "casa no. 5", "apt #4"
_STOREYS = frozenset({"floor", "fl", "flr", "piso", "planta", "house", "casa", "door", "puerta"})  # "2nd floor"
_NOT_UNITS = frozenset("aeiouyxn")  # one letter that is a word or a connector ("casa y 26"), not "unit B"
_UNIT = re.compile(r"\d{1,6}[a-z]{0,2}|[a-z]\d{0,4}")


@dataclass(frozen=True, slots=True)
class HomeMark:
    """A home's number or letter in the text ("apt 3B"): `number` is the house number it may give."""

    marker: int  # index of the home word
    unit: int  # index of the number or letter
    number: int | None  # the house number on its street, for "house 45", "casa 12", "#45"


def home_marks(ws: Sequence[Word]) -> list[HomeMark]:
    """Where the words give a home's number or letter: "house 45", "apt. 3-B", "lote #7", "trailer B".
    A count after it is no home ("lot 5 agents", "casa 3 carros"), nor is a parking lot."""
    found: list[HomeMark] = []
    for i, w in enumerate(ws):
        if is_ordinal(w.norm) and i + 1 < len(ws) and ws[i + 1].norm in _STOREYS and not ws[i + 1].pause:
            found.append(HomeMark(i + 1, i, None))  # "2nd floor", "4to piso", "5th house from the corner"
            continue
        if not _home_word(w) or (i and ws[i - 1].norm in {"parking", "estacionamiento"}):
            continue
        j = i + 1
        while j < len(ws) and ws[j].norm in _NUMBER_SIGNS and w.norm != ws[j].norm and not ws[j].pause:
            j += 1
        if j >= len(ws) or ws[j].pause or not _is_unit(ws, j):
            continue
        after = ws[j + 1] if j + 1 < len(ws) else None
        if after is not None and not after.pause and after.norm in NOISE and after.norm not in _LOCATIVES | _ON:
            continue  # "lot 5 agents": a count
        digits = re.match(r"\d+", ws[j].norm)
        number = int(digits.group()) if digits and w.norm in _HOUSE_NUMBER_WORDS else None
        found.append(HomeMark(i, j, number))
    return found


def _home_word(w: Word) -> bool:
    """A word of `HOME_WORDS`, even one read as something else ("cuarto" is also the ordinal 4th)."""
    return w.norm in HOME_WORDS or (is_ordinal(w.norm) and tokens(w.typed)[:1] == ["cuarto"])


def _is_unit(ws: Sequence[Word], j: int) -> bool:
    w = ws[j]
    if not _UNIT.fullmatch(w.norm) or is_ordinal(w.norm):
        return False
    if w.norm.isalpha():  # one letter: "unit B", "trailer b," but not "casa y 26"
        ends = j + 1 >= len(ws) or ws[j + 1].pause
        return w.norm not in _NOT_UNITS and (w.typed.isupper() or ends)
    return True


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
            bare = Phrase((), _phrase_label([w]), KIND_WORDS[w.norm], range(k, k + 1))
    for k, w in enumerate(ws):
        if w.norm in _LOCATIVES and k not in blocked:
            if w.norm in _NAME_JOINERS and k and not w.pause and _name_word(ws[k - 1]) and k - 1 not in blocked:
                continue  # "Walgreens de Cicero", "Our Lady of Tepeyac": one name, not a place "at" one
            start = k + 1
            while start < len(ws) and ws[start].norm in FILLER and ws[start].norm not in _NAME_ARTICLES:
                start += 1
            run = _run_forward(ws, start, blocked)
            if run:
                return _phrase(ws, run, run, "")
    return bare


def _phrase(ws: Sequence[Word], span: range, run: range, kind: str) -> Phrase:
    name = [ws[i] for i in run if ws[i].norm not in _NAME_ARTICLES]
    folded = [name_form(w) for w in distinctive(tokens(" ".join(w.norm for w in name)))]
    homes = {h.unit for h in home_marks(ws)}
    shown = [ws[i] for i in span if not _house_number(ws[i]) and i not in homes]
    return Phrase(tuple(folded), _phrase_label(shown), kind, span)


def _run_forward(ws: Sequence[Word], i: int, blocked: set[int]) -> range | None:
    j = i
    while j < len(ws) and j - i < MAX_PHRASE_WORDS and j not in blocked and not (j > i and ws[j].pause):
        joins = ws[j].norm in _NAME_ARTICLES or (j > i and ws[j].norm in _NAME_JOINERS)
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
    if j < end and j > 0 and ws[j - 1].norm in _NAME_ARTICLES and not ws[j].pause:
        j -= 1  # "El Güero market", "St. Agnes church"
    return range(j, end) if any(_name_word(ws[x]) for x in range(j, end)) else None


def _name_word(w: Word) -> bool:
    """A word of a business's name: "Food 4 Less", never a numbered street ("26th") nor a kind word."""
    return (
        (name_like(w) or (w.norm.isdigit() and len(w.norm) < 3)) and w.norm not in KIND_WORDS and not is_ordinal(w.norm)
    )


def _house_number(w: Word) -> bool:
    """Three digits or more, even glued to letters: never shown."""
    return any(c.isdigit() for c in w.norm) and bool(_LONG_NUMBER.search(w.norm))


def _phrase_label(shown: Sequence[Word]) -> str:
    """The typed words, without formatting characters, house numbers or a home's number ("apt 3B");
    all-lower or all-upper typing is capitalised word by word."""
    units = {h.unit for h in home_marks(shown)}
    kept = [
        Word("".join(c for c in w.typed if c not in _SPOKEN_ONLY), w.norm, w.pause, w.glued)
        for i, w in enumerate(shown)
        if i not in units
    ]
    kept = [w for w in kept if w.typed and not _house_number(w)]
    text = typed_phrase(kept).strip()
    if text == text.lower() or text == text.upper():
        text = typed_phrase([Word(display(w), w.norm, w.pause, w.glued) for w in kept])
    if len(text) > MAX_PHRASE_LABEL:
        text = text[:MAX_PHRASE_LABEL].rsplit(" ", 1)[0]
    return text


# --- resolving -------------------------------------------------------------------------------------


def resolve_place(text: str, book: PlaceBook) -> ResolvedPlace:
    """The place a report's `where` names. Refuses only empty, oversized or spoofed text.

    Results are remembered by the book (a flood repeats the same words); refusals are not.
    """
    known = book.resolved.get(text)
    if known is not None:
        return known
    resolved = _resolve(text, book, names_known=True)
    if len(book.resolved) >= RESOLVED_LIMIT:
        book.resolved.clear()
    book.resolved[text] = resolved
    return resolved


def resolve_as_typed(text: str, book: PlaceBook) -> ResolvedPlace:
    """The place as the reporter typed it, when they say it is none of the known places offered."""
    return _resolve(text, book, names_known=False)


def resolve_chosen(place: Place, book: PlaceBook) -> ResolvedPlace:
    """The known place a reporter picked from the menu."""
    return _known(place, book, 1.0)


def resolve_named(text: str, book: PlaceBook) -> ResolvedPlace:
    """The place a moderator names for subscribers (`/incident place`, confirm with a place): read like a
    report's, so a known place is named as the community knows it and an address shows as its block; one
    of the community's areas is that area. A home's number with no street is refused: a home is shown
    only as its block."""
    _check(text)
    area = book.area_by_name(text)
    if area:
        ref = PlaceRef(key=f"area:{' '.join(skeleton(w) for w in tokens(area))}", label=area[:MAX_LABEL])
        return ResolvedPlace(ref, (), _words_of(area), ReadingKind.WORDS)
    resolved = resolve_place(text, book)
    if resolved.reading not in STREET_FORMS and resolved.reading is not ReadingKind.KNOWN and home_marks(words(text)):
        raise RuleViolation("place_home")
    return resolved


def _check(text: str) -> None:
    if not text.strip():
        raise RuleViolation("place_required")
    if len(text) > MAX_WHERE:
        raise RuleViolation("text_too_long", limit=MAX_WHERE)


def _resolve(text: str, book: PlaceBook, *, names_known: bool) -> ResolvedPlace:
    _check(text)
    ws = words(text)
    reading = _read(ws, book.streets, book.area_spans(ws))
    close = book.match(ws, reading.street_words, relaxed=True) if names_known else []
    close = [m for m in close if _consistent(m, reading, book)]
    matches = [m for m in close if m.accepted]
    located = _located(reading, book) if names_known else []
    tied = _tied(matches)
    if len(tied) > 1 and located:
        narrowed = [m for m in tied if m.place in located]
        tied = narrowed or tied  # the address decides between places that share a name
    if len(tied) > 1:
        on = {p.key for street in _streets_of(reading) for p in book.on_street(street)}
        tied = [m for m in tied if m.place.key in on] or tied  # "Whittier en la 23": the one on 23rd
    chosen: PlaceMatch | None = tied[0] if len(tied) == 1 else None
    # "los Chávez, la casa con el portón negro" is a family's home, not Chavez Elementary: a known place
    # the words name only as a person could be named is the reporter's to pick, never Veraz's guess.
    doubted = chosen is not None and _names_people(ws, chosen.place, reading, book) and chosen.place not in located
    if doubted:
        chosen = None
    exact = book.exact(text) if names_known and not tied else None
    if exact is not None:
        chosen = PlaceMatch(exact, 1.0, exact=True)  # an alias of no distinctive word: "East LA Courthouse"
    if chosen is None and not tied and len(located) == 1 and _fits(located[0], reading.phrase, book):
        chosen = PlaceMatch(located[0], 1.0)
    if chosen is not None:
        return _known(chosen.place, book, chosen.score)
    if has_confusables(text):
        # Look-alike letters from another script are how a spoofed place gets in: never a new place.
        suggestions = _alternatives(reading, book, tied, located, close)
        raise RuleViolation("place_confusable", suggestions=", ".join(p.name for p in suggestions[:3]))
    place = _approved_or_not(_unregistered(reading, book.grid()), reading, ws, book)
    if not names_known:
        return place
    if not tied and len(located) > 1:
        tied = [PlaceMatch(p, 1.0) for p in located]
    alternatives = _alternatives(reading, book, tied, located, close)
    ties = len(tied) if len(tied) > 1 else 0
    loose = tuple(f"place:{m.place.key}" for m in tied) if ties else ()
    near = tuple(f"place:{p.key}" for p in alternatives if f"place:{p.key}" not in loose)
    unsure = reading.kind in (ReadingKind.STREET, ReadingKind.WORDS, ReadingKind.VAGUE) or (
        reading.phrase is not None and not reading.phrase.words
    )
    return ResolvedPlace(
        place.ref,
        place.lookup_keys,
        place.words,
        place.reading,
        loose_keys=(*place.loose_keys, *loose),
        near_keys=(*place.near_keys, *near),
        alternatives=tuple(alternatives),
        needs_choice=bool(ties) or unsure or doubted,
        ties=ties,
    )


STREET_FORMS = frozenset({ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT, ReadingKind.STREET})


def _approved_or_not(place: ResolvedPlace, reading: Reading, ws: Sequence[Word], book: PlaceBook) -> ResolvedPlace:
    """A place nobody registered is published as Veraz read it only when it is a street form whose every
    street is surely a street. Anything else (a business's name, other words, "Juan y Maria" read as a
    corner, "Maria's place" as a street) is the reporter's words: marked so, with what could be
    published instead."""
    streets = _streets_of(reading)
    sure = [s for s in streets if _sure_street(s, ws, _form_span(reading), book.streets)]
    # A kind of place on a street ("the car wash on Cermak") is words Veraz knows, not the reporter's own.
    phrase = reading.phrase
    kind_on_street = reading.kind is ReadingKind.NAMED and phrase is not None and len(phrase.span) == 1
    kind_on_street = kind_on_street and phrase is not None and ws[phrase.span.start].norm in KIND_WORDS
    if (reading.kind in STREET_FORMS or kind_on_street) and streets and len(sure) == len(streets):
        return place
    instead = ""
    if sure and reading.kind is not ReadingKind.BLOCK:  # a block's number without its street says nothing
        instead = sure[0].label(direction=True)
    ref = replace(place.ref, reporters_words=True, suggested=instead or book.area_named(ws))
    return replace(place, ref=ref)


def _form_span(reading: Reading) -> range:
    for form in (reading.corner, reading.block, reading.segment, reading.street):
        if form is not None:
            return form.span
    return range(0)


def _sure_street(street: Street, ws: Sequence[Word], span: range, names: StreetNames) -> bool:
    """Whether words read as a street surely are one, not a person's name: a numbered street, one the
    community's places are on, or one written with a suffix or a direction ("Elm St", "W Cermak") that is
    not someone's ("Maria's place", "at Carlos place")."""
    if street.number is not None or names.find(street.core) is not None:
        return True
    if not (street.suffix or street.direction) or any(c in street.name for c in "'’"):
        return False
    typed = {ws[i].norm for i in span if i < len(ws)}
    return not (street.suffix == "pl" and "place" in typed)


_FAMILY_WORDS = frozenset({"family", "familia", "fam", "familly", "famila"})
_FAMILY_ARTICLES = frozenset({"los", "las"})  # "los Martínez": the Martínez family


def _names_people(ws: Sequence[Word], place: Place, reading: Reading, book: PlaceBook) -> bool:
    """Whether the words speak of where someone lives or of a family ("casa", "house", "apt", "family", "los
    Martínez") and name `place` without any of its kinds: then its name may be a person's."""
    if set(reading.kinds) & book.kinds_of(place):
        return False
    names = [" ".join(w.norm for w in words(n)) for n in (place.name, *place.aliases)]
    own = {word for n in names for word in n.split()}  # "Home Depot", "Casa Central": their own words
    for i, w in enumerate(ws):
        if (w.norm in DWELLINGS or w.norm in _FAMILY_WORDS) and w.norm not in own:
            return True
        after = ws[i + 1] if i + 1 < len(ws) else None
        if w.norm in _FAMILY_ARTICLES and after is not None and not after.pause and name_like(after):
            family = f"{w.norm} {after.norm}"
            if after.norm not in KIND_WORDS and not any(family in n for n in names):  # not "Las Palmas"
                return True
    return False


def _consistent(match: PlaceMatch, reading: Reading, book: PlaceBook) -> bool:
    """Whether a known place the words name can be where the text puts the report. A corner, block or
    stretch of street is a place by itself: an area's words beside it never name a place instead
    ("Division y California, Humboldt Park"), and street words with a kind never name a place that is
    elsewhere ("Pulaski & 31st bus stop" is not the Pulaski station at 51st)."""
    complete = reading.kind in (ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT)
    if not complete:
        return True
    if match.by_area:
        return False
    if not match.by_street:
        return True
    corners, blocks = book.corners_of(match.place), book.blocks_of(match.place)
    if not corners and not blocks:
        return True
    if reading.corner is not None:
        return corner_index(reading.corner.a, reading.corner.b) in corners
    if reading.block is not None:
        return block_index(reading.block) in {block_index(b) for b in blocks}
    if reading.segment is not None:
        street = reading.segment.street
        return bool({corner_index(street, reading.segment.a), corner_index(street, reading.segment.b)} & set(corners))
    return True


def _tied(matches: list[PlaceMatch]) -> list[PlaceMatch]:
    if not matches:
        return []
    top = matches[0].score
    return [m for m in matches if top - m.score <= TIE_MARGIN]


def _located(reading: Reading, book: PlaceBook) -> list[Place]:
    """Known places where the text puts the report: at the block, at the corner, or the one place of the
    kind named on the street named ("the school on 48th")."""
    if reading.block is not None:
        return book.at_block(reading.block)
    if reading.corner is not None:
        return book.at_corner(reading.corner) or _named_at_corner(reading.corner, book)
    if reading.street is not None and reading.kinds and reading.phrase is not None and not reading.phrase.words:
        kinds = set(reading.kinds)
        return [p for p in book.on_street(reading.street.street) if kinds & book.kinds_of(p)]
    return []


def _fits(place: Place, phrase: Phrase | None, book: PlaceBook) -> bool:
    """Whether the known place at a corner or block is what the text names there: not when it names a
    business the book does not know as that place ("Walgreens at 48th & Laflin" is not the school on
    that corner), nor a place of another kind ("la gasolinera de la 51 y Pulaski" is no train station)."""
    if phrase is None:
        return True
    if phrase.words:
        return False
    kinds = book.kinds_of(place)
    return not kinds or phrase.kind in kinds


def _named_at_corner(corner: Corner, book: PlaceBook) -> list[Place]:
    """ "Hamline & 48th": one side names a known place on the other street."""
    found: list[Place] = []
    for side, other in ((corner.a, corner.b), (corner.b, corner.a)):
        on_other = book.on_street(other)
        if side.number is None and on_other:
            found += [m.place for m in book.match(words(side.name)) if m.place in on_other]
    return list(dict.fromkeys(found))


def _alternatives(
    reading: Reading, book: PlaceBook, tied: list[PlaceMatch], located: list[Place], close: list[PlaceMatch]
) -> list[Place]:
    found: dict[str, Place] = {m.place.key: m.place for m in tied}
    found.update((p.key, p) for p in located)
    found.update((m.place.key, m.place) for m in close)
    for street in _streets_of(reading):
        found.update((p.key, p) for p in book.on_street(street))
    for kind in reading.kinds:
        found.update((p.key, p) for p in book.of_kind(kind))
    return list(found.values())[:MAX_ALTERNATIVES]


def _streets_of(reading: Reading) -> list[Street]:
    if reading.corner is not None:
        return list(reading.corner.streets)
    if reading.block is not None:
        return [reading.block.street]
    if reading.segment is not None:
        return [reading.segment.street]
    if reading.street is not None:
        return [reading.street.street]
    return []


def _known(place: Place, book: PlaceBook, score: float) -> ResolvedPlace:
    ref = PlaceRef(key=f"place:{place.key}", label=place.name, area=place.area, kind=place.kind, known=True)
    marks = [f"~corner:{c}" for c in book.corners_of(place)]
    marks += [f"~block:{block_index(b)}" for b in book.blocks_of(place)]
    near = [f"place:{p.key}" for p in book.siblings(place)[:MAX_SIBLINGS]]
    return ResolvedPlace(
        ref,
        _unique([ref.key, *marks]),
        tuple(distinctive(tokens(place.name))),
        ReadingKind.KNOWN,
        near_keys=_unique(near),
        score=min(score, 1.0),
    )


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


# --- places nobody registered ----------------------------------------------------------------------


def _unregistered(reading: Reading, grid: Grid | None = None) -> ResolvedPlace:
    match reading.kind:
        case ReadingKind.SEGMENT if reading.segment is not None:
            segment = _segment(reading.segment, grid)
            return _with_business(segment, reading.phrase, [reading.segment.street])
        case ReadingKind.BLOCK if reading.block is not None:
            return _with_business(_block(reading.block, grid), reading.phrase, [reading.block.street])
        case ReadingKind.CORNER if reading.corner is not None:
            return _with_business(_corner(reading.corner, grid), reading.phrase, reading.corner.streets)
        case ReadingKind.NAMED if reading.phrase is not None:
            on = reading.street.street if reading.street else None
            phrase = reading.phrase
            return _named(phrase.words, phrase.label, phrase.kind, on, ReadingKind.NAMED, reading.after)
        case ReadingKind.STREET if reading.street is not None:
            return _on_street(reading.street.street)
        case ReadingKind.WORDS:
            folded = tuple(name_form(w) for w in distinctive(tokens(reading.excerpt)) if w not in _NAME_ARTICLES)
            kind = reading.kinds[0] if len(reading.kinds) == 1 else ""
            return _named(folded, reading.excerpt, kind, None, ReadingKind.WORDS)
    label = reading.excerpt or "?"
    kind = _kind(reading.kinds[0]) if len(reading.kinds) == 1 else PlaceKind.OTHER
    # Nothing here tells one place from another: it never joins an incident on its own.
    return ResolvedPlace(
        PlaceRef(key=f"vague:{' '.join(tokens(label))}", label=label, kind=kind), (), (), ReadingKind.VAGUE
    )


# Keys that say what a business is and where (see `clustering`):
#   "~at:NAME"       a business of that name at a corner or an address
#   "~on:NAME@S"     a business of that name on street S (a named one on it, or at a corner or address of it)
#   "~on:NAME#K@S"   ... of kind K ("" when no kind was given): a taqueria is not a butcher's of one name
#   "~free:NAME"     a business of that name, street not given
#   "~at:#KIND@S"    a place of that kind (a car wash) at a corner or address of street S
#   "~named#KIND@S"  a named place of that kind on street S
#   "~loc:NAME@S"    a business of that name at a corner or address of street S


def _with_business(place: ResolvedPlace, phrase: Phrase | None, streets: Sequence[Street]) -> ResolvedPlace:
    """A corner or an address with a business named at it: it marks the name on each of its streets, and
    joins the one open incident at a business of that name where no street was given or on one of these
    streets (never on another: "Walgreens at 26th & Cicero" is not "Walgreens on Ashland"), or the one of
    that kind on one of them ("the car wash on Cermak")."""
    if phrase is None:
        return place
    if phrase.words:
        name = _name_key(phrase.words)
        on_marks, on_joins = _on_keys(name, phrase.kind, [s.key for s in streets])
        # "~loc:NAME@S": this business at one corner or block of S; the same name at another of them is
        # another store ("Walgreens at 47th & Cicero" is not the one at 26th), see `clustering`.
        located = [f"~loc:{name}@{s.key}" for s in streets]
        marks = [f"~at:{name}", *on_marks, *located]
        if phrase.kind:
            marks += [f"~at:#{phrase.kind}@{s.key}" for s in streets]
        loose = [f"named:{name}", f"~free:{name}", *on_joins]
        near = [f"~named:{name}", *located]  # the same name on other streets, for moderators
    else:
        marks = [f"~at:#{phrase.kind}@{s.key}" for s in streets]
        loose = [f"named:#{phrase.kind}@{s.key}" for s in streets]
        near = []
    return replace(
        place,
        lookup_keys=_unique([*place.lookup_keys, *marks]),
        loose_keys=_unique([*place.loose_keys, *loose]),
        near_keys=_unique([*place.near_keys, *near]),
    )


def _on_keys(name: str, kind: str, streets: Sequence[str]) -> tuple[list[str], list[str]]:
    """The marks a business on these streets holds, and the keys it joins the same name there by: any
    kind when it gave none, else its own kind or none ("El Paisa" meets the taqueria El Paisa, "carnicería
    El Paisa" does not)."""
    marks = [k for s in streets for k in (f"~on:{name}@{s}", f"~on:{name}#{kind}@{s}")]
    joins = (
        [f"~on:{name}@{s}" for s in streets]
        if not kind
        else [k for s in streets for k in (f"~on:{name}#{kind}@{s}", f"~on:{name}#@{s}")]
    )
    return marks, joins


def _name_key(folded: Sequence[str]) -> str:
    return " ".join(sorted(dict.fromkeys(skeleton(w) for w in folded)))


def _ref(key: str, label: str, *, kind: PlaceKind = PlaceKind.OTHER, block: int | None = None) -> PlaceRef:
    return PlaceRef(key=key, label=label[:MAX_LABEL].strip() or "?", kind=kind, block=block)


def _words_of(label: str) -> tuple[str, ...]:
    return tuple(distinctive(tokens(label)))


def corner_key(a: Street, b: Street) -> str:
    return f"corner:{corner_index(a, b)}"


def segment_key(street: Street, a: Street, b: Street) -> str:
    first, second = sorted((a.key, b.key))
    return f"segment:{street.key}:{first}|{second}"


def _grid_blocks(number: int, street: Street, grid: Grid | None) -> list[str]:
    """Where a grid puts numbered street `number` on `street`: the keys of the hundred block it starts
    ("23rd & Millard" and "Millard between 23rd and 24th" are at the 2300 block of Millard). One block
    per corner, so the next corner never reaches it ("27th & Pulaski" is not at the 2600 block)."""
    if grid is None or street.number is not None:
        return []
    hundred = number * 100
    keys = [f"block:{hundred}:{street.key}"]
    keys += [f"block:{hundred}:{d}:{street.key}" for d in sorted(grid.directions)]
    return keys if grid.directions else [*keys, f"~block:{hundred}:{street.key}"]


def _corner(corner: Corner, grid: Grid | None = None) -> ResolvedPlace:
    a, b = corner.streets
    key = corner_key(a, b)
    label = f"{a.label()} & {b.label()}"
    alts = [
        f"corner:{'|'.join(sorted((_alt_key(alt), other.key)))}"
        for side, other in ((a, b), (b, a))
        for alt in side.alts
    ]
    marks = [f"~street:{a.key}", f"~street:{b.key}"]
    near: list[str] = [f"~{key}", f"street:{a.key}", f"street:{b.key}"]
    loose: list[str] = []
    for numbered, other in ((a, b), (b, a)):
        n = numbered.number
        if n is None or other.number is not None:
            continue
        for step in (n - 1, n + 1):
            if step > 0:
                adjacent = f"corner:{'|'.join(sorted((str(step), other.key)))}"
                near += [adjacent, f"~{adjacent}"]
        # In a numbered grid the 2600 block lies between 26th and 27th: a house report there is close.
        for hundred in (n * 100, (n - 1) * 100):
            if hundred >= 0:
                near += [f"block:{hundred}:{other.key}", f"~block:{hundred}:{other.key}"]
        near += [f"segment:{other.key}:{'|'.join(sorted((str(n), str(s))))}" for s in (n - 1, n + 1) if s > 0]
        # Where the community's places show the grid, the corner is where that block (and the stretch to
        # the next numbered street) starts.
        if grid is not None and other.number is None:
            loose += [*_grid_blocks(n, other, grid), segment_key(other, numbered, Street(str(n + 1), str(n + 1)))]
    return ResolvedPlace(
        _ref(key, label),
        _unique([key, *alts, *marks]),
        _words_of(label),
        ReadingKind.CORNER,
        loose_keys=_unique(loose),
        near_keys=_unique(near),
    )


def _alt_key(core: str) -> str:
    return " ".join(skeleton(w) for w in core.split())


def _block(block: Block, grid: Grid | None = None) -> ResolvedPlace:
    street = block.street
    generic = f"block:{block.block}:{street.key}"
    label = street.label(direction=True)
    near: list[str] = [f"street:{street.key}"]
    for hundred in (block.block - 100, block.block + 100):
        if hundred >= 0:
            near += [f"block:{hundred}:{street.key}", f"~block:{hundred}:{street.key}"]
    gridded: list[str] = []
    if street.number is None:
        n = block.block // 100
        near += [f"corner:{'|'.join(sorted((str(s), street.key)))}" for s in (n, n + 1) if s > 0]
        on_grid = grid is not None and (
            not street.direction or not grid.directions or street.direction in grid.directions
        )
        if on_grid and n > 0:
            # The corner where the block starts, and the stretch it is ("2300 S Millard": 23rd & Millard).
            numbered = Street(str(n), str(n))
            following = Street(str(n + 1), str(n + 1))
            gridded = [corner_key(numbered, street), segment_key(street, numbered, following)]
    marks = [f"~street:{street.key}"]
    if street.direction:
        key = f"block:{block.block}:{street.direction}:{street.key}"
        lookup = [key, f"~{generic}", *marks]
        loose, near = [generic], [f"~{generic}", *near]
    else:
        key, lookup, loose = generic, [generic, *marks], [f"~{generic}"]
    return ResolvedPlace(
        _ref(key, label, block=block.block),
        _unique(lookup),
        _words_of(label),
        ReadingKind.BLOCK,
        loose_keys=_unique([*loose, *gridded]),
        near_keys=_unique(near),
    )


def _segment(segment: Segment, grid: Grid | None = None) -> ResolvedPlace:
    a, b = sorted((segment.a, segment.b), key=lambda s: s.key)
    street = segment.street
    key = segment_key(street, a, b)
    label = f"{street.label()}, {a.label()}–{b.label()}"
    near = [corner_key(street, a), corner_key(street, b), f"street:{street.key}"]
    loose: list[str] = []
    if grid is not None and a.number is not None and b.number is not None and abs(a.number - b.number) == 1:
        low = min(a.number, b.number)
        # "Millard entre 23 y 24" is the 2300 block of Millard, which starts at 23rd & Millard.
        loose = [*_grid_blocks(low, street, grid), corner_key(a if a.number == low else b, street)]
    return ResolvedPlace(
        _ref(key, label),
        (key, f"~street:{street.key}"),
        _words_of(label),
        ReadingKind.SEGMENT,
        loose_keys=tuple(loose),
        near_keys=_unique(near),
    )


def _on_street(street: Street) -> ResolvedPlace:
    key = f"street:{street.key}"
    label = street.label()
    # "CVS Whittier Blvd" where Whittier is known to nobody: maybe CVS on Whittier Blvd.
    parts = street.core.split()
    marks, joins = _on_keys(_name_key(parts[:-1]), "", [street_key(parts[-1])]) if len(parts) > 1 else ([], [])
    return ResolvedPlace(
        _ref(key, label),
        (key, *marks),
        _words_of(label),
        ReadingKind.STREET,
        loose_keys=tuple(joins),
        near_keys=(f"~street:{street.key}",),
    )


def _named(
    folded: Sequence[str], label: str, kind: str, street: Street | None, reading: ReadingKind, after: str = ""
) -> ResolvedPlace:
    name = _name_key(folded)
    generic = f"named:{name}"
    shown = f"{label}, {street.label()}" if street is not None else label
    prefixes = [f"~pre:{skeleton(w)[:4]}" for w in folded if len(w) >= 4 and not w.isdigit()]
    on = f"@{street.key}" if street is not None else ""
    if not name:
        # Only a kind on a street ("the car wash on Cicero"): itself, and near the street.
        key = f"{generic}#{kind}{on}"
        lookup, loose, near = [key], [f"~at:#{kind}{on}"] if street is not None else [], []
    elif street is not None:
        key = generic + (f"#{kind}" if kind else "") + on
        # "~named#KIND@S": some named place of this kind is on the street (see `clustering`: two named
        # car washes on one street never meet through the one reported without a name).
        rival = [f"~named#{kind}{on}"] if kind else []
        on_marks, on_joins = _on_keys(name, kind, [street.key])
        marks = [*on_marks, *([f"~at:#{kind}{on}"] if kind else []), *rival]
        lookup = [key, f"~{generic}", *prefixes, *marks]
        near = [f"~{generic}", f"~at:{name}", *prefixes, *rival]
        # The same name where no street was given, or at a corner of this street; with a kind, the one
        # place of that kind reported on the street without a name ("the car wash on Cermak").
        loose = [generic, f"~free:{name}", *on_joins, *([f"named:#{kind}{on}"] if kind else [])]
    else:
        key = generic + (f"#{kind}" if kind else "")
        lookup, near = [key, f"~free:{name}", *prefixes], list(prefixes)
        if kind:
            lookup, near, loose = [*lookup, f"~{generic}"], [f"~{generic}", *near], [generic, f"~at:{name}"]
        else:
            loose = [f"~{generic}", f"~at:{name}"]
        # A street typed beside the name without "on" ("Walgreens Cicero", "carwash Olympic", "Sparkle
        # car wash Olympic") meets the name, or the kind, on that street: loosely, and either way round.
        marks, joins = _name_then_street(folded, kind, after)
        lookup, loose = [*lookup, *marks], [*loose, *joins]
    if street is not None:
        # Corners, blocks and other places on the street mark it: moderators hear of them.
        lookup, near = [*lookup, f"~street:{street.key}"], [*near, f"~street:{street.key}", f"street:{street.key}"]
    return ResolvedPlace(
        _ref(key, shown, kind=_kind(kind)),
        _unique(lookup),
        _words_of(shown),
        reading,
        loose_keys=_unique(loose),
        near_keys=_unique(near),
    )


def _name_then_street(folded: Sequence[str], kind: str, after: str) -> tuple[list[str], list[str]]:
    """The keys of a name that may be typed beside its street nobody registered: its first or last word
    ("Walgreens Cicero", "Cicero Walgreens", "carwash Olympic") or the word after it ("Sparkle car wash
    Olympic"). Returns (the marks it holds, the keys it joins by): the name on that street, and with a
    kind, a place of that kind there."""
    readings: list[tuple[list[str], str]] = []
    for i in dict.fromkeys((0, len(folded) - 1)):
        if folded[i].isalpha() and (len(folded) > 1 or kind):
            readings.append(([w for j, w in enumerate(folded) if j != i], folded[i]))
    if after and folded:
        readings.append((list(folded), after))
    marks: list[str] = []
    joins: list[str] = []
    for rest, word in readings:
        on = street_key(word)
        if rest:
            on_marks, on_joins = _on_keys(_name_key(rest), kind, [on])
            marks += on_marks
            joins += on_joins
        if kind:
            marks.append(f"~at:#{kind}@{on}")
            joins.append(f"named:#{kind}@{on}")
            if rest:
                marks.append(f"~named#{kind}@{on}")
    return marks, joins


def _kind(kind_class: str) -> PlaceKind:
    return KIND_OF_CLASS.get(kind_class, PlaceKind.OTHER)
