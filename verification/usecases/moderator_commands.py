"""One shape for everything a moderator asks of an incident, and one dispatch for it.

A queue card's button, a `/incident ...` command and a demo script step all build a
`ModeratorCommand` and hand it to `run_moderator_command`, so the three can never drift apart in
what an action means or which use case it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..model import Agency, Moderator
from ..ports import Pseudonyms, UnitOfWork
from . import moderation
from .owed_messages import Outcome


class ModAction(StrEnum):
    STATEMENT = "statement"
    CONFIRM = "confirm"
    UPDATE = "update"
    CORRECT = "correct"
    MISIDENTIFIED = "misidentified"
    DEBUNK = "debunk"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    MERGE = "merge"
    PLACE = "place"


@dataclass(frozen=True, slots=True)
class ModeratorCommand:
    action: ModAction
    community: int
    number: int
    moderator: Moderator
    text: str = ""  # the note, update, correction or reason, as the action needs
    agency: Agency | None = None  # misidentified: who it really was, when known
    into: int | None = None  # merge: the incident this one is folded into
    statement: moderation.StatementInput | None = None  # statement: what the source said
    facts: moderation.FactsInput | None = None  # update, correct: what subscribers are told changes
    place: str = ""  # confirm: name the place as subscribers will read it, in the same transaction
    # update, correct, misidentified, debunk, resolve: `text` in Spanish, for subscribers who read Spanish
    text_es: str = ""

    def __post_init__(self) -> None:
        # A malformed command is a programming error in an adapter, not a user's mistake.
        if self.action is ModAction.MERGE and self.into is None:
            raise ValueError("a merge needs `into`")
        if self.action is ModAction.STATEMENT and self.statement is None:
            raise ValueError("a statement command needs `statement`")


async def run_moderator_command(
    uow: UnitOfWork, now: datetime, command: ModeratorCommand, *, pseudonyms: Pseudonyms
) -> Outcome:
    """Run the use case the command names; rule violations propagate as `RuleViolation`.

    `pseudonyms` lets the confirming use cases check every moderator involved against the incident's
    reporters (nobody confirms their own report).
    """
    c, n, by, text, es = command.community, command.number, command.moderator, command.text, command.text_es
    match command.action:
        case ModAction.STATEMENT:
            assert command.statement is not None  # checked in __post_init__
            return await moderation.attach_statement(uow, now, c, n, by, command.statement, pseudonyms=pseudonyms)
        case ModAction.CONFIRM:
            place = command.place or None
            return await moderation.vote_confirm(uow, now, c, n, by, text, pseudonyms=pseudonyms, place=place)
        case ModAction.UPDATE:
            return await moderation.add_update(uow, now, c, n, by, text, command.facts, text_es=es)
        case ModAction.CORRECT:
            return await moderation.correct(uow, now, c, n, by, text, command.facts, text_es=es)
        case ModAction.MISIDENTIFIED:
            return await moderation.mark_misidentified(uow, now, c, n, by, text, command.agency, text_es=es)
        case ModAction.DEBUNK:
            return await moderation.debunk(uow, now, c, n, by, text, text_es=es)
        case ModAction.RESOLVE:
            return await moderation.resolve(uow, now, c, n, by, text, text_es=es)
        case ModAction.REOPEN:
            return await moderation.reopen(uow, now, c, n, by, text)
        case ModAction.PLACE:
            return await moderation.set_place(uow, now, c, n, by, text)
        case ModAction.MERGE:
            assert command.into is not None  # checked in __post_init__
            return await moderation.merge(uow, now, c, n, command.into, by, text)
