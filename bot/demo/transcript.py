"""Printing what each person saw, readable in a terminal, and the demo's self-check."""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

from verification.alerts import AlertKind

from .script import Expect

_ESCAPE = re.compile(r"\\([^\w\s])")
ALERTS_CHANNEL = "#alerts"


_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")


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
        told: dict[AlertKind, set[str]] = defaultdict(set)
        for d in self.deliveries:
            told[d.kind].add(d.recipient)
        everyone = set().union(*told.values()) if told else set()
        unconfirmed = [d for d in self.deliveries if d.kind is AlertKind.ALERT and not d.confirmed]
        corrections = told[AlertKind.CORRECTION] | told[AlertKind.RETRACTION]
        checks = [
            ("alerts delivered", len(told[AlertKind.ALERT]), set(expect.alerts), told[AlertKind.ALERT]),
            ("corrections delivered", len(corrections), set(expect.corrections), corrections),
        ]
        ok = True
        self.heading("Summary (checked by the demo itself)")
        for name, count, wanted, got in checks:
            good = got == wanted
            ok &= good
            self.say(f"{'✓' if good else '✗'} {name}: {count} ({', '.join(sorted(got)) or 'none'})"
                     + ("" if good else f"; expected {', '.join(sorted(wanted)) or 'none'}"))  # fmt: skip
        amended = {r for d in self.deliveries if d.kind is not AlertKind.ALERT for r in [d.recipient]}
        strays = amended - told[AlertKind.ALERT]
        ok &= not strays
        self.say(f"{'✓' if not strays else '✗'} amendments to people who never got the alert: {len(strays)}")
        ok &= not unconfirmed
        self.say(f"{'✓' if not unconfirmed else '✗'} unconfirmed messages delivered: {len(unconfirmed)} (must be 0)")
        leaked = set(expect.never_told) & everyone
        ok &= not leaked
        self.say(f"{'✓' if not leaked else '✗'} never told: {', '.join(expect.never_told) or 'nobody listed'}"
                 + (f" — but {', '.join(sorted(leaked))} got messages" if leaked else ""))  # fmt: skip
        if expect.incidents is not None:
            good = incidents == expect.incidents
            ok &= good
            self.say(f"{'✓' if good else '✗'} incidents: {incidents} (expected {expect.incidents})")
        for good, line in extra or []:
            ok &= good
            self.say(f"{'✓' if good else '✗'} {line}")
        self.say(f"\n{'PASS' if ok else 'FAIL'}: the demo's self-check {'passed' if ok else 'failed'}.")
        return ok
