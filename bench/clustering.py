"""Clustering a stream of reports against many open incidents: does the cost stay flat?

Each report goes through what `submit_report` does in the domain: resolve its place text, find
candidate incidents through the index by the place's search keys, group it (join one, or open a new one
with its near misses). The stream is the same 100,000 reports for both runs; only the number of open
incidents changes (1,000, then 20,000).

    python -m bench.clustering [--reports 100000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from intake.place import PlaceBook, resolve_place
from intake.place.words import place_key
from verification.clustering import Candidate, ClusterIndex, group, search_window
from verification.model import Place, PlaceKind

STREETS = [
    "Pulaski", "Kedzie", "Cicero", "Ashland", "Halsted", "Western", "Damen", "Racine", "Archer", "Cermak",
    "Kostner", "Central Park", "Lawndale", "Sacramento", "California", "Whipple", "Albany", "Homan", "Harding",
    "Keeler",
]  # fmt: skip
T0 = datetime(2025, 1, 24, 17, 0, tzinfo=UTC)
WINDOW = timedelta(hours=2)


KNOWN = 300  # the community's registered places: schools, churches, clinics
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "du", "ni", "mor", "pe", "zan"]


def school(i: int) -> str:
    name = "".join(SYLLABLES[(i // len(SYLLABLES) ** k) % len(SYLLABLES)] for k in range(3)).title()
    return f"{name} Elementary"


def place_text(i: int) -> str:
    """Place i: a registered school for the first KNOWN, a street corner after that."""
    return school(i) if i < KNOWN else corner(i)


def corner(i: int) -> str:
    return f"{i // len(STREETS) + 1}th & {STREETS[i % len(STREETS)]}"


def spelled(i: int, rng: random.Random) -> str:
    if i < KNOWN:
        return rng.choice([school(i), school(i).replace("Elementary", "school"), "escuela " + school(i).split()[0]])
    number, street = i // len(STREETS) + 1, STREETS[i % len(STREETS)]
    return rng.choice(
        [f"{number}th & {street}", f"{street}/{number}", f"{number}th St and {street} Ave", f"{street} y {number}"]
    )


def run(open_incidents: int, reports: int, seed: int = 7) -> tuple[float, int, int]:
    """Returns (seconds, reports that joined an open incident, reports that had near misses)."""
    rng = random.Random(seed)
    book = PlaceBook.of(
        Place(place_key(school(i)), school(i), "Area", PlaceKind.SCHOOL, (school(i).split()[0] + " school",))
        for i in range(KNOWN)
    )
    index = ClusterIndex(window=search_window(WINDOW))
    for n in range(open_incidents):
        place = resolve_place(place_text(n), book)
        index.put(Candidate(n + 1, place.ref.key, place.words, T0, T0, label=place.ref.label), place.lookup_keys)
    # The stream: reports about the first 1,000 places (present in both runs), spread over 30 minutes,
    # each place spelled several ways.
    stream = [(spelled(rng.randrange(1000), rng), T0 + timedelta(seconds=rng.randrange(1800))) for _ in range(reports)]
    joined = near = 0
    start = time.perf_counter()
    for text, observed in stream:
        place = resolve_place(text, book)
        grouping = group(place, observed, index.candidates(place.search_keys, observed), WINDOW)
        joined += grouping.number is not None
        near += bool(grouping.near)
    return time.perf_counter() - start, joined, near


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    args = parser.parse_args()
    results = {}
    for n in (1_000, 20_000):
        seconds, joined, near = run(n, args.reports)
        results[n] = seconds / args.reports
        print(
            f"{args.reports:,} reports vs {n:,} open incidents: {args.reports / seconds:,.0f} reports/s, "
            f"{results[n] * 1e6:.1f} µs/report, {joined:,} joined an open incident, {near:,} had near misses"
        )
    ratio = results[20_000] / results[1_000]
    print(f"per-report cost ratio 20,000 / 1,000 open incidents: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
