"""What moderators read about a report's photos (issue 24), on the queue card and above each photo's post:
when it was taken against the report, the camera, that its location was removed, and whether it was sent
before. Only moderators see any of it: no message to subscribers or the public uses this module.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.core import words
from bot.core.i18n import clock_phrase, long_date, t, tn
from bot.core.safe import user_text
from verification.model import Language
from verification.photos import Age, StoredPhoto


def dating(photo: StoredPhoto, lang: Language, zone: tzinfo) -> str:
    """'taken 10:42, 3 minutes before the report' / 'taken 14 March 2023: an older photo' / 'no capture time'."""
    found = photo.dating(zone)
    if found.age is Age.NO_TIME or found.taken is None:
        return t(lang, "photo.no_time")
    if found.age is Age.OLDER:
        return t(lang, "photo.older", date=long_date(found.taken, zone, lang))
    time = clock_phrase(found.taken, zone, lang)
    if found.age is Age.AFTER:
        return t(lang, "photo.after", time=time)
    if found.minutes_before <= 0:  # within the camera clock's slack after the sending
        return t(lang, "photo.at_report", time=time)
    if found.minutes_before < 120:
        return tn(lang, "photo.minutes_before", found.minutes_before, time=time)
    return tn(lang, "photo.hours_before", found.minutes_before // 60, time=time)


def line(photo: StoredPhoto, lang: Language, zone: tzinfo) -> str:
    """One photo on the card: who sent it (as a number), its age, camera, location, and any reuse."""
    head = t(lang, "photo.label", reporter=photo.reporter, position=photo.position)
    if photo.removed:
        return f"{head}: {t(lang, 'photo.removed')}"
    parts = [dating(photo, lang, zone)]
    if photo.camera:
        parts.append(user_text(photo.camera, 60))
    if photo.had_gps:
        parts.append(t(lang, "photo.location_removed"))
    text = f"{head}: " + " · ".join(parts)
    if photo.reused is not None:
        text += "\n" + reuse(photo, lang)
    return text


def reuse(photo: StoredPhoto, lang: Language) -> str:
    found = photo.reused
    if found is None:
        return ""
    if found.same_incident:
        return t(lang, "photo.reused_here")
    return tn(lang, "photo.reused", found.days, number=found.number, outcome=words.status(found.outcome, lang).lower())


def lines(photos: tuple[StoredPhoto, ...], lang: Language, zone: tzinfo) -> str:
    return "\n".join(line(p, lang, zone) for p in photos)
