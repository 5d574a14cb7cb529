"""Printing what each person saw, readable in a terminal, and the demo's self-check."""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

from bot.core.i18n import t
from bot.demo.script import Expect
from verification.alerts import AlertKind
from verification.model import Language

_ESCAPE = re.compile(r"\\([^\w\s])")
_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
ALERTS_CHANNEL = "#alerts"


def readable(text: str, names: dict[int, str] | None = None) -> str:
    """Discord text as Discord would show it: escapes consumed, marks dropped, mentions as @name."""
    if names:
        text = _MENTION.sub(
            lambda m: ("#" if m.group(1) == "#" else "@") + names.get(int(m.group(2)), m.group(2)), text
        )
    text = text.replace("**", "").replace("~~", "")
    text = re.sub(r"^-# ", "", text, flags=re.MULTILINE)
    return _ESCAPE.sub(r"\1", text)


@dataclass
class Delivery:
    recipient: str  # a person's name, or "#alerts"
    kind: AlertKind
    number: int
    confirmed: bool  # the incident was confirmed when the message was owed


@dataclass
class Transcript:
    out: TextIO
    names: dict[int, str] = field(default_factory=dict)  # Discord ids of the scenario's people
    lang: Language = Language.EN  # the narrator's language; what people saw is in theirs
    deliveries: list[Delivery] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.out.write(f"\n{text}\n{'=' * len(text)}\n")

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def step(self, clock: str, who: str, did: str, note: str = "") -> None:
        self.out.write(f"\n{clock}  {who} {did}\n")
        if note:
            self.out.write(textwrap.indent(textwrap.fill(note, 96), "       · ") + "\n")

    def shows(self, label: str, text: str) -> None:
        self.out.write(f"       ↳ {label}:\n")
        self.out.write(textwrap.indent(readable(text, self.names), "         │ ") + "\n")

    def delivered(self, delivery: Delivery, label: str, text: str) -> None:
        self.deliveries.append(delivery)
        self.shows(label, text)

    def check(self, expect: Expect, incidents: int, extra: list[tuple[bool, str]] | None = None) -> bool:
        """Compare what was delivered with what the scenario expects; print each check honestly."""
        lang = self.lang
        told: dict[AlertKind, set[str]] = defaultdict(set)
        for d in self.deliveries:
            told[d.kind].add(d.recipient)
        everyone = set().union(*told.values()) if told else set()
        corrections = told[AlertKind.CORRECTION] | told[AlertKind.RETRACTION]

        def names(people: set[str] | tuple[str, ...]) -> str:
            return ", ".join(sorted(people)) or t(lang, "demo.none")

        results: list[tuple[bool, str]] = []
        for key, got, wanted in [
            ("demo.check.alerts", told[AlertKind.ALERT], set(expect.alerts)),
            ("demo.check.corrections", corrections, set(expect.corrections)),
        ]:
            line = t(lang, key, count=len(got), names=names(got))
            if got != wanted:
                line += t(lang, "demo.check.expected", names=names(wanted))
            results.append((got == wanted, line))
        strays = {d.recipient for d in self.deliveries if d.kind is not AlertKind.ALERT} - told[AlertKind.ALERT]
        results.append((not strays, t(lang, "demo.check.strays", count=len(strays))))
        unconfirmed = [d for d in self.deliveries if d.kind is AlertKind.ALERT and not d.confirmed]
        results.append((not unconfirmed, t(lang, "demo.check.unconfirmed", count=len(unconfirmed))))
        leaked = set(expect.never_told) & everyone
        line = t(lang, "demo.check.never_told", names=", ".join(expect.never_told) or t(lang, "demo.nobody"))
        if leaked:
            line += t(lang, "demo.check.leak", names=names(leaked))
        results.append((not leaked, line))
        if expect.incidents is not None:
            good = incidents == expect.incidents
            results.append((good, t(lang, "demo.check.incidents", count=incidents, expected=expect.incidents)))
        results += extra or []

        self.heading(t(lang, "demo.summary"))
        for good, line in results:
            self.say(f"{'✓' if good else '✗'} {line}")
        ok = all(good for good, _ in results)
        self.say("\n" + t(lang, "demo.pass" if ok else "demo.fail"))
        return ok
