"""What the demo says a person did, in the narrator's language."""

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
            return t(lang, "demo.do.statement", number=a["incident"], source=a["source"], stance=a["stance"])
        case Action.CONFIRM:
            return t(lang, "demo.do.confirm", number=a["incident"])
        case Action.STATUS:
            return t(lang, "demo.do.status", number=a["incident"])
    return t(lang, "demo.do.other", action=step.action.value, number=a.get("incident"), text=a.get("text", ""))
