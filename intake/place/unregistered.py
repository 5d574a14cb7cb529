"""Places nobody registered: corners, blocks, stretches of street, streets and businesses, with the keys
that group reports of them (docs/intake.md lists the keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .book import KIND_OF_CLASS, Grid, corner_index
from .model import PlaceKind, PlaceRef
from .reading import NAME_ARTICLES, Phrase, Reading, ReadingKind
from .resolved import ResolvedPlace
from .streets import (
    Block,
    Corner,
    Segment,
    Street,
    street_key,
)
from .words import (
    distinctive,
    name_form,
    skeleton,
    tokens,
)

MAX_LABEL = 100
MAX_STRETCH = 10  # numbered blocks of a stretch of street whose corners are on it
_NUMBERED_TYPES = ("ave", "rd", "dr", "pl")  # the other types numbered streets have ("37th Ave", "37th Rd")


def unregistered(reading: Reading, grid: Grid | None = None) -> ResolvedPlace:
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
            folded = tuple(name_form(w) for w in distinctive(tokens(reading.excerpt)) if w not in NAME_ARTICLES)
            kind = reading.kinds[0] if len(reading.kinds) == 1 else ""
            return _named(folded, reading.excerpt, kind, None, ReadingKind.WORDS)
    label = reading.excerpt or "?"
    kind = kind_of_class(reading.kinds[0]) if len(reading.kinds) == 1 else PlaceKind.OTHER
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
        # Its name's words' beginnings, as a named place's (`_named`): "Diversity Plaza" and "the plaza at
        # 37th Rd & 74th St" are offered to each other.
        prefixes = [f"~pre:{skeleton(w)[:4]}" for w in phrase.words if len(w) >= 4 and not w.isdigit()]
        marks = [f"~at:{name}", *on_marks, *located, *prefixes]
        if phrase.kind:
            marks += [f"~at:#{phrase.kind}@{s.key}" for s in streets]
        loose = [f"named:{name}", f"~free:{name}", *on_joins]
        near = [f"~named:{name}", *located, *prefixes]  # the same name on other streets, for moderators
    else:
        marks = [f"~at:#{phrase.kind}@{s.key}" for s in streets]
        loose = [f"named:#{phrase.kind}@{s.key}" for s in streets]
        near = []
    return replace(
        place,
        lookup_keys=unique([*place.lookup_keys, *marks]),
        loose_keys=unique([*place.loose_keys, *loose]),
        near_keys=unique([*place.near_keys, *near]),
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


def words_of(label: str) -> tuple[str, ...]:
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
    near: list[str] = [f"~{key}", f"street:{a.key}", f"street:{b.key}", f"~street:{a.key}", f"~street:{b.key}"]
    # A number typed without its type ("60th & 7th") is the one open incident at that number of another
    # type ("7th Ave & 60th St"), if only one is: less surely.
    loose: list[str] = [
        corner_key(replace(side, suffix=suffix), other)
        for side, other in ((a, b), (b, a))
        if side.number is not None and not side.suffix
        for suffix in _NUMBERED_TYPES
    ]
    # On a stretch of one of its streets, whichever was reported first.
    within = [f"~within:{a.key}:{b.key}", f"~within:{b.key}:{a.key}"]
    marks += within
    loose += within
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
        unique([key, *alts, *marks]),
        words_of(label),
        ReadingKind.CORNER,
        loose_keys=unique(loose),
        near_keys=unique(near),
    )


def _alt_key(core: str) -> str:
    return " ".join(skeleton(w) for w in core.split())


def _block(block: Block, grid: Grid | None = None) -> ResolvedPlace:
    street = block.street
    generic = f"block:{block.block}:{street.key}"
    label = street.label(direction=True)
    near: list[str] = [f"street:{street.key}", f"~street:{street.key}"]
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
        unique(lookup),
        words_of(label),
        ReadingKind.BLOCK,
        loose_keys=unique([*loose, *gridded]),
        near_keys=unique(near),
    )


def _segment(segment: Segment, grid: Grid | None = None) -> ResolvedPlace:
    a, b = sorted((segment.a, segment.b), key=lambda s: s.key)
    street = segment.street
    key = segment_key(street, a, b)
    label = f"{street.label()}, {a.label()}–{b.label()}"
    near = [corner_key(street, a), corner_key(street, b), f"street:{street.key}", f"~street:{street.key}"]
    # The corners between its ends (a short numbered stretch) mark it: a report of one of them joins it
    # when it is the only one ("Elm & 5th" after "Elm from 3rd to 7th"), see `_corner`. Its ends do not:
    # they are the corners of the blocks next to it too.
    within: list[str] = []
    if a.number is not None and b.number is not None and 1 < abs(a.number - b.number) <= MAX_STRETCH:
        low, high = sorted((a.number, b.number))
        within = [f"~within:{street.key}:{replace(a, core=str(n), name=str(n)).key}" for n in range(low + 1, high)]
    loose: list[str] = []
    if grid is not None and a.number is not None and b.number is not None and abs(a.number - b.number) == 1:
        low = min(a.number, b.number)
        # "Millard entre 23 y 24" is the 2300 block of Millard, which starts at 23rd & Millard.
        loose = [*_grid_blocks(low, street, grid), corner_key(a if a.number == low else b, street)]
    return ResolvedPlace(
        _ref(key, label),
        (key, f"~street:{street.key}", *within),
        words_of(label),
        ReadingKind.SEGMENT,
        loose_keys=unique([*loose, *within]),
        near_keys=unique(near),
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
        words_of(label),
        ReadingKind.STREET,
        # Somewhere on the street: the one open incident on it, if only one is ("la Dashwood, los
        # apartamentos" after "6400 Dashwood Dr"); with two, neither, and both are offered.
        loose_keys=(*joins, f"~street:{street.key}"),
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
        lookup, near = [key], []
        # The place of that kind at a corner or block of the street, else the one open incident on it.
        loose = [f"~at:#{kind}{on}", f"~street:{street.key}"] if street is not None else []
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
        marks, joins, beside = _name_then_street(folded, kind, after)
        lookup, loose, near = [*lookup, *marks], [*loose, *joins], [*near, *beside]
    if street is not None:
        # Corners, blocks and other places on the street mark it: moderators hear of them.
        lookup, near = [*lookup, f"~street:{street.key}"], [*near, f"~street:{street.key}", f"street:{street.key}"]
    return ResolvedPlace(
        _ref(key, shown, kind=kind_of_class(kind)),
        unique(lookup),
        words_of(shown),
        reading,
        loose_keys=unique(loose),
        near_keys=unique(near),
    )


def _name_then_street(folded: Sequence[str], kind: str, after: str) -> tuple[list[str], list[str], list[str]]:
    """The keys of a name that may be typed beside its street nobody registered: its first or last word
    ("Walgreens Cicero", "Cicero Walgreens", "carwash Olympic") or the word after it ("Sparkle car wash
    Olympic"). Returns (the marks it holds, the keys it joins by, the keys of what is near): the name on
    that street, and with a kind, a place of that kind there (at a corner or block of it too: "Dashwood
    apts" after "6400 Dashwood, los apartamentos"); near, anything on that street."""
    readings: list[tuple[list[str], str]] = []
    near: list[str] = []
    for i in dict.fromkeys((0, len(folded) - 1)) if folded else ():
        if folded[i].isalpha():
            near.append(f"~street:{street_key(folded[i])}")  # "Dashwood" alone may be the street too
            if len(folded) > 1 or kind:
                readings.append(([w for j, w in enumerate(folded) if j != i], folded[i]))
    if after and folded:
        readings.append((list(folded), after))
        near.append(f"~street:{street_key(after)}")
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
            else:
                joins.append(f"~at:#{kind}@{on}")
    return marks, joins, near


def kind_of_class(kind_class: str) -> PlaceKind:
    return KIND_OF_CLASS.get(kind_class, PlaceKind.OTHER)


def unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))
