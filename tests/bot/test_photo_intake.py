"""The photo intake's own guards (issue 24), without Discord: what cannot even be queued is answered at once,
and a full queue refuses more photos instead of slowing anything down."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.core.services import SentPhotos
from bot.features.photos.intake import MAX_WAITING, PhotoIntake
from bot.features.photos.strip import MAX_BYTES
from verification.model import Language


@dataclass
class Attached:  # what the intake reads of a discord.Attachment
    filename: str
    size: int
    url: str = "http://127.0.0.1:9/cdn/attachments/1/2/x.jpg"


async def test_a_declared_size_over_the_limit_and_a_full_queue_are_answered_at_once():
    told: list[str] = []

    async def tell(text: str) -> None:
        told.append(text)

    intake = PhotoIntake(services=None)  # type: ignore[arg-type]  # no worker: nothing is taken from the queue

    def sent(*photos: Attached) -> SentPhotos:
        return SentPhotos(1, 1, 1, "p", Language.EN, photos, tell)  # type: ignore[arg-type]

    intake.accept(sent(Attached("huge.jpg", MAX_BYTES + 1)))
    await asyncio.sleep(0)
    assert told == ["huge\\.jpg was not used. It is larger than 10 MB. Your report is filed all the same."]

    for _ in range(MAX_WAITING):
        intake.accept(sent(Attached("a.jpg", 1000)))
    told.clear()
    intake.accept(sent(Attached("one.jpg", 1000), Attached("two.jpg", 1000)))
    await asyncio.sleep(0)
    assert len(told) == 1
    assert "one\\.jpg was not used. Too many photos are being sent right now." in told[0]
    assert "two\\.jpg was not used." in told[0]
