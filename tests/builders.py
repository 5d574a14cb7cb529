"""Small builders for domain tests: a reported incident, moderators, statements, at fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from verification.events import IncidentEvent, PlaceRef, ReportFacts
from verification.incident import Incident, open_incident, replay
from verification.model import Agency, Moderator, PlaceKind, SourceKind, Stance, Statement

# Friday 24 January 2025, 11:15 in Chicago: the Hamline Elementary incident.
T0 = datetime(2025, 1, 24, 17, 15, tzinfo=UTC)
HAMLINE = PlaceRef(
    key="place:hamline elementary", label="Hamline Elementary", area="Back of the Yards",
    kind=PlaceKind.SCHOOL, known=True,
)  # fmt: skip

MOD_A = Moderator("1001", pseudonym="pseudo-a", name="Mod A")
MOD_B = Moderator("1002", pseudonym="pseudo-b", name="Mod B")
MOD_C = Moderator("1003", pseudonym="pseudo-c", name="Mod C")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def facts(report_id: int = 1, reporter: int = 1, minutes: float = 0, **kw: object) -> ReportFacts:
    base = {"agency": Agency.ICE, "people": 2}
    base.update(kw)
    return ReportFacts(report_id, reporter, at(minutes), at(minutes), **base)  # type: ignore[arg-type]


def reported(number: int = 1, place: PlaceRef = HAMLINE, **kw: object) -> list[IncidentEvent]:
    return open_incident(number, place, facts(**kw), at(0))


def statement(
    source: str = "Chicago Public Schools",
    stance: Stance = Stance.CONFIRMS,
    kind: SourceKind = SourceKind.OFFICIAL,
    minutes: float = 120,
) -> Statement:
    return Statement(source, kind, stance, at(minutes), quote=f"{source} says so")


class Story:
    """An incident's events, built step by step through the real command methods."""

    def __init__(self, **kw: object) -> None:
        self.events: list[IncidentEvent] = reported(**kw)

    @property
    def incident(self) -> Incident:
        return replay(self.events)

    def do(self, new: list[IncidentEvent]) -> Story:
        self.events += new
        return self
