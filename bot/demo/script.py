"""Scenario files: a community, its people and a timeline of what they do (see bot/scenarios/*.toml).

A rapid-response network can write its own drills in the same format and run them with
`veraz demo --scenario FILE`. Every step is checked when the file is loaded, so a typo is reported
with the step's number before anything runs.

A drill narrated in Spanish too (`veraz demo --language es`) gives `title_es` and `summary_es`, an
`about_es` for each person and a `note_es` for each step; without them the narration keeps the English.
A moderator's step may give `text_es` (update, correct, misidentified, debunk, resolve) and a statement
`quote_es`: the Spanish that subscribers who read Spanish get instead of the English.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from verification.model import Agency, Language, SourceKind, Stance


class ScenarioError(Exception):
    """The scenario file is not valid; the message says where."""


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    MEMBER = "member"


class Action(StrEnum):
    SETUP = "setup"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    REPORT = "report"
    STATEMENT = "statement"
    CONFIRM = "confirm"
    UPDATE = "update"
    CORRECT = "correct"
    MISIDENTIFIED = "misidentified"
    DEBUNK = "debunk"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    STATUS = "status"


# What each action needs (required) and accepts (optional).
FIELDS: dict[Action, tuple[set[str], set[str]]] = {
    Action.SETUP: (set(), set()),
    Action.SUBSCRIBE: (set(), {"area", "language"}),
    Action.UNSUBSCRIBE: (set(), {"area"}),
    Action.REPORT: ({"where", "what"}, {"when", "agency", "people", "markings"}),
    Action.STATEMENT: ({"incident", "source", "stance"}, {"source_kind", "url", "quote", "quote_es", "published"}),
    Action.CONFIRM: ({"incident"}, {"text"}),
    Action.UPDATE: ({"incident", "text"}, {"text_es"}),
    Action.CORRECT: ({"incident", "text"}, {"text_es"}),
    Action.MISIDENTIFIED: ({"incident", "text"}, {"agency", "text_es"}),
    Action.DEBUNK: ({"incident", "text"}, {"text_es"}),
    Action.RESOLVE: ({"incident"}, {"text", "text_es"}),
    Action.REOPEN: ({"incident", "text"}, set()),
    Action.STATUS: ({"incident"}, set()),
}
MODERATOR_ACTIONS = {
    Action.STATEMENT, Action.CONFIRM, Action.UPDATE, Action.CORRECT, Action.MISIDENTIFIED,
    Action.DEBUNK, Action.RESOLVE, Action.REOPEN,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    about: str
    role: Role
    locale: str
    about_es: str = ""  # `about` for a narrator in Spanish

    def label(self, lang: Language = Language.EN) -> str:
        about = self.about_es if lang is Language.ES and self.about_es else self.about
        return f"{self.name} ({about})" if about else self.name


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    at: datetime  # UTC
    who: str
    action: Action
    args: dict[str, Any]
    note: str = ""
    note_es: str = ""  # `note` for a narrator in Spanish

    def said(self, lang: Language) -> str:
        """The narrator's note in `lang`; a drill written in one language only is told in that one."""
        return self.note_es if lang is Language.ES and self.note_es else self.note


@dataclass(frozen=True, slots=True)
class Expect:
    incidents: int | None = None
    alerts: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()
    never_told: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    summary: str
    server: str
    timezone: str
    language: Language
    places_csv: str
    people: tuple[Person, ...]
    steps: tuple[Step, ...]
    expect: Expect = field(default_factory=Expect)
    title_es: str = ""  # `title` and `summary` for a narrator in Spanish
    summary_es: str = ""

    def title_in(self, lang: Language) -> str:
        return self.title_es if lang is Language.ES and self.title_es else self.title

    def summary_in(self, lang: Language) -> str:
        return self.summary_es if lang is Language.ES and self.summary_es else self.summary

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, name: str) -> Person:
        for p in self.people:
            if p.name == name:
                return p
        raise KeyError(name)


def bundled(name: str) -> Path:
    """A scenario shipped with Veraz: 'hamline' or 'los-angeles'."""
    path = resources.files("bot").joinpath("scenarios", f"{name}.toml")
    return Path(str(path))


def load(path: Path) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    return parse(data, str(path))


def parse(data: dict[str, Any], origin: str = "scenario") -> Scenario:
    def need(key: str) -> Any:
        if key not in data:
            raise ScenarioError(f"{origin}: missing '{key}'")
        return data[key]

    try:
        zone = ZoneInfo(str(need("timezone")))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScenarioError(f"{origin}: unknown time zone {data['timezone']!r}") from exc
    try:
        day = date.fromisoformat(str(need("date")))
        language = Language(data.get("language", "en"))
    except ValueError as exc:
        raise ScenarioError(f"{origin}: {exc}") from exc

    people = []
    for i, raw in enumerate(need("people"), start=1):
        try:
            people.append(Person(raw["name"], raw.get("about", ""), Role(raw.get("role", "member")),
                                 raw.get("locale", "en-US"), raw.get("about_es", "")))  # fmt: skip
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{origin}: person {i}: {exc}") from exc
    names = {p.name: p for p in people}
    if len(names) != len(people):
        raise ScenarioError(f"{origin}: two people share a name")

    steps = []
    previous: datetime | None = None
    for i, raw in enumerate(need("steps"), start=1):
        where = f"{origin}: step {i}"
        raw = dict(raw)
        try:
            action = Action(raw.pop("do"))
            who = raw.pop("who")
            clock = time.fromisoformat(raw.pop("at"))
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{where}: needs valid 'at' (HH:MM), 'who' and 'do' ({exc})") from exc
        at = datetime.combine(day + timedelta(days=int(raw.pop("day", 0))), clock, zone).astimezone(UTC)
        note = str(raw.pop("note", ""))
        note_es = str(raw.pop("note_es", ""))
        if who not in names:
            raise ScenarioError(f"{where}: nobody called {who!r}")
        required, optional = FIELDS[action]
        missing = required - raw.keys()
        unknown = raw.keys() - required - optional
        if missing or unknown:
            raise ScenarioError(f"{where} ({action}): missing {sorted(missing)}, unknown {sorted(unknown)}")
        _check_values(where, raw)
        if action in MODERATOR_ACTIONS and names[who].role is Role.MEMBER:
            raise ScenarioError(f"{where}: {who} is not a moderator")
        if previous is not None and at < previous:
            raise ScenarioError(f"{where}: steps must be in time order")
        previous = at
        steps.append(Step(i, at, who, action, raw, note, note_es))

    raw_expect = data.get("expect", {})
    expect = Expect(
        incidents=raw_expect.get("incidents"),
        alerts=tuple(raw_expect.get("alerts", ())),
        corrections=tuple(raw_expect.get("corrections", ())),
        never_told=tuple(raw_expect.get("never_told", ())),
    )
    return Scenario(
        title=str(need("title")),
        summary=str(data.get("summary", "")),
        server=str(data.get("server", "Rapid Response")),
        timezone=str(data["timezone"]),
        language=language,
        places_csv=str(data.get("places", "")).strip() + "\n",
        people=tuple(people),
        steps=tuple(steps),
        expect=expect,
        title_es=str(data.get("title_es", "")),
        summary_es=str(data.get("summary_es", "")),
    )


def _check_values(where: str, args: dict[str, Any]) -> None:
    checks = {"agency": Agency, "stance": Stance, "source_kind": SourceKind, "language": Language}
    for key, enum in checks.items():
        if key in args and args[key] != "":
            try:
                enum(args[key])
            except ValueError:
                choices = ", ".join(e.value for e in enum)
                raise ScenarioError(f"{where}: {key} must be one of {choices}") from None
    if "incident" in args and not isinstance(args["incident"], int):
        raise ScenarioError(f"{where}: incident must be a number")
