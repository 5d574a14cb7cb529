"""A community with a week of incidents as the public feed must show them (or not), through the real
use cases and storage: confirmed and updated, corrected, retracted, all clear, old, never confirmed, closed
before anyone else was told, and confirmed while the feed was off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import storage
from tests import raw_sql
from tests.builders import MOD_A, MOD_B
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.community import Community
from verification.model import Language
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
# What must never reach the public: reporters' words, the moderators' names, a home's number.
SECRETS = ("placa ABC123", "vi la van", "Mod A", "Mod B", "2417", "ABC123")


@dataclass(frozen=True, slots=True)
class World:
    community: Community
    open_number: int  # confirmed, updated, corrected: open now
    retracted_number: int
    cleared_number: int  # all clear, 3 days ago
    old_number: int  # all clear, 10 days ago: in the Atom feed, not on the page
    unconfirmed_number: int
    unsent_number: int  # confirmed and resolved before any delivery went out: only the feed was told
    private_number: int  # confirmed (and cleared) while the feed was off: never published to it


async def _confirmed(uow: object, now: datetime, where: str, what: str, when: str | None = None) -> int:
    outcome = await usecases.submit_report(uow, now - timedelta(minutes=4),  # type: ignore[arg-type]
                                           ReportInput(CHICAGO, f"r-{now.isoformat()}", where, what, when))  # fmt: skip
    number = outcome.number
    await usecases.vote_confirm(uow, now, CHICAGO, number, MOD_A, pseudonyms=moderator_pseudonyms)  # type: ignore[arg-type]
    await usecases.vote_confirm(uow, now, CHICAGO, number, MOD_B, pseudonyms=moderator_pseudonyms)  # type: ignore[arg-type]
    return number


async def _sent(database: storage.AnyDatabase) -> None:
    """As the delivery worker would have: every queued delivery went out."""
    uow = database.transaction()
    async with uow:
        await raw_sql.execute(uow, "UPDATE deliveries SET state = 'sent' WHERE state = 'queued'")
        await uow.commit()


async def build(database: storage.AnyDatabase, *, feed: bool = True) -> World:
    uow = database.unit_of_work()
    await set_up_chicago(uow, alerts_channel=300)
    await usecases.subscribe(uow, CHICAGO, 501, None, Language.ES)
    if feed:  # the feed is a recipient: it gets what is confirmed from when it is turned on
        await usecases.set_feed(uow, CHICAGO, on=True)
    old = NOW - timedelta(days=10)
    old_number = await _confirmed(uow, old, "whittier park", "ICE en el parque!!! vi la van blanca placa ABC123")
    await _sent(database)
    await usecases.resolve(uow, old + timedelta(hours=1), CHICAGO, old_number, MOD_A, note="se fueron")
    three = NOW - timedelta(days=3)
    cleared = await _confirmed(uow, three, "russell elementary", "agents outside the school?? 2 trucks")
    await _sent(database)
    await usecases.resolve(uow, three + timedelta(hours=2), CHICAGO, cleared, MOD_B)
    hour = NOW - timedelta(hours=1)
    retracted = await _confirmed(uow, hour, "whittier elementary", "la migra afuera de la escuela 😰😰")
    await _sent(database)
    await usecases.debunk(uow, hour + timedelta(minutes=20), CHICAGO, retracted, MOD_A,
                          reason="Era una inspección de la ciudad, no ICE")  # fmt: skip
    open_number = await _confirmed(uow, NOW - timedelta(minutes=30), "2417 S Wolcott Ave",
                                   "ICE at a house on wolcott, agents at the door, vi la van", "10:45")  # fmt: skip
    await usecases.add_update(uow, NOW - timedelta(minutes=20), CHICAGO, open_number, MOD_A,
                              "Agents still there; stay away from the block")  # fmt: skip
    await usecases.correct(uow, NOW - timedelta(minutes=10), CHICAGO, open_number, MOD_B,
                           "It is 3 vehicles, not 2")  # fmt: skip
    await _sent(database)
    if feed:
        await usecases.set_feed(uow, CHICAGO, on=False)
    private = await _confirmed(uow, NOW - timedelta(minutes=8), "russell elementary", "ICE en la escuela russell")
    await _sent(database)
    await usecases.resolve(uow, NOW - timedelta(minutes=7), CHICAGO, private, MOD_B)  # nor its all clear
    if feed:
        await usecases.set_feed(uow, CHICAGO, on=True)
    unsent = await _confirmed(uow, NOW - timedelta(minutes=5), "lillian street elementary", "ICE ??? en la esquina")
    await usecases.resolve(uow, NOW - timedelta(minutes=4), CHICAGO, unsent, MOD_A, note="false alarm, sorry")
    unconfirmed = await usecases.submit_report(
        uow, NOW, ReportInput(CHICAGO, "r-unconfirmed", "lillian street elementary", "creo que vi a la migra??")
    )
    community = await usecases.get_community(uow, CHICAGO)
    assert community is not None
    return World(community, open_number, retracted, cleared, old_number, unconfirmed.number, unsent, private)
