"""What moderators read about a photo (issue 24), in both languages: its age against the report, its camera,
its location removed, its reuse; and "removed" once retention or /forget-me took it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import photo_text
from verification.model import Language, Status
from verification.photos import CaptureTime, Reuse, StoredPhoto

CHICAGO = ZoneInfo("America/Chicago")
SENT = datetime(2025, 3, 14, 15, 45, tzinfo=UTC)  # 10:45 in Chicago


def photo(taken: CaptureTime | None, **kw: object) -> StoredPhoto:
    base: dict[str, object] = dict(
        id=1, report_id=1, number=3, reporter=2, position=1, received_at=SENT,
        observed_at=SENT - timedelta(minutes=5), taken=taken, camera="Apple iPhone 13", had_gps=True,
        removed=False, reused=None, post=None,
    )  # fmt: skip
    base.update(kw)
    return StoredPhoto(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("taken", "english", "spanish"),
    [
        (datetime(2025, 3, 14, 10, 42), "taken 10:42, 3 minutes before the report",
         "tomada a las 10:42\u00a0a.m., 3 minutos antes del reporte"),
        (datetime(2025, 3, 14, 10, 44), "taken 10:44, 1 minute before the report",
         "tomada a las 10:44\u00a0a.m., 1 minuto antes del reporte"),
        (datetime(2025, 3, 14, 10, 47), "taken 10:47, as the report was sent",
         "tomada a las 10:47\u00a0a.m., al enviar el reporte"),
        (datetime(2025, 3, 14, 11, 30), "taken 11:30, after the report was sent: the camera's clock may be wrong",
         "tomada a las 11:30\u00a0a.m., después de enviado el reporte: el reloj de la cámara puede estar mal"),
        (datetime(2023, 3, 14, 9, 5), "taken 14 March 2023: an older photo",
         "tomada el 14 de marzo de 2023: una foto antigua"),
        (None, "no capture time", "sin hora de la foto"),
    ],
)  # fmt: skip
def test_the_age_of_a_photo_in_both_languages(taken, english, spanish):
    shown = photo(CaptureTime(taken) if taken else None)
    assert photo_text.dating(shown, Language.EN, CHICAGO) == english
    assert photo_text.dating(shown, Language.ES, CHICAGO) == spanish


def test_a_line_says_who_sent_it_as_a_number_the_camera_the_location_and_the_reuse():
    reused = Reuse(number=4, days=21, outcome=Status.DEBUNKED, same_incident=False)
    line = photo_text.line(photo(CaptureTime(datetime(2025, 3, 14, 10, 42)), reused=reused), Language.EN, CHICAGO)
    assert line == (
        "R2 photo 1: taken 10:42, 3 minutes before the report · Apple iPhone 13 · the file held its location: "
        "removed, not kept\n⚠ this photo was also sent with #4, 21 days ago (debunked)"
    )
    spanish = photo_text.line(photo(None, reused=reused, had_gps=False, camera=None), Language.ES, CHICAGO)
    assert (
        spanish == "R2 foto 1: sin hora de la foto\n⚠ esta foto también se envió con el #4, hace 21 días (desmentido)"
    )


def test_a_camera_name_from_the_file_is_shown_as_text_and_a_removed_photo_says_only_that():
    hostile = photo(None, camera="@everyone **[x](https://evil.example)**")
    line = photo_text.line(hostile, Language.EN, CHICAGO)
    assert "\\@everyone \\*\\*\\[x\\]" in line  # escaped: it shows as typed and formats nothing
    assert photo_text.line(photo(None, removed=True), Language.EN, CHICAGO) == (
        "R2 photo 1: removed (retention, or at the reporter's request)"
    )
