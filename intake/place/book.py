"""A community's known places, and which of them a message names.

A place is named by its name or an alias through typos ("hamlin"), abbreviations ("Hamline elem",
"hamline es"), missing or extra words ("escuela Hamline" for "John H. Hamline Elementary School") and
kind words in either language ("escuela", "parroquia", "super"). A kind word near the name decides
between places that share a name ("Whittier school" is never Whittier Park) and a school's level between
schools that do ("Kelly High" is not "Kelly Elementary"). A place is also found by where it is: its
address (kept as its hundred block) and the corners of its cross streets.

The community's areas (every place has one) are context, not places: "Kedzie & Archer, Brighton Park"
names a corner, never Brighton Park Elementary, and "Humboldt Park" alone never names Humboldt Park
Health; a place only the area's words name is named by them only when its whole name is the area's.

The places also tell whether the community's numbered streets cross the others at their hundred blocks
(23rd St at the 2300 block, as in most US grid cities but not all): `grid` says so only when the
places' own addresses and cross streets agree.

Word weights follow how rare a word is in the book, so "Our Lady of Guadalupe" is found by "guadalupe
church" and not by "our lady".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, pairwise
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .grid import GridPoint, StreetGrid
from .model import Place, PlaceKind
from .streets import Block, Corner, Street, StreetNames, find_block, find_corner, name_like, read_street
from .words import (
    COLOUR_VARIANTS,
    CONNECTORS,
    FILLER,
    KIND_CLASSES,
    KIND_WORDS,
    LEVEL_WORDS,
    LINE_WORDS,
    NOISE,
    STREET_SUFFIXES,
    Word,
    canonical,
    distinctive,
    house_at,
    name_form,
    name_forms,
    place_key,
    raw_words,
    skeleton,
    tokens,
    typo_budget,
    words,
)

if TYPE_CHECKING:
    from .resolved import ResolvedPlace

MATCH_THRESHOLD = 0.75  # share of a name's weight the text must carry
KIND_MATCH_THRESHOLD = 0.3  # ... when a kind word near it agrees and one of the name's rarest words is there
TIE_MARGIN = 0.02
KIND_BONUS = 0.1
LEVEL_BONUS = 0.05
EXACT_BONUS = 0.2
KIND_REACH = 3  # words between a name and the kind word that qualifies it
# Words that tell one saint or one "Our Lady" from another less than the rest of a name does.
_SAINTS = frozenset({"saint", "san", "santa", "santo", "sta", "sto", "ste", "st"})
_GENERIC = frozenset(
    {"our", "lady", "holy", "sacred", "heart", "nuestra", "senora", "sagrado", "corazon", "john", "center",
     "centro", "community", "comunidad", "family", "new", "first", "international", "united"}
)  # fmt: skip
_ES_KIND = "es"  # "Hamline ES": an elementary school, when it ends the name
GRID_EVIDENCE = 3  # places with an address and a numbered cross street needed to say the grid holds
GRID_AGREEMENT = 0.8  # ... and the share of them whose address is within a block of that street


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: Place
    score: float
    exact: bool = False
    accepted: bool = True  # False: only close (a `relaxed` match), for a menu
    by_area: bool = False  # only an area's words name it (a place whose whole name is the area's)
    by_street: bool = False  # only words read as a street name it, with its kind ("Pulaski station")
    typed: frozenset[int] = frozenset()  # the positions of the words of the text that name it
    bonus: float = 0.0  # what a kind, a level or the whole name typed added to its score


@dataclass(frozen=True, slots=True)
class Grid:
    """Numbered streets cross the others at their hundred blocks: 23rd St at the 2300 block of Millard."""

    directions: frozenset[str]  # the directions the places' addresses on such blocks were written with


@dataclass(frozen=True, slots=True)
class _Name:
    """One name or alias of a place, as the words it is matched by."""

    place: str
    words: tuple[str, ...]
    kinds: frozenset[str]
    levels: frozenset[str]
    exact: str


@dataclass(frozen=True, slots=True)
class _Hit:
    score: float
    at: int  # position of the text word


def name_words(name: str) -> list[str]:
    """The words a place's name is matched by: distinctive, no saints' titles, no initials."""
    found = [name_form(w) for w in distinctive(tokens(name)) if w not in _SAINTS and (len(w) > 1 or w.isdigit())]
    return [w for w in found if w not in _SAINTS]


@dataclass
class PlaceBook:
    """A community's known places, indexed by name word, by block and by corner."""

    places: dict[str, Place] = field(default_factory=dict)
    streets: StreetNames = field(default_factory=StreetNames)
    resolved: dict[str, ResolvedPlace] = field(default_factory=dict)  # text -> what it resolved to
    _by_alias: dict[str, list[str]] = field(default_factory=dict)  # name or alias key -> places, first first
    _names: list[_Name] = field(default_factory=list)
    _by_word: dict[str, set[int]] = field(default_factory=dict)
    _by_skeleton: dict[str, set[str]] = field(default_factory=dict)
    _by_prefix: dict[str, set[str]] = field(default_factory=dict)
    _glued: dict[str, tuple[str, str]] = field(default_factory=dict)  # "homedepot" -> ("home", "depot")
    _short: set[str] = field(default_factory=set)  # name words short enough to be shortenings
    _place_words: dict[str, set[str]] = field(default_factory=dict)  # place -> the words of all its names
    _weights: dict[str, float] = field(default_factory=dict)
    _own: set[str] = field(default_factory=set)  # name words only one place has
    _single: set[str] = field(default_factory=set)  # ... of which also area and street words, and numbers
    _blocks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # block key -> (place, direction)
    _corners: dict[str, set[str]] = field(default_factory=dict)
    _on_street: dict[str, set[str]] = field(default_factory=dict)
    _place_streets: dict[str, set[str]] = field(default_factory=dict)  # place -> keys of the streets it is on
    _place_blocks: dict[str, list[Block]] = field(default_factory=dict)
    _place_corners: dict[str, list[str]] = field(default_factory=dict)
    _place_kinds: dict[str, set[str]] = field(default_factory=dict)
    _of_kind: dict[str, list[Place]] = field(default_factory=dict)
    _place_numbers: dict[str, list[int]] = field(default_factory=dict)  # numbered streets a place is on
    _addresses: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (block, house number) -> places
    _localities: set[str] = field(default_factory=set)  # town and state words of registered addresses
    _areas: list[tuple[str, ...]] | None = None
    _area_names: dict[tuple[str, ...], str] = field(default_factory=dict)  # an area's words -> its name
    _areas_by_initial: dict[str, list[tuple[str, ...]]] | None = None
    _grid: tuple[Grid | None] | None = None  # (None,) once found not to hold

    street_grid: StreetGrid = field(default_factory=StreetGrid)  # the community's imported street grid

    @classmethod
    def of(cls, places: Iterable[Place], grid: Iterable[GridPoint] = ()) -> PlaceBook:
        book = cls()
        every = list(places)
        for place in every:
            book.add(place)
        for place in every:
            book._add_named_corners(place)  # now that every place's streets are known (see `_named_corner`)
        book.street_grid = StreetGrid.of(grid, book.streets)
        return book

    def add(self, place: Place) -> None:
        self.places[place.key] = place
        self.resolved.clear()  # a new place can change what a text names
        self._weights.clear()
        self._own.clear()
        self._single.clear()
        self._of_kind.clear()
        self._areas = None
        self._areas_by_initial = None
        self._grid = None
        self._place_kinds[place.key] = place_kinds(place)
        for name in (place.name, *place.aliases):
            holders = self._by_alias.setdefault(place_key(name), [])
            if place.key not in holders:
                holders.append(place.key)
            written = [w.norm for w in words(name)]
            for a, b in pairwise(written):
                if a.isalpha() and b.isalpha() and len(a) > 1 and len(b) > 1:
                    self._glued[a + b] = (a, b)
            forms = tuple(dict.fromkeys(name_words(name)))
            self._place_words.setdefault(place.key, set()).update(forms)
            if not forms:
                continue
            index = len(self._names)
            levels = frozenset(LEVEL_WORDS[w] for w in _folded_words(name) if w in LEVEL_WORDS)
            kinds = _name_kinds(name, place.area)
            self._place_kinds[place.key] |= kinds
            self._names.append(_Name(place.key, forms, kinds, levels, _as_written(name)))
            for form in forms:
                self._by_word.setdefault(form, set()).add(index)
                if 3 <= len(form) <= 5 and form.isalpha():
                    self._short.add(form)  # may be a shortening: "Fed", "Intl", "Hosp"
                self._by_skeleton.setdefault(skeleton(form), set()).add(form)
                for size in range(4, min(len(form) - 1, 7)):
                    self._by_prefix.setdefault(form[:size], set()).add(form)
        self._add_location(place)

    def _add_location(self, place: Place) -> None:
        streets: list[Street] = []
        for text in (place.address, *place.aliases, place.name):
            ws = words(text)
            block = find_block(ws, self.streets)
            if block is not None and text is not place.address and not _written_as_street(block.street):
                block = None  # "Home Depot 610": a name and a number, not the 600 block of a Home Depot St
            if block is not None:
                self._blocks.setdefault(block_index(block), []).append((place.key, block.street.direction))
                self._place_blocks.setdefault(place.key, []).append(block)
                streets.append(block.street)
                number = house_number(ws, block)
                if number is not None:
                    self._addresses.setdefault((block_index(block), number), set()).add(place.key)
                # What a registered address says after its street is its town, state and zip: context.
                self._localities.update(
                    f for w in ws[block.span.stop :] for f in name_words(w.norm) if not w.norm.isdigit()
                )
            elif text is not place.name:
                corner = find_corner(ws, self.streets, adjacent=False)
                if corner is not None:
                    streets.extend(corner.streets)
                    self._register_corner(place, corner.a, corner.b)
        if place.address and not any(b for b in self._place_blocks.get(place.key, [])):
            street = read_street(place.address)
            if street is not None:
                streets.append(street)
        streets.extend(s for s in (read_street(c) for c in place.cross_streets) if s is not None)
        self._place_numbers[place.key] = sorted({s.number for s in streets if s.number is not None})
        self._place_streets[place.key] = {s.key for s in streets}
        for street in streets:
            self.streets.add(street)
            self._on_street.setdefault(street.key, set()).add(place.key)
        for a, b in combinations({s.key: s for s in streets}.values(), 2):
            self._register_corner(place, a, b)
        self._add_named_corners(place)

    def _add_named_corners(self, place: Place) -> None:
        """A corner in a name is where the place is, but its words are no street's name to read elsewhere
        ("90th St–Elmhurst Ave station" does not make the Elmhurst area a street)."""
        for street in (s for text in (place.name, *place.aliases) for s in self._named_corner(place, text)):
            self._place_streets.setdefault(place.key, set()).add(street.key)
            self._on_street.setdefault(street.key, set()).add(place.key)

    def _named_corner(self, place: Place, text: str) -> list[Street]:
        """A place named for the corner it is at, its two streets joined by a dash ("90th St–Elmhurst Ave
        station", "3 Av-138 St"): that corner, when both sides are written as streets or are known ones."""
        parts = _DASH.split(text)
        for first, second in pairwise(parts):
            a, b = read_street(first.rsplit(",", 1)[-1], self.streets), read_street(second, self.streets)
            if a is not None and b is not None and a.key != b.key and self._written(a) and self._written(b):
                self._register_corner(place, a, b)
                return [a, b]
        return []

    def _written(self, street: Street) -> bool:
        return _written_as_street(street) or self.streets.find(street.core) is not None

    def _register_corner(self, place: Place, a: Street, b: Street) -> None:
        key = corner_index(a, b)
        self._corners.setdefault(key, set()).add(place.key)
        self.streets.corners.add(key)
        corners = self._place_corners.setdefault(place.key, [])
        if key not in corners:
            corners.append(key)

    def unglued(self, ws: Sequence[Word]) -> Sequence[Word]:
        """The words with two words of a registered name typed as one split again ("homedepot" is "home
        depot" where a place is called Home Depot)."""
        if not self._glued or not any(w.norm in self._glued for w in ws):
            return ws
        found: list[Word] = []
        for w in ws:
            pair = self._glued.get(w.norm) if w.norm not in self._by_word else None
            if pair is None:
                found.append(w)
                continue
            cut = len(pair[0]) if len(w.typed) == len(w.norm) else len(w.typed)
            found += [replace(w, typed=w.typed[:cut], norm=pair[0]), Word(w.typed[cut:], pair[1])]
        return tuple(found)

    # --- by where it is ---------------------------------------------------------------------------

    def at_block(self, block: Block) -> list[Place]:
        """Places whose address is on this block (a typed direction must not contradict theirs)."""
        found = self._blocks.get(block_index(block), [])
        direction = block.street.direction
        keys = dict.fromkeys(k for k, d in found if not (direction and d and d != direction))
        return [self.places[k] for k in keys]

    def at_corner(self, corner: Corner) -> list[Place]:
        return [self.places[k] for k in sorted(self._corners.get(corner_index(corner.a, corner.b), ()))]

    def streets_of(self, place: Place) -> set[str]:
        """The keys of the streets a place's address and cross streets are on (empty: nobody said)."""
        return self._place_streets.get(place.key, set())

    def on_street(self, street: Street) -> list[Place]:
        return [self.places[k] for k in sorted(self._on_street.get(street.key, ()))]

    def at_address(self, block: Block, number: int) -> list[Place]:
        """The places registered at this very address (a registered place's own number is public)."""
        keys = self._addresses.get((block_index(block), number), set())
        return [p for p in self.at_block(block) if p.key in keys]

    def locality(self, folded: Iterable[str]) -> bool:
        """Whether name words are all the town, state or zip of the registered addresses ("Springfield")."""
        found = set(folded)
        return bool(found) and found <= (self._localities | _STATES)

    def blocks_of(self, place: Place) -> list[Block]:
        return list(self._place_blocks.get(place.key, ()))

    def corners_of(self, place: Place) -> list[str]:
        """The corner index keys ("26|pulaski") a place is at."""
        return list(self._place_corners.get(place.key, ()))

    def of_kind(self, kind: str) -> list[Place]:
        found = self._of_kind.get(kind)
        if found is None:
            found = sorted((p for p in self.places.values() if kind in self.kinds_of(p)), key=lambda p: p.name)
            self._of_kind[kind] = found
        return found

    def of_level(self, level: str) -> list[Place]:
        """The schools of a level ("high", "middle", "elementary"), by their names' level words."""
        keys = dict.fromkeys(n.place for n in self._names if level in n.levels)
        return [self.places[k] for k in keys]

    def grid(self) -> Grid | None:
        """Whether the places show numbered streets crossing the others at their hundred blocks: most of
        the places with an address on a named street and a numbered cross street are within a block of it
        (Chicago's "2728 S Kostner Ave, at 27th St"; never Manhattan's "200 5th Ave, at 23rd St")."""
        if self._grid is None:
            agree = total = 0
            directions: set[str] = set()
            for key, blocks in self._place_blocks.items():
                for block in blocks:
                    if block.street.number is not None:
                        continue
                    for n in self._place_numbers.get(key, ()):
                        total += 1
                        if abs(block.block - n * 100) <= 100:
                            agree += 1
                            directions.add(block.street.direction)
            holds = total >= GRID_EVIDENCE and agree >= GRID_AGREEMENT * total
            self._grid = (Grid(frozenset(directions - {""})) if holds else None,)
        return self._grid[0]

    def areas(self) -> list[tuple[str, ...]]:
        """The community's areas, as the spelling-tolerant forms of their words ("back", "yards")."""
        if self._areas is None:
            named: dict[tuple[str, ...], str] = {}
            for p in sorted(self.places.values(), key=lambda p: p.area):
                form = tuple(_area_form(w) for w in words(p.area) if w.norm not in FILLER)
                if form:
                    named.setdefault(form, p.area)
            # "Magnolia" for Magnolia Park: an area is also called without its kind word, where no other
            # area is called so.
            short: dict[tuple[str, ...], list[str]] = {}
            for form, area in named.items():
                core = tuple(w for w in form if w not in _KIND_FORMS)
                if core and core != form:
                    short.setdefault(core, []).append(area)
            for core, areas in short.items():
                if len(areas) == 1 and core not in named:
                    named[core] = areas[0]
            self._area_names = named
            self._areas = sorted(named)
        return self._areas

    def area_spans(self, ws: Sequence[Word]) -> list[range]:
        """Where the words write one of the community's areas ("Back of the Yards", "back of yards")."""
        areas = self.areas()
        if not areas:
            return []
        if self._areas_by_initial is None:
            # An area's first word is typed with its first letter (see `_same_word`): only those are tried.
            by_initial: dict[str, list[tuple[str, ...]]] = {}
            for area in areas:
                by_initial.setdefault(area[0][:1], []).append(area)
            self._areas_by_initial = by_initial
        forms = [_area_form(w) for w in ws]
        found: list[range] = []
        for start in range(len(ws)):
            for area in self._areas_by_initial.get(forms[start][:1], ()):
                end = _area_at(ws, forms, start, area)
                if end is not None:
                    found.append(range(start, end))
        # "Echo" inside "Echo Park": the longer one only.
        return [a for a in found if not any(b != a and b.start <= a.start and a.stop <= b.stop for b in found)]

    def area_named(self, ws: Sequence[Word]) -> str:
        """The first of the community's areas the words write, as the community names it; "" if none."""
        spans = self.area_spans(ws)
        if not spans:
            return ""
        first = min(spans, key=lambda span: (span.start, -len(span)))
        forms = [_area_form(w) for w in ws]
        for area, name in sorted(self._area_names.items(), key=lambda item: (item[1], -len(item[0]))):
            if _area_at(ws, forms, first.start, area) == first.stop:
                return name
        return ""

    def area_by_name(self, text: str) -> str:
        """The community's area `text` writes whole ("back of the yards", "Pilsen"), as it names it."""
        ws = words(text)
        found = self.area_named(ws)
        spans = self.area_spans(ws)
        return found if any(span.start == 0 and span.stop == len(ws) for span in spans) else ""

    def siblings(self, place: Place) -> list[Place]:
        """Other places that share a name word with `place`: "Whittier Park" for "Whittier Elementary"."""
        mine = {w for n in self._names if n.place == place.key for w in n.words}
        found = {self._names[i].place for w in mine for i in self._by_word.get(w, ())} - {place.key}
        return [self.places[k] for k in sorted(found)]

    def kinds_of(self, place: Place) -> set[str]:
        """The kind classes of a place: its kind, and the kind words in its names."""
        return self._place_kinds.get(place.key, set())

    # --- by name ----------------------------------------------------------------------------------

    def exact(self, text: str) -> Place | None:
        """The place whose name or alias normalises to the same words as `text`."""
        found = self.named(text)
        return found[0] if len(found) == 1 else None  # an alias two places share names neither surely

    def named(self, text: str) -> list[Place]:
        """The places whose name or alias normalises to the same words as `text` (two may share an alias:
        "De Soto" for De Soto Elementary and De Soto Middle)."""
        return [self.places[k] for k in self._by_alias.get(place_key(text), ())]

    def match(
        self, ws: Sequence[Word], street_words: Iterable[int] = (), *, relaxed: bool = False, placed: bool = False
    ) -> list[PlaceMatch]:
        """The places the words name, best first. Words in `street_words` (read as a street) name a place
        only with a kind word that agrees ("Lillian St Elementary"); `relaxed` keeps every close place;
        `placed` says the street words are a place by themselves (a corner, a block, a stretch)."""
        if not self._names:
            return []
        self._weigh()
        streets = set(street_words)
        content = [
            (i, w)
            for i, w in enumerate(ws)
            if w.norm[:1].isalnum() and w.norm not in FILLER and w.norm not in CONNECTORS
        ]
        kinds = _kinds_at(ws)
        areas = {i for span in self.area_spans(ws) for i in span}
        outside = [(i, k) for i, k in kinds if i not in areas]
        area_forms = {name_form(canonical(ws[i].norm)) for i in areas}
        levels = [(i, LEVEL_WORDS[w.norm]) for i, w in enumerate(ws) if w.norm in LEVEL_WORDS]
        short = len(content) <= 5
        # The words that could name something: a text that is only a place's own word names it ("Juarez").
        naming = {i for i, w in content if name_like(w) and w.norm not in KIND_WORDS}
        hits: dict[int, dict[str, _Hit]] = {}
        for i, w in content:
            if canonical(w.norm) in KIND_CLASSES or w.norm in KIND_WORDS:
                continue
            for form in name_forms(canonical(w.norm)):
                for known, score in self._forms_like(form, noise=w.norm in NOISE and form == w.norm):
                    for index in self._by_word[known]:
                        found = hits.setdefault(index, {})
                        if known not in found or found[known].score < score:
                            found[known] = _Hit(score, i)
        # The words that say nothing of a place ("again", "otra vez", "now") aside: "la 74 otra vez" is "la 74".
        text_exact = _as_written(" ".join(w.typed for w in ws if w.norm not in NOISE or w.norm in self._by_word))
        best: dict[str, PlaceMatch] = {}
        # Places some name of which the text names beyond street words, or beyond an area's words.
        beyond_streets: set[str] = set()
        beyond_areas: set[str] = set()
        for index, found in hits.items():
            name = self._names[index]
            place = self.places[name.place]
            at = [h.at for h in found.values()]
            near_kinds = _nearest(outside, at, short)
            near_levels = _nearest(levels, at, short)
            own_kinds = place_kinds(place, name.kinds)
            if near_kinds and own_kinds and not near_kinds & own_kinds:
                continue  # "Whittier school" never names Whittier Park
            if near_levels and name.levels and not near_levels & name.levels:
                continue  # "Kelly High" never names Kelly Elementary
            agrees = bool(near_kinds & own_kinds)
            # The whole text is the name as registered ("Echo Park", also an area's and a street's name).
            exact = text_exact == name.exact
            # "26th & Pulaski" is a corner, not Pulaski Park: street words name a place only with its kind,
            # and so do street words with an area's ("Main St, Oakdale" is not the Oakdale Main station).
            street_only = (
                bool(streets)
                and any(a in streets for a in at)
                and all(a in streets or a in areas for a in at)
                and not agrees
                and not exact
            )
            if street_only and not relaxed:
                continue
            total = sum(self._weights[w] for w in name.words)
            got = sum(self._weights[w] * found[w].score for w in name.words if w in found)
            score = got / total
            rarest = max(self._weights[w] for w in name.words)
            rare_hit = any(self._weights[w] >= rarest for w in found)
            # A text that is only a place's own word names it; beside a street form the word may as well
            # be the town or a business at it ("Elm & 5th, Riverton").
            alone = bool(naming) and not placed and naming <= set(at) and any(w in self._own for w in found)
            # Beside a street form, one word of a name that has its kind in it ("la corte de Riverton") is
            # the place only with a kind: "Elm & 5th, Riverton" is a corner in Riverton.
            kindless = placed and bool(name.kinds) and not kinds and len(found) == 1 and len(name.words) == 1
            accepted = (
                not street_only
                and not kindless
                and (score >= MATCH_THRESHOLD or ((agrees or alone) and score >= KIND_MATCH_THRESHOLD and rare_hit))
            )
            # "Home Depot Glendale" is not the registered Home Depot Burbank, nor "Diversity Plaza" the place
            # whose alias is "la plaza": a word the name lacks beside the words it matched, where the name
            # has a word the text lacks or only words other places' names have too.
            generic = len(name.words) == 1 and not any(w in self._single for w in found)
            if (
                accepted
                and not exact
                and (score < 1 or generic)
                and _contradicts(ws, at, name, found, streets | areas, self._place_words[name.place], whole=generic)
            ):
                accepted = False
            # "Humboldt Park" is an area: it names Humboldt Park Health only with a kind of its own
            # ("hospital de Humboldt Park"), and only a place whose whole name is the area's without one.
            by_area = not exact and bool(areas) and all(a in areas for a in at) and not near_kinds & own_kinds
            if by_area and not (set(name.words) <= area_forms and name.kinds <= {k for i, k in kinds if i in areas}):
                accepted = False
            accepted = accepted or exact
            if not accepted and not relaxed:
                continue
            if exact or not all(a in streets or a in areas for a in at) or not any(a in streets for a in at):
                beyond_streets.add(name.place)
            if not by_area:
                beyond_areas.add(name.place)
            final = min(score, 1.0) + (KIND_BONUS if agrees else 0.0) + (EXACT_BONUS if exact else 0.0)
            if near_levels & name.levels:
                final += LEVEL_BONUS
            if not accepted:
                final /= 2  # close, for a menu, never chosen
            if name.place not in best or best[name.place].score < final:
                bonus = final - min(score, 1.0)
                best[name.place] = PlaceMatch(place, round(final, 4), exact, accepted, typed=frozenset(at), bonus=bonus)
        found_places = [
            replace(
                m,
                by_area=bool(areas) and m.place.key not in beyond_areas,
                by_street=bool(streets) and m.place.key not in beyond_streets,
            )
            for m in best.values()
        ]
        return sorted(found_places, key=lambda m: (-m.score, m.place.name))

    def _forms_like(self, form: str, *, noise: bool) -> list[tuple[str, float]]:
        """Known name words `form` may be, with how sure: exact, a spelling, a typo, an abbreviation (either
        way: "elem" typed for Elementary, "federal" typed for the alias "26 Fed")."""
        shortened = (
            [(form[:n], 0.8) for n in range(3, len(form) - 1) if form[:n] in self._short] if form.isalpha() else []
        )
        if form in self._by_word:
            return [(form, 1.0), *shortened]
        if noise:
            return shortened  # "kids", "migra": never a typo of a name
        found = [(k, 0.95) for k in self._by_skeleton.get(skeleton(form), ())]
        budget = typo_budget(form) if len(form) >= 5 else 0
        if budget:
            found += [
                (k, 0.9 if d <= 1 else 0.85)
                for k, d, _ in process.extract(
                    form, list(self._by_word), scorer=OSA.distance, score_cutoff=budget, limit=None
                )
            ]
        if len(form) >= 4 and not form.isdigit():
            found += [(k, 0.8) for k in self._by_prefix.get(form, ())]  # "elem", "hamp", "guad"
        return [*found, *shortened]

    def _weigh(self) -> None:
        if self._weights:
            return
        total = max(len(self.places), 1)
        # Words of areas and of streets name no one place on their own ("village", "pulaski").
        common = {w for p in self.places.values() for w in tokens(p.area)} | {
            w for core in self.streets.cores() for w in core.split()
        }
        for form, indexes in self._by_word.items():
            df = len({self._names[i].place for i in indexes})
            weight = math.log(1 + total / df) if total > 1 else 1.0
            # An area's or a street's word in a name says where the place is more than which it is
            # ("Home Depot Spring Branch"): it weighs as little as a generic word.
            self._weights[form] = weight * (0.3 if form in _GENERIC or form in common else 1.0)
            if df == 1:
                self._single.add(form)
            if df == 1 and len(form) >= 4 and form not in _GENERIC and not form.isdigit() and form not in common:
                self._own.add(form)


_DASH = re.compile(r"\s*[–—]\s*|(?<=[a-zA-Z.])-(?=[a-zA-Z0-9])")


def _written_as_street(street: Street) -> bool:
    return bool(street.suffix or street.direction) or street.number is not None


def _contradicts(
    ws: Sequence[Word],
    at: Sequence[int],
    name: _Name,
    found: Mapping[str, _Hit],
    context: set[int],
    own: set[str],
    *,
    whole: bool = False,
) -> bool:
    """Whether the text names another place of the same name: a word the name lacks is typed right beside
    the words it matched (kind words between them), where the name has a distinctive word the text lacks
    ("Home Depot Glendale" for Home Depot Burbank), or is `whole` but of words other names share ("Diversity
    Plaza" for "la plaza"). Streets and areas beside a name are where it is."""
    if not whole and not any(w not in found and w not in _GENERIC and not w.isdigit() for w in name.words):
        return False
    matched = set(at)
    start, stop = min(at), max(at) + 1
    while start > 0 and not ws[start].pause and _around_name(ws[start - 1].norm):
        start -= 1
    while stop < len(ws) and not ws[stop].pause and _around_name(ws[stop].norm):
        stop += 1
    beside = [i for i in (start - 1, stop) if 0 <= i < len(ws) and not ws[max(i, start)].pause]
    return any(
        i not in matched
        and i not in context
        and name_like(ws[i])
        and ws[i].norm not in KIND_WORDS
        and ws[i].norm not in LEVEL_WORDS
        and len(ws[i].norm) > 2
        and name_form(canonical(ws[i].norm)) not in own  # a word of another of its names: "Juan Pablo Duarte"
        for i in beside
    )


def _around_name(norm: str) -> bool:
    """Words that go with a place's name without being a word of it: its kind, a saint's title, articles."""
    return norm in KIND_WORDS or norm in LEVEL_WORDS or norm in _SAINTS or norm in FILLER


def place_kinds(place: Place, name_kinds: Iterable[str] = ()) -> set[str]:
    """The kind classes a place has: its kind and the kind words of its name."""
    kinds = set(name_kinds)
    if place.kind is not PlaceKind.OTHER:
        kinds.add(_CLASS_OF_KIND[place.kind])
    return kinds


_CLASS_OF_KIND = {
    PlaceKind.SCHOOL: "school",
    PlaceKind.WORSHIP: "worship",
    PlaceKind.HOSPITAL: "hospital",
    PlaceKind.COURT: "court",
    PlaceKind.PARK: "park",
    PlaceKind.STORE: "store",
    PlaceKind.STATION: "station",
}
KIND_OF_CLASS = {cls: kind for kind, cls in _CLASS_OF_KIND.items()}


def _nearest(marks: list[tuple[int, str]], at: list[int], short: bool) -> set[str]:
    """The kind (or level) words closest to a name's words: "Kelly Park by the school" is a park."""
    if not marks or not at:
        return set()
    distance = {(i, m): min(abs(i - a) for a in at) for i, m in marks}
    closest = min(distance.values())
    if closest > KIND_REACH and not short:
        return set()
    return {m for (_, m), d in distance.items() if d == closest}


def _as_written(text: str) -> str:
    """The words of a name as written, for exactness: "Kelly school" is not exactly "Kelly Elementary", but
    "la 90" is "90 St" (articles, connectors and street types aside)."""
    return " ".join(w for w in raw_words(text) if w not in FILLER and w not in CONNECTORS and w not in STREET_SUFFIXES)


def _name_kinds(name: str, area: str) -> frozenset[str]:
    """The kind classes a place's name says, but for kind words of its area's name: Humboldt Park Health
    is a hospital, not a park."""
    ws = words(name)
    forms = [_area_form(w) for w in ws]
    own = tuple(_area_form(w) for w in words(area) if w.norm not in FILLER)
    inside: set[int] = set()
    for start in range(len(ws)):
        end = _area_at(ws, forms, start, own) if own else None
        if end is not None:
            inside.update(range(start, end))
    return frozenset(KIND_WORDS[w.norm] for i, w in enumerate(ws) if w.norm in KIND_WORDS and i not in inside)


def _colour(ws: Sequence[Word], j: int) -> bool:
    return ws[j].norm in _COLOURS


_COLOURS = frozenset(COLOUR_VARIANTS) | frozenset(COLOUR_VARIANTS.values())


def _area_at(ws: Sequence[Word], forms: Sequence[str], start: int, area: tuple[str, ...]) -> int | None:
    """Where an area written from `ws[start]` ends (filler between its words allowed), or None."""
    j = start
    for k, want in enumerate(area):
        while k and j < len(ws) and ws[j].norm in FILLER and not ws[j].pause:
            j += 1
        if j >= len(ws) or not _same_word(forms[j], want) or (k and ws[j].pause):
            return None
        j += 1
    return j


_KIND_FORMS = frozenset(skeleton(canonical(w)) for w in KIND_WORDS)


def _area_form(w: Word) -> str:
    """A word of an area's name, spelling- and abbreviation-tolerant ("Humboldt Pk", "Gage prk")."""
    return skeleton(canonical(w.norm))


def _same_word(typed: str, known: str) -> bool:
    """The same word through one slip in a long-enough one ("Humbolt Park"; "Northline" is not Northside)."""
    return typed == known or (
        typed[:1] == known[:1] and min(len(typed), len(known)) >= 5 and OSA.distance(typed, known, score_cutoff=1) <= 1
    )


def _folded_words(name: str) -> list[str]:
    return [w.norm for w in words(name)]


def _kinds_at(ws: Sequence[Word]) -> list[tuple[int, str]]:
    found = [(i, KIND_WORDS[w.norm]) for i, w in enumerate(ws) if w.norm in KIND_WORDS]
    for i, w in enumerate(ws):
        if w.norm in LINE_WORDS and any(_colour(ws, j) for j in (i - 1, i + 1) if 0 <= j < len(ws)):
            found.append((i, "station"))  # "the pink line", "el tren rosa": a transit line's station
    for i, w in enumerate(ws):
        ends = i + 1 == len(ws) or ws[i + 1].pause
        if w.norm == _ES_KIND and i > 0 and ends and name_like(ws[i - 1]) and not w.pause:
            found.append((i, "school"))
    return found


def house_number(ws: Sequence[Word], block: Block) -> int | None:
    """The house number of an address the words write at `block`, for registered places only."""
    for i in block.span:
        if ws[i].norm.isdigit() and not ws[i].glued:
            number = house_at(ws, i)[0]
            if number // 100 * 100 == block.block:
                return number
    return None


# US state abbreviations often typed after an address ("Houston TX"): never a business beside it.
_STATES = frozenset(
    {
        "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la",
        "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok",
        "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "dc", "pr", "usa",
    }
)  # fmt: skip


def block_index(block: Block) -> str:
    return f"{block.block}:{block.street.key}"


def corner_index(a: Street, b: Street) -> str:
    return "|".join(sorted((a.key, b.key)))
