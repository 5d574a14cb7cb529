"""The incident event log: every change to an incident is one of these, appended, never edited.

Events carry no reporter text and no pseudonym: those live with the report so that retention can purge
them, while the log (the source of truth) stays append-only for good. A report appears here only as
`ReportFacts`: when, what agency was named, how many people, and a per-incident reporter number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from intake.place.model import PlaceRef as PlaceRef
from intake.time import ObservedTime, TimePrecision

from .model import Agency, Language, PlaceKind, SourceKind, Stance, Statement

SYSTEM = "system"
# A reported time window wider than this says little about when an incident was (see `ReportFacts.vague`).
VAGUE_WIDTH = timedelta(hours=2)


def moderator_actor(moderator_id: str) -> str:
    return f"mod:{moderator_id}"


def moderator_of(actor: str) -> str | None:
    """The moderator id of a "mod:ID" actor; None for anyone else (the system, a reporter)."""
    prefix, _, moderator_id = actor.partition(":")
    return moderator_id if prefix == "mod" and moderator_id else None


def reporter_actor(ordinal: int) -> str:
    return f"reporter:{ordinal}"


def verifier_actor(member_id: str) -> str:
    """A trusted verifier of the network, named by id in the history as moderators are (accountability)."""
    return f"verifier:{member_id}"


def person_of(actor: str) -> str | None:
    """The member id behind a "mod:ID" or "verifier:ID" actor: one person may be both, and the rules
    treat them as one (a verifier never stands in for the moderator who confirms)."""
    prefix, _, member_id = actor.partition(":")
    return member_id if prefix in ("mod", "verifier") and member_id else None


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What the event log keeps of a report: no text, no pseudonym."""

    report_id: int
    reporter: int  # 1, 2, 3...: the same person in one incident has the same number
    observed_at: datetime
    received_at: datetime
    agency: Agency = Agency.UNKNOWN
    people: int | None = None
    language: Language = Language.EN
    low_trust: bool = False
    established: bool = False  # the reporter's earlier reports were confirmed more often than debunked
    discredited: bool = False  # ... debunked more often than confirmed (never true with `established`)
    # How precisely the reporter said when (a window, or not given). None in events written before
    # Veraz kept it: those times were read exactly.
    observed: ObservedTime | None = None

    @property
    def observed_time(self) -> ObservedTime:
        return self.observed if self.observed is not None else ObservedTime.exact(self.observed_at)

    @property
    def in_good_standing(self) -> bool:
        """Neither a new account nor a new member, and not someone whose reports were debunked more often
        than confirmed: only such a reporter's word makes an incident urgent enough to page anyone."""
        return not self.low_trust and not self.discredited

    @property
    def vague(self) -> bool:
        """Its time is a window wider than `VAGUE_WIDTH` ("this morning", "en la mañana")."""
        return self.observed is not None and self.observed.latest - self.observed.earliest > VAGUE_WIDTH


@dataclass(frozen=True, slots=True)
class FactsChange:
    """What a moderator's update or correction changes in the facts subscribers are told (None: unchanged).

    Once an incident is confirmed, later reports never change what subscribers see; only this does.
    """

    observed_at: datetime | None = None
    agencies: tuple[Agency, ...] | None = None
    people: int | None = None

    @property
    def empty(self) -> bool:
        return self.observed_at is None and self.agencies is None and self.people is None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentEvent:
    """Every event says who did it, when, and why (`reason` may be empty where none is needed)."""

    kind: ClassVar[str] = ""
    at: datetime
    actor: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reported(IncidentEvent):
    kind: ClassVar[str] = "reported"
    number: int
    place: PlaceRef
    report: ReportFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportAdded(IncidentEvent):
    kind: ClassVar[str] = "report_added"
    report: ReportFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementAttached(IncidentEvent):
    kind: ClassVar[str] = "statement_attached"
    statement: Statement


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmVote(IncidentEvent):
    kind: ClassVar[str] = "confirm_vote"


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmed(IncidentEvent):
    kind: ClassVar[str] = "confirmed"
    basis: str  # "two_moderators" or "moderator_and_statement"
    voters: tuple[str, ...]
    source: str | None = None  # the confirming statement's source, for attribution


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconfirmed(IncidentEvent):
    """Two moderators stand by a confirmation whose confirming statement its source took back."""

    kind: ClassVar[str] = "reconfirmed"
    voters: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Updated(IncidentEvent):
    """A moderator adds a detail; `reason` holds the text, `facts` what it changes of the confirmed facts."""

    kind: ClassVar[str] = "updated"
    facts: FactsChange | None = None
    reason_es: str = ""  # the same text in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class Corrected(IncidentEvent):
    """A moderator corrects confirmed details; `reason` holds the correction, `facts` the corrected facts."""

    kind: ClassVar[str] = "corrected"
    facts: FactsChange | None = None
    reason_es: str = ""  # the same text in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved(IncidentEvent):
    kind: ClassVar[str] = "resolved"
    reason_es: str = ""  # the note in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class Debunked(IncidentEvent):
    kind: ClassVar[str] = "debunked"
    reason_es: str = ""  # the reason in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class Misidentified(IncidentEvent):
    """It happened, but not as reported; `reason` holds the correction, `agency` who it really was."""

    kind: ClassVar[str] = "misidentified"
    agency: Agency | None = None
    reason_es: str = ""  # the correction in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class Expired(IncidentEvent):
    kind: ClassVar[str] = "expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopened(IncidentEvent):
    kind: ClassVar[str] = "reopened"


@dataclass(frozen=True, slots=True)
class Resemblance:
    """Another open incident a new one may be the same as, for moderators to merge by hand if it is."""

    number: int
    label: str
    minutes_apart: int
    reason: str  # verification.clustering.NearReason


@dataclass(frozen=True, slots=True, kw_only=True)
class Resembles(IncidentEvent):
    """Noted when an incident opens close to others: "possibly the same as #12 (El Güero, 5 min apart)"."""

    kind: ClassVar[str] = "resembles"
    others: tuple[Resemblance, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceChanged(IncidentEvent):
    """Where the incident is, as subscribers would see it: picked by its reporter from a menu, or set by a
    moderator (`/incident place`)."""

    kind: ClassVar[str] = "place_changed"
    place: PlaceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportTimed(IncidentEvent):
    """A reporter whose time could not be read picked one ("15 minutes ago") with a button."""

    kind: ClassVar[str] = "report_timed"
    report_id: int
    observed: ObservedTime


@dataclass(frozen=True, slots=True, kw_only=True)
class Merged(IncidentEvent):
    """Appended to both incidents of a merge: the source closes, the target gains the reports."""

    kind: ClassVar[str] = "merged"
    source: int
    target: int
    reports: tuple[ReportFacts, ...] = field(default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalated(IncidentEvent):
    """The on-call moderators were pinged about an urgent incident nobody had acted on (by the system).

    Its time is the wall-clock time of the ping, kept in the log: a restart never pings again."""

    kind: ClassVar[str] = "escalated"
    # Named in one page together with other incidents, once the community's pages of the hour ran out.
    gathered: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRefused(IncidentEvent):
    """Discord refused the page `Escalated` at `page_at` recorded (by the system): nobody was paged, so it
    is no escalation, and the incident may be paged again."""

    kind: ClassVar[str] = "page_refused"
    page_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifierRequested(IncidentEvent):
    """A moderator asked the network's trusted verifiers to go and look."""

    kind: ClassVar[str] = "verifier_requested"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifierClaimed(IncidentEvent):
    """A verifier (`actor` "verifier:ID") said they are going to the place."""

    kind: ClassVar[str] = "verifier_claimed"


EVENT_TYPES: dict[str, type[IncidentEvent]] = {
    cls.kind: cls
    for cls in (
        Reported,
        ReportAdded,
        ReportTimed,
        Resembles,
        PlaceChanged,
        StatementAttached,
        ConfirmVote,
        Confirmed,
        Reconfirmed,
        Updated,
        Corrected,
        Resolved,
        Debunked,
        Misidentified,
        Expired,
        Reopened,
        Merged,
        Escalated,
        PageRefused,
        VerifierRequested,
        VerifierClaimed,
    )
}


# --- serialisation: events <-> JSON-ready dicts, so any store can keep them as text -------------------


def to_record(event: IncidentEvent) -> dict[str, Any]:
    """A JSON-ready dict from which `from_record` rebuilds an equal event."""
    record: dict[str, Any] = {"kind": event.kind}
    for name in _field_names(type(event)):
        record[name] = _encode(getattr(event, name))
    return record


def from_record(record: dict[str, Any]) -> IncidentEvent:
    cls = EVENT_TYPES[record["kind"]]
    values = {k: v for k, v in record.items() if k != "kind"}
    return cls(**_decode_fields(cls, values))


def encode(value: object) -> Any:
    """A JSON-ready form of a domain value (datetimes as ISO text, dataclasses as dicts)."""
    return _encode(value)


def _encode(value: object) -> Any:
    if value is None or isinstance(value, str | int):
        return value  # StrEnums are str; bools are int
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    names = _field_names(type(value))
    return {name: _encode(getattr(value, name)) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class (every write encodes events)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not is_dataclass(cls):
            raise TypeError(f"cannot encode a {cls.__name__}")
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _decode_fields(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    decoders = _DECODERS.get(cls, {})
    out: dict[str, Any] = {}
    for name, raw in values.items():
        decode = decoders.get(name) or _BASE_DECODERS.get(name)
        out[name] = decode(raw) if decode is not None and raw is not None else raw
    return out


def decode_statement(raw: dict[str, Any]) -> Statement:
    return _statement(raw)


def decode_observed(raw: dict[str, Any]) -> ObservedTime:
    return _observed(raw)


def _dt(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def _facts(raw: dict[str, Any]) -> ReportFacts:
    return ReportFacts(
        report_id=raw["report_id"],
        reporter=raw["reporter"],
        observed_at=_dt(raw["observed_at"]),
        received_at=_dt(raw["received_at"]),
        agency=Agency(raw["agency"]),
        people=raw["people"],
        language=Language(raw["language"]),
        low_trust=raw["low_trust"],
        established=raw["established"],
        discredited=raw.get("discredited", False),
        observed=_observed(raw["observed"]) if raw.get("observed") else None,
    )


def _observed(raw: dict[str, Any]) -> ObservedTime:
    return ObservedTime(_dt(raw["earliest"]), _dt(raw["latest"]), TimePrecision(raw["precision"]),
                        bool(raw["unreadable"]))  # fmt: skip


def _facts_change(raw: dict[str, Any]) -> FactsChange:
    observed, agencies = raw["observed_at"], raw["agencies"]
    return FactsChange(
        observed_at=None if observed is None else _dt(observed),
        agencies=None if agencies is None else tuple(Agency(a) for a in agencies),
        people=raw["people"],
    )


def _place(raw: dict[str, Any]) -> PlaceRef:
    return PlaceRef(
        key=raw["key"],
        label=raw["label"],
        area=raw["area"],
        kind=PlaceKind(raw["kind"]),
        known=raw["known"],
        block=raw.get("block"),
        # Events written before Veraz kept it: a business's name or other words were the reporter's.
        reporters_words=raw.get("reporters_words", raw["key"].startswith(("named:", "vague:"))),
        suggested=raw.get("suggested", ""),
    )


def _statement(raw: dict[str, Any]) -> Statement:
    return Statement(
        source=raw["source"],
        source_kind=SourceKind(raw["source_kind"]),
        stance=Stance(raw["stance"]),
        published=_dt(raw["published"]),
        url=raw["url"],
        quote=raw["quote"],
        quote_es=raw.get("quote_es"),
    )


_BASE_DECODERS: dict[str, Any] = {"at": _dt}
_DECODERS: dict[type, dict[str, Any]] = {
    Reported: {"place": _place, "report": _facts},
    ReportAdded: {"report": _facts},
    ReportTimed: {"observed": _observed},
    Resembles: {"others": lambda raw: tuple(Resemblance(**r) for r in raw)},
    PlaceChanged: {"place": _place},
    StatementAttached: {"statement": _statement},
    Confirmed: {"voters": tuple},
    Reconfirmed: {"voters": tuple},
    Updated: {"facts": _facts_change},
    Corrected: {"facts": _facts_change},
    Misidentified: {"agency": Agency},
    Merged: {"reports": lambda raw: tuple(_facts(r) for r in raw)},
    PageRefused: {"page_at": _dt},
}
