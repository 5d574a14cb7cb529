"""The street grammar against usaddress (a CRF parser of US addresses and intersections), on the corners
and addresses reporters typed in each labelled day.

For every report of an event whose place is written as a corner ("W 26th St & S Pulaski Rd", possibly
after a business: "CTA bus stop, S Pulaski Rd & W 31st St") or as an address or block ("2314 S Pulaski
Rd", "2300 block of S Millard Ave"), each parser reads the report's `where` and is right when it finds
that corner (both streets) or that street's hundred block. Prints, per set, the share each gets right:
Veraz's own grammar, usaddress, and the two combined (usaddress where the grammar finds neither a corner
nor an address).

    python -m bench.streets [--set dev|houston|...]

usaddress is not a dependency of Veraz: `pip install usaddress` to measure it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bench.intake import DaySet, day_sets, importable, load_events, load_reports, places_csv
from intake.place import PlaceBook
from intake.place.streets import Street, find_block, find_corner, read_street
from intake.place.words import words
from verification.usecases import parse_places_csv

_BLOCK = re.compile(r"^(?:.*,\s*)?(\d+)\s+(?:block of\s+)?(.+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Expected:
    streets: frozenset[str]  # the corner's two street keys, or the address's one street
    block: int | None = None  # the hundred block of an address


@dataclass(frozen=True, slots=True)
class Found:
    streets: frozenset[str]
    block: int | None = None


def expected(place: str, names: PlaceBook) -> Expected | None:
    """What a canonical place text of the labels says: a corner, an address (its block), or neither."""
    text = place.rsplit(",", 1)[-1].strip() if "&" in place.rsplit(",", 1)[-1] else place
    if "&" in text:
        sides = [read_street(side, names.streets) for side in text.split("&")]
        if len(sides) == 2 and all(s is not None for s in sides):
            return Expected(frozenset(s.key for s in sides if s is not None))
        return None
    address = _BLOCK.match(place)
    if address:
        street = read_street(address.group(2), names.streets)
        if street is not None:
            return Expected(frozenset({street.key}), int(address.group(1)) // 100 * 100)
    return None


def grammar(text: str, names: PlaceBook) -> Found | None:
    ws = words(text)
    block = find_block(ws, names.streets)
    if block is not None:
        return Found(frozenset({names.streets.complete(block.street).key}), block.block)
    corner = find_corner(ws, names.streets)
    if corner is not None:
        return Found(frozenset(names.streets.complete(s).key for s in (corner.a, corner.b)))
    return None


def usaddress_reading(text: str, names: PlaceBook) -> Found | None:
    import usaddress  # type: ignore[import-untyped]  # measured only, never a dependency

    try:
        tags, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
    first = _street(" ".join(v for k, v in tags.items() if k.startswith("StreetName")), names)
    if kind == "Intersection":
        second = _street(" ".join(v for k, v in tags.items() if k.startswith("SecondStreetName")), names)
        if first is not None and second is not None:
            return Found(frozenset({first.key, second.key}))
    if kind == "Street Address" and first is not None and tags.get("AddressNumber", "").isdigit():
        return Found(frozenset({first.key}), int(tags["AddressNumber"]) // 100 * 100)
    return None


def _street(text: str, names: PlaceBook) -> Street | None:
    found = read_street(text, names.streets) if text.strip() else None
    return names.streets.complete(found) if found is not None else None


def right(found: Found | None, want: Expected) -> bool:
    if found is None or found.block != want.block or len(found.streets) != len(want.streets):
        return False
    return all(any(_same(a, b) for b in want.streets) for a in found.streets)


def _same(a: str, b: str) -> bool:
    """One street through the extent of a name a parser guessed ("grand" for "grand concourse")."""
    return a == b or set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split())


def measure(day: DaySet) -> dict[str, float | int]:
    events = load_events(day.data, day.day, day.zone)
    book = PlaceBook.of(p for _, p in parse_places_csv(importable(places_csv(day.data))[0]))
    wants = {name: expected(e.place, book) for name, e in events.items()}
    cases = [(r.where, wants[r.event]) for r in load_reports(day.data, day.day, day.zone) if wants[r.event]]
    ours = sum(right(grammar(text, book), want) for text, want in cases if want)
    theirs = sum(right(usaddress_reading(text, book), want) for text, want in cases if want)
    both = sum(right(grammar(text, book) or usaddress_reading(text, book), want) for text, want in cases if want)
    return {"reports": len(cases), "grammar": ours, "usaddress": theirs, "combined": both}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", dest="sets", help="measure only this set")
    args = parser.parse_args(argv)
    for day in day_sets():
        if args.sets and day.name not in args.sets:
            continue
        figures = measure(day)
        n = figures["reports"] or 1
        print(
            f"{day.name} ({day.city}): {figures['reports']} reports at a corner or an address; right: "
            f"grammar {figures['grammar'] / n:.1%}, usaddress {figures['usaddress'] / n:.1%}, "
            f"grammar then usaddress {figures['combined'] / n:.1%}"
        )


if __name__ == "__main__":
    main()
