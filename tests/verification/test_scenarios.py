"""The two real incidents of 2025 (see docs/scenarios.md), replayed through the use cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders import MOD_A, MOD_B
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import AlertKind
from verification.community import RecipientKind
from verification.deliveries import DeliveryState
from verification.model import Agency, Language, SourceKind, Stance, Status
from verification.usecases import ReportInput, StatementInput


# Friday 24 January 2025, America/Chicago (UTC-6).
def chicago(hour: int, minute: int) -> datetime:
    return datetime(2025, 1, 24, 6, 0, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


async def test_hamline_elementary_false_alarm_reaches_the_same_people_corrected(uow):
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 801, "Back of the Yards", Language.ES)
    await usecases.subscribe(uow, CHICAGO, 802, None, Language.EN)
    await usecases.subscribe(uow, CHICAGO, 803, "Pilsen", Language.EN)  # another area: never told

    # 11:15 two people show DHS identification at the door; several reports within minutes.
    reports = [
        ("parent", "Hamline school on 48th", "ICE at Hamline school", "11:15", Agency.ICE, Language.EN),
        ("neighbour", "Hamline Elementary", "2 agents at the door", "11:16", Agency.UNKNOWN, Language.EN),
        ("staff", "escuela Hamline", "la migra en la escuela Hamline", "hace 5 minutos", Agency.ICE, Language.ES),
    ]
    numbers = set()
    for i, (who, where, what, when, agency, language) in enumerate(reports):
        outcome = await usecases.submit_report(
            uow,
            chicago(11, 20 + i),
            ReportInput(CHICAGO, who, where, what, when, agency, 2, "plain clothes, DHS badges", language),
        )
        numbers.add(outcome.number)
        assert outcome.status is Status.UNVERIFIED
        assert outcome.deliveries == 0  # nothing is broadcast
    assert numbers == {1}
    incident = await usecases.incident(uow, CHICAGO, 1)
    assert incident.reporter_count == 3
    assert int(incident.priority) == 2  # a school, three reporters: urgent

    # ~13:30 the district says "ICE agents" came; a moderator attaches it and confirms.
    cps = StatementInput("Chicago Public Schools", Stance.CONFIRMS, SourceKind.OFFICIAL, quote="ICE agents came")
    await usecases.attach_statement(uow, chicago(13, 30), CHICAGO, 1, MOD_A, cps, pseudonyms=moderator_pseudonyms)
    confirmed = await usecases.vote_confirm(uow, chicago(13, 31), CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    assert confirmed.status is Status.CONFIRMED
    assert [m.kind for m in confirmed.alerts] == [AlertKind.ALERT]
    assert confirmed.alerts[0].facts.confirmation_source == "Chicago Public Schools"
    alert_log = await usecases.delivery_log(uow, CHICAGO, 1)
    assert {(r.recipient.kind, r.recipient.address) for r in alert_log} == {
        (RecipientKind.CHANNEL, 300),
        (RecipientKind.DM, 801),
        (RecipientKind.DM, 802),
    }
    await _deliver(uow)

    # Afternoon: ICE denies; police and sheriff deny involvement. Contested: an UPDATE naming who says what.
    for source, kind in [("ICE", SourceKind.LAW_ENFORCEMENT), ("Chicago Police", SourceKind.LAW_ENFORCEMENT)]:
        denial = StatementInput(source, Stance.DENIES, kind, published="15:00")
        outcome = await usecases.attach_statement(
            uow, chicago(15, 5), CHICAGO, 1, MOD_B, denial, pseudonyms=moderator_pseudonyms
        )
        assert [m.kind for m in outcome.alerts] == [AlertKind.UPDATE]
        assert outcome.incident.contested
    await _deliver(uow)

    # Later: the Secret Service says they were its agents. Misidentified, with a correction.
    service = StatementInput("U.S. Secret Service", Stance.CLARIFIES, SourceKind.LAW_ENFORCEMENT)
    await usecases.attach_statement(uow, chicago(18, 0), CHICAGO, 1, MOD_B, service, pseudonyms=moderator_pseudonyms)
    corrected = await usecases.mark_misidentified(
        uow,
        chicago(18, 5),
        CHICAGO,
        1,
        MOD_B,
        "They were U.S. Secret Service agents on a threat inquiry, not ICE. No immigration enforcement.",
        Agency.OTHER_FEDERAL,
    )
    assert corrected.status is Status.MISIDENTIFIED
    assert [m.kind for m in corrected.alerts] == [AlertKind.CORRECTION]
    assert corrected.alerts[0].references == 1

    told: dict[AlertKind, set[int]] = {}
    for record in await usecases.delivery_log(uow, CHICAGO, 1):
        told.setdefault(record.kind, set()).add(record.recipient.address)
    assert told[AlertKind.CORRECTION] == told[AlertKind.ALERT] == {300, 801, 802}
    assert 803 not in set().union(*told.values())
    history = [e.kind for e in (await usecases.incident(uow, CHICAGO, 1)).history]
    assert history == [
        "reported", "report_added", "report_added", "statement_attached", "confirm_vote", "confirmed",
        "statement_attached", "statement_attached", "statement_attached", "misidentified",
    ]  # fmt: skip


async def test_two_los_angeles_schools_are_two_incidents_and_both_get_attributed_updates(uow):
    await set_up_chicago(uow)  # the places table holds both LA schools too
    morning = datetime(2025, 4, 7, 16, 0, tzinfo=UTC)
    russell = await usecases.submit_report(
        uow, morning, ReportInput(CHICAGO, "p1", "Russell Elementary", "4 federal officers asking about students")
    )
    lillian = await usecases.submit_report(
        uow,
        morning + timedelta(hours=2),
        ReportInput(CHICAGO, "p2", "Lillian Street Elementary", "3 Homeland Security agents asking for a student"),
    )
    assert russell.number != lillian.number
    days_later = morning + timedelta(days=3)
    for number in (russell.number, lillian.number):
        await usecases.attach_statement(
            uow, days_later, CHICAGO, number, MOD_A,
            StatementInput("LAUSD", Stance.CONFIRMS, SourceKind.OFFICIAL, quote="federal agents visited"),
            pseudonyms=moderator_pseudonyms,
        )  # fmt: skip
        await usecases.vote_confirm(uow, days_later, CHICAGO, number, MOD_A, pseudonyms=moderator_pseudonyms)
        outcome = await usecases.attach_statement(
            uow, days_later + timedelta(hours=1), CHICAGO, number, MOD_B,
            StatementInput("DHS", Stance.CLARIFIES, SourceKind.LAW_ENFORCEMENT, quote="HSI wellness checks"),
            pseudonyms=moderator_pseudonyms,
        )  # fmt: skip
        assert [m.kind for m in outcome.alerts] == [AlertKind.UPDATE]
        sources = [a.statement.source for a in outcome.alerts[0].facts.statements]
        assert sources == ["LAUSD", "DHS"]  # side by side, never replaced


async def _deliver(uow) -> None:
    from tests.verification.test_usecases import deliver_all

    await deliver_all(uow, 1)
    assert all(r.state is not DeliveryState.QUEUED for r in await usecases.delivery_log(uow, CHICAGO, 1))
