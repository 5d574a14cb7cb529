"""Repository contract: the in-memory fake and SQLite behave the same through the domain's ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders import HAMLINE, MOD_A, MOD_B, Story, at, statement
from verification.alerts import owed
from verification.clustering import PlaceBook, resolve_place
from verification.community import Community, Recipient, RecipientKind
from verification.incident import replay
from verification.model import Agency, Language, Place, PlaceKind, Report
from verification.ports import DeliveryState, NewDelivery

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
        assert await uow.subscriptions.matching(1, "Pilsen") == [Recipient(RecipientKind.DM, 10, Language.ES)]
        assert {r.address for r in await uow.subscriptions.matching(1, "back of the yards")} == {10, 11}
        assert len(await uow.subscriptions.of(1, 11)) == 1
        assert await uow.subscriptions.unsubscribe(1, 10, "pilsen") == 1
        assert await uow.subscriptions.unsubscribe(1, 10, None) == 1
        assert await uow.subscriptions.matching(1, "Pilsen") == []


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
        earlier = await uow.outbox.earlier_recipients(1, 1)
        assert {(e.recipient, e.alert_delivery) for e in earlier} == {(channel, ids[0]), (dm, ids[1])}
        assert (await uow.outbox.counts(1)).queued == 2
        assert await uow.outbox.cancel_queued(1, 1, "retraction", at(7)) == 2
        assert await uow.outbox.earlier_recipients(1, 1) == []
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


async def test_closing_never_cancels_a_correction_nor_a_delivery_already_claimed(uow):
    story = Story(number=1)
    story.do(story.incident.vote(MOD_A, at(5))).do(story.incident.vote(MOD_B, at(6)))
    story.do(story.incident.correct("two agents, not four", MOD_A, at(7)))
    alert, correction = owed(story.events)
    dm = Recipient(RecipientKind.DM, 10, Language.ES)
    async with uow:
        await uow.communities.save(Community(id=1))
        await _incident(uow, 1, story)
        [alert_row] = await uow.outbox.enqueue(await uow.outbox.add_alert(1, alert), [NewDelivery(dm, 1)], at(6))
        await uow.outbox.enqueue(await uow.outbox.add_alert(1, correction), [NewDelivery(dm, 0, alert_row)], at(7))
        assert await uow.outbox.cancel_queued(1, 1, "retraction", at(8)) == 1  # the ALERT only
        states = {r.kind.value: r.state.value for r in await uow.outbox.log(1, 1)}
        assert states == {"alert": "cancelled", "correction": "queued"}
