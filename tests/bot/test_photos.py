"""Photos as evidence (issue 24), end to end: the real bot on real discord.py against the emulator, whose
CDN serves the attachments, with photos made here (EXIF capture times, camera and GPS written by Pillow).

Private (only in the queue channel, as a reply to the card), stripped (no metadata at all in what is
posted, no coordinates ever kept), dated on the card, checked for reuse within a server only, forgotten
with the report, and never in intake's way.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

import storage
from bot.client import Tuning
from bot.core.clock import ScriptedClock
from bot.demo.live_world import World, open_world
from bot.features.photos.intake import PhotoIntake
from tests.bot.conftest import PEOPLE, set_up
from tests.bot.test_two_servers import Second
from tests.photos import CAMERA_MODEL, METADATA_MARKERS, encode, exif, jpeg, jpeg_blocks, street
from verification.effects import Effects

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
CHICAGO = ZoneInfo("America/Chicago")
START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = ScriptedClock(START)
    opened = await open_world(
        tmp_path / "data", PEOPLE, clock=clock, tuning=Tuning(card_interval=0.0, maintenance_every=3600)
    )
    try:
        yield opened
    finally:
        await opened.close()
    assert opened.emu.errors == [], "the emulator crashed while handling a request"


def photos_of(world: World) -> PhotoIntake:
    cog = world.bot.get_cog("Photos")
    assert isinstance(cog, PhotoIntake)
    return cog


async def taken_in(world: World, *results) -> None:
    """Every photo of these reports taken in (its reporter told), and the cards redrawn."""
    for result in results:
        await result.wait_for_followup(timeout=60)
    await photos_of(world).idle()
    await world.settle()


def card_photos(world: World, number: int) -> str:
    fields = world.card(number).embeds[0]["fields"]
    return next(f["value"] for f in fields if f["name"].startswith("Photos"))


def photo_posts(world: World) -> list:
    return [m for m in world.queue.messages if m.attachments]


def local(moment: datetime) -> datetime:
    """The camera's wall clock in Chicago, as EXIF writes it (no zone)."""
    return moment.astimezone(CHICAGO).replace(tzinfo=None)


def offset_of(moment: datetime) -> str:
    minutes = int(moment.astimezone(CHICAGO).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


async def test_the_queued_photo_has_no_metadata_and_the_card_dates_it(world: World):
    await set_up(world)
    taken = START - timedelta(minutes=3)
    sent = jpeg(street(1), exif(local(taken), offset=offset_of(taken)))
    assert b"Exif" in sent
    assert CAMERA_MODEL.encode() in sent

    result = await world.people["rosa"].slash("report", where="Hamline Elementary", what="una camioneta gris",
                                              foto=("IMG_20250314_casa.jpg", sent, "image/jpeg"))  # fmt: skip
    assert "#1" in result.content  # the report's reply does not wait for the photo
    told = await result.wait_for_followup(timeout=60)
    assert "enviada solo a los moderadores" in told.content
    assert "GPS" in told.content  # she learns the file said where she was, and that it was removed
    await taken_in(world)

    [post] = photo_posts(world)
    assert post.message_reference["message_id"] == str(world.card(1).id)  # a reply to the card
    [attachment] = post.attachments
    assert attachment.filename == "photo-1.jpg"  # not the file's own name
    posted = attachment.data
    assert [marker for marker, _ in jpeg_blocks(posted) if marker in METADATA_MARKERS] == []
    [(app0, header)] = [(m, b) for m, b in jpeg_blocks(posted) if 0xE0 <= m <= 0xEF]
    assert app0 == 0xE0
    assert header.startswith(b"JFIF\x00")
    assert b"Exif" not in posted
    assert CAMERA_MODEL.encode() not in posted
    assert b"47th and Damen" not in posted
    with Image.open(io.BytesIO(posted)) as image:
        assert dict(image.getexif()) == {}
        assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}

    line = card_photos(world, 1)
    assert f"taken {local(taken):%H:%M}, 3 minutes before the report" in line
    assert CAMERA_MODEL in line
    assert "location: removed, not kept" in line
    assert f"#1 · R1 photo 1: taken {local(taken):%H:%M}" in post.content  # the card's line, in the server's language
    # Nothing of where it was taken was kept: the table has no place for it, and the file is not in the database.
    database = world.bot.database
    async with database.transaction() as uow:
        columns = [row[1] for row in await uow.db.execute_fetchall("PRAGMA table_info(photos)")]
        [row] = await uow.db.execute_fetchall("SELECT * FROM photos")
    assert not any("lat" in c or "lon" in c or "gps_" in c for c in columns)
    assert not any(isinstance(v, str) and ("41" in v and "48" in v) for v in row)
    assert sent[-2000:] not in await asyncio.to_thread(Path(database.path).read_bytes)


async def test_an_older_photo_and_one_without_a_capture_time_are_said_so(world: World):
    await set_up(world)
    old = jpeg(street(2), exif(datetime(2023, 3, 14, 9, 5), gps=False))
    bare = jpeg(street(3))
    result = await world.people["luis"].slash("report", where="Hamline Elementary", what="agents",
                                              photo=("a.jpg", old), photo2=("b.jpg", bare))  # fmt: skip
    told = await result.wait_for_followup(timeout=30)
    assert told.content.count("sent to the moderators only") == 2, told.content
    await taken_in(world, result)
    line = card_photos(world, 1)
    assert "R1 photo 1: taken 14 March 2023: an older photo" in line
    assert "R1 photo 2: no capture time" in line
    assert "location" not in line  # neither file said where it was taken
    assert len(photo_posts(world)) == 2


async def test_a_rescaled_copy_sent_a_week_later_is_flagged_with_the_earlier_outcome(world: World):
    await set_up(world)
    original = street(4, 1600, 1200)
    van = jpeg(original, exif(local(START), gps=False))
    first = await world.people["luis"].slash("report", where="Hamline Elementary", what="agents at the door",
                                             photo=("van.jpg", van))  # fmt: skip
    await taken_in(world, first)
    await world.people["marta"].slash("incident debunk", id=1, reason="an old photo from another city")
    await world.settle()

    world.bot.clock.set(START + timedelta(days=7))  # type: ignore[attr-defined]
    copy = original.resize((800, 600), Image.Resampling.LANCZOS)
    result = await world.people["sam"].slash("report", where="Davis Square Park", what="van with agents",
                                              photo=("forwarded.webp", encode(copy, "WEBP", quality=60)))  # fmt: skip
    assert "#2" in result.content
    await taken_in(world, result)
    assert "⚠ this photo was also sent with #1, 7 days ago (debunked)" in card_photos(world, 2)
    [_, second] = photo_posts(world)
    assert "#1, 7 days ago (debunked)" in second.content
    # A different scene sent the same day is not flagged.
    other = await world.people["pat"].slash("report", where="Davis Square Park", what="another van",
                                            photo=("other.jpg", jpeg(street(5, 1600, 1200))))  # fmt: skip
    await taken_in(world, other)
    assert "also sent" not in card_photos(world, 2).split("\n")[-1]


async def test_servers_never_learn_of_each_others_photos(world: World):
    await set_up(world)
    b = Second(world)
    await b.set_up(world)
    picture = jpeg(street(6))
    in_a = await world.people["rosa"].slash("report", where="Hamline Elementary", what="agentes",
                                            foto=("a.jpg", picture))  # fmt: skip
    await taken_in(world, in_a)
    in_b = await b.people["luis"].slash("report", where="Hamline Elementary", what="agents", photo=("a.jpg", picture))
    await taken_in(world, in_b)
    assert "also sent" not in card_photos(world, 1)
    card_b = b.card(1).embeds[0]["fields"]
    assert "also sent" not in next(f["value"] for f in card_b if f["name"].startswith("Photos"))
    assert len(photo_posts(world)) == 1
    assert len([m for m in b.queue.messages if m.attachments]) == 1


async def test_no_subscriber_facing_surface_carries_an_image_or_a_link_to_one(world: World, tmp_path: Path):
    await set_up(world)
    for name in ("sam", "lucia", "pat"):
        await world.people[name].slash("subscribe")
    result = await world.people["luis"].slash("report", where="Hamline Elementary", what="two agents at the door",
                                              photo=("a.jpg", jpeg(street(7), exif(local(START)))),
                                              photo2=("b.png", encode(street(8), "PNG")))  # fmt: skip
    await taken_in(world, result)
    marta = world.people["marta"]
    await marta.slash("incident statement", id=1, source="Chicago Public Schools", stance="confirms")
    await marta.slash("incident confirm", id=1)
    await marta.slash("incident update", id=1, text="still there")
    await world.settle()
    cdn = world.emu.api_base.split("/api")[0]
    assert len(photo_posts(world)) == 2
    seen = []
    for person in world.people.values():
        seen += person.dms
    for channel in world.emu.services.world.channels.values():  # the alerts channel, DMs, any other
        if channel.id != world.queue.id:
            seen += [m for m in channel.all_messages if not m.deleted]
    assert any("ALERT" in m.content for m in seen)
    for message in seen:
        assert message.attachments == [], message.content
        text = json.dumps({"content": message.content, "embeds": message.embeds})
        assert "attachments/" not in text
        assert cdn not in text
        assert "photo" not in text.lower()
        assert "foto" not in text.lower()
    status = await world.people["pat"].slash("status", incident=1)
    assert "attachments/" not in status.content
    assert "photo" not in status.content.lower()
    exported = json.dumps(await storage.export_community(world.bot.database, world.guild.guild.id, START))
    assert "photo" not in exported.lower()
    assert "Pixel" not in exported
    async with world.bot.database.transaction() as uow:  # what the public feed and CAP are made of
        alerts = await uow.db.execute_fetchall("SELECT * FROM alerts")
    assert alerts
    assert all("attachments/" not in str(tuple(row)) and "photo" not in str(tuple(row)).lower() for row in alerts)


async def test_a_malformed_file_or_a_decompression_bomb_is_answered_and_the_report_is_filed(world: World):
    await set_up(world)
    bomb = encode(Image.new("L", (20_000, 20_000)), "PNG")  # 400 megapixels in a small file
    assert len(bomb) < 2_000_000
    cut = jpeg(street(9))[:5000]  # a JPEG whose data stops early
    cases = [
        (("notes.jpg", b"this is not a picture at all"), "is not one that can be read"),
        (("bomb.png", bomb), "larger than 50 megapixels"),
        (("cut.jpg", cut), "is not one that can be read"),
        (("anim.gif", encode(street(10).resize((200, 150)), "GIF")), "Only JPEG, PNG, WebP and HEIC"),
    ]
    for number, (photo, said) in enumerate(cases, start=1):
        avenue = ("Ashland", "Halsted", "Western", "Pulaski")[number - 1]
        result = await world.people["sam"].slash("report", where=f"4700 S {avenue} Ave", what="agents",
                                                 photo=photo)  # fmt: skip
        assert "Your report is part of incident" in result.content, result.content
        told = await result.wait_for_followup(timeout=30)
        assert f"{photo[0].replace('.', chr(92) + '.')} was not used." in told.content  # the name, escaped
        assert said in told.content
        assert "Your report is filed all the same." in told.content
    await taken_in(world)
    assert photo_posts(world) == []
    assert len([m for m in world.queue.messages if m.embeds]) >= 1  # the reports are filed, with their cards
    async with world.bot.database.transaction() as uow:
        assert len(await uow.db.execute_fetchall("SELECT id FROM reports")) == len(cases)


async def test_a_flood_of_images_does_not_slow_intake(world: World):
    await set_up(world)
    big = [jpeg(street(20 + i, 3000, 2250), quality=95) for i in range(4)]
    names = ["rosa", "luis", "sam", "lucia", "pat", "dev"]

    results = []

    async def replied_in(name: str, i: int, photos: bool) -> float:
        options = {"photo": ("a.jpg", big[i % 4]), "photo2": ("b.jpg", big[(i + 1) % 4])} if photos else {}
        started = time.monotonic()
        result = await world.people[name].slash("report", where=f"{200 + i} Main St", what="agents", **options)
        took = time.monotonic() - started
        assert "#" in result.content, result.content
        if photos:
            results.append(result)
        return took

    quiet = [await replied_in(names[i], i, photos=False) for i in range(6)]
    flood = [await replied_in(names[i % 6], 6 + i, photos=True) for i in range(12)]
    busy_after = photos_of(world).busy + photos_of(world)._queue.qsize()
    await taken_in(world, *results)
    print(f"\n/report reply: quiet max {max(quiet):.3f}s; during the flood max {max(flood):.3f}s, "
          f"mean {sum(flood) / len(flood):.3f}s; photos still waiting after the last reply: {busy_after}")  # fmt: skip
    assert busy_after > 0  # the photos were still being taken in while the reports were answered
    assert max(flood) < max(0.75, 3 * max(quiet))
    assert len(photo_posts(world)) > 0


async def test_forget_me_and_retention_delete_the_photo_posts(world: World):
    await set_up(world)
    rosa = await world.people["rosa"].slash("report", where="Hamline Elementary", what="agentes",
                                            foto=("a.jpg", jpeg(street(11), exif(local(START)))))  # fmt: skip
    luis = await world.people["luis"].slash("report", where="Davis Square Park", what="agents",
                                            photo=("b.jpg", jpeg(street(12))))  # fmt: skip
    await taken_in(world, rosa, luis)
    rosas, luis_post = photo_posts(world)

    await world.people["rosa"].slash("olvidarme")
    await world.emu.wait_for(lambda: rosas.deleted, timeout=10, what="Rosa's photo post deleted")
    assert not luis_post.deleted
    await world.settle()
    assert "R1 photo 1: removed" in card_photos(world, 1)

    # Retention: #2 is resolved, then its reports are purged once the retention period has passed.
    await world.people["marta"].slash("incident resolve", id=2)
    later = START + timedelta(days=400)
    result = await storage.purge(world.bot.database, later)
    assert result.photos == 1
    world.bot.show_effects(Effects(cards=frozenset(result.incidents), photo_posts=True))
    await world.emu.wait_for(lambda: luis_post.deleted, timeout=10, what="Luis's photo post deleted")
    for _ in range(100):  # the post is deleted, then its id forgotten
        async with world.bot.database.transaction() as uow:
            rows = await uow.db.execute_fetchall(
                "SELECT signature, camera, taken_local, queue_message, remove_post FROM photos ORDER BY id"
            )
        if all(row[3] is None for row in rows):
            break
        await asyncio.sleep(0.05)
    # Rosa's signature went with /forget-me; Luis's is past its 180 days.
    assert [tuple(r) for r in rows] == [(None, None, None, None, 0), (None, None, None, None, 0)]


async def test_photos_wait_for_no_one_and_are_refused_past_the_reporters_limit(world: World):
    await set_up(world)
    await world.people["admin"].slash("settings", report_limit=2)
    results = []
    for i in range(2):
        results.append(await world.people["pat"].slash("report", where=f"{300 + i} Main St", what="agents",
                                                       photo=("a.jpg", jpeg(street(30 + i))),
                                                       photo2=("b.jpg", jpeg(street(40 + i)))))  # fmt: skip
    await taken_in(world, *results)
    told = results[1].followups[0]
    assert "You have sent 2 photos in" in told.content
    assert len(photo_posts(world)) == 2


async def test_a_stop_takes_in_the_photos_already_queued_instead_of_losing_them(world: World):
    """The photo queue lives in memory: a deploy's stop used to cancel it, and the queued photos were
    never posted nor their reporters told."""
    await set_up(world)
    big = [jpeg(street(40 + i, 2400, 1800), quality=95) for i in range(4)]
    results = []
    for i, name in enumerate(["luis", "sam", "pat", "dev"]):
        options = {"photo": ("a.jpg", big[i]), "photo2": ("b.jpg", big[(i + 1) % 4])}
        results.append(await world.people[name].slash("report", where=f"{300 + i} Main St", what="ICE", **options))
    assert photos_of(world).busy + photos_of(world)._queue.qsize() > 0  # still queued when the stop comes
    await world.restart_bot()
    assert len(photo_posts(world)) == 8
    for result in results:
        told = await result.wait_for_followup(timeout=10)
        assert told.content.count("jpg: ") == 2, told.content  # each photo said, in the reporter's language
        assert "not used" not in told.content
