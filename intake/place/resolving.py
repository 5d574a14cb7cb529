"""Resolving a report's place against the community's `PlaceBook`: a registered place by its name or by
where it is (an address on its block, a corner of its cross streets), else a place nobody registered.
docs/intake.md says how.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from intake.refused import Refused

from .book import KIND_OF_CLASS, TIE_MARGIN, PlaceBook, PlaceMatch, block_index, corner_index, house_number
from .homes import DWELLINGS, home_marks
from .landmarks import Landmark, landmark
from .model import MAX_WHERE, Place, PlaceRef
from .reading import Phrase, Reading, ReadingKind, read_words
from .resolved import ResolvedPlace
from .streets import (
    Corner,
    Street,
    StreetNames,
    name_like,
)
from .unregistered import MAX_LABEL, unique, unregistered, words_of
from .words import (
    KIND_WORDS,
    LEVEL_WORDS,
    Word,
    distinctive,
    has_confusables,
    skeleton,
    tokens,
    typed_phrase,
    words,
)

MAX_ALTERNATIVES = 5
MAX_SIBLINGS = 4
RESOLVED_LIMIT = 10_000  # texts remembered per book


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
        return ResolvedPlace(ref, (), words_of(area), ReadingKind.WORDS)
    resolved = resolve_place(text, book)
    if resolved.reading not in STREET_FORMS and resolved.reading is not ReadingKind.KNOWN and home_marks(words(text)):
        raise Refused("place_home")
    return resolved


def _check(text: str) -> None:
    if not text.strip():
        raise Refused("place_required")
    if len(text) > MAX_WHERE:
        raise Refused("text_too_long", limit=MAX_WHERE)


def _resolve(text: str, book: PlaceBook, *, names_known: bool) -> ResolvedPlace:
    _check(text)
    ws = book.unglued(words(text))
    mark = landmark(ws) if names_known else None
    if mark is not None:
        beside = _beside_landmark(ws, mark, book)
        if beside is not None:
            return beside
    reading = read_words(ws, book.streets, book.area_spans(ws))
    placed = reading.kind in (ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT)
    close = book.match(ws, reading.street_words, relaxed=True, placed=placed) if names_known else []
    # A place the words name but the text puts elsewhere is only offered (`close`), never chosen.
    matches = [m for m in close if m.accepted and _consistent(m, reading, book)]
    located = _located(reading, book) if names_known else []
    tied = _tied(matches)
    if len(located) > 1 and reading.block is not None:
        number = house_number(ws, reading.block)
        registered = book.at_address(reading.block, number) if number is not None else []
        located = registered if len(registered) == 1 else located  # "1200 E Oak St": the place registered there
    if len(tied) > 1 and located:
        narrowed = [m for m in tied if m.place in located]
        tied = narrowed or tied  # the address decides between places that share a name
    elsewhere = located and tied and not any(m.place in located for m in tied)
    if elsewhere and not any(m.exact or m.score >= 1 for m in tied):
        # "74 st & Broadway stop (7 train)": the corner is where a registered place is; words beside it
        # that half name another place ("Junction Blvd 7 train") do not move it there.
        tied = []
    if len(tied) > 1:
        on = {p.key for street in _streets_of(reading) for p in book.on_street(street)}
        tied = [m for m in tied if m.place.key in on] or tied  # "Whittier en la 23": the one on 23rd
    if len(tied) > 1:
        area = book.area_named(ws)
        tied = [m for m in tied if area and m.place.area == area] or tied  # "St. Mary's, Eastside"
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
    if chosen is None and not tied and not located and _kind_and_area_only(ws, reading, book):
        only = _only_one_of_kind(ws, book)
        chosen = PlaceMatch(only, 0.5) if only is not None else None
    if chosen is not None:
        return _known(chosen.place, book, chosen.score, _typed_at(reading, book))
    if has_confusables(text):
        # Look-alike letters from another script are how a spoofed place gets in: never a new place.
        suggestions = _alternatives(reading, book, tied, located, close)
        raise Refused("place_confusable", suggestions=", ".join(p.name for p in suggestions[:3]))
    place = _approved_or_not(_on_grid(unregistered(reading, book.grid()), reading, book), reading, ws, book)
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
    # The places it may be mark its incident, so that a later report naming one of them surely is shown
    # it as a near miss ("escuela Lincoln" before "Lincoln High School").
    either = tuple(f"~{k}" for k in loose)
    return ResolvedPlace(
        place.ref,
        (*place.lookup_keys, *either),
        place.words,
        place.reading,
        loose_keys=(*place.loose_keys, *loose),
        near_keys=(*place.near_keys, *near),
        alternatives=tuple(alternatives),
        needs_choice=bool(ties) or unsure or doubted,
        ties=ties,
    )


STREET_FORMS = frozenset({ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT, ReadingKind.STREET})
_WHERE_BY_ITSELF = frozenset({ReadingKind.KNOWN, ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT})


def _beside_landmark(ws: Sequence[Word], mark: Landmark, book: PlaceBook) -> ResolvedPlace | None:
    """ "X by Y" where Y is a registered place: X is the place, and Y where it is. A registered place,
    corner or block X is itself ("Roosevelt Elementary by Garfield Park"); anything else is X at Y, which
    reports of X at Y join, and which is offered beside Y's incident as a near miss, never joined to it.
    None when Y is no registered place: then the whole text is read as one ("Walgreens by 26th & Pulaski")."""
    said = _with_pauses(ws[mark.place.start : mark.place.stop])
    x = _resolve(said, book, names_known=True)
    hint = _with_pauses(ws[mark.hint.start : mark.hint.stop])
    if x.reading is ReadingKind.KNOWN and _elsewhere(x, hint, book):
        # "la plaza cerca de la 74" where the registered Plaza is at Roosevelt & 103rd: another plaza, near
        # 74th St (offered beside the registered one).
        typed = _resolve(said, book, names_known=False)
        x = replace(typed, near_keys=unique([*typed.near_keys, x.ref.key]))
    if x.reading in _WHERE_BY_ITSELF:
        return x
    y = _resolve(hint, book, names_known=True)
    if y.reading is not ReadingKind.KNOWN and not y.ties:
        return None  # a registered place, or one of several ("the Home Depot" of two branches), is a landmark
    key = f"landmark:{x.ref.key}@{y.ref.key}"
    marker = typed_phrase(ws[mark.marker.start : mark.marker.stop]).lower()
    label = f"{x.ref.label} ({marker} {y.ref.label})"[:MAX_LABEL]
    # A street X is published as read only when Veraz was sure of it ("Elm St"), never "Carlos place".
    unsure = x.ref.reporters_words or x.reading is not ReadingKind.STREET
    ref = replace(x.ref, key=key, label=label, reporters_words=unsure)
    return ResolvedPlace(
        ref,
        unique([key, *x.lookup_keys]),
        x.words,
        x.reading,
        loose_keys=x.loose_keys,
        near_keys=unique([*x.near_keys, y.ref.key]),
        alternatives=tuple(dict.fromkeys([*x.alternatives, *y.alternatives, *book.named(y.ref.label)]))[
            :MAX_ALTERNATIVES
        ],
        needs_choice=x.needs_choice and x.reading is not ReadingKind.VAGUE,
        ties=x.ties,
    )


def _elsewhere(place: ResolvedPlace, hint: str, book: PlaceBook) -> bool:
    """Whether a landmark that is only streets ("cerca de la 74") puts a registered place on none of the
    streets it is registered on."""
    known = book.places.get(place.ref.key.removeprefix("place:"))
    own = book.streets_of(known) if known is not None else set()
    hw = words(hint)
    reading = read_words(hw, book.streets, book.area_spans(hw))
    if not own or reading.kind not in STREET_FORMS or reading.phrase is not None:
        return False
    return not own & {s.key for s in _streets_of(reading)}


def _with_pauses(ws: Sequence[Word]) -> str:
    """Words as typed, with a comma where a pause was: "Sunset Park, top of the hill" stays two phrases."""
    return "".join(
        (", " if w.pause and i else "-" if w.glued and i else " " if i else "") + w.typed for i, w in enumerate(ws)
    )


def _on_grid(place: ResolvedPlace, reading: Reading, book: PlaceBook) -> ResolvedPlace:
    """An address and the corner the community's street grid puts at its block meet: each joins the
    one open incident at the other ("6123 Bellaire Blvd" and "Bellaire & Hillcroft")."""
    grid = book.street_grid
    if not grid:
        return place
    keys: list[str] = []
    if reading.block is not None:
        keys = [f"corner:{'|'.join(sorted(corner))}" for corner in grid.corners_at(reading.block)]
    elif reading.corner is not None:
        for street, hundred in grid.blocks_at(reading.corner):
            keys += [f"block:{hundred}:{street}", *(f"block:{hundred}:{d}:{street}" for d in "nsew")]
    return replace(place, loose_keys=unique([*place.loose_keys, *keys])) if keys else place


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
    community's places are on, or a one-word name written with a suffix or a direction ("Elm St", "W
    Cermak") that is not someone's ("Maria's place", "at Carlos place")."""
    if street.number is not None or names.find(street.core) is not None:
        return True
    if " " in street.core:
        # Words before a suffix are read as the street's name, up to three of them: "where kevin lives
        # Elm St", "mi tia rosa calle Elm", "undocumented maria Kedzie Ave". A name of several words no
        # place of the community is on may be someone's words.
        return False
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
    typed = {s.key for s in _streets_of(reading)}
    if match.by_area and (complete or reading.street is not None) and not typed & book.streets_of(match.place):
        return False  # "Elm St, Oakdale": a street in the Oakdale area, not a place called Oakdale on Maple
    if not complete:
        return True
    own = book.streets_of(match.place)
    if own and not own & typed and not match.exact:
        # "Elm & 5th, the 7 train": a corner on none of the streets the place named is registered on is
        # not that place, but a corner near it, or another of that name.
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
    """The places the text names equally well: as high a score, or every word that names the best one
    names them too ("home depot" names both branches, whatever words their names add)."""
    if not matches:
        return []
    top = matches[0]
    return [
        m
        for m in matches
        if top.score - m.score <= TIE_MARGIN or (abs(top.bonus - m.bonus) < TIE_MARGIN and top.typed <= m.typed)
    ]


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


def _kind_and_area_only(ws: Sequence[Word], reading: Reading, book: PlaceBook) -> bool:
    """Whether the words say no more than a kind of place and maybe an area ("la prepa", "metro de
    Jackson Heights"): no name, no street."""
    if reading.kind is ReadingKind.VAGUE:
        return True
    if reading.kind not in (ReadingKind.NAMED, ReadingKind.WORDS) or reading.street is not None:
        return False
    areas = {i for span in book.area_spans(ws) for i in span}
    return bool(areas) and all(i in areas for i, w in enumerate(ws) if name_like(w) and w.norm not in KIND_WORDS)


def _only_one_of_kind(ws: Sequence[Word], book: PlaceBook) -> Place | None:
    """A school's level with no name ("la prepa", "the middle school", "la secundaria") names the one
    registered school of that level, in the area named if one is; a kind with an area ("metro de
    Jackson Heights", "the clinic in Oakdale") names the one place of that kind there: never a guess
    among several. A kind alone ("the courthouse", "la escuela") stays vague: it is how people speak of
    any such place."""
    levels = {LEVEL_WORDS[w.norm] for w in ws if w.norm in LEVEL_WORDS}
    area = book.area_named(ws)
    if len(levels) == 1:
        found = book.of_level(levels.pop())
    elif not levels and area:
        kinds = {KIND_WORDS[w.norm] for w in ws if w.norm in KIND_WORDS}
        found = [p for kind in kinds for p in book.of_kind(kind)] if len(kinds) == 1 else []
    else:
        return None
    if area:
        found = [p for p in found if p.area == area]
    return found[0] if len(found) == 1 else None


def _fits(place: Place, phrase: Phrase | None, book: PlaceBook) -> bool:
    """Whether the known place at a corner or block is what the text names there: not when it names a
    business the book does not know as that place ("Walgreens at 48th & Laflin" is not the school on
    that corner), nor a place of another kind ("la gasolinera de la 51 y Pulaski" is no train station)."""
    if phrase is None or book.locality(phrase.words):
        return True  # "1200 E Oak St, Springfield IL": the town of the address, not a business at it
    if phrase.words:
        return False
    kinds = book.kinds_of(place)
    # A plaza registered with no kind is no train station: "Elm y 103 (el tren)" is the station there.
    return phrase.kind in kinds or (not kinds and phrase.kind not in KIND_OF_CLASS)


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


def _typed_at(reading: Reading, book: PlaceBook) -> tuple[str, ...]:
    """The keys of the corner, block or stretch typed with a registered place's name ("The Hub, 3rd & 149"):
    evidence of where the place is, that a report of that corner alone meets (docs/intake.md, "How
    evidence accumulates"). A street alone is not: it is too long to be one place."""
    if reading.kind not in (ReadingKind.CORNER, ReadingKind.BLOCK, ReadingKind.SEGMENT):
        return ()
    return unregistered(reading, book.grid()).same_keys


def _known(place: Place, book: PlaceBook, score: float, typed: Sequence[str] = ()) -> ResolvedPlace:
    ref = PlaceRef(key=f"place:{place.key}", label=place.name, area=place.area, kind=place.kind, known=True)
    marks = [*typed, *(f"~corner:{c}" for c in book.corners_of(place))]
    marks += [f"~block:{block_index(b)}" for b in book.blocks_of(place)]
    near = [f"~{ref.key}", *(f"place:{p.key}" for p in book.siblings(place)[:MAX_SIBLINGS])]
    return ResolvedPlace(
        ref,
        unique([ref.key, *marks]),
        tuple(distinctive(tokens(place.name))),
        ReadingKind.KNOWN,
        near_keys=unique(near),
        score=min(score, 1.0),
    )
