"""Reports as people type them, end to end (issue 12): a time that cannot be read is kept and set with
one tap; a hedged time shows as a window; a place that names two known places or none is kept, with a
menu that moves it; near misses reach the card with a Merge button; moderators name the place."""

from __future__ import annotations

import pytest

from bot.demo.live_world import World
from bot.features.reporting.cog import TYPED
from discord_emulator import ActorError, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, VIEW_CHANNEL
from tests.bot.conftest import set_up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


async def test_a_time_nobody_can_read_is_kept_and_set_with_one_tap(world: World):
    await set_up(world)
    luis = world.people["luis"]
    reply = await luis.slash("report", where="Hamline Elementary", what="2 agents at the door",
                             when="when I was leaving work")  # fmt: skip
    assert "#1" in reply.content
    assert "could not read when" in reply.content
    labels = [b.get("label") for b in reply.message.buttons]
    assert labels == ["Now", "5 min ago", "15 min ago", "30 min ago", "1 hour ago", "Leave it"]
    await world.settle()
    assert "time not given" in world.card(1).text
    done = await luis.click(reply.message, "15 min ago")
    assert "now says" in done.content
    await world.settle()
    assert "time not given" not in world.card(1).text
    again = await luis.click(reply.message, "5 min ago")  # a double tap: the time is set once
    assert "already has a time" in again.content


async def test_someone_elses_tap_on_a_time_button_changes_nothing(world: World):
    await set_up(world)
    reply = await world.people["luis"].slash("report", where="Hamline Elementary", what="agents",
                                             when="no idea, sorry")  # fmt: skip
    custom_id = next(b["custom_id"] for b in reply.message.buttons if b.get("label") == "Now")
    sam = world.people["sam"]
    with pytest.raises(ActorError):  # an ephemeral message is the reporter's alone...
        await sam.click(reply.message, custom_id=custom_id)
    await world.settle()
    assert "time not given" in world.card(1).text


async def test_a_hedged_time_is_shown_as_a_window_never_as_a_made_up_minute(world: World):
    await set_up(world)
    await world.people["rosa"].slash("report", where="Hamline Elementary", what="la migra en la puerta",
                                     when="hace como 20 min!!")  # fmt: skip
    await world.settle()
    card = world.card(1).text
    assert "between" in card or "about" in card


async def test_a_place_that_names_two_known_places_is_kept_and_the_reporter_picks(world: World):
    """A school and a park share "Whittier": kept as typed, with a menu; the pick names the place,
    and later reports about the school join it."""
    await set_up(world)
    luis = world.people["luis"]
    reply = await luis.slash("report", where="whittier!!", what="ICE van parked outside")
    assert "#1" in reply.content
    assert "could not tell surely which place" in reply.content
    picked = await luis.select(reply.message, ["whittier elementary"])  # the menu offers known places by key
    assert "incident #1" in picked.content
    assert "Whittier Elementary" in picked.content
    await world.settle()
    assert "Whittier Elementary" in world.card(1).text.split("\n")[0]
    later = await world.people["rosa"].slash("report", where="escuela Whittier", what="siguen ahi")
    assert "#1" in later.content
    again = await luis.select(reply.message, [TYPED])  # two reporters now: the place is theirs no more
    assert "can no longer be changed" in again.content


async def test_a_near_miss_is_on_the_card_with_a_merge_button_for_moderators_only(world: World):
    await set_up(world)
    await world.people["rosa"].slash("report", where="26th & Pulaski", what="3 camionetas de ICE")
    await world.people["luis"].slash("report", where="27th and Pulaski", what="agents on the corner")
    await world.settle()
    card = world.card(2)
    assert "Possibly the same as" in card.text
    assert "#1" in card.text
    # Sees the queue by an admin's mistake, but lacks the moderator role: the bot refuses.
    outsider = world.guild.add_member("outsider")
    world.queue.overwrites.append(overwrite(outsider, allow=VIEW_CHANNEL))
    refused = await outsider.click(card, "Merge into #1")
    assert "moderators" in refused.content.lower()
    merged = await world.people["dev"].click(card, "Merge into #1")
    assert "Merged into #1" in merged.content


async def test_moderators_name_the_place_and_a_house_number_stays_a_block(world: World):
    await set_up(world)
    await world.people["rosa"].slash("report", where="la casa azul de la Pulaski", what="se llevaron a alguien")
    done = await world.people["dev"].slash("incident place", id=1, place="2314 S Pulaski Rd, the blue house")
    assert "#1" in done.content
    await world.settle()
    card = world.card(1).text
    assert "2314" not in card.split("\n")[0]  # the title shows the block, never the house number
    assert "2300" in card.split("\n")[0]
    outsider = world.guild.add_member("outsider", permissions=MANAGE_MESSAGES)  # sees the command, no role
    refused = await outsider.slash("incident place", id=1, place="anything")
    assert "moderators" in refused.content.lower()


async def test_a_report_takes_one_transaction_and_its_card_one_read(world):
    """The report is stored in one transaction; its card reads once, and writes its message id the first
    time it is posted. Counted as SQLite sees them: the transactions on the bot's connection, leaving out
    the delivery worker's (it has nothing to send for an unconfirmed report) and the one-off read of the
    community's settings into the cache."""
    await set_up(world)
    statements: list[str] = []
    await world.bot.database.db.set_trace_callback(statements.append)
    luis, rosa = world.people["luis"], world.people["rosa"]
    await luis.slash("report", where="Hamline Elementary", what="two agents at the door")
    await world.settle()
    first = transactions(statements)
    statements.clear()
    await rosa.slash("report", where="Hamline Elementary", what="la migra en la escuela", when="ahorita")
    await world.settle()
    joined = transactions(statements)
    await world.bot.database.db.set_trace_callback(None)
    assert len(joined) == 2, joined  # the report, the card's read
    assert len(first) <= 4, first  # the settings (once per process), the report, the card's read and its id


def transactions(statements: list[str]) -> list[str]:
    """The first statement of each transaction, without the delivery worker's."""
    found: list[list[str]] = []
    for statement in statements:
        if statement.startswith("BEGIN"):
            found.append([])
        elif found:
            found[-1].append(statement)
    return [t[0][:60] for t in found if t and "deliveries" not in " ".join(t)]


@pytest.mark.parametrize(("who", "says"), [("luis", "Photos you attach"), ("rosa", "Las fotos que adjunte")])
async def test_the_first_report_says_what_is_kept_of_it_and_of_its_photos(world: World, who, says):
    """The notice comes once, in the reporter's language, and names photos, which /report takes."""
    await set_up(world)
    first = await world.people[who].slash("report", where="Hamline Elementary", what="agents at the door")
    assert says in first.content
    assert "180" in first.content
    second = await world.people[who].slash("report", where="Hamline Elementary", what="still there")
    assert says not in second.content
