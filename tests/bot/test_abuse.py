"""Abuse resistance through the emulator: a flood of fake sightings, and hostile text in every field."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.client import Tuning
from bot.demo.live_world import Person, World, open_world
from discord_emulator import ActorError
from tests.bot.conftest import PEOPLE, alerts, set_up

pytestmark = pytest.mark.timeout(300)

PLACES = ["Hamline Elementary", "Whittier Elementary", "Russell Elementary"]


@pytest.fixture
async def flood_world(tmp_path: Path):
    """Production pacing and the production card interval (3 s): the flood meets the real bot."""
    opened = await open_world(tmp_path / "data", PEOPLE, tuning=Tuning(maintenance_every=3600))
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_flood_of_1000_reports_collapses_into_3_cards_and_reaches_no_subscriber(flood_world):
    world = flood_world
    await set_up(world)
    await world.people["sam"].slash("subscribe")
    now = datetime.now(UTC)
    accounts = [
        world.guild.add_member(
            f"flood{i:02}",
            created_at=now - timedelta(days=2 if i < 40 else 400),
            joined_at=now - timedelta(hours=1 if i < 40 else 2000),
        )
        for i in range(50)
    ]
    before = len(world.emu.requests)
    started = asyncio.get_running_loop().time()
    accepted = refused = 0

    async def flood(member, count: int) -> None:
        nonlocal accepted, refused
        for i in range(count):
            result = await member.slash("report", where=PLACES[i % 3], what=f"agents everywhere {i}", when="now")
            if "#" in result.content and "UNVERIFIED" in result.content:
                accepted += 1
            else:
                assert "reports in 10 minutes" in result.content, result.content
                refused += 1

    await asyncio.gather(*(flood(member, 20) for member in accounts))
    await world.settle()
    elapsed = asyncio.get_running_loop().time() - started
    spent = [
        r for r in world.emu.requests[before:] if not r.path.startswith(("/api/v10/interactions", "/api/v10/webhooks"))
    ]
    print(
        f"\nflood: 1,000 reports in {elapsed:.1f} s; {accepted} accepted, {refused} refused by the per-reporter "
        f"limit; {len(spent)} requests to Discord besides the interaction replies (cards: posts and edits)"
    )
    assert (accepted, refused) == (250, 750)
    cards = [m for m in world.queue.messages if m.embeds]
    assert len(cards) == 3
    assert alerts(world.people["sam"]) == []
    assert world.alerts.messages == []
    # Coalescing: at most one edit per card every 3 s, plus the first post, whatever the number of reports.
    assert len(spent) <= 3 * (elapsed / 3.0 + 2)
    hamline = world.card(1).text
    assert "low-trust" in hamline or "new accounts" in hamline
    assert "priority URGENT" in hamline  # a school with 10 established reporters


HOSTILE = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=120),
    st.sampled_from([
        "@everyone", "@here", "<@&1>", "<@1234567890>", "**bold** __u__ ~~s~~ ||spoiler||", "# heading", "> quote",
        "[click](https://evil.example)", "https://evil.example/@everyone", "\u202eevil", "Ham\u200bline", "Hаmline",
        "```code```", "-# tiny", "<t:1700000000:R>", "\\", "\n\n\n", "x" * 99, "'; DROP TABLE reports; --",
        "{number}", "%s %d", "\x00\x07",
    ]),
)  # fmt: skip


def fingerprint(world: World) -> tuple[int, ...]:
    with sqlite3.connect(world.bot.settings.data_dir / "veraz.db") as db:
        tables = ["incident_events", "reports", "statements", "places", "subscriptions", "deliveries", "alerts"]
        return tuple(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables)


async def safely(world: World, call) -> str | None:
    """Run one interaction with hostile input; the bot must answer, politely, and ping nobody."""
    try:
        result = await call
    except ActorError:
        return None  # Discord's own client refuses it (too long, empty): the bot never sees it
    assert not result.failed, "the interaction was not acknowledged in time"
    assert "Something went wrong" not in result.content, result.content
    assert world.emu.errors == []
    assert world.emu.pings == []
    return result.content


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE, field=st.sampled_from(["where", "what", "when", "markings"]))
async def test_hostile_text_in_any_report_field_is_answered_and_never_pings(world, text, field):
    if not world.people["admin"].interactions:
        await set_up(world)
    options = {"where": "Hamline Elementary", "what": "agents", field: text}
    before = fingerprint(world)
    reply = await safely(world, world.people["luis"].slash("report", **options))
    if reply is not None and "UNVERIFIED" not in reply:
        assert fingerprint(world) == before, "a refused report changed the database"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=HOSTILE,
    which=st.sampled_from(
        ["statement", "correct", "update", "reopen", "misidentified", "subscribe", "unsubscribe", "places",
         "places_remove", "places_import", "setup", "modal_ask", "modal_debunk"]
    ),
)  # fmt: skip
async def test_hostile_text_in_moderator_admin_and_subscriber_fields(world, text, which):
    if not world.people["admin"].interactions:
        await set_up(world)
        await world.people["luis"].slash("report", where="Hamline Elementary", what="agents")
        await world.people["luis"].slash("report", where="Whittier Elementary", what="agents")
        await world.settle()
    marta, admin = world.people["marta"], world.people["admin"]
    before = fingerprint(world)
    match which:
        case "statement":
            reply = await safely(world, marta.slash("incident statement", id=1, source=text, stance="denies",
                                                    quote=text, url=text[:100], published=text[:100]))  # fmt: skip
        case "correct":
            reply = await safely(world, marta.slash("incident correct", id=1, text=text))
        case "update":
            reply = await safely(world, marta.slash("incident update", id=1, text=text))
        case "reopen":
            reply = await safely(world, marta.slash("incident reopen", id=1, reason=text))
        case "misidentified":
            reply = await safely(world, marta.slash("incident misidentified", id=2, correction=text))
        case "subscribe":
            reply = await safely(world, world.people["pat"].slash("subscribe", area=text[:100]))
        case "unsubscribe":
            reply = await safely(world, world.people["pat"].slash("unsubscribe", area=text[:100]))
        case "places":
            reply = await safely(world, admin.slash("places add", name=text, area=text[:100], kind="other",
                                                    aliases=text))  # fmt: skip
        case "places_remove":
            reply = await safely(world, admin.slash("places remove", name=text))
        case "places_import":
            csv = f"name,area,kind,aliases\n{text},{text},school,{text}\n".encode()
            reply = await safely(world, admin.slash("places import", file=("p.csv", csv)))
        case "setup":
            reply = await safely(world, admin.slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                                                    alerts_channel=world.alerts, timezone=text[:64]))  # fmt: skip
            await admin.slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                              alerts_channel=world.alerts, timezone="America/Chicago", language="en")  # fmt: skip
        case "modal_ask":
            opened = await world.people["dev"].click(world.card(1), "Ask reporters")
            reply = await safely(world, world.people["dev"].submit_modal(opened, {"text": text[:500]}))
        case _:
            await world.people["dev"].slash("incident reopen", id=2, reason="fuzzing")  # if an earlier case closed it
            await world.settle()
            opened = await world.people["dev"].click(world.card(2), "Debunk")
            reply = await safely(world, world.people["dev"].submit_modal(opened, {"text": text}))
    await world.settle()
    assert world.emu.pings == []
    refused_markers = ("not", "No ", "Please", "no ", "refus", "Only", "too", "There is")
    if reply is not None and which in ("statement", "places", "debunk") and reply.startswith(refused_markers):
        assert fingerprint(world) == before, f"a refused {which} changed the database: {reply}"


__all__ = ["Person"]
