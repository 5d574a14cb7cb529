"""Intake on a realistic day: are reports accepted, and do reports of one scene land on one card?

Replays hand-written, labelled days through `submit_report`, on a fresh SQLite database each, with a
clock that follows the reports. Three kinds of set, each measured and printed separately:

- `dev`: `bench/data/` (Chicago, Friday 14 March 2025), the day the reading was first tuned on;
- development days, `bench/development/<city>/`: written blind as holdouts, then looked at while
  debugging, so tuned on now (their failures are listed with `--details`);
- holdouts, `bench/holdout/<city>/`: written blind by people who never saw the code nor any other set,
  never tuned on and never looked at (only their figures are printed). A holdout looked at becomes a
  development day: move its folder to `bench/development/` and have a new one written.

Each folder's `day.json` gives its city, day and time zone. Prints, for every set: refusals by cause,
pairwise precision, recall and F1 of "same incident" against "same event", events split over several
cards, incidents that mix events (and how many mix events at different places, or two registered
places), the share of the remaining split pairs that the cards offer as near misses ("possibly the same
as #12"), and the same figures for a simple baseline.

    python -m bench.intake [--json] [--details] [--set NAME ...] [--data DIR --day YYYY-MM-DD]

--set measures only the named sets: `dev`, a development day or a holdout by its folder name
(`--set houston`), or every set of a kind (`--set development`, `--set holdout`); --details lists every
refused report and the cards of every split event or mixing card, with what was typed (on a holdout it
says so: that holdout is development data from then on); --data measures another day written in the
same format. --json prints the same figures, one object per set, with its kind.

Targets (issue 19), on every set: refusals <= 2%, F1 >= 0.95, no card mixing two registered places (nor
events at different places), at least 80% of the remaining split pairs offered as near misses.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import combinations
from math import comb
from pathlib import Path
from zoneinfo import ZoneInfo

import storage
from verification import usecases
from verification.errors import RuleViolation
from verification.model import Language
from verification.usecases import ReportInput, Setup

DATA = Path(__file__).parent / "data"
DEVELOPMENT = Path(__file__).parent / "development"
HOLDOUT = Path(__file__).parent / "holdout"
DAY = date(2025, 3, 14)
ZONE = ZoneInfo("America/Chicago")
COMMUNITY = 1
BASELINE_WINDOW = timedelta(hours=2)
# A stored time this close to the event's span is right: people round ("around 7") and events have
# no sharp start.
PLAUSIBLE_SLACK = timedelta(minutes=15)
REFUSALS_TARGET, F1_TARGET, NEAR_TARGET = 0.02, 0.95, 0.8


class SetKind(StrEnum):
    """How far a labelled day can be trusted to say how intake does on a day nobody has seen."""

    DEV = "dev"  # bench/data: written alongside the code and tuned on
    DEVELOPMENT = "development"  # written blind, then looked at while debugging: tuned on since
    HOLDOUT = "holdout"  # written blind and never looked at: the honest figure


@dataclass(frozen=True, slots=True)
class DaySet:
    """One labelled day: its files, its local day and its community's time zone (from its day.json)."""

    name: str
    data: Path
    city: str
    day: date
    zone: ZoneInfo
    kind: SetKind = SetKind.DEV


def day_set(name: str, data: Path, kind: SetKind = SetKind.DEV) -> DaySet:
    """The set in `data`, described by its day.json ({"city", "day", "zone"}); Chicago's day without one."""
    described = data / "day.json"
    if not described.exists():
        return DaySet(name, data, "Chicago", DAY, ZONE, kind)
    about = json.loads(described.read_text(encoding="utf-8"))
    return DaySet(name, data, about["city"], date.fromisoformat(about["day"]), ZoneInfo(about["zone"]), kind)


def _days_in(folder: Path, kind: SetKind) -> list[DaySet]:
    found = sorted(p for p in folder.iterdir() if (p / "reports.jsonl").exists()) if folder.exists() else []
    return [day_set(p.name, p, kind) for p in found]


def day_sets(development: Path = DEVELOPMENT, holdout: Path = HOLDOUT) -> list[DaySet]:
    """`dev` first, then the development days, then the holdouts, each kind by folder name.

    A folder name is the set's name, so one city cannot be both a development day and a holdout: a new
    holdout of a city already used needs its own name ("houston-2")."""
    sets = [day_set(SetKind.DEV.value, DATA), *_days_in(development, SetKind.DEVELOPMENT)]
    sets += _days_in(holdout, SetKind.HOLDOUT)
    named = Counter(d.name for d in sets)
    twice = sorted(name for name, n in named.items() if n > 1 or name in (SetKind.DEVELOPMENT, SetKind.HOLDOUT))
    if twice:
        raise ValueError(f"labelled days need names of their own, not {', '.join(twice)}")
    return sets


def chosen_sets(sets: Sequence[DaySet], names: Iterable[str]) -> tuple[list[DaySet], set[str]]:
    """The sets `names` select (a set's name, or a kind: `development`, `holdout`), in `sets`' order, and
    the names that select nothing."""
    wanted = set(names)
    kinds = {SetKind.DEVELOPMENT.value, SetKind.HOLDOUT.value}
    chosen = [d for d in sets if d.name in wanted or d.kind.value in wanted & kinds]
    unknown = wanted - {d.name for d in sets} - kinds
    return chosen, unknown


@dataclass(frozen=True, slots=True)
class Event:
    """What really happened: one scene, at one place, over a span of the day."""

    event: str
    place: str  # the same text for the same place: two events with one `place` happened at one place
    known_place: str | None  # its name in places.csv, or None for a place the community has not listed
    kind: str
    started: datetime
    ended: datetime


@dataclass(frozen=True, slots=True)
class Sent:
    """One report as it was typed, with the event it is about."""

    id: int
    event: str
    sent: datetime
    reporter: str
    where: str
    what: str
    when: str | None
    language: Language


@dataclass(frozen=True, slots=True)
class Figures:
    """How one grouping of the day's reports compares with the truth."""

    reports: int
    accepted: int
    refusals: dict[str, int]
    refusal_rate: float
    precision: float
    recall: float
    f1: float
    events: int  # events with at least one accepted report
    events_split: int  # of those, events whose reports landed on more than one card
    cards: int
    cards_per_event: float  # mean number of cards an event's reports landed on
    mixed_cards: int  # cards holding reports of more than one event
    mixed_at_different_places: int  # of those, cards holding events at different places
    mixed_registered: int = 0  # of those, cards holding events at two different registered places
    split_pairs: int = 0  # pairs of reports of one event on different cards
    split_pairs_offered: int = 0  # of those, pairs whose cards offer each other as near misses
    plausible_time: float | None = None  # share of accepted reports whose stored time fits the event
    split: dict[str, int] = field(default_factory=dict)  # event -> cards, for the split ones
    mixes: list[list[str]] = field(default_factory=list)  # events on each card that mixes places

    @property
    def near_share(self) -> float:
        """The share of the split pairs whose cards offer each other as near misses (1.0 if none split)."""
        return self.split_pairs_offered / self.split_pairs if self.split_pairs else 1.0


@dataclass(frozen=True, slots=True)
class IntakeFigures:
    veraz: Figures
    baseline: Figures
    places: int  # places the community's CSV import created
    import_notes: list[str] = field(default_factory=list)  # aliases the import refused, taken out
    cards: dict[int, int] = field(default_factory=dict)  # report id -> Veraz incident, accepted reports
    refused: dict[int, str] = field(default_factory=dict)  # report id -> refusal code

    @property
    def meets_targets(self) -> bool:
        v = self.veraz
        return (
            v.refusal_rate <= REFUSALS_TARGET
            and v.f1 >= F1_TARGET
            and v.mixed_at_different_places == 0
            and v.mixed_registered == 0
            and v.near_share >= NEAR_TARGET
        )


# --- the data ------------------------------------------------------------------------------------


def at(clock: str, day: date = DAY, zone: ZoneInfo = ZONE) -> datetime:
    """'HH:MM' or 'HH:MM:SS' on the day, in the community's zone (Chicago's by default), as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)


def load_events(data: Path = DATA, day: date = DAY, zone: ZoneInfo = ZONE) -> dict[str, Event]:
    events = {}
    for line in _lines(data / "events.jsonl"):
        row = json.loads(line)
        events[row["event"]] = Event(
            row["event"],
            row["place"],
            row["known_place"],
            row["kind"],
            at(row["started"], day, zone),
            at(row["ended"], day, zone),
        )
    return events


def load_reports(data: Path = DATA, day: date = DAY, zone: ZoneInfo = ZONE) -> list[Sent]:
    reports = []
    for line in _lines(data / "reports.jsonl"):
        row = json.loads(line)
        reports.append(
            Sent(
                row["id"],
                row["event"],
                at(row["sent"], day, zone),
                row["reporter"],
                row["where"],
                row["what"],
                row["when"],
                Language(row["language"]),
            )
        )
    return reports


def places_csv(data: Path = DATA) -> str:
    return (data / "places.csv").read_text(encoding="utf-8")


def importable(text: str) -> tuple[str, list[str]]:
    """The places file as a moderator gets it accepted: where the import refuses an alias (one that is
    only a kind word, which would name every place of that kind), that alias is taken out of its line, as
    the refusal asks; every such change is returned, to be printed. Any other refusal stands."""
    notes: list[str] = []
    while True:
        try:
            usecases.parse_places_csv(text)
            return text, notes
        except RuleViolation as refused:
            cause = refused.__cause__
            alias = cause.details.get("alias") if isinstance(cause, RuleViolation) else None
            line = refused.details.get("line")
            if not isinstance(alias, str) or not isinstance(line, int) or len(notes) >= 50:
                raise
            rows = list(csv.reader(io.StringIO(text, newline="")))
            header = [h.strip().casefold() for h in rows[0]]
            row = rows[line - 1]
            at = header.index("aliases")
            row[at] = ";".join(a for a in row[at].split(";") if a.strip() != alias)
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            text = out.getvalue()
            notes.append(f"line {line}: alias {alias!r} refused ({cause.code if cause else ''}), taken out")


def place_names(text: str) -> dict[str, str]:
    """Every name and alias of the CSV, lower-cased, to the place's name: what the baseline knows."""
    names = {}
    for row in csv.DictReader(io.StringIO(text)):
        for name in (row["name"], *row["aliases"].split(";")):
            if name.strip():
                names[name.strip().casefold()] = row["name"]
    return names


def _lines(path: Path) -> Iterable[str]:
    return (line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


# --- replaying the day through the use cases -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replay:
    cards: dict[int, int]  # report id -> incident number, for accepted reports
    refusals: dict[int, str]  # report id -> RuleViolation code
    observed: dict[int, datetime]  # report id -> the time the incident keeps for it
    places: int
    near: dict[int, frozenset[int]] = field(default_factory=dict)  # incident -> the incidents its card offers


async def replay(reports: Sequence[Sent], places: str, database_dir: Path, zone: ZoneInfo = ZONE) -> Replay:
    """Submit every report at the moment it was sent, as the bot would, on a fresh database."""
    database = await storage.open_database(database_dir)
    try:
        uow = database.unit_of_work()
        await usecases.configure_community(uow, Setup(COMMUNITY, 10, 20, 30, zone.key, Language.EN))
        # The CSV as an admin uploads it, with the aliases the import refuses taken out as its message asks.
        imported = await usecases.import_places(uow, COMMUNITY, importable(places)[0])
        cards: dict[int, int] = {}
        refusals: dict[int, str] = {}
        observed: dict[int, datetime] = {}
        near: dict[int, frozenset[int]] = {}
        for report in sorted(reports, key=lambda r: (r.sent, r.id)):
            now = report.sent.astimezone(UTC)
            # The bot ages out stale incidents every minute; between two reports nothing else changes.
            await usecases.expire_stale(uow, now, COMMUNITY)
            data = ReportInput(
                COMMUNITY, f"bench-{report.reporter}", report.where, report.what, report.when, language=report.language
            )
            try:
                outcome = await usecases.submit_report(uow, now, data)
            except RuleViolation as refused:
                refusals[report.id] = refused.code
                continue
            cards[report.id] = outcome.number
            newest = max(outcome.incident.reports, key=lambda facts: facts.report_id)
            observed[report.id] = newest.observed_at
            near[outcome.number] = frozenset(r.number for r in outcome.incident.resembles)
        return Replay(cards, refusals, observed, len(imported), near)
    finally:
        await database.close()


# --- the baseline --------------------------------------------------------------------------------


def normalised(text: str) -> str:
    """Lower case, punctuation and symbols (emoji too) removed, single spaces."""
    kept = "".join(c if unicodedata.category(c)[0] not in "PS" else " " for c in text.casefold())
    return " ".join(kept.split())


def baseline(reports: Sequence[Sent], names: Mapping[str, str]) -> dict[int, int]:
    """Same known place (the whole `where` is a name or alias) or same normalised `where`, within 2 h.

    Refuses nothing and reads no time: a report joins the group its key last had, if that group's
    latest report was sent less than 2 h before.
    """
    groups: dict[int, int] = {}
    latest: dict[str, tuple[int, datetime]] = {}
    for report in sorted(reports, key=lambda r: (r.sent, r.id)):
        known = names.get(report.where.strip().casefold())
        key = f"place:{known}" if known else f"text:{normalised(report.where)}"
        previous = latest.get(key)
        if previous is not None and report.sent - previous[1] <= BASELINE_WINDOW:
            group = previous[0]
        else:
            group = len(set(groups.values())) + 1
        latest[key] = (group, report.sent)
        groups[report.id] = group
    return groups


# --- scoring -------------------------------------------------------------------------------------


def score(
    reports: Sequence[Sent],
    events: Mapping[str, Event],
    cards: Mapping[int, int],
    refusals: Mapping[int, str],
    observed: Mapping[int, datetime] | None = None,
    near: Mapping[int, frozenset[int]] | None = None,
) -> Figures:
    """Compare a grouping of the accepted reports (`cards`) with their events."""
    accepted = [r for r in reports if r.id in cards]
    cell = Counter((cards[r.id], r.event) for r in accepted)
    per_card = Counter(cards[r.id] for r in accepted)
    per_event = Counter(r.event for r in accepted)
    together = sum(comb(n, 2) for n in cell.values())
    grouped = sum(comb(n, 2) for n in per_card.values())
    same_event = sum(comb(n, 2) for n in per_event.values())
    precision = together / grouped if grouped else 1.0
    recall = together / same_event if same_event else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    cards_of: dict[str, set[int]] = defaultdict(set)
    events_of: dict[int, set[str]] = defaultdict(set)
    for card, event in cell:
        cards_of[event].add(card)
        events_of[card].add(event)
    split = {event: len(c) for event, c in sorted(cards_of.items()) if len(c) > 1}
    mixed = [sorted(e) for e in events_of.values() if len(e) > 1]
    mixes = sorted(e for e in mixed if len({events[x].place for x in e}) > 1)
    registered = [e for e in mixed if len({events[x].known_place for x in e if events[x].known_place}) > 1]

    # Pairs of reports of one event left on different cards, and those whose cards name each other as
    # "possibly the same": what a moderator can put together with one click.
    offered = near or {}
    split_pairs = split_offered = 0
    for event, event_cards in cards_of.items():
        sizes = {card: cell[(card, event)] for card in event_cards}
        for a, b in combinations(sorted(event_cards), 2):
            n = sizes[a] * sizes[b]
            split_pairs += n
            if b in offered.get(a, frozenset()) or a in offered.get(b, frozenset()):
                split_offered += n

    plausible = None
    if observed is not None and accepted:
        fits = sum(
            events[r.event].started - PLAUSIBLE_SLACK <= observed[r.id] <= events[r.event].ended + PLAUSIBLE_SLACK
            for r in accepted
        )
        plausible = fits / len(accepted)
    return Figures(
        reports=len(reports),
        accepted=len(accepted),
        refusals=dict(Counter(refusals.values()).most_common()),
        refusal_rate=len(refusals) / len(reports) if reports else 0.0,
        precision=precision,
        recall=recall,
        f1=f1,
        events=len(cards_of),
        events_split=len(split),
        cards=len(events_of),
        cards_per_event=sum(len(c) for c in cards_of.values()) / len(cards_of) if cards_of else 0.0,
        mixed_cards=len(mixed),
        mixed_at_different_places=len(mixes),
        mixed_registered=len(registered),
        split_pairs=split_pairs,
        split_pairs_offered=split_offered,
        plausible_time=plausible,
        split=split,
        mixes=mixes,
    )


async def measure(database_dir: Path, data: Path = DATA, day: date = DAY, zone: ZoneInfo = ZONE) -> IntakeFigures:
    events, reports, places = load_events(data, day, zone), load_reports(data, day, zone), places_csv(data)
    result = await replay(reports, places, database_dir, zone)
    return IntakeFigures(
        veraz=score(reports, events, result.cards, result.refusals, result.observed, result.near),
        baseline=score(reports, events, baseline(reports, place_names(places)), {}),
        places=result.places,
        import_notes=importable(places)[1],
        cards=result.cards,
        refused=result.refusals,
    )


def run(database_dir: Path | None = None, data: Path = DATA, day: date = DAY, zone: ZoneInfo = ZONE) -> IntakeFigures:
    """The figures of a whole day (files in `data`), on a fresh database in `database_dir` (temporary if None).

    Another day in the same format (events.jsonl, reports.jsonl, places.csv) measures the same way.
    """
    if database_dir is not None:
        return asyncio.run(measure(database_dir, data, day, zone))
    with tempfile.TemporaryDirectory(prefix="veraz-intake-") as tmp:
        return asyncio.run(measure(Path(tmp), data, day, zone))


# --- printing ------------------------------------------------------------------------------------


def table(figures: IntakeFigures, *, events: bool = True) -> str:
    v, b = figures.veraz, figures.baseline

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.1%}"

    rows = [
        ("reports", f"{v.reports}", f"{b.reports}", ""),
        ("refused", f"{v.reports - v.accepted} ({pct(v.refusal_rate)})", f"0 ({pct(b.refusal_rate)})", "<= 2%"),
        ("pairwise precision", f"{v.precision:.3f}", f"{b.precision:.3f}", ""),
        ("pairwise recall", f"{v.recall:.3f}", f"{b.recall:.3f}", ""),
        ("pairwise F1", f"{v.f1:.3f}", f"{b.f1:.3f}", ">= 0.95"),
        ("events (with an accepted report)", f"{v.events}", f"{b.events}", ""),
        ("cards (incidents)", f"{v.cards}", f"{b.cards}", ""),
        ("events split over several cards", f"{v.events_split}", f"{b.events_split}", ""),
        ("cards per event", f"{v.cards_per_event:.2f}", f"{b.cards_per_event:.2f}", ""),
        ("cards mixing events", f"{v.mixed_cards}", f"{b.mixed_cards}", ""),
        ("... at different places", f"{v.mixed_at_different_places}", f"{b.mixed_at_different_places}", "0"),
        ("... at two registered places", f"{v.mixed_registered}", f"{b.mixed_registered}", "0"),
        (
            "split pairs offered as near misses",
            f"{v.split_pairs_offered}/{v.split_pairs} ({pct(v.near_share)})",
            "-",
            ">= 80%",
        ),
        ("stored time fits the event", pct(v.plausible_time), pct(b.plausible_time), ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}}  {'Veraz':>14}  {'baseline':>14}  target", "-" * (width + 42)]
    lines += [f"{name:{width}}  {ours:>14}  {theirs:>14}  {target}" for name, ours, theirs, target in rows]
    lines.append("")
    lines.append(f"places imported from places.csv: {figures.places}")
    lines += [f"places.csv refused, then fixed as the refusal asks: {note}" for note in figures.import_notes]
    if v.refusals:
        lines.append("refusals by cause: " + ", ".join(f"{code} {n}" for code, n in v.refusals.items()))
    if v.split and events:
        lines.append("split events (cards): " + ", ".join(f"{e} ({n})" for e, n in v.split.items()))
    if v.mixes and events:
        lines.append("cards mixing places: " + "; ".join("+".join(m) for m in v.mixes))
    lines.append("baseline: same known place (whole `where` is a name or alias) or same normalised `where`, "
                 "sent within 2 h; it refuses nothing")  # fmt: skip
    lines.append("targets met" if figures.meets_targets else "targets NOT met")
    return "\n".join(lines)


def details(figures: IntakeFigures, reports: Sequence[Sent], events: Mapping[str, Event]) -> str:
    """Each refused report, and the cards of every split event or mixing card, with what was typed."""
    lines = ["refused:"]
    lines += [
        f"  #{r.id} {r.event} {figures.refused[r.id]}: where={r.where!r} when={r.when!r}"
        for r in reports
        if r.id in figures.refused
    ]
    on_card: dict[int, list[Sent]] = defaultdict(list)
    for r in reports:
        if r.id in figures.cards:
            on_card[figures.cards[r.id]].append(r)
    lines.append("split events (card: where typed):")
    for event in figures.veraz.split:
        lines.append(f"  {event} {events[event].place}")
        lines += [
            f"    card {figures.cards[r.id]}: {r.where!r}"
            for r in reports
            if r.event == event and r.id in figures.cards
        ]
    lines.append("cards mixing events (event: where typed):")
    for card, held in sorted(on_card.items()):
        if len({r.event for r in held}) > 1:
            lines.append(f"  card {card}")
            lines += [f"    {r.event} {events[r.event].place}: {r.where!r}" for r in held]
    return "\n".join(lines)


def summary(results: Sequence[tuple[DaySet, IntakeFigures]]) -> str:
    """Every set's headline figures side by side."""
    names = [f"{d.name} ({d.city if d.kind is SetKind.DEV else d.kind.value})" for d, _ in results]
    rows = [
        ("reports", [f"{f.veraz.reports}" for _, f in results], ""),
        ("refused", [f"{f.veraz.refusal_rate:.1%}" for _, f in results], "<= 2%"),
        ("pairwise precision", [f"{f.veraz.precision:.3f}" for _, f in results], ""),
        ("pairwise recall", [f"{f.veraz.recall:.3f}" for _, f in results], ""),
        ("pairwise F1", [f"{f.veraz.f1:.3f}" for _, f in results], ">= 0.95"),
        ("events / cards", [f"{f.veraz.events} / {f.veraz.cards}" for _, f in results], ""),
        ("events split", [f"{f.veraz.events_split}" for _, f in results], ""),
        ("cards mixing events", [f"{f.veraz.mixed_cards}" for _, f in results], ""),
        ("... two registered places", [f"{f.veraz.mixed_registered}" for _, f in results], "0"),
        ("split pairs as near misses", [f"{f.veraz.near_share:.1%}" for _, f in results], ">= 80%"),
        ("targets", ["met" if f.meets_targets else "NOT met" for _, f in results], ""),
    ]
    width = max(len(r[0]) for r in rows)
    column = max(16, *(len(n) for n in names))
    lines = [f"{'':{width}}  " + "  ".join(f"{n:>{column}}" for n in names) + "  target"]
    lines.append("-" * len(lines[0]))
    lines += [
        f"{name:{width}}  " + "  ".join(f"{v:>{column}}" for v in values) + f"  {target}"
        for name, values, target in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--details", action="store_true", help="also list refused reports and split or mixed cards")
    parser.add_argument(
        "--set",
        action="append",
        dest="sets",
        help="measure only this set (dev, a development day's or a holdout's folder, development, holdout)",
    )
    parser.add_argument("--data", type=Path, help="measure only this folder (events.jsonl, reports.jsonl, places.csv)")
    parser.add_argument("--day", type=date.fromisoformat, help="the local day of --data (YYYY-MM-DD)")
    args = parser.parse_args()
    if args.data is not None:
        chosen = day_set(args.data.name, args.data)
        sets = [replace(chosen, day=args.day) if args.day else chosen]
    else:
        sets, unknown = chosen_sets(day_sets(), args.sets) if args.sets else (day_sets(), set())
        if unknown:
            parser.error(f"no such set: {', '.join(sorted(unknown))}")
    if not sets:
        print(f"no such set yet (holdouts are folders under {HOLDOUT})")
        return
    results = [(d, run(data=d.data, day=d.day, zone=d.zone)) for d in sets]
    if args.json:
        print(
            json.dumps(
                {
                    d.name: {
                        "kind": d.kind.value,
                        "city": d.city,
                        **{k: v for k, v in asdict(f).items() if args.details or k not in ("cards", "refused")},
                        "near_share": f.veraz.near_share,
                        "meets_targets": f.meets_targets,
                    }
                    for d, f in results
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return
    for d, figures in results:
        print(f"== {d.name} ({d.kind.value}): {d.city}, {d.day.isoformat()} ({d.zone.key}), {d.data}")
        # A holdout's own failures are never listed unless asked for: looking at them makes it development data.
        print(table(figures, events=args.details or d.kind is not SetKind.HOLDOUT))
        if args.details:
            if d.kind is SetKind.HOLDOUT:
                print(f"(holdout {d.name} looked at: it is development data now; move it to {DEVELOPMENT / d.name})")
            print()
            print(details(figures, load_reports(d.data, d.day, d.zone), load_events(d.data, d.day, d.zone)))
        print()
    if len(results) > 1:
        print(summary(results))


if __name__ == "__main__":
    main()
