"""Golden alerts: every kind of message, in both languages, compared with approved wording in the repo.

A reader of the approved Spanish and English reads tests/golden/alerts.{en,es}.txt once; any change to
what subscribers read is then a visible diff in review. The cases cover each kind (ALERT, UPDATE,
CORRECTION, RETRACTION, ALL CLEAR), every form of time (exact, about, between, across midnight, not
given, and a clock at one o'clock, which Spanish says "la 1"), a home address shown as its block, no
agency named, a wrong agency corrected, and a moderator's text given in English only or in both languages.
tests/golden/REVIEW.md keeps the review's verdicts.

To approve a deliberate change, regenerate the files and read the diff before committing it:

    VERAZ_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/bot/test_golden_alerts.py
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.alert_text import render_alert
from intake.time import ObservedTime
from tests.builders import HAMLINE, MOD_A, MOD_B, Story, at
from verification.alerts import AlertKind, AlertMessage, owed
from verification.events import FactsChange, IncidentEvent, PlaceRef, ReportFacts
from verification.incident import Incident, open_incident
from verification.model import Agency, Language, SourceKind, Stance, Statement

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ZONE = ZoneInfo("America/Chicago")
COMMUNITY = 1234
UPDATE = os.environ.get("VERAZ_UPDATE_GOLDEN") == "1"


def confirmed(**kw: object) -> Story:
    """Reported at 11:15 Chicago time, confirmed by two moderators two hours later."""
    story = Story(**kw)
    story.do(story.incident.vote(MOD_A, at(120)))
    return story.do(story.incident.vote(MOD_B, at(121)))


def seen(observed: ObservedTime, **kw: object) -> Story:
    return confirmed(observed=observed, **kw)


def block_no_agency() -> Story:
    """A home address on S Ashland Ave, told only as its block, seen at 1:05 p.m.; no agency named."""
    place = PlaceRef(key="place:1800 s ashland ave", label="S Ashland Ave", area="Pilsen", block=1800)
    one_pm = at(110)
    facts = ReportFacts(1, 1, one_pm, one_pm, agency=Agency.UNKNOWN, people=3)
    story = Story()
    story.events = open_incident(7, place, facts, one_pm)
    story.do(story.incident.vote(MOD_A, at(130)))
    return story.do(story.incident.vote(MOD_B, at(131)))


def across_midnight() -> Story:
    """Seen "between 11:50 p.m. and 12:10 a.m.", reported at 12:12 a.m.: the window spans two days."""
    start = datetime(2025, 1, 25, 5, 50, tzinfo=UTC)  # 11:50 p.m. on Friday in Chicago
    end, received = start + timedelta(minutes=20), start + timedelta(minutes=22)
    facts = ReportFacts(1, 1, end, received, agency=Agency.ICE, people=2,
                        observed=ObservedTime.window(start, end))  # fmt: skip
    story = Story()
    story.events = open_incident(9, HAMLINE, facts, received)
    story.do(story.incident.vote(MOD_A, received + timedelta(minutes=30)))
    return story.do(story.incident.vote(MOD_B, received + timedelta(minutes=31)))


def with_statement() -> Story:
    """One moderator plus the district's confirming statement, quoted in English and in Spanish."""
    story = Story()
    said = Statement("Chicago Public Schools", SourceKind.OFFICIAL, Stance.CONFIRMS, at(120),
                     quote="ICE agents came to the school and were not let in",
                     quote_es="Agentes de ICE llegaron a la escuela y no los dejaron entrar")  # fmt: skip
    story.do(story.incident.attach_statement(said, MOD_A, at(135)))
    return story.do(story.incident.vote(MOD_A, at(136)))


def denied(story: Story) -> Story:
    """ICE denies it at 2:45 p.m., quoted in English only."""
    said = Statement("ICE", SourceKind.LAW_ENFORCEMENT, Stance.DENIES, at(210),
                     quote="this was not a U.S. Immigration and Customs Enforcement encounter")  # fmt: skip
    return story.do(story.incident.attach_statement(said, MOD_B, at(225)))


def then(step: Callable[[Incident], list[IncidentEvent]]) -> Callable[[], Story]:
    """A confirmed incident, then one moderator action on it."""

    def build() -> Story:
        story = confirmed()
        return story.do(step(story.incident))

    return build


LEFT = "Agents left at 11:40. Nobody was detained."
LEFT_ES = "Los agentes se fueron a las 11:40 a.m. No detuvieron a nadie."
SECRET_SERVICE = "They were U.S. Secret Service agents on a threat inquiry, not ICE. Nobody was detained."
SECRET_SERVICE_ES = (
    "Eran agentes del Servicio Secreto de EE. UU. que investigaban una amenaza, no de ICE. No detuvieron a nadie."
)
PHOTO, PHOTO_ES = "The photo was from 2019, in another city.", "La foto era de 2019, de otra ciudad."

CASES: dict[str, Callable[[], Story]] = {
    "alert, exact time, agency named": confirmed,
    "alert, about a time": lambda: seen(ObservedTime.window(at(-15), at(-5))),
    "alert, between two times": lambda: seen(ObservedTime.window(at(-30), at(-5))),
    "alert, between two times across midnight": across_midnight,
    "alert, time not given": lambda: seen(ObservedTime.not_given(at(0))),
    "alert, a block address at one o'clock, no agency named": block_no_agency,
    "alert, confirmed with a statement": with_statement,
    "update, a detail written in English only": then(lambda i: i.update(LEFT, MOD_A, at(150))),
    "update, a detail written in both languages": then(lambda i: i.update(LEFT, MOD_A, at(150), text_es=LEFT_ES)),
    "update, a statement that contests it": lambda: denied(with_statement()),
    "correction, written in both languages": then(
        lambda i: i.correct("There were four agents, not two.", MOD_A, at(160), text_es="Eran cuatro agentes, no dos.")
    ),
    "correction, written in English only, changing the time": then(
        lambda i: i.correct("They arrived at 10:50, not 11:15.", MOD_A, at(160), facts=FactsChange(observed_at=at(-25)))
    ),
    "correction, a wrong agency": then(
        lambda i: i.mark_misidentified(
            SECRET_SERVICE, MOD_A, at(170), agency=Agency.OTHER_FEDERAL, text_es=SECRET_SERVICE_ES
        )
    ),
    "retraction, written in English only": then(lambda i: i.debunk(PHOTO, MOD_A, at(180))),
    "retraction, written in both languages": then(lambda i: i.debunk(PHOTO, MOD_A, at(180), text_es=PHOTO_ES)),
    "all clear, with a note in both languages": then(
        lambda i: i.resolve(MOD_A, at(190), note="Agents left the area.", text_es="Los agentes se fueron de la zona.")
    ),
    "all clear, without a note": then(lambda i: i.resolve(MOD_A, at(190))),
}


def last_message(story: Story) -> AlertMessage:
    return owed(story.events)[-1]


def rendered(lang: Language) -> str:
    parts = []
    for name, build in CASES.items():
        message = last_message(build())
        text = render_alert(message, lang, ZONE, community=COMMUNITY, direct=True)
        parts.append(f"=== {name} ({message.kind.value}) ===\n{text}\n")
    return "\n".join(parts)


def test_the_cases_cover_every_kind_of_message():
    kinds = {last_message(build()).kind for build in CASES.values()}
    assert kinds == set(AlertKind)


@pytest.mark.parametrize("lang", [Language.EN, Language.ES], ids=["en", "es"])
def test_alerts_read_as_approved(lang):
    path = GOLDEN / f"alerts.{lang.value}.txt"
    text = rendered(lang)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    approved = path.read_text(encoding="utf-8")
    if text != approved:
        diff = "".join(difflib.unified_diff(approved.splitlines(True), text.splitlines(True), str(path), "rendered"))
        pytest.fail(f"the rendered alerts differ from the approved wording (VERAZ_UPDATE_GOLDEN=1 to approve):\n{diff}")
