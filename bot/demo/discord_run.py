"""The demo through Discord: the emulator, the real bot on real discord.py, a fresh SQLite database in
a temporary directory, and scripted people acting out a scenario through slash commands and buttons.

It prints what each person saw, in order (their ephemeral replies, their DMs, the alerts channel, the
moderators' queue card), then checks itself against what the scenario expects, honestly.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bot.client import Tuning
from bot.core.alert_text import carries, reference
from bot.core.clock import ScriptedClock
from bot.core.i18n import catalog, clock, t
from bot.demo.live_world import Person, World, open_world
from bot.demo.narration import describe
from bot.demo.script import Action, Scenario, Step
from bot.demo.transcript import ALERTS_CHANNEL, Delivery, Transcript
from discord_emulator import Message
from verification.alerts import AlertKind
from verification.model import Language


async def run(scenario: Scenario, out: TextIO, lang: Language = Language.EN) -> bool:
    with tempfile.TemporaryDirectory(prefix="veraz-demo-") as tmp:
        people = [Person(p.name, p.role.value, p.locale) for p in scenario.people]
        scripted = ScriptedClock(scenario.steps[0].at)
        world = await open_world(Path(tmp) / "data", people, server=scenario.server, locale=_guild_locale(scenario),
                                 clock=scripted, tuning=Tuning(card_interval=0.0, maintenance_every=3600))  # fmt: skip
        try:
            return await _run(scenario, world, scripted, out, lang)
        finally:
            await world.close()


def _guild_locale(scenario: Scenario) -> str:
    return "es-419" if scenario.language is Language.ES else "en-US"


async def _run(scenario: Scenario, world: World, scripted: ScriptedClock, out: TextIO, lang: Language) -> bool:
    names = {member.id: name for name, member in world.people.items()}
    names |= {world.mods.id: world.mods.name, world.queue.id: "veraz-queue", world.alerts.id: "alerts"}
    transcript = Transcript(out, names, lang)
    transcript.heading(t(lang, "demo.heading", title=scenario.title_in(lang)))
    transcript.say(scenario.summary_in(lang))
    transcript.say(t(lang, "demo.setting"))
    seen_dms = {name: 0 for name in world.people}
    seen_alerts: dict[int, int] = {}
    for step in scenario.steps:
        scripted.set(step.at)
        person = scenario.person(step.who)
        transcript.step(clock(step.at, scenario.zone, lang), person.label(lang), describe(step, lang), step.said(lang))
        reply, number = await _perform(step, scenario, world)
        transcript.shows(t(lang, "demo.sees", name=person.name), reply)
        await world.settle()
        if number is not None:
            with contextlib.suppress(LookupError):
                transcript.shows(t(lang, "demo.card"), _card_text(world.card(number)))
        for message in world.alerts.messages:
            versions = len(message.history)
            if seen_alerts.get(message.id) == versions:
                continue
            key = "demo.post" if message.id not in seen_alerts else "demo.post_edited"
            label = t(lang, key, channel=ALERTS_CHANNEL)
            if message.id not in seen_alerts:
                transcript.delivered(_delivery(ALERTS_CHANNEL, message), label, message.content)
            else:
                transcript.shows(label, message.content)
            seen_alerts[message.id] = versions
        for name, member in world.people.items():
            for message in member.dms[seen_dms[name] :]:
                label = t(lang, "demo.dm", name=name)
                if _is_alert(message):
                    transcript.delivered(_delivery(name, message), label, message.content)
                else:  # the welcome DM at /subscribe, a moderator's question: shown, not counted
                    transcript.shows(label, message.content)
            seen_dms[name] = len(member.dms)
    incidents, strays = _audit(world)
    pinged = len(world.emu.pings)
    return transcript.check(
        scenario.expect,
        incidents,
        [
            (pinged == 0, t(lang, "demo.check.pings", count=pinged)),
            (strays == 0, t(lang, "demo.check.database", count=strays)),
        ],
    )


_KINDS: dict[str, AlertKind] = {}
for _lang in Language:
    for _kind in AlertKind:
        _KINDS[catalog(_lang)[f"alert.kind.{_kind.value}"]] = _kind


def _is_alert(message: Message) -> bool:
    """An alert or one of its amendments: every one carries a Veraz reference."""
    return "Veraz ref " in message.content


def _delivery(recipient: str, message: Message) -> Delivery:
    """What a delivered message is, read off the message itself: its kind and incident in the first line."""
    first = message.content.split("\n", 1)[0].strip("*")
    kind = next((k for label, k in _KINDS.items() if first.startswith(label)), AlertKind.ALERT)
    number = int(first.split("#", 1)[1].split(" ", 1)[0]) if "#" in first else 0
    return Delivery(recipient, kind, number, confirmed=True)


def _audit(world: World) -> tuple[int, int]:
    """Check every delivered message against the database: it must be an owed message of a confirmed
    incident, found by the reference it carries. Returns (incidents, messages that match none)."""
    path = world.bot.settings.data_dir / "veraz.db"
    with sqlite3.connect(path) as db:
        incidents = db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        owed: set[str] = set()
        for community, number, seq, payload in db.execute("SELECT community, number, seq, payload FROM alerts"):
            facts: dict[str, Any] = json.loads(payload)["facts"]
            if facts["confirmed_at"] is not None:
                owed.add(reference(community, number, seq))
    welcomes = {t(lang, "subscribe.welcome") for lang in Language}
    messages = [m for member in world.people.values() for m in member.dms if m.content not in welcomes]
    messages += world.alerts.messages
    strays = sum(1 for m in messages if not any(carries(m.content, ref) for ref in owed))
    return incidents, strays


async def _perform(step: Step, scenario: Scenario, world: World) -> tuple[str, int | None]:
    member = world.people[step.who]
    a = step.args
    match step.action:
        case Action.SETUP:
            result = await member.slash(
                "setup", moderator_role=world.mods, queue_channel=world.queue, alerts_channel=world.alerts,
                timezone=scenario.timezone, language=scenario.language.value,
            )  # fmt: skip
            imported = await member.slash("places import", file=("places.csv", scenario.places_csv.encode()))
            return f"{result.content}\n{imported.content}", None
        case Action.SUBSCRIBE:
            options = {k: v for k, v in {"area": a.get("area"), "language": a.get("language")}.items() if v}
            return (await member.slash("subscribe", **options)).content, None
        case Action.UNSUBSCRIBE:
            options = {"area": a["area"]} if a.get("area") else {}
            return (await member.slash("unsubscribe", **options)).content, None
        case Action.REPORT:
            options = {k: a[k] for k in ("where", "what", "when", "agency", "people", "markings") if a.get(k)}
            result = await member.slash("report", **options)
            return result.content, _number(result.content)
        case Action.STATEMENT:
            options = {"id": a["incident"], "source": a["source"], "stance": a["stance"]}
            options |= {k: a[k] for k in ("url", "quote", "published") if a.get(k)}
            if a.get("quote_es"):
                options["quote_in_spanish"] = a["quote_es"]
            if a.get("source_kind"):
                options["kind"] = a["source_kind"]
            return (await member.slash("incident statement", **options)).content, a["incident"]
        case Action.CONFIRM:
            result = await member.click(world.card(a["incident"]), _label(scenario, "button.confirm"))
            return result.content, a["incident"]
        case Action.STATUS:
            return (await member.slash("status", incident=a["incident"])).content, None
        case Action.MISIDENTIFIED:
            options = {"id": a["incident"], "correction": a["text"]} | _in_spanish(a)
            if a.get("agency"):
                options["agency"] = a["agency"]
            return (await member.slash("incident misidentified", **options)).content, a["incident"]
        case Action.RESOLVE:
            options = {"id": a["incident"]} | ({"note": a["text"]} if a.get("text") else {}) | _in_spanish(a)
            return (await member.slash("incident resolve", **options)).content, a["incident"]
        case Action.DEBUNK:
            result = await member.slash("incident debunk", id=a["incident"], reason=a["text"], **_in_spanish(a))
            return result.content, a["incident"]
        case Action.REOPEN:
            result = await member.slash("incident reopen", id=a["incident"], reason=a["text"])
            return result.content, a["incident"]
        case Action.UPDATE | Action.CORRECT:
            result = await member.slash(f"incident {step.action.value}", id=a["incident"], text=a["text"],
                                        **_in_spanish(a))  # fmt: skip
            return result.content, a["incident"]
    raise AssertionError(step.action)


def _in_spanish(args: dict[str, Any]) -> dict[str, Any]:
    """The moderator's Spanish text, when the scenario gives one, as the commands take it."""
    return {"in_spanish": args["text_es"]} if args.get("text_es") else {}


def _card_text(message: Message) -> str:
    embed = message.embeds[0] if message.embeds else {}
    lines = [f"**{embed.get('title', '')}**", str(embed.get("description", ""))]
    lines += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields", [])]
    buttons = [str(b.get("label")) for b in message.buttons]
    if buttons:
        lines.append("[" + "] [".join(buttons) + "]")
    return "\n".join(lines)


def _label(scenario: Scenario, key: str) -> str:
    return catalog(scenario.language)[key]


def _number(reply: str) -> int | None:
    if "#" not in reply:
        return None
    digits = reply.split("#", 1)[1]
    number = "".join(c for c in digits[:10] if c.isdigit()) if digits[:1].isdigit() else ""
    return int(number) if number else None
