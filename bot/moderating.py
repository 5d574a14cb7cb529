"""What a moderator's command or button does, in one place: check, act, reply, refresh, deliver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from verification import usecases
from verification.model import Agency, Moderator
from verification.ports import UnitOfWork
from verification.usecases import Outcome

from .acting import Acting
from .render.replies import moderated

if TYPE_CHECKING:
    from .client import VerazBot

_Action = Callable[[UnitOfWork, datetime, int, int, Moderator, str, Agency | None], Awaitable[Outcome]]

ACTIONS: dict[str, _Action] = {
    "confirm": lambda uow, now, c, n, m, text, _a: usecases.vote_confirm(uow, now, c, n, m, text),
    "update": lambda uow, now, c, n, m, text, _a: usecases.add_update(uow, now, c, n, m, text),
    "correct": lambda uow, now, c, n, m, text, _a: usecases.correct(uow, now, c, n, m, text),
    "misidentified": lambda uow, now, c, n, m, text, a: usecases.mark_misidentified(uow, now, c, n, m, text, a),
    "debunk": lambda uow, now, c, n, m, text, _a: usecases.debunk(uow, now, c, n, m, text),
    "resolve": lambda uow, now, c, n, m, text, _a: usecases.resolve(uow, now, c, n, m, text),
    "reopen": lambda uow, now, c, n, m, text, _a: usecases.reopen(uow, now, c, n, m, text),
}


async def moderate(
    bot: VerazBot, act: Acting, action: str, number: int, text: str = "", agency: Agency | None = None
) -> Outcome:
    """Run a moderator action for the person behind `act`, checked against the community's role."""
    community = await act.community()
    await act.require_moderator(community)
    moderator = bot.moderator(act.interaction.user, community.id)
    outcome = await ACTIONS[action](bot.uow, bot.clock.now(), community.id, number, moderator, text, agency)
    bot.changed(community.id, outcome)  # before replying: a failed reply must not hold back a delivery
    await act.reply(moderated(action, outcome, act.lang))
    return outcome
