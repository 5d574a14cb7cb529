"""Which place a report is about, and which open incident it belongs to.

Free text is matched to the community's known places by normalised alias first, then by word
similarity ("whittier school on 23rd" finds "Whittier Elementary"). A report then joins an open
incident at the same place within a time window, or opens a new one. Places nobody registered cluster
on their normalised text ("26th & Pulaski" = "pulaski/26"), while look-alike neighbours stay apart
("Whittier Elementary" is not "Whittier Park": different kinds; "26th & Pulaski" is not
"27th & Pulaski": different numbers).

Candidate incidents are found through lookup keys (the place key, and each distinctive word of free
text), each indexed with the time the incident was observed, so the cost of a lookup depends on the
incidents that share a key in the window, never on the number of open incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from .errors import RuleViolation
from .events import PlaceRef
from .model import MAX_WHERE, Place, PlaceKind
from .places import FreePlace, distinctive, free_place, has_confusables, kinds_in, tokens

DEFAULT_WINDOW = timedelta(hours=2)
PLACE_MATCH_THRESHOLD = 0.75  # share of a place name's words the text must contain
FREE_TEXT_THRESHOLD = 0.6  # word overlap (Jaccard) for two free-text places to be one
MAX_KEY_WORDS = 6  # at most 15 pair keys per place
RESOLVED_LIMIT = 10_000  # texts remembered per book
_KIND_CLASS = {
    PlaceKind.SCHOOL: "school",
    PlaceKind.WORSHIP: "worship",
    PlaceKind.HOSPITAL: "hospital",
    PlaceKind.COURT: "court",
}


def words_alike(a: str, b: str) -> bool:
    """Equal, or a typo apart in a long-enough word ("hamlin" / "hamline"); numbers must be equal."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 2:
        return False
    matcher = SequenceMatcher(None, a, b)
    # The quick upper bounds reject most pairs before the full (costly) comparison.
    return matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


FUZZY_WEIGHT = 0.9  # a word matched only through a typo counts a little less, so exact names win


def _covered(needles: Sequence[str], haystack: Sequence[str]) -> float:
    """How many `needles` are in `haystack`: 1 for an exact word, FUZZY_WEIGHT for a typo of one."""
    exact = set(haystack)
    return sum(
        1.0 if n in exact else FUZZY_WEIGHT if any(words_alike(n, h) for h in haystack) else 0.0 for n in needles
    )


# --- known places ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: Place
    score: float
    exact: bool


@dataclass
class PlaceBook:
    """A community's known places, indexed by alias key and by distinctive word."""

    places: dict[str, Place] = field(default_factory=dict)
    _by_alias: dict[str, str] = field(default_factory=dict)
    _by_word: dict[str, set[str]] = field(default_factory=dict)
    _by_variant: dict[str, set[str]] = field(default_factory=dict)  # one-letter deletions -> known words
    resolved: dict[str, ResolvedPlace] = field(default_factory=dict)  # text -> what it resolved to

    @classmethod
    def of(cls, places: Iterable[Place]) -> PlaceBook:
        book = cls()
        for place in places:
            book.add(place)
        return book

    def add(self, place: Place) -> None:
        self.places[place.key] = place
        self.resolved.clear()  # a new place can change what a text names
        for name in (place.name, *place.aliases):
            words = tokens(name)
            self._by_alias.setdefault(" ".join(words), place.key)
            for word in distinctive(words):
                self._by_word.setdefault(word, set()).add(place.key)
                for variant in _deletions(word):
                    self._by_variant.setdefault(variant, set()).add(word)

    def exact(self, text: str) -> Place | None:
        """The place whose name or alias normalises to the same words as `text`."""
        key = self._by_alias.get(" ".join(tokens(text)))
        return None if key is None else self.places[key]

    def match(self, text: str) -> PlaceMatch | None:
        """The known place `text` names, or None. Refuses text that names two places equally well."""
        exact = self.exact(text)
        if exact is not None:
            return PlaceMatch(exact, 1.0, exact=True)
        words = tokens(text)
        scored = sorted(self._scored(words), key=lambda m: (-m.score, m.place.name))
        if not scored or scored[0].score < PLACE_MATCH_THRESHOLD:
            return None
        tied = [m.place.name for m in scored if m.score == scored[0].score]
        if len(tied) > 1:
            raise RuleViolation("place_ambiguous", suggestions=", ".join(tied[:3]))
        return scored[0]

    def suggestions(self, text: str, limit: int = 3) -> list[Place]:
        """Places `text` comes close to, best first: for "did you mean ...?"."""
        scored = sorted(self._scored(tokens(text), relaxed=True), key=lambda m: -m.score)
        return [m.place for m in scored[:limit]]

    def _typos_of(self, word: str) -> set[str]:
        """Known words one edit from `word`, found through shared one-letter deletions (no full scan)."""
        near: set[str] = set()
        for variant in _deletions(word):
            near |= self._by_variant.get(variant, set())
        return {known for known in near if words_alike(word, known)}

    def _scored(self, words: list[str], *, relaxed: bool = False) -> Iterable[PlaceMatch]:
        text_kinds = kinds_in(words)
        text_distinctive = distinctive(words)
        candidates: set[str] = set()
        for word in text_distinctive:
            candidates |= self._by_word.get(word, set())
        # Typos are looked for only when no word matched exactly.
        if relaxed or not candidates:
            for word in (w for w in text_distinctive if w not in self._by_word):
                for known in self._typos_of(word):
                    candidates |= self._by_word[known]
        for key in candidates:
            place = self.places[key]
            best = 0.0
            for name in (place.name, *place.aliases):
                name_words = tokens(name)
                name_distinctive = distinctive(name_words)
                if not name_distinctive:
                    continue
                place_kinds = kinds_in(name_words) | _place_class(place)
                if text_kinds and place_kinds and not text_kinds & place_kinds:
                    continue  # "Whittier school" never names "Whittier Park"
                coverage = _covered(name_distinctive, text_distinctive) / len(name_distinctive)
                if text_kinds and place_kinds:
                    coverage = min(1.0, coverage + 0.01)  # a matching kind breaks ties
                best = max(best, coverage)
            if best > 0:
                yield PlaceMatch(place, best, exact=False)


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter removed (only for words long enough for typos)."""
    if len(word) < 5 or word.isdigit():
        return set()
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _place_class(place: Place) -> set[str]:
    cls = _KIND_CLASS.get(place.kind)
    return {cls} if cls else set()


# --- resolving a report's place --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    ref: PlaceRef
    lookup_keys: tuple[str, ...]  # keys the incident is indexed under and candidates are found by
    words: tuple[str, ...]  # distinctive words, for similarity between free-text places


def resolve_place(text: str, book: PlaceBook) -> ResolvedPlace:
    """The place a report's `where` names: a known place, or a free-text place. Refuses vague text.

    Results are remembered by the book (a flood repeats the same words); refusals are not.
    """
    known = book.resolved.get(text)
    if known is not None:
        return known
    resolved = _resolve_place(text, book)
    if len(book.resolved) >= RESOLVED_LIMIT:
        book.resolved.clear()
    book.resolved[text] = resolved
    return resolved


def _resolve_place(text: str, book: PlaceBook) -> ResolvedPlace:
    if not text.strip():
        raise RuleViolation("place_required")
    if len(text) > MAX_WHERE:
        raise RuleViolation("text_too_long", limit=MAX_WHERE)
    match = book.match(text)
    if match is not None:
        place = match.place
        ref = PlaceRef(key=f"place:{place.key}", label=place.name, area=place.area, kind=place.kind, known=True)
        return ResolvedPlace(ref, (ref.key,), tuple(distinctive(tokens(place.name))))
    if has_confusables(text):
        # Look-alike letters from another script are how a spoofed place gets in: never a new place.
        suggestions = book.suggestions(text)
        raise RuleViolation("place_confusable", suggestions=", ".join(p.name for p in suggestions))
    free = free_place(text)
    if not free.words:
        suggestions = book.suggestions(text)
        raise RuleViolation("place_too_vague", suggestions=", ".join(p.name for p in suggestions))
    ref = PlaceRef(key=free.key, label=free.label, kind=_free_kind(free), block=free.block)
    if free.block is not None:
        return ResolvedPlace(ref, (free.key,), free.words)  # a street block is only ever itself
    return ResolvedPlace(ref, (free.key, *_word_keys(free.words)), free.words)


def _word_keys(words: Sequence[str]) -> list[str]:
    """Keys that any alike free-text place shares with this one.

    Two places of two or more words are alike only if they share at least two words (a Jaccard of 0.6
    needs that), so each PAIR of words is a key: a common word alone ("pulaski") never becomes a key
    that thousands of incidents share. A one-word place can only be alike a one-word place.
    """
    unique = sorted(set(words))[:MAX_KEY_WORDS]
    if len(unique) == 1:
        return [f"word:{unique[0]}"]
    return [f"pair:{a} {b}" for i, a in enumerate(unique) for b in unique[i + 1 :]]


def _free_kind(free: FreePlace) -> PlaceKind:
    kinds = kinds_in(tokens(free.label))
    for kind, cls in _KIND_CLASS.items():
        if cls in kinds:
            return kind
    return PlaceKind.OTHER


# --- joining an open incident ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open incident that shares a lookup key with a new report."""

    number: int
    place_key: str
    words: tuple[str, ...]
    first_observed: datetime
    last_observed: datetime
    keys: tuple[str, ...] = ()  # the incident's lookup keys (a merge gives it those of another place too)


def similarity(a: ResolvedPlace | Candidate, b: ResolvedPlace | Candidate) -> float:
    """1.0 for the same place key; else word overlap, 0 when numbers or kinds disagree."""
    key_a = a.ref.key if isinstance(a, ResolvedPlace) else a.place_key
    key_b = b.ref.key if isinstance(b, ResolvedPlace) else b.place_key
    if key_a == key_b:
        return 1.0
    if key_a.startswith(("place:", "block:")) or key_b.startswith(("place:", "block:")):
        return 0.0  # a known place or a street block is only ever itself
    kinds_a, kinds_b = _key_kinds(key_a), _key_kinds(key_b)
    if kinds_a and kinds_b and not kinds_a & kinds_b:
        return 0.0
    numbers_a = {w for w in a.words if w.isdigit()}
    numbers_b = {w for w in b.words if w.isdigit()}
    if numbers_a != numbers_b:
        return 0.0  # 26th & Pulaski is not 27th & Pulaski
    union = len(set(a.words) | set(b.words))
    if not union:
        return 0.0
    shared = _covered(sorted(set(a.words)), sorted(set(b.words)))
    return shared / union


def _key_kinds(key: str) -> set[str]:
    return kinds_in(key.split(":", 1)[-1].replace("|", " ").split())


def choose_incident(
    place: ResolvedPlace,
    observed_at: datetime,
    candidates: Iterable[Candidate],
    window: timedelta = DEFAULT_WINDOW,
) -> int | None:
    """The open incident a report joins, or None to open a new one.

    A candidate qualifies when the report was observed within `window` of the incident's observed
    span and the places are alike; the most alike wins, then the most recently observed.
    """
    best: tuple[float, datetime, int] | None = None
    for c in candidates:
        if observed_at < c.first_observed - window or observed_at > c.last_observed + window:
            continue
        # The same place key as one the incident holds (its own, or one a merge brought) is the same place.
        score = 1.0 if place.ref.key in c.keys else similarity(place, c)
        threshold = 1.0 if place.ref.key.startswith(("place:", "block:")) else FREE_TEXT_THRESHOLD
        if score < threshold:
            continue
        ranked = (score, c.last_observed, c.number)
        if best is None or ranked > best:
            best = ranked
    return None if best is None else best[2]


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
