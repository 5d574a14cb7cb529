"""What a moderator's command or button does, in one place: check, act, reply, refresh, deliver."""

from __future__ import annotations

from bot.core.acting import Acting
from bot.core.replies import moderated
from verification import usecases
from verification.model import Agency
from verification.usecases import ModAction, ModeratorCommand, Outcome, StatementInput


async def moderate(
    act: Acting,
    action: ModAction,
    number: int,
    text: str = "",
    *,
    agency: Agency | None = None,
    into: int | None = None,
    statement: StatementInput | None = None,
    place: str = "",
    text_es: str = "",
) -> Outcome:
    """Run a moderator action for the person behind `act`, checked against the community's role."""
    services = act.services
    community = await act.community()
    await act.require_moderator(community)
    moderator = services.moderator(act.interaction.user, community.id)
    command = ModeratorCommand(
        action, community.id, number, moderator, text, agency, into, statement, place=place, text_es=text_es
    )
    outcome = await usecases.run_moderator_command(
        services.storage, services.clock.now(), command, pseudonyms=services.pseudonyms
    )
    await act.reply(moderated(action.value, outcome, act.lang))
    return outcome
