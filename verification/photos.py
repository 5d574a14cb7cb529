"""Photos as evidence (issue 24): when two photos count as the same one, and what a photo's capture time
says about the report it came with. Pure functions; the pixels, hashes and metadata are read by the bot
(bot/features/photos), which hands the results here.

**The same photo.** A photo is kept only as a `Signature`: its aspect ratio and, for the whole picture and
for each crop in `CROPS`, two 64-bit perceptual hashes of its grey levels (a DCT hash, pHash, and a
gradient hash, dHash). Rescaling and re-encoding barely move either hash; a crop moves them a lot, which is
why the crops are hashed too: a photo cropped from an earlier one is close to one of the earlier one's
crops, and an earlier photo that was itself a crop is close to one of the new one's. Crops are compared only
when the aspect ratios agree with that crop, and two photos are the same when the smallest sum of the two
Hamming distances, over the compared pairs, is at most `SAME_PHOTO_DISTANCE` (of 128 bits). bench/photos.py
measures it: on its generated scenes every rescale, re-encode and crop of up to 20% a side matches, and no
two different scenes do (the figures are in its docstring).

**Dated.** A capture time read from the file is compared with the report: minutes before it is what a
photo of the moment looks like; hours before the reported time is flagged as an older photo (not refused:
a moderator decides); a time after the report was sent means the camera's clock is off.
"""

from __future__ import annotations

import bisect
import itertools
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from enum import StrEnum

from .model import Status

# How much of each side a crop removes: 0 to 20% in steps of 5%, at most 25% of the width and of the
# height in all. The order is part of the stored format (`SIGNATURE_VERSION`).
_STEPS = (0.0, 0.05, 0.10, 0.15, 0.20)
_MOST_PER_AXIS = 0.25
SIGNATURE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Crop:
    """Fractions of the width or height removed on each side."""

    left: float
    top: float
    right: float
    bottom: float

    def kept_aspect(self, aspect: float) -> float:
        """The aspect ratio (width / height) of this crop of a picture whose aspect is `aspect`."""
        return aspect * (1 - self.left - self.right) / (1 - self.top - self.bottom)


CROPS: tuple[Crop, ...] = tuple(
    Crop(left, top, right, bottom)
    for left, top, right, bottom in itertools.product(_STEPS, repeat=4)
    if left + right <= _MOST_PER_AXIS + 1e-9
    and top + bottom <= _MOST_PER_AXIS + 1e-9
    and any((left, top, right, bottom))  # the whole picture is hashed on its own
)

# Of 128 bits (pHash + dHash). Measured on bench/photos.py's scenes: copies are at most 15 apart, different
# scenes at least 31; the threshold sits between them.
SAME_PHOTO_DISTANCE = 22
# Crops whose aspect ratio is further than this (relative) from the other photo's are not compared: a crop
# that changes the shape cannot be the other picture, so comparing it would only add chances of a false match.
ASPECT_TOLERANCE = 0.06


@dataclass(frozen=True, slots=True)
class HashPair:
    phash: int  # 64 bits
    dhash: int  # 64 bits

    def distance(self, other: HashPair) -> int:
        return (self.phash ^ other.phash).bit_count() + (self.dhash ^ other.dhash).bit_count()


@dataclass(frozen=True, slots=True)
class Signature:
    """What is kept of a photo: never the pixels, only hashes (see the module doc)."""

    aspect: float
    whole: HashPair
    crops: tuple[HashPair, ...]  # one per entry of CROPS, in its order

    def __post_init__(self) -> None:
        if len(self.crops) != len(CROPS):
            raise ValueError(f"a signature has {len(CROPS)} crops, not {len(self.crops)}")
        if not self.aspect > 0:
            raise ValueError("a picture's aspect ratio is positive")

    def to_bytes(self) -> bytes:
        pairs = [self.whole, *self.crops]
        return struct.pack(f"<Bd{2 * len(pairs)}Q", SIGNATURE_VERSION, self.aspect,
                           *itertools.chain.from_iterable((p.phash, p.dhash) for p in pairs))  # fmt: skip

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        count = 2 * (len(CROPS) + 1)
        version, aspect, *words = struct.unpack(f"<Bd{count}Q", data)
        if version != SIGNATURE_VERSION:
            raise ValueError(f"unknown signature version {version}")
        pairs = [HashPair(words[i], words[i + 1]) for i in range(0, count, 2)]
        return cls(aspect, pairs[0], tuple(pairs[1:]))


# The crops sorted by how much they change the aspect ratio, so the ones that fit are found by bisection.
_BY_FACTOR = sorted(((c.kept_aspect(1.0), i) for i, c in enumerate(CROPS)))
_FACTORS = [f for f, _ in _BY_FACTOR]


def _fitting(factor: float) -> list[int]:
    """The crops that turn a picture of aspect 1 into one of aspect `factor`, within the tolerance."""
    low = bisect.bisect_left(_FACTORS, factor / (1 + ASPECT_TOLERANCE))
    high = bisect.bisect_right(_FACTORS, factor / (1 - ASPECT_TOLERANCE))
    return [i for _, i in _BY_FACTOR[low:high]]


def distance(a: Signature, b: Signature) -> int:
    """How far apart two photos are: the closest of whole against whole, `a` against `b`'s crops and
    `b` against `a`'s crops, among the crops whose shape fits."""
    best = a.whole.distance(b.whole) if abs(a.aspect / b.aspect - 1) <= ASPECT_TOLERANCE else 128
    whole = a.whole
    for i in _fitting(a.aspect / b.aspect):  # a may be this crop of b
        best = min(best, whole.distance(b.crops[i]))
    whole = b.whole
    for i in _fitting(b.aspect / a.aspect):  # b may be this crop of a
        best = min(best, whole.distance(a.crops[i]))
    return best


def same_photo(a: Signature, b: Signature) -> bool:
    return distance(a, b) <= SAME_PHOTO_DISTANCE


@dataclass(frozen=True, slots=True)
class EarlierPhoto:
    """A photo sent before in the same community, as the reuse check sees it."""

    photo_id: int
    number: int  # the incident its report belongs to now
    received_at: datetime
    signature: Signature


def earliest_match(new: Signature, earlier: list[EarlierPhoto]) -> EarlierPhoto | None:
    """The first photo sent that `new` is the same as (the original, not a later copy of it)."""
    matches = [e for e in earlier if same_photo(new, e.signature)]
    return min(matches, key=lambda e: (e.received_at, e.photo_id)) if matches else None


# --- dating ------------------------------------------------------------------------------------------

# Taken this long before the reported time (the start of its window): an older photo, flagged.
OLDER_AFTER = timedelta(hours=3)
# Taken this long after the report was sent: the camera's clock is off (or the time was edited).
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class CaptureTime:
    """The capture time written in the file: the camera's clock, with its UTC offset when the file says it."""

    local: datetime  # naive: the camera's wall clock
    offset_minutes: int | None = None

    def moment(self, zone: tzinfo) -> datetime:
        """The moment; a time without an offset is taken as the community's local time."""
        if self.offset_minutes is not None:
            return self.local.replace(tzinfo=timezone(timedelta(minutes=self.offset_minutes)))
        return self.local.replace(tzinfo=zone)


class Age(StrEnum):
    NO_TIME = "no_time"
    RECENT = "recent"  # before the report, within OLDER_AFTER of the reported time
    OLDER = "older"  # flagged
    AFTER = "after"  # after the report was sent: the camera's clock is off


@dataclass(frozen=True, slots=True)
class Dating:
    age: Age
    taken: datetime | None = None  # the moment, for display in the community's zone
    minutes_before: int = 0  # before the report was sent (negative: after it)


def date_photo(taken: CaptureTime | None, observed_from: datetime, sent: datetime, zone: tzinfo) -> Dating:
    """What the card says of a photo's age: against when the report was sent (the minutes shown), and
    against the reported time (`observed_from`, the start of its window) for the flag."""
    if taken is None:
        return Dating(Age.NO_TIME)
    moment = taken.moment(zone)
    minutes = int((sent - moment).total_seconds() // 60)
    if moment > sent + CLOCK_SLACK:
        return Dating(Age.AFTER, moment, minutes)
    if moment < min(observed_from, sent) - OLDER_AFTER:
        return Dating(Age.OLDER, moment, minutes)
    return Dating(Age.RECENT, moment, minutes)


@dataclass(frozen=True, slots=True)
class Reuse:
    """The card's "this photo was also sent with #4, 21 days ago (debunked)"."""

    number: int
    days: int
    outcome: Status
    same_incident: bool


def reuse(number: int, earlier_number: int, earlier_sent: datetime, sent: datetime, outcome: Status) -> Reuse:
    return Reuse(earlier_number, max(0, (sent - earlier_sent).days), outcome, earlier_number == number)


# --- what is stored ----------------------------------------------------------------------------------

# How long a photo's signature is kept, from when it was sent: the reuse check looks back this far.
# docs/SECURITY.md says why this long and no longer.
SIGNATURE_KEPT = timedelta(days=180)
MAX_PHOTOS = 2  # a report's `photo` and `photo2`


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    """What the bot read from a photo it could use; the photo itself is not among them."""

    signature: Signature
    taken: CaptureTime | None
    camera: str | None
    had_gps: bool


@dataclass(frozen=True, slots=True)
class PhotoReport:
    """The report a photo came with, as the photo use cases need it."""

    number: int  # its incident now (a merge moves reports)
    pseudonym: str | None
    purged: bool


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """A photo as the card shows it. `taken`, `camera` are None once retention or /forget-me removed them."""

    id: int
    report_id: int
    number: int  # the incident its report belongs to now
    reporter: int  # the reporter's number in the incident
    position: int  # 1 or 2
    received_at: datetime
    observed_at: datetime  # the report's reported time
    taken: CaptureTime | None
    camera: str | None
    had_gps: bool
    removed: bool  # purged by retention or forgotten on the reporter's request
    reused: Reuse | None
    post: tuple[int, int] | None  # (channel, message) of its post in the queue

    def dating(self, zone: tzinfo) -> Dating:
        return date_photo(self.taken, self.observed_at, self.received_at, zone)


@dataclass(frozen=True, slots=True)
class PhotoPost:
    """A photo's post in the queue channel, to be deleted from Discord."""

    photo_id: int
    community: int
    channel: int
    message: int
