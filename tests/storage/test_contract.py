"""Repository contract: the in-memory fake and SQLite behave the same through the domain's ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests import raw_sql
from tests.builders import HAMLINE, MOD_A, MOD_B, Story, at, statement
from tests.fakes import FakeUnitOfWork
from verification.alerts import AlertKind, owed
from verification.clustering import PlaceBook, resolve_place
from verification.community import AreaRole, Community, Recipient, RecipientKind
from verification.deliveries import DeliveryState, NewDelivery, Subscriber
from verification.incident import replay
from verification.model import Agency, Language, Place, PlaceKind, Report
from verification.recipients import earlier_recipients

T = datetime(2025, 1, 24, 17, 15, tzinfo=UTC)


def a_report(reporter: str = "p1", minutes: int = 0, what: str = "agents") -> Report:
    moment = T + timedelta(minutes=minutes)
    return Report("Hamline", what, moment, moment, Agency.ICE, 2, "vests", reporter, Language.ES, False)


async def test_communities_round_trip(uow):
    community = Community(id=5, timezone="America/Chicago", language=Language.ES, moderator_role=1, queue_channel=2)
    async with uow:
        await uow.communities.save(community)
        await uow.commit()
    async with uow:
        assert await uow.communities.get(5) == community
        assert await uow.communities.get(6) is None
        assert [c.id for c in await uow.communities.all()] == [5]


async def test_places_add_list_remove_and_areas(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        await uow.places.add(
            1, Place("hamline school", "Hamline Elementary", "Back of the Yards", PlaceKind.SCHOOL, ("Hamline",))
        )
        park = Place(
            "whittier park",
            "Whittier Park",
            "Pilsen",
            PlaceKind.PARK,
            (),
            "2400 S Wolcott Ave",
            ("W 23rd St", "S Wolcott Ave"),
        )
        await uow.places.add(1, park)
        await uow.commit()
    async with uow:
        assert [p.name for p in await uow.places.all(1)] == ["Hamline Elementary", "Whittier Park"]
        assert (await uow.places.all(1))[0].aliases == ("Hamline",)
        assert (await uow.places.all(1))[0].address == ""
        assert (await uow.places.all(1))[1] == park
        assert await uow.places.areas(1) == ["Back of the Yards", "Pilsen"]
        assert await uow.places.remove(1, "whittier park")
        assert not await uow.places.remove(1, "whittier park")
        assert await uow.places.areas(1) == ["Back of the Yards"]


async def _incident(uow, number: int, story: Story, keys=("place:hamline elementary",)) -> None:
    await uow.incidents.append(1, number, story.events, story.incident, list(keys), story.events[-1].at)


async def test_incident_numbers_events_and_read_model(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        assert [await uow.incidents.next_number(1) for _ in range(3)] == [1, 2, 3]
        story = Story(number=1)
        await _incident(uow, 1, story)
        first = list(story.events)
        story.do(story.incident.vote(MOD_A, at(5))).do(story.incident.attach_statement(statement(), MOD_B, at(6)))
        more = story.events[len(first) :]
        await uow.incidents.append(1, 1, more, replay(story.events), ["place:hamline elementary"], at(6))
        await uow.incidents.set_card(1, 1, 4242)
        await uow.commit()
    async with uow:
        events = await uow.incidents.events(1, 1)
        assert events == first + more
        [summary] = await uow.incidents.summaries(1)
        assert summary.status.value == "confirmed"
        assert summary.card_message == 4242
        assert summary.reporters == 1
        assert await uow.incidents.events(1, 99) == []
        assert await uow.incidents.keys(1, 1) == ["place:hamline elementary"]


async def test_candidates_are_open_incidents_sharing_a_key_within_the_window(uow):
    place = resolve_place("26th & Pulaski", PlaceBook())
    corner = HAMLINE.__class__(key=place.ref.key, label="26th & Pulaski")
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, Story(number=1, place=corner), place.lookup_keys)
        closed = Story(number=2, place=corner)
        closed.do(closed.incident.debunk("film crew", MOD_A, at(1)))
        await _incident(uow, 2, closed, place.lookup_keys)
        await uow.commit()
    async with uow:
        found = await uow.incidents.candidates(1, place.lookup_keys, at(30), timedelta(hours=2))
        assert [c.number for c in found] == [1]
        assert await uow.incidents.candidates(1, place.lookup_keys, at(60 * 3), timedelta(hours=2)) == []
        assert await uow.incidents.candidates(1, ["corner:1|elsewhere"], at(30), timedelta(hours=2)) == []
        assert await uow.incidents.summaries(1, open_only=True) != await uow.incidents.summaries(1, open_only=False)


async def test_stale_lists_open_incidents_with_no_news_since(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, Story(number=1))
        await uow.commit()
    async with uow:
        assert await uow.incidents.stale(1, at(-1)) == []
        assert await uow.incidents.stale(1, at(1)) == [1]


async def test_reports_reporters_moves_and_recent_counts(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, Story(number=1))
        await _incident(uow, 2, Story(number=2))
        first = await uow.reports.add(1, 1, 1, a_report("p1", 0, "first"))
        second = await uow.reports.add(1, 2, 1, a_report("p2", 5, "second"))
        await uow.commit()
    async with uow:
        assert await uow.reports.reporters(1, 1) == {"p1": 1}
        assert await uow.reports.recent_count(1, "p1", T - timedelta(minutes=1)) == 1
        assert await uow.reports.recent_count(1, "p1", T + timedelta(minutes=1)) == 0
        assert await uow.reports.recent_counts(1, "p1", (T + timedelta(minutes=1), T - timedelta(minutes=1))) == [0, 1]
        await uow.reports.move(1, 2, 1, {second: 2})
        stored = await uow.reports.of_incident(1, 1)
        assert [(r.id, r.ordinal, r.what) for r in stored] == [(first, 1, "first"), (second, 2, "second")]
        assert stored[0].markings == "vests"
        assert await uow.reports.of_incident(1, 2) == []


async def test_standing_accumulates_per_pseudonym(uow):
    async with uow:
        await uow.standing.credit(1, ["p1", "p2"], 1, T)
        await uow.standing.credit(1, ["p1"], -2, T)
        await uow.commit()
    async with uow:
        assert (await uow.standing.score(1, "p1"), await uow.standing.score(1, "p2")) == (-1, 1)
        assert await uow.standing.score(1, "nobody") == 0


async def test_subscriptions_match_areas_once_each_in_one_language(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        await uow.subscriptions.subscribe(1, 10, "Pilsen", Language.EN)
        await uow.subscriptions.subscribe(1, 10, "", Language.ES)  # every area; the language is the person's
        await uow.subscriptions.subscribe(1, 11, "Back of the Yards", Language.EN)
        await uow.subscriptions.subscribe(1, 11, "Back of the Yards", Language.EN)  # again: nothing doubles
        await uow.commit()
    async with uow:
        assert await uow.subscriptions.matching(1, "Pilsen") == [
            Subscriber(Recipient(RecipientKind.DM, 10, Language.ES))
        ]
        assert {s.recipient.address for s in await uow.subscriptions.matching(1, "back of the yards")} == {10, 11}
        assert len(await uow.subscriptions.of(1, 11)) == 1
        assert await uow.subscriptions.unsubscribe(1, 10, "pilsen") == 1
        assert await uow.subscriptions.unsubscribe(1, 10, None) == 1
        assert await uow.subscriptions.matching(1, "Pilsen") == []


async def test_matching_subscribers_come_with_the_area_roles_the_ledger_has_them_wearing(uow):
    """Rows only: who wears which role now; the rules (verification.recipients) decide who a post reaches."""
    async with uow:
        await uow.communities.save(Community(id=1))
        await uow.subscriptions.subscribe(1, 10, "Pilsen", Language.EN)
        await uow.subscriptions.subscribe(1, 11, "Pilsen", Language.EN)
        await uow.area_roles.remember(1, AreaRole("Pilsen", Language.EN, 500), at(1))
        await uow.area_roles.remember(1, AreaRole("", Language.EN, 501), at(1))
        await uow.area_roles.granted(1, 10, 500, at(2))
        await uow.area_roles.granted(1, 10, 501, at(2))
        await uow.area_roles.granted(1, 11, 500, at(2))
        await uow.area_roles.removed(1, 11, 500, at(3))
        await uow.commit()
    async with uow:
        found = {s.recipient.address: s.wearing for s in await uow.subscriptions.matching(1, "pilsen")}
        assert found == {10: frozenset({500, 501}), 11: frozenset()}


async def test_outbox_alerts_deliveries_earlier_recipients_and_cancellation(uow):
    story = Story(number=1)
    story.do(story.incident.vote(MOD_A, at(5))).do(story.incident.vote(MOD_B, at(6)))
    [alert] = owed(story.events)
    channel = Recipient(RecipientKind.CHANNEL, 300, Language.EN)
    dm = Recipient(RecipientKind.DM, 10, Language.ES)
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, story)
        alert_id = await uow.outbox.add_alert(1, alert)
        ids = await uow.outbox.enqueue(alert_id, [NewDelivery(channel, 1), NewDelivery(dm, 1)], at(6))
        await uow.commit()
    async with uow:
        earlier = earlier_recipients(await uow.outbox.alert_log(1, 1))
        assert {(e.recipient, e.alert_delivery) for e in earlier} == {(channel, ids[0]), (dm, ids[1])}
        assert (await uow.outbox.counts(1)).queued == 2
        assert await uow.outbox.cancel_queued(1, 1, "retraction", at(7)) == 2
        assert earlier_recipients(await uow.outbox.alert_log(1, 1)) == []
        log = await uow.outbox.log(1, 1)
        assert {r.state for r in log} == {DeliveryState.CANCELLED}
        assert all(r.error == "retraction" for r in log)
        counts = await uow.outbox.counts()
        assert (counts.cancelled, counts.queued, counts.oldest_pending) == (2, 0, None)


async def test_a_reopened_incident_is_found_again_by_its_keys(uow):
    """Found in review: closing used to drop the keys, so reports after a reopen opened a new incident."""
    place = resolve_place("26th & Pulaski", PlaceBook())
    corner = HAMLINE.__class__(key=place.ref.key, label="26th & Pulaski")
    story = Story(number=1, place=corner)
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, story, place.lookup_keys)
        first = list(story.events)
        story.do(story.incident.resolve(MOD_A, at(5)))
        await uow.incidents.append(1, 1, story.events[len(first) :], story.incident, [], at(5))
        assert await uow.incidents.candidates(1, place.lookup_keys, at(10), timedelta(hours=2)) == []
        middle = list(story.events)
        story.do(story.incident.reopen("they came back", MOD_B, at(20)))
        await uow.incidents.append(1, 1, story.events[len(middle) :], story.incident, [], at(20))
        found = await uow.incidents.candidates(1, place.lookup_keys, at(25), timedelta(hours=2))
        assert [c.number for c in found] == [1]


async def _mark(uow, delivery: int, state: DeliveryState, *, in_doubt: bool = False) -> None:
    """What the delivery worker would have recorded, inside the open transaction."""
    if isinstance(uow, FakeUnitOfWork):
        uow.outbox.mark(delivery, state, in_doubt=in_doubt)
    else:
        await raw_sql.execute(
            uow, "UPDATE deliveries SET state = ?, in_doubt = ? WHERE id = ?", state.value, in_doubt, delivery
        )


def _corrected_story() -> Story:
    story = Story(number=1)
    story.do(story.incident.vote(MOD_A, at(5))).do(story.incident.vote(MOD_B, at(6)))
    return story.do(story.incident.correct("two agents, not four", MOD_A, at(7)))


async def test_closing_cancels_what_was_never_sent_and_the_amendments_waiting_on_it(uow):
    """Found in review: a correction of an ALERT that closing cancelled stayed queued for ever. Closing
    never cancels a correction owed to someone the ALERT reached, nor a delivery in doubt."""
    story = _corrected_story()
    alert, correction = owed(story.events)
    told, untold, doubtful = (Recipient(RecipientKind.DM, user, Language.ES) for user in (10, 11, 12))
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, story)
        alert_rows = await uow.outbox.enqueue(
            await uow.outbox.add_alert(1, alert), [NewDelivery(r, 1) for r in (told, untold, doubtful)], at(6)
        )
        await _mark(uow, alert_rows[0], DeliveryState.SENT)
        await _mark(uow, alert_rows[2], DeliveryState.QUEUED, in_doubt=True)  # a send timed out
        await uow.outbox.enqueue(
            await uow.outbox.add_alert(1, correction),
            [NewDelivery(r, 0, row) for r, row in zip((told, untold, doubtful), alert_rows, strict=True)],
            at(7),
        )
        assert await uow.outbox.cancel_queued(1, 1, "retraction", at(8)) == 2
        states = {(r.kind.value, r.recipient.address): (r.state.value, r.error) for r in await uow.outbox.log(1, 1)}
        assert states == {
            ("alert", 10): ("sent", None),
            ("correction", 10): ("queued", None),
            ("alert", 11): ("cancelled", "retraction"),
            ("correction", 11): ("cancelled", "alert_not_delivered"),
            ("alert", 12): ("queued", None),
            ("correction", 12): ("queued", None),
        }


async def test_earlier_recipients_are_those_an_alert_may_have_reached_and_not_yet_told_it_was_false(uow):
    """An ALERT given up after an attempt that may have arrived still counts; one that surely failed does
    not; nor does an ALERT a RETRACTION was already owed on to that recipient."""
    story = _corrected_story()
    alert, correction = owed(story.events)
    retraction = replace(correction, kind=AlertKind.RETRACTION, seq=3)
    sent, doubtful, failed, retracted = (Recipient(RecipientKind.DM, user, Language.EN) for user in (20, 21, 22, 23))
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, story)
        rows = await uow.outbox.enqueue(
            await uow.outbox.add_alert(1, alert),
            [NewDelivery(r, 1) for r in (sent, doubtful, failed, retracted)],
            at(6),
        )
        for row, state, in_doubt in zip(
            rows,
            (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.FAILED, DeliveryState.SENT),
            (False, True, False, False),
            strict=True,
        ):
            await _mark(uow, row, state, in_doubt=in_doubt)
        await uow.outbox.enqueue(await uow.outbox.add_alert(1, retraction), [NewDelivery(retracted, 0, rows[3])], at(7))
        earlier = earlier_recipients(await uow.outbox.alert_log(1, 1))
        assert {(e.recipient.address, e.alert_delivery) for e in earlier} == {(20, rows[0]), (21, rows[1])}


async def test_reported_by_knows_reporters_on_record_and_those_forget_me_left_a_mark_of(uow):
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, Story(number=1))
        await _incident(uow, 2, Story(number=2))
        ids = [
            await uow.reports.add(1, number, 1, a_report(reporter))
            for number, reporter in [(1, "p1"), (1, "p2"), (2, "p1"), (2, "p3")]
        ]
        assert await uow.reports.reported_by(1, 1, {"p1", "p3", "moderator"}) == {"p1"}
        assert await uow.reports.reported_by(1, 1, set()) == set()
        await uow.reports.forget(1, "p1", T + timedelta(hours=1), keep_since=T + timedelta(minutes=50))
        assert "p1" not in await uow.reports.reporters(1, 1)
        assert await uow.reports.reported_by(1, 1, {"p1", "p2", "p3"}) == {"p1", "p2"}
        assert await uow.reports.reported_by(1, 2, {"p1", "p2"}) == {"p1"}
        assert await uow.reports.reported_by(2, 1, {"p1", "p2"}) == set()  # another community
        await uow.reports.move(1, 2, 1, {ids[2]: 1, ids[3]: 3})
        assert await uow.reports.reported_by(1, 1, {"p1", "p3"}) == {"p1", "p3"}
        assert await uow.reports.reported_by(1, 2, {"p1", "p3"}) == set()
        await uow.commit()
