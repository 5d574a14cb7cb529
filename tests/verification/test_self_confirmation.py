"""A moderator can never confirm their own report, whatever the order of events (issue 13, item 2).

Not by voting before reporting, not after a merge brings their report in, not after /forget-me drops
the link, not through a statement they attach. Checked when a vote is cast and again when a
confirmation would happen; the history never records who reported.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import MOD_A, MOD_B, MOD_C, Story, at, facts, statement
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.errors import RuleViolation
from verification.events import Confirmed
from verification.incident import MODERATOR_AND_STATEMENT, TWO_MODERATORS
from verification.model import Agency, Moderator, SourceKind, Stance, Status
from verification.ports import UnitOfWork
from verification.usecases import ReportInput, StatementInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)  # 11:20 in Chicago
A = "mod:1001"


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


def report(
    reporter: str, where: str = "Hamline Elementary", what: str = "ICE at the door!!", when: str | None = "11:15"
) -> ReportInput:
    return ReportInput(CHICAGO, reporter, where, what, when, Agency.ICE)


async def vote(uow: UnitOfWork, when: datetime, moderator: Moderator, number: int = 1) -> usecases.Outcome:
    return await usecases.vote_confirm(uow, when, CHICAGO, number, moderator, pseudonyms=moderator_pseudonyms)


async def attach(uow: UnitOfWork, when: datetime, moderator: Moderator, data: StatementInput) -> usecases.Outcome:
    return await usecases.attach_statement(uow, when, CHICAGO, 1, moderator, data, pseudonyms=moderator_pseudonyms)


# --- the rule in the domain ---------------------------------------------------------------------------


def test_a_vote_cast_before_its_moderator_reported_never_counts():
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    story.do(story.incident.add_report(facts(2, 2, 6), at(6)))  # MOD_A's report; the history does not say so
    story.do(story.incident.vote(MOD_B, at(7), reporting_moderators={A}))
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.confirmation_blocked  # the card asks for another moderator
    story.do(story.incident.vote(MOD_C, at(8), reporting_moderators={A}))
    confirmed = story.events[-1]
    assert isinstance(confirmed, Confirmed)
    assert confirmed.voters == ("mod:1002", "mod:1003")
    assert confirmed.basis == TWO_MODERATORS
    assert not story.incident.confirmation_blocked


def test_a_statement_attached_by_a_moderator_who_then_reported_never_counts():
    story = Story()
    story.do(story.incident.attach_statement(statement(kind=SourceKind.VERIFIER), MOD_A, at(5)))
    story.do(story.incident.vote(MOD_B, at(7), reporting_moderators={A}))
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.confirmation_blocked
    # The same source's word, attached again by a moderator who did not report, counts.
    story.do(story.incident.attach_statement(statement(kind=SourceKind.VERIFIER), MOD_C, at(9)))
    assert story.incident.status is Status.CONFIRMED
    assert story.incident.confirmation_basis == MODERATOR_AND_STATEMENT


def test_their_own_statement_cannot_confirm_with_their_colleagues_vote_either():
    story = Story()
    story.do(story.incident.vote(MOD_B, at(5)))
    with pytest.raises(RuleViolation) as refused:
        story.incident.attach_statement(statement(), MOD_A, at(6), reporting_moderators={A})
    assert refused.value.code == "reporter_cannot_confirm"


# --- every order of events, through the use cases and both stores -------------------------------------


async def test_voting_before_reporting(uow):
    """Found in review: A votes, then reports into the same incident; B's vote used to confirm."""
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("parent"))
    await vote(uow, minutes(1), MOD_A)
    joined = await usecases.submit_report(uow, minutes(2), report(MOD_A.pseudonym, what="yes 2 of them, vests"))
    assert joined.number == 1
    after_b = await vote(uow, minutes(3), MOD_B)
    assert after_b.status is Status.UNVERIFIED
    assert after_b.alerts == ()
    assert after_b.incident.confirmation_blocked
    confirmed = await vote(uow, minutes(4), MOD_C)
    assert confirmed.status is Status.CONFIRMED
    assert isinstance(confirmed.incident.history[-1], Confirmed)
    assert confirmed.incident.history[-1].voters == ("mod:1002", "mod:1003")


async def test_after_a_merge_brings_in_their_report(uow):
    await set_up_chicago(uow)
    first = await usecases.submit_report(uow, NOW, report("parent", "26th St & Pulaski Rd", "ice van", when=None))
    second = await usecases.submit_report(
        uow, NOW, report(MOD_A.pseudonym, "Pulaski walmart", "migra en el walmart", when=None)
    )
    assert (first.number, second.number) == (1, 2)
    await vote(uow, minutes(1), MOD_A, number=1)  # A has not reported #1... yet
    await usecases.merge(uow, minutes(2), CHICAGO, 2, 1, MOD_C, "same van")
    after_b = await vote(uow, minutes(3), MOD_B)
    assert after_b.status is Status.UNVERIFIED
    with pytest.raises(RuleViolation) as refused:
        await vote(uow, minutes(4), MOD_A)
    assert refused.value.code == "already_voted"


async def test_after_forget_me_drops_the_link(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report(MOD_A.pseudonym))
    await usecases.submit_report(uow, minutes(1), report("parent", what="la migra en la escuela hamline"))
    await usecases.forget_reporter(uow, CHICAGO, MOD_A.pseudonym, minutes(30))  # past the rate-limit window
    assert MOD_A.pseudonym not in await _on_record(uow)
    with pytest.raises(RuleViolation) as refused:
        await vote(uow, minutes(31), MOD_A)
    assert refused.value.code == "reporter_cannot_vote"
    with pytest.raises(RuleViolation) as statement_refused:
        await attach(uow, minutes(32), MOD_A, StatementInput("CPS", Stance.CONFIRMS))
    assert statement_refused.value.code == "reporter_cannot_confirm"
    assert (await vote(uow, minutes(33), MOD_B)).status is Status.UNVERIFIED


async def test_a_vote_cast_then_forget_me_still_never_counts(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("parent"))
    await vote(uow, minutes(1), MOD_A)
    await usecases.submit_report(uow, minutes(2), report(MOD_A.pseudonym))
    await usecases.forget_reporter(uow, CHICAGO, MOD_A.pseudonym, minutes(30))
    assert (await vote(uow, minutes(31), MOD_B)).status is Status.UNVERIFIED


async def test_after_forget_me_and_then_a_merge(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("parent", "26th St & Pulaski Rd", "ice van", when=None))
    await usecases.submit_report(uow, NOW, report(MOD_A.pseudonym, "Pulaski walmart", "ICE?? 3 trucks", when=None))
    await usecases.forget_reporter(uow, CHICAGO, MOD_A.pseudonym, minutes(30))
    await usecases.merge(uow, minutes(31), CHICAGO, 2, 1, MOD_C, "same trucks")
    with pytest.raises(RuleViolation) as refused:
        await vote(uow, minutes(32), MOD_A)
    assert refused.value.code == "reporter_cannot_vote"


async def test_through_a_statement_they_attach_before_reporting(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("parent"))
    await attach(uow, minutes(1), MOD_A, StatementInput("Chicago Public Schools", Stance.CONFIRMS))
    await usecases.submit_report(uow, minutes(2), report(MOD_A.pseudonym))
    assert (await vote(uow, minutes(3), MOD_B)).status is Status.UNVERIFIED


async def test_a_moderator_who_did_not_report_still_confirms_with_a_statement(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report(MOD_A.pseudonym))
    await attach(uow, minutes(1), MOD_B, StatementInput("Chicago Public Schools", Stance.CONFIRMS))
    outcome = await vote(uow, minutes(2), MOD_C)
    assert outcome.status is Status.CONFIRMED
    assert outcome.incident.confirmation_source == "Chicago Public Schools"


async def _on_record(uow: UnitOfWork) -> dict[str, int]:
    async with uow:
        return await uow.reports.reporters(CHICAGO, 1)
