"""Alerts never name, picture or locate private people (issue 23 §1): over a hundred place texts that name
people, families, homes and their numbers, or immigration status (tests/data/hostile_places.txt), each
filed as a report in a community with Chicago's places, confirmed by two moderators the way they would
(Confirm; where Veraz asks for the place, the one it offers, or the area typed), and read on every surface
subscribers see: the DM and the alerts-channel post in both languages, the public page, Atom and CAP,
served over HTTP from the real SQLite file. None of the private words may appear on any of them."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer

import storage
from bot.core.alert_text import render_alert
from bot.feed.server import FeedServer
from storage.sqlite.feed import SqliteFeedSource
from tests.builders import MOD_A, MOD_B
from tests.fakes import moderator_pseudonyms
from tests.feed.world import NOW
from verification import usecases
from verification.alerts import AlertKind
from verification.errors import RuleViolation
from verification.model import Language, Status
from verification.ports import UnitOfWork
from verification.usecases import ReportInput, Setup

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile_places.txt"
PLACES = Path(__file__).resolve().parents[2] / "bench" / "data" / "places.csv"
FIRST = 10_000  # community ids: one community a text, so that no two texts meet in one incident
ZONE = ZoneInfo("America/Chicago")
AREA = "Little Village"  # what a moderator types when Veraz offers nothing


@dataclass(frozen=True, slots=True)
class Hostile:
    text: str
    private: tuple[str, ...]


def hostile_places() -> list[Hostile]:
    found = []
    for line in HOSTILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        text, _, private = line.partition(" || ")
        found.append(Hostile(text, tuple(p.strip() for p in private.split(";") if p.strip())))
    return found


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", html.unescape(text).replace("\\", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def leaks(private: tuple[str, ...], surface: str) -> list[str]:
    """The private words `surface` shows, as whole words, whatever their case or accents."""
    shown = _folded(surface)
    return [p for p in private if re.search(rf"(?<!\w){re.escape(_folded(p))}(?!\w)", shown)]


def test_the_set_is_large_varied_and_in_both_languages() -> None:
    found = hostile_places()
    assert len(found) >= 100
    assert len({h.text for h in found}) == len(found)
    assert all(h.private for h in found)
    spanish = [h for h in found if re.search(r"\b(casa|la|los|de|del|en|vive|señora|familia)\b", h.text)]
    assert 40 <= len(spanish) <= len(found) - 40


async def _refused(vote: Awaitable[object]) -> str | None:
    """The code of the refusal, if the vote was refused."""
    try:
        await vote
    except RuleViolation as refused:
        return refused.code
    return None


async def _file_and_confirm(uow: UnitOfWork, community: int, text: str) -> tuple[bool, str]:
    """File `text` and confirm it as two moderators would. Returns whether Veraz asked for the place,
    and the place a moderator gave (what Veraz offered, else the area)."""
    lang = Language.ES if community % 2 else Language.EN
    setup = Setup(community, moderator_role=100, queue_channel=200, alerts_channel=300,
                  timezone="America/Chicago", language=lang)  # fmt: skip
    await usecases.configure_community(uow, setup)
    await usecases.import_places(uow, community, PLACES.read_text(encoding="utf-8"))
    await usecases.subscribe(uow, community, 501, None, lang)
    await usecases.set_feed(uow, community, on=True)  # the feed is a recipient from when it is on (issue 23)
    filed = await usecases.submit_report(
        uow, NOW - timedelta(minutes=4), ReportInput(community, f"r{community}", text, "ICE, 2 trucks", None)
    )
    given = ""
    refused = await _refused(usecases.vote_confirm(uow, NOW, community, filed.number, MOD_A,
                                                   pseudonyms=moderator_pseudonyms))  # fmt: skip
    if refused is not None:
        assert refused in ("place_unapproved", "place_unapproved_suggested"), (text, refused)
        given = filed.incident.place.suggested or AREA
        await usecases.vote_confirm(
            uow, NOW, community, filed.number, MOD_A, pseudonyms=moderator_pseudonyms, place=given
        )
    confirmed = await usecases.vote_confirm(uow, NOW, community, filed.number, MOD_B, pseudonyms=moderator_pseudonyms)
    assert confirmed.status is Status.CONFIRMED, text
    assert [a.kind for a in confirmed.alerts] == [AlertKind.ALERT], text
    return bool(given), given


@pytest.mark.slow
async def test_no_private_word_reaches_a_dm_the_channel_the_page_atom_or_cap(tmp_path: Path) -> None:
    found = hostile_places()
    database = await storage.open_database(tmp_path)
    asked: list[str] = []
    try:
        uow = database.unit_of_work()
        for index, hostile in enumerate(found):
            was_asked, _ = await _file_and_confirm(uow, FIRST + index, hostile.text)
            if was_asked:
                asked.append(hostile.text)
        # As the delivery worker would have: every DM and channel post went out.
        await database.db.execute("UPDATE deliveries SET state = 'sent' WHERE state = 'queued'")
        source = await SqliteFeedSource.open(tmp_path)
        server = FeedServer(source, "https://alerts.example.org", now=lambda: NOW, rate=10_000.0, burst=10_000)
        problems: list[str] = []
        async with TestClient(TestServer(server.app())) as client:
            for index, hostile in enumerate(found):
                community = await source.community_by_id(FIRST + index)
                assert community is not None
                slug = community.feed_slug
                assert slug is not None
                published = await source.published(community.id)
                assert [p.message.kind for p in published] == [AlertKind.ALERT], hostile.text
                surfaces = {"page": await (await client.get(f"/{slug}/")).text(),
                            "atom": await (await client.get(f"/{slug}/alerts.atom")).text()}  # fmt: skip
                for p in published:
                    surfaces[f"cap {p.id}"] = await (await client.get(f"/{slug}/cap/{p.id}.xml")).text()
                    for lang in Language:
                        for direct, name in ((True, "dm"), (False, "channel")):
                            text = render_alert(p.message, lang, ZONE, community=community.id, direct=direct)
                            surfaces[f"{name} {lang.value}"] = text
                assert "ALERT" in surfaces["page"] or "ALERTA" in surfaces["page"], hostile.text
                for name, surface in surfaces.items():
                    shown = leaks(hostile.private, surface)
                    if shown:
                        place = published[0].message.facts.place
                        problems.append(f"{hostile.text!r}: {name} shows {shown} (place {place!r})")
        await source.close()
    finally:
        await database.close()
    assert not problems, "\n".join(problems)
    # Not vacuous: most of these texts are words Veraz must not publish as they stand, and it asked.
    assert len(asked) >= len(found) // 2, len(asked)


def test_the_leak_check_finds_words_as_they_would_show() -> None:
    assert leaks(("Martínez", "3B"), "ALERT #1 · Martinez house, apt 3B") == ["Martínez", "3B"]
    assert leaks(("Rosa",), "Rosario's") == []
    assert leaks(("casa #12",), "ALERT · #1 · casa \\#12") == ["casa #12"]
    assert leaks(("Nuñez",), "<title>Los Nu&#241;ez</title>") == ["Nuñez"]
