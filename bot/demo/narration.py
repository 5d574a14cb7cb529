"""What the demo says a person did, in the narrator's language: commands, options and choices are named
as a Discord client in that language shows them, from the same catalog entries the commands use."""

from __future__ import annotations

from bot.core.i18n import t
from bot.demo.script import Action, Step
from verification.model import Language


def describe(step: Step, lang: Language) -> str:
    a = step.args
    match step.action:
        case Action.SETUP:
            return t(lang, "demo.do.setup")
        case Action.SUBSCRIBE:
            return t(lang, "demo.do.subscribe", area=a.get("area") or t(lang, "demo.do.every_area"))
        case Action.UNSUBSCRIBE:
            return t(lang, "demo.do.unsubscribe")
        case Action.REPORT:
            return t(lang, "demo.do.report", where=a["where"], what=a["what"], when=a.get("when", ""))
        case Action.STATEMENT:
            stance = t(lang, f"choice.stance.{a['stance']}")
            return t(lang, "demo.do.statement", number=a["incident"], source=a["source"], stance=stance)
        case Action.CONFIRM:
            return t(lang, "demo.do.confirm", number=a["incident"])
        case Action.STATUS:
            return t(lang, "demo.do.status", number=a["incident"])
    # The text as the narrator's readers get it: a moderator who also wrote it in Spanish is quoted so.
    text = a.get("text_es") if lang is Language.ES and a.get("text_es") else a.get("text", "")
    command = t(lang, f"cmd.incident.{step.action.value}.name")
    return t(lang, "demo.do.other", command=command, number=a.get("incident"), text=text)
