"""The core-only demo: a scenario through the real use cases, storage and renderers, without Discord.

Every reply, card and message printed here is produced by the same code the bot uses; delivery is the
real outbox, claimed and settled the way the worker does, with the message rendered for each recipient.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import TextIO

import storage
from bot.core import replies, words
from bot.core.alert_text import render_alert
from bot.core.i18n import clock, language_of, t
from bot.core.incident_card import card
from bot.demo.narration import describe
from bot.demo.script import Action, Scenario, Step
from bot.demo.transcript import ALERTS_CHANNEL, Delivery, Transcript
from verification import usecases
from verification.community import RecipientKind
from verification.errors import RuleViolation
from verification.model import Agency, Language, Moderator, SourceKind, Stance, Status
from verification.ports import UnitOfWork
from verification.usecases import ModAction, ModeratorCommand, ReportInput, StatementInput

COMMUNITY = 1
ROLE, QUEUE, ALERTS = 100, 200, 300


async def run(scenario: Scenario, out: TextIO, lang: Language = Language.EN) -> bool:
    with tempfile.TemporaryDirectory(prefix="veraz-demo-") as tmp:
        database = await storage.open_database(Path(tmp))
        try:
            return await _run(scenario, database, out, lang)
        finally:
            await database.close()


async def _run(scenario: Scenario, database: storage.AnyDatabase, out: TextIO, lang: Language) -> bool:
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    pseudonym = storage.Pseudonymizer(secrets.token_bytes(32))
    ids = {p.name: 1000 + i for i, p in enumerate(scenario.people)}
    names = {v: k for k, v in ids.items()}
    zone = scenario.zone
    transcript = Transcript(out, names, lang)
    transcript.heading(t(lang, "demo.heading_core", title=scenario.title_in(lang)))
    transcript.say(scenario.summary_in(lang))
    for step in scenario.steps:
        person = scenario.person(step.who)
        their = language_of(person.locale)
        transcript.step(clock(step.at, zone, lang), person.label(lang), describe(step, lang), step.said(lang))
        moderator = Moderator(str(ids[person.name]), pseudonym(COMMUNITY, ids[person.name]), person.name)
        try:
            reply, number = await _perform(step, uow, scenario, moderator, ids, pseudonym, their)
        except RuleViolation as refused:
            transcript.shows(t(lang, "demo.sees", name=person.name), replies.refusal(refused, their))
            continue
        transcript.shows(t(lang, "demo.sees", name=person.name), reply)
        if number is not None:
            view = await usecases.incident_view(uow, COMMUNITY, number)
            shown = card(view.incident, view.reports, scenario.language, zone, step.at)
            transcript.shows(t(lang, "demo.card"), shown.as_text())
        for claimed in await queue.claim(step.at, 10_000):
            direct = claimed.recipient.kind is RecipientKind.DM
            who = names[claimed.recipient.address] if direct else ALERTS_CHANNEL
            text = render_alert(claimed.message, claimed.recipient.language, zone, community=COMMUNITY, direct=direct)
            confirmed = claimed.message.facts.status is not Status.UNVERIFIED
            label = t(lang, "demo.dm", name=who) if direct else t(lang, "demo.post", channel=ALERTS_CHANNEL)
            transcript.delivered(Delivery(who, claimed.kind, claimed.message.number, confirmed), label, text)
            await queue.sent(claimed.id, claimed.recipient.address, claimed.id, step.at)
    incidents = len(await usecases.all_incidents(uow, COMMUNITY))
    return transcript.check(scenario.expect, incidents)


async def _perform(
    step: Step,
    uow: UnitOfWork,
    scenario: Scenario,
    moderator: Moderator,
    ids: dict[str, int],
    pseudonym: storage.Pseudonymizer,
    lang: Language,
) -> tuple[str, int | None]:
    a, now, user = step.args, step.at, ids[step.who]
    number: int = a.get("incident", 0)
    match step.action:
        case Action.SETUP:
            setup = usecases.Setup(COMMUNITY, ROLE, QUEUE, ALERTS, scenario.timezone, scenario.language)
            await usecases.configure_community(uow, setup)
            places = await usecases.import_places(uow, COMMUNITY, scenario.places_csv)
            return t(lang, "setup.done_core", places=len(places), timezone=scenario.timezone), None
        case Action.SUBSCRIBE:
            language = Language(a["language"]) if a.get("language") else lang
            sub = await usecases.subscribe(uow, COMMUNITY, user, a.get("area") or None, language)
            return replies.subscribed(sub, lang), None
        case Action.UNSUBSCRIBE:
            count = await usecases.unsubscribe(uow, COMMUNITY, user, a.get("area") or None)
            return replies.unsubscribed(count, a.get("area"), lang), None
        case Action.REPORT:
            data = ReportInput(
                COMMUNITY, pseudonym(COMMUNITY, user), a["where"], a["what"], a.get("when"),
                Agency(a.get("agency", "unknown")), a.get("people"), a.get("markings", ""), lang,
            )  # fmt: skip
            outcome = await usecases.submit_report(uow, now, data)
            return replies.report_accepted(outcome, lang), outcome.number
        case Action.STATEMENT:
            data_s = StatementInput(a["source"], Stance(a["stance"]), SourceKind(a.get("source_kind", "official")),
                                    a.get("url"), a.get("quote"), a.get("published"), a.get("quote_es"))  # fmt: skip
            command = ModeratorCommand(ModAction.STATEMENT, COMMUNITY, number, moderator, statement=data_s)
        case Action.MISIDENTIFIED:
            agency = Agency(a["agency"]) if a.get("agency") else None
            command = ModeratorCommand(ModAction.MISIDENTIFIED, COMMUNITY, number, moderator, a["text"], agency,
                                       text_es=a.get("text_es", ""))  # fmt: skip
        case Action.CONFIRM | Action.UPDATE | Action.CORRECT | Action.DEBUNK | Action.RESOLVE | Action.REOPEN:
            command = ModeratorCommand(ModAction(step.action.value), COMMUNITY, number, moderator, a.get("text", ""),
                                       text_es=a.get("text_es", ""))  # fmt: skip
        case Action.STATUS:
            incident = await usecases.incident(uow, COMMUNITY, number)
            return t(lang, "status.line", number=number, status=words.status(incident.status, lang)), None
        case _:
            raise AssertionError(step.action)
    # The same dispatch as a card's buttons and the /incident commands.
    outcome = await usecases.run_moderator_command(uow, now, command, pseudonyms=pseudonym)
    return replies.moderated(command.action.value, outcome, lang), number
