"""Grouping reports into incidents: which open incident a report joins, and which ones it comes close to.

A report joins an open incident when both are at the same place within the window: the same known
place, intersection, block, stretch of street or business, or a place the incident already holds
through its other reports or a merge (a key in its `keys`). Otherwise it opens a new incident. Places
that are only alike are never joined silently: the next corner on the same street, the block next door,
a school and a park that share a name, a business with a similar name, or the same place just outside
the window come back as `NearMiss`es, for the new incident's card to say "possibly the same as #12".

How a report's place text becomes keys is `intake.place`'s job; this module only compares keys.

Candidate incidents are found through lookup keys, each indexed with the time the incident was observed,
so the cost of a lookup depends on the incidents that share a key in the window, never on the number of
open incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from rapidfuzz import fuzz

from intake.place import PlaceBook, ResolvedPlace
from intake.place.words import words_alike

from .reading import resolve_place

DEFAULT_WINDOW = timedelta(hours=2)
NEAR_WINDOW_FACTOR = 2  # the same place up to this many windows away is shown as a near miss
SAME_NAME = 90  # rapidfuzz token-set similarity for two unregistered names of one kind to be one place
SIMILAR_NAME = 70  # ... to be shown to moderators as possibly the same
MAX_NEAR = 3

__all__ = [
    "DEFAULT_WINDOW",
    "Candidate",
    "ClusterIndex",
    "Grouping",
    "NearMiss",
    "NearReason",
    "PlaceBook",  # re-exported for callers that found it here before `intake.place` existed
    "ResolvedPlace",
    "choose_incident",
    "group",
    "resolve_place",
    "search_window",
    "words_alike",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open incident that shares a lookup key with a new report."""

    number: int
    place_key: str
    words: tuple[str, ...]
    first_observed: datetime
    last_observed: datetime
    keys: tuple[str, ...] = ()  # its lookup keys that matched (or all of them): a merge brings others too
    label: str = ""  # its place label, for moderators


class NearReason(StrEnum):
    SAME_PLACE = "same_place"  # the same place, outside the window
    EITHER = "either"  # the report's text names this incident's place and another one equally well
    NEARBY = "nearby"  # the next corner or block, the same street
    SIMILAR_NAME = "similar_name"  # a place with a similar name: a school and a park, two shops


@dataclass(frozen=True, slots=True)
class NearMiss:
    """An open incident the report may be about, for moderators to merge by hand if it is."""

    number: int
    label: str
    minutes_apart: int
    reason: NearReason


@dataclass(frozen=True, slots=True)
class Grouping:
    number: int | None  # the incident to join, None to open a new one
    near: tuple[NearMiss, ...] = ()
    # How the joined incident got the evidence the report met it by: 0, what it opened with (or a
    # moderator or reporter named); 1, what a report brought that met such evidence; 2, anything later.
    through: int = 0

    def keys_to_add(self, lookup_keys: Sequence[str]) -> list[str]:
        """The report's lookup keys as the incident keeps them: one generation after what it met them by."""
        return [evidence_key(k, self.through + 1) for k in lookup_keys]


# Evidence an incident holds, by generation (see `Grouping.through`). Keys of generation 2 came in only
# through accumulated evidence: they never attract a report by themselves, so a chain of reports that
# each meet the last one's place stops at a near miss ("Acme at 5th & Main", then "Acme, 512 Main",
# then "512 Main" join; "Bodega at 512 Main" brought on by the last does not make "Bodega on Elm" join).
ACCUMULATED, CHAINED = "acc:", "via:"


def evidence_key(key: str, generation: int) -> str:
    return key if generation <= 0 else (ACCUMULATED if generation == 1 else CHAINED) + key


def candidate_keys(place: ResolvedPlace) -> tuple[str, ...]:
    """The keys to find a report's candidate incidents by: its own, and its places as later evidence."""
    later = [prefix + k for k in (*place.same_keys, *place.loose_keys) for prefix in (ACCUMULATED, CHAINED)]
    return tuple(dict.fromkeys((*place.search_keys, *later)))


def _evidence(c: Candidate) -> tuple[set[str], set[str], set[str]]:
    """An incident's keys that attract reports, by generation (0 and 1), and those that only are near (2)."""
    first, accumulated, chained = {c.place_key}, set(), set()
    for k in c.keys:
        if k.startswith(ACCUMULATED):
            accumulated.add(k.removeprefix(ACCUMULATED))
        elif k.startswith(CHAINED):
            chained.add(k.removeprefix(CHAINED))
        else:
            first.add(k)
    return first, accumulated, chained


def search_window(window: timedelta) -> timedelta:
    """How far around a report to look for candidates: the window, and the near misses beyond it."""
    return window * NEAR_WINDOW_FACTOR


def gap(observed_at: datetime, c: Candidate, until: datetime | None = None) -> timedelta:
    """How far a report seen at `observed_at` (or at some moment up to `until`, for a window such as
    "this morning") is from an incident's observed span: zero where they overlap."""
    latest = until if until is not None and until > observed_at else observed_at
    if latest < c.first_observed:
        return c.first_observed - latest
    if observed_at > c.last_observed:
        return observed_at - c.last_observed
    return timedelta(0)


def group(
    place: ResolvedPlace,
    observed_at: datetime,
    candidates: Iterable[Candidate],
    window: timedelta = DEFAULT_WINDOW,
    *,
    until: datetime | None = None,
) -> Grouping:
    """The open incident a report joins, if any, and the open incidents it comes close to.

    A report whose time is a window (`observed_at` to `until`: "hace rato", "this morning") is at any
    moment of it: it joins an incident at the same place whose span comes within `window` of any of
    those moments, so a vague time never opens a card by itself. Among incidents at the same place within
    the window, the one whose own place key is the report's wins, then the one closest in time, then the
    most recently observed. A place named less surely (`loose_keys`) joins only an incident that is the
    only one it could be.
    """
    same, loose, near_keys = set(place.same_keys), set(place.loose_keys), set(place.near_keys)
    joins: list[Candidate] = []
    loosely: list[Candidate] = []
    near: dict[int, NearMiss] = {}
    nearby: dict[int, tuple[Candidate, int, set[str]]] = {}
    generation: dict[int, int] = {}  # the generation of the evidence a report meets each incident by
    for c in candidates:
        first, accumulated, chained = _evidence(c)
        held = first | accumulated
        generation[c.number] = 0 if not (same | loose).isdisjoint(first) else 1
        apart = gap(observed_at, c, until)
        if apart > search_window(window):
            continue
        inside = apart <= window
        minutes = round(apart.total_seconds() / 60)
        alike = _same_name(place, c)
        if _another_registered(place, held):
            # Two registered places are never one incident unless a moderator merges them, whatever
            # corner or block both were typed with.
            nearby[c.number] = (c, minutes, held | chained)
        elif held & same or alike == "same":
            if inside:
                joins.append(c)
            else:
                near[c.number] = NearMiss(c.number, c.label, minutes, NearReason.SAME_PLACE)
        elif (held & loose and not _rival(place, held, held & loose)) or alike == "loose":
            if inside:
                loosely.append(c)
            near[c.number] = NearMiss(c.number, c.label, minutes, NearReason.EITHER)
        elif held & loose:
            near[c.number] = NearMiss(c.number, c.label, minutes, NearReason.SIMILAR_NAME)
        elif alike == "similar" or not near_keys.isdisjoint(held) or not (same | loose).isdisjoint(chained):
            nearby[c.number] = (c, minutes, held | chained)  # its reason is worked out only if it is shown
    number: int | None = None
    if joins:
        number = max(
            joins, key=lambda c: (c.place_key == place.ref.key, -gap(observed_at, c, until), c.last_observed, c.number)
        ).number
    elif len({c.number for c in loosely}) == 1:
        number = loosely[0].number
    closest = sorted((n for n in nearby if n != number), key=lambda n: (nearby[n][1], -n))[:MAX_NEAR]
    for n in closest:
        c, minutes, held = nearby[n]
        near.setdefault(n, NearMiss(n, c.label, minutes, _reason(held & (near_keys | same))))
    misses = sorted((m for n, m in near.items() if n != number), key=lambda m: (m.minutes_apart, -m.number))
    return Grouping(number, tuple(misses[:MAX_NEAR]), generation.get(number, 0) if number is not None else 0)


def _another_registered(place: ResolvedPlace, held: set[str]) -> bool:
    """Whether a report of one registered place meets an incident that holds another, and not this one
    (which a moderator's merge or naming gives it)."""
    if not place.ref.known or place.ref.key in held:
        return False
    return any(k.startswith(_REGISTERED) for k in held)


_REGISTERED = "place:"


def choose_incident(
    place: ResolvedPlace,
    observed_at: datetime,
    candidates: Iterable[Candidate],
    window: timedelta = DEFAULT_WINDOW,
    *,
    until: datetime | None = None,
) -> int | None:
    """The open incident a report joins, or None to open a new one (`group` without the near misses)."""
    return group(place, observed_at, candidates, window, until=until).number


def _rival(place: ResolvedPlace, held: set[str], via: set[str]) -> bool:
    """Whether a report meets an incident only through a business's name or kind on a street while the
    incident already holds another place of that name or kind there:
    - "Sparkle car wash on Olympic" after "Bubbles car wash on Olympic" joined "the car wash on Olympic"
      (a named place of that kind on the street, "~named#KIND@S");
    - "Walgreens at 47th & Cicero" after "Walgreens at 26th & Cicero" joined "Walgreens on Cicero"
      (that name at another corner or block of the street, "~loc:NAME@S": had it been this corner, the
      report would have joined by the corner itself)."""
    if via - {k for k in via if k.startswith(_NAME_KEYS)}:
        return False  # a place links them (the grid's corner and block): no business decides
    mine = set(place.lookup_keys)
    kind_only = {k for k in via if k.startswith("named:#")}
    if kind_only == via and {"~named" + k.removeprefix("named:") for k in kind_only} & held & mine:
        return True
    return bool({k for k in mine if k.startswith("~loc:")} & held)


_NAME_KEYS = ("named:", "~named:", "~on:", "~free:", "~at:")


def _reason(matched: set[str]) -> NearReason:
    if any(k.startswith(("place:", "~place:", "~named:", "~pre:", "named:")) for k in matched):
        return NearReason.SIMILAR_NAME
    return NearReason.NEARBY


def _same_name(place: ResolvedPlace, c: Candidate) -> str:
    """For two unregistered names: "same" (one name through typos or an extra word, with the same kind
    and street), "loose" (one name, one of them without a kind or street), "similar" (worth a
    moderator's look) or "" (unrelated, or not both names)."""
    if not (place.ref.key.startswith("named:") and c.place_key.startswith("named:")):
        return ""
    a, b = _name_of(place.ref.key), _name_of(c.place_key)
    if not a or not b or {w for w in a if w.isdigit()} != {w for w in b if w.isdigit()}:
        return ""
    score = fuzz.token_set_ratio(" ".join(sorted(a)), " ".join(sorted(b)))
    shared = sum(1 for w in a if any(words_alike(w, x) or w == x for x in b))
    if score >= SAME_NAME and 2 * shared >= max(len(a), len(b)):
        typed, other = _qualifier(place.ref.key), _qualifier(c.place_key)
        mine, theirs = _street_in_name(typed, a, b, other), _street_in_name(other, b, a, typed)
        if mine is None or theirs is None:
            return "similar"  # "CVS Whittier" is not "CVS on Olympic"
        if mine == theirs:
            return "same"
        if all(x == y or not x or not y for x, y in zip(mine, theirs, strict=True)):
            return "loose"  # one says the kind, the other the street: no contradiction, less sure
    return "similar" if score >= SIMILAR_NAME else ""


def _street_in_name(
    qualifier: tuple[str, str], name: tuple[str, ...], other: tuple[str, ...], others: tuple[str, str]
) -> tuple[str, str] | None:
    """A name typed with a word the other name lacks, where the other names a street ("CVS Whittier" and
    "CVS on Whittier"): that word is the street if it is the other's street, a contradiction if not;
    None for a contradiction, else the qualifier with the street it names."""
    kind, street = qualifier
    extra = [w for w in name if not any(words_alike(w, x) for x in other)]
    if street or not others[1] or not extra:
        return qualifier
    return (kind, others[1]) if extra == [others[1]] else None


def _name_of(key: str) -> tuple[str, ...]:
    """The name words of an unregistered name's key ("named:el guero#store@26" -> el, guero)."""
    return tuple(key.removeprefix("named:").partition("@")[0].partition("#")[0].split())


def _qualifier(key: str) -> tuple[str, str]:
    """The kind and the street of an unregistered name's key ("named:guero#store@26" -> store, 26)."""
    name = key.removeprefix("named:")
    rest, _, street = name.partition("@")
    _, _, kind = rest.partition("#")
    return kind, street


# --- an in-memory candidate index (the fake repository and the benchmark use it) --------------------


@dataclass
class ClusterIndex:
    """Open incidents by (lookup key, time bucket): a lookup touches three buckets per key, whatever
    the number of open incidents."""

    window: timedelta = DEFAULT_WINDOW
    _buckets: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    _entries: dict[int, tuple[Candidate, tuple[str, ...], list[tuple[str, int]]]] = field(default_factory=dict)

    def _bucket(self, at: datetime) -> int:
        return int(at.timestamp() // self.window.total_seconds())

    def put(self, candidate: Candidate, keys: Sequence[str]) -> None:
        self.remove(candidate.number)
        slots = [
            (key, b)
            for key in keys
            for b in range(self._bucket(candidate.first_observed), self._bucket(candidate.last_observed) + 1)
        ]
        for slot in slots:
            self._buckets.setdefault(slot, set()).add(candidate.number)
        self._entries[candidate.number] = (replace(candidate, keys=tuple(keys)), tuple(keys), slots)

    def remove(self, number: int) -> None:
        entry = self._entries.pop(number, None)
        if entry is None:
            return
        for slot in entry[2]:
            numbers = self._buckets.get(slot)
            if numbers is not None:
                numbers.discard(number)
                if not numbers:
                    del self._buckets[slot]

    def candidates(self, keys: Sequence[str], observed_at: datetime) -> list[Candidate]:
        bucket = self._bucket(observed_at)
        found: set[int] = set()
        for key in keys:
            for b in (bucket - 1, bucket, bucket + 1):
                found |= self._buckets.get((key, b), set())
        return [self._entries[n][0] for n in sorted(found)]

    def __len__(self) -> int:
        return len(self._entries)
