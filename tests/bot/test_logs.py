"""Issue 26 §4: logs that tell an operator what happened, in lines of the weight they deserve."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

import storage
from bot.core import logs
from storage.sqlite.migrations import bundled
from tests.bot.conftest import alerts, set_up


@pytest.fixture
def configure() -> Iterator[Callable[[str], None]]:
    """`logs.configure` as `veraz run` calls it (inside the test, which is when capsys holds stderr); the
    logging of the test session put back afterwards."""
    root, discord_logger = logging.getLogger(), logging.getLogger("discord")
    saved = (root.handlers[:], root.level, discord_logger.level)
    try:
        yield logs.configure
    finally:
        root.handlers[:], level, discord_level = saved
        root.setLevel(level)
        discord_logger.setLevel(discord_level)


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    err = capsys.readouterr().err
    assert "Logging error" not in err, err
    return [json.loads(line) for line in err.splitlines()]


def test_rate_limit_pacing_is_info_without_ids(configure, capsys) -> None:
    configure("INFO")
    http = logging.getLogger("discord.http")
    fmt = "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds."
    http.warning(fmt, "POST", "https://discord.com/api/v10/channels/1330000000000000001/messages", 0.4)
    [line] = lines(capsys)
    assert line["level"] == "info"
    assert line["event"] == "We are being rate limited. POST https://discord.com/api/v10/channels/#/messages " \
                           "responded with 429. Retrying in 0.40 seconds."  # fmt: skip


def test_rate_limit_pacing_is_left_out_at_warning(configure, capsys) -> None:
    configure("WARNING")
    logging.getLogger("discord.http").warning("We are being rate limited. %s %s responded with 429.", "GET", "/x")
    assert capsys.readouterr().err == ""


def test_a_reconnect_is_one_short_line(configure, capsys) -> None:
    configure("INFO")
    try:
        raise aiohttp.ClientConnectionError("Cannot connect to host gateway.discord.gg:443")
    except aiohttp.ClientError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 1.5)
    [line] = lines(capsys)
    assert line["level"] == "warning"
    assert line["event"] == "Attempting a reconnect in 1.50s"
    assert line["cause"] == "ClientConnectionError: Cannot connect to host gateway.discord.gg:443"
    assert "exception" not in line


async def test_every_migration_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with sqlite3.connect(tmp_path / storage.DATABASE_NAME) as db:
        db.executescript(bundled()[0].sql + "\nPRAGMA user_version = 1;")
    caplog.set_level(logging.INFO)
    database = await storage.open_database(tmp_path)
    await database.close()
    migrated = [r for r in caplog.records if r.getMessage() == "database migrated"]
    assert [(r.__dict__["from"], r.__dict__["to"]) for r in migrated] == [(v, v + 1) for v in range(1, len(bundled()))]


async def test_an_alerts_life_admin_changes_start_and_stop_are_logged(world, caplog) -> None:
    caplog.set_level(logging.INFO)
    await set_up(world)
    await world.people["admin"].slash("settings", retention_days=14, feed="on")
    for who in ("sam", "luis"):
        await world.people[who].slash("subscribe")
    await world.people["rosa"].slash("report", where="Hamline Elementary", what="two agents at the door")
    await world.settle()
    await world.people["marta"].click(world.card(1), "Confirm")
    await world.people["dev"].click(world.card(1), "Confirm")
    await world.settle()
    # A send the loaded machine made the emulator refuse is retried a little later, after "nothing due".
    sam = world.people["sam"]
    await world.emu.wait_for(lambda: len(alerts(sam)) == 1 or None, 30, "sam's alert")
    await world.settle()
    await world.restart_bot()

    def logged(event: str) -> list[dict[str, object]]:
        return [r.__dict__ for r in caplog.records if r.getMessage() == event]

    [setup] = logged("community set up")
    assert setup["guild"] == world.guild.id
    assert setup["queue_channel"] == world.queue.id
    [settings] = logged("settings changed")
    assert settings["changed"] == {"retention_days": 14, "feed": "on"}
    assert logged("public feed turned on")
    [queued] = logged("alert queued")
    # Two subscribers by DM, and the alerts channel.
    assert (queued["incident"], queued["kind"], queued["recipients"]) == (1, "alert", 3)
    [done] = [r for r in logged("alert fan-out done") if r["kind"] == "alert"]
    assert (done["incident"], done["sent"], done["failed"], done["in_doubt"]) == (1, 3, 0, 0)
    assert isinstance(done["seconds"], float)
    [started] = logged("veraz started")  # the first start was before the test began capturing
    assert started["schema"] == len(bundled())
    assert started["data_dir"] == str(world.bot.settings.data_dir)
    assert started["version"]
    [stopped] = logged("veraz stopped")
    assert (stopped["queued"], stopped["in_flight"]) == (0, 0)
    for record in caplog.records:  # no person's id, at any level
        text = json.dumps(record.__dict__, default=str)
        for person in world.people.values():
            assert str(person.id) not in text, record.getMessage()
