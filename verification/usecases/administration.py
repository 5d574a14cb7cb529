"""Setting a community up: its settings and its known places (one at a time or from a CSV file).

The places file (`/places import`) is CSV with a header line naming its columns, in any order:

    name,area,kind,aliases,address,cross_streets
    Hamline Elementary,Back of the Yards,school,"Hamline school,John H. Hamline",1548 W 48th St,S Laflin St
    Whittier Park,Pilsen,park,,,W 23rd St & S Wolcott Ave

- `name`, `area` and `kind` are required; `kind` is one of school, worship, hospital (clinics too),
  court, park, store, station, other.
- `aliases`: other names people use, separated by commas (quote the cell) or ";".
- `address`: the street address. A report at that address, or anywhere on its hundred block, is at
  this place.
- `cross_streets`: the streets the place is on or next to, separated by ";" or "&". A report at a corner
  of any two of them (or of one of them and the address's street) is at this place.

Files from older versions (`name,area,kind,aliases`, with unquoted commas between aliases) still import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from intake.place import PlaceBook
from intake.place.grid import GridPoint
from intake.place.streets import read_street
from intake.place.words import KIND_CLASSES, clean, distinctive, place_key, tokens

from ..community import Community, zone_named
from ..errors import RuleViolation
from ..model import MAX_SOURCE, MAX_WHERE, Language, Place, PlaceKind
from ..ports import UnitOfWork
from ..public_feed import new_slug
from .moderation import expire_stale

MAX_IMPORT_ROWS = 2000
MAX_ALIASES = 20
MAX_CROSS_STREETS = 6
COLUMNS = ("name", "area", "kind", "aliases", "address", "cross_streets")
_REQUIRED = ("name", "area", "kind")
_CROSS_SPLIT = re.compile(r"\s*(?:;|&|\band\b|\by\b)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Setup:
    community: int
    moderator_role: int
    queue_channel: int
    alerts_channel: int | None
    timezone: str
    language: Language | None = None


async def configure_community(uow: UnitOfWork, data: Setup) -> Community:
    zone_named(data.timezone)  # refuses an unknown zone before anything is written
    if data.moderator_role == data.community:
        # Discord gives @everyone the server's own id: everyone would be a moderator.
        raise RuleViolation("moderator_role_everyone")
    if data.queue_channel == data.alerts_channel:
        # Unconfirmed reports would be posted where subscribers read.
        raise RuleViolation("queue_is_alerts_channel")
    async with uow:
        current = await uow.communities.get(data.community) or Community(id=data.community)
        if current.verifier_channel is not None and current.verifier_channel in (
            data.queue_channel,
            data.alerts_channel,
        ):
            # Verifier requests name unconfirmed places: never where subscribers or everyone read.
            raise RuleViolation("verifier_channel_shared")
        updated = replace(
            current,
            moderator_role=data.moderator_role,
            queue_channel=data.queue_channel,
            alerts_channel=data.alerts_channel,
            timezone=data.timezone,
            language=data.language or current.language,
        )
        await uow.communities.save(updated)
        await uow.commit()
    return updated


# What admins may tune with /settings, and the range each may take.
TUNABLE: dict[str, tuple[int, int]] = {
    "retention_days": (1, 365),
    "stale_hours": (1, 168),
    "report_limit": (1, 100),
    "report_window_minutes": (1, 1440),
    "relay_hours": (0, 168),
    "cluster_window_minutes": (10, 1440),
    "escalate_after_minutes": (1, 120),
    "area_role_limit": (1, 200),
}


async def update_settings(uow: UnitOfWork, community_id: int, **changes: int) -> Community:
    """Change a community's tunable settings; every value is checked before anything is written."""
    for name, value in changes.items():
        low, high = TUNABLE[name]
        if not low <= value <= high:
            raise RuleViolation("setting_out_of_range", setting=name, low=low, high=high)
    async with uow:
        current = await uow.communities.get(community_id)
        if current is None or not current.configured:
            raise RuleViolation("not_configured")
        updated = replace(current, **changes)  # type: ignore[arg-type]
        await uow.communities.save(updated)
        await uow.commit()
    return updated


async def set_feed(uow: UnitOfWork, community_id: int, *, on: bool) -> Community:
    """Turn the community's public feed on or off. The first time it is turned on it gets its slug,
    kept when it is turned off, so the addresses other tools were given work again when it is back."""
    async with uow:
        current = await uow.communities.get(community_id)
        if current is None or not current.configured:
            raise RuleViolation("not_configured")
        slug = current.feed_slug or (new_slug() if on else None)
        updated = replace(current, feed=on, feed_slug=slug)
        await uow.communities.save(updated)
        await uow.commit()
    return updated


async def get_community(uow: UnitOfWork, community_id: int) -> Community | None:
    async with uow:
        return await uow.communities.get(community_id)


def names_a_place(name: str) -> bool:
    """Whether `name` can tell a place from others. A name with a word of its own does ("Lincoln
    Elementary"); so does one made of street and kind words when there are two or more ("Park Road Park",
    "Church Street Station", "North Station"); a kind word alone, however many ("the school", "high
    school", "la escuela primaria"), or a lone street word ("Street") does not."""
    words = tokens(name)
    if distinctive(words):
        return True
    return any(w not in KIND_CLASSES for w in words) and len(place_key(name).split()) >= 2


def make_place(
    name: str,
    area: str,
    kind: PlaceKind,
    aliases: str | Sequence[str] = "",
    address: str = "",
    cross_streets: str | Sequence[str] = "",
) -> Place:
    """A checked place: a name that identifies it, an area, at most 20 aliases, an optional address and
    at most 6 cross streets (a string separates them with ";" or "&")."""
    name, area, address = clean(name), clean(area), clean(address)
    if not name or not names_a_place(name):
        raise RuleViolation("place_name_required")
    if not area:
        raise RuleViolation("area_required")
    if len(name) > MAX_WHERE or len(area) > MAX_SOURCE or len(address) > MAX_WHERE:
        raise RuleViolation("text_too_long", limit=MAX_WHERE)
    alias_list = re.split(r"[,;]", aliases) if isinstance(aliases, str) else aliases
    cleaned = tuple(dict.fromkeys(a for a in (clean(x) for x in alias_list) if a and tokens(a)))
    if len(cleaned) > MAX_ALIASES:
        raise RuleViolation("too_many_aliases", limit=MAX_ALIASES)
    if any(len(a) > MAX_WHERE for a in cleaned):
        raise RuleViolation("text_too_long", limit=MAX_WHERE)
    for alias in cleaned:
        if not names_a_place(alias):
            # "escuela" alone would make every report about any school this place.
            raise RuleViolation("alias_only_kind", alias=alias)
    street_list = _CROSS_SPLIT.split(cross_streets) if isinstance(cross_streets, str) else cross_streets
    streets = tuple(dict.fromkeys(c for c in (clean(x) for x in street_list) if c and tokens(c)))
    if len(streets) > MAX_CROSS_STREETS:
        raise RuleViolation("too_many_cross_streets", limit=MAX_CROSS_STREETS)
    if any(len(c) > MAX_SOURCE for c in streets):
        raise RuleViolation("text_too_long", limit=MAX_SOURCE)
    return Place(
        key=place_key(name), name=name, area=area, kind=kind, aliases=cleaned, address=address, cross_streets=streets
    )


async def add_place(uow: UnitOfWork, community: int, place: Place) -> Place:
    async with uow:
        await _ensure_community(uow, community)
        existing = PlaceBook.of(await uow.places.all(community))
        _refuse_clash(existing, place)
        await uow.places.add(community, place)
        await uow.commit()
    return place


async def remove_place(uow: UnitOfWork, community: int, name: str) -> bool:
    """Remove the place with this name (or an alias of it)."""
    async with uow:
        removed = await uow.places.remove(community, place_key(name))
        if not removed:
            # Keys made by older versions may fold a name differently: find the place by its words.
            known = PlaceBook.of(await uow.places.all(community)).exact(name)
            removed = known is not None and await uow.places.remove(community, known.key)
        await uow.commit()
    return removed


async def list_places(uow: UnitOfWork, community: int) -> list[Place]:
    async with uow:
        return sorted(await uow.places.all(community), key=lambda p: (p.area.casefold(), p.name.casefold()))


async def import_places(uow: UnitOfWork, community: int, text: str) -> list[Place]:
    """Add places from CSV (name,area,kind,aliases): all of them, or none and the first bad line."""
    places = parse_places_csv(text)
    async with uow:
        await _ensure_community(uow, community)
        book = PlaceBook.of(await uow.places.all(community))
        for line, place in places:
            try:
                _refuse_clash(book, place)
            except RuleViolation as exc:
                raise RuleViolation("import_line", line=line, problem=exc.code) from exc
            book.add(place)
            await uow.places.add(community, place)
        await uow.commit()
    return [p for _, p in places]


GRID_COLUMNS = ("street", "number", "cross_street")
MAX_GRID_ROWS = 20_000  # a large city's street guide: every crossing of its main streets
MAX_HOUSE_NUMBER = 999_999


def is_grid_csv(text: str) -> bool:
    """Whether a file is a street grid (`street,number[,cross_street]`) rather than places."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = {re.sub(r"[\s-]+", "_", h.strip().casefold()) for h in first.split(",")} - {""}
    return {"street", "number"} <= header <= set(GRID_COLUMNS)


def parse_grid_csv(text: str) -> list[GridPoint]:
    """A community's street grid, one crossing a line: `street,number,cross_street` ("Bellaire Blvd,6100,
    Hillcroft Ave": Hillcroft crosses Bellaire at 6100 Bellaire), or `street,number` for a numbered grid
    ("W 47th St,4700": 47th St is at 4700 on every street that crosses it). All or nothing."""
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        raise RuleViolation("import_line", line=0, problem="csv") from exc
    if not rows or not is_grid_csv(text):
        raise RuleViolation("import_header")
    header = [re.sub(r"[\s-]+", "_", h.strip().casefold()) for h in rows[0]]
    column = {h: i for i, h in enumerate(header) if h}
    if len(rows) - 1 > MAX_GRID_ROWS:
        raise RuleViolation("import_too_many", limit=MAX_GRID_ROWS)
    points: list[GridPoint] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {h: clean(row[i]) if i < len(row) else "" for h, i in column.items()}
        street, number, cross = cells["street"], cells["number"], cells.get("cross_street", "")
        if not street or len(street) > MAX_SOURCE or len(cross) > MAX_SOURCE or read_street(street) is None:
            raise RuleViolation("import_line", line=line, problem="street")
        if cross and read_street(cross) is None:
            raise RuleViolation("import_line", line=line, problem="street")
        if not number.isdigit() or int(number) > MAX_HOUSE_NUMBER:
            raise RuleViolation("import_line", line=line, problem="number")
        points.append(GridPoint(street, int(number), cross))
    return points


async def import_grid(uow: UnitOfWork, community: int, text: str) -> list[GridPoint]:
    """Replace the community's street grid with the one in `text` (see `parse_grid_csv`)."""
    points = parse_grid_csv(text)
    async with uow:
        await _ensure_community(uow, community)
        await uow.places.set_grid(community, points)
        await uow.commit()
    return points


def parse_places_csv(text: str) -> list[tuple[int, Place]]:
    """The places in a places file (see the module's docstring), with their line numbers."""
    try:
        # newline="" lets the csv module see bare "\r" line ends as Excel and old Macs write them.
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RuleViolation("import_line", line=0, problem="csv") from exc
    if not rows:
        raise RuleViolation("import_empty")
    header = [re.sub(r"[\s-]+", "_", h.strip().casefold()) for h in rows[0]]
    while header and not header[-1]:
        header.pop()  # a trailing comma on the header line
    if (
        any(c not in header for c in _REQUIRED)
        or any(h not in COLUMNS for h in header)
        or len(set(header)) < len(header)
    ):
        raise RuleViolation("import_header")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise RuleViolation("import_too_many", limit=MAX_IMPORT_ROWS)
    column = {h: i for i, h in enumerate(header)}
    # Older files end with aliases and leave commas between them unquoted: the rest of the line is aliases.
    spill = header[-1] == "aliases"
    places: list[tuple[int, Place]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(_REQUIRED) or (
            len(row) > len(header) and not spill and any(c.strip() for c in row[len(header) :])
        ):
            raise RuleViolation("import_line", line=line, problem="columns")

        def cell(name: str, row: list[str] = row) -> str:
            at = column.get(name)
            if at is None or at >= len(row):
                return ""
            return ",".join(row[at:]) if spill and name == "aliases" else row[at]

        try:
            kind = PlaceKind(cell("kind").strip().casefold())
        except ValueError as exc:
            raise RuleViolation("import_line", line=line, problem="kind") from exc
        try:
            place = make_place(
                cell("name"), cell("area"), kind, cell("aliases"), cell("address"), cell("cross_streets")
            )
        except RuleViolation as exc:
            raise RuleViolation("import_line", line=line, problem=exc.code) from exc
        places.append((line, place))
    if not places:
        raise RuleViolation("import_empty")
    return places


def _refuse_clash(book: PlaceBook, place: Place) -> None:
    """A new place's name must not be a known place's name or alias. Its aliases may be another's too
    ("De Soto" for two schools of that name): such an alias names neither surely, and reports that use it
    are offered both."""
    if place.key in book.places:
        raise RuleViolation("place_exists", name=book.places[place.key].name)
    known = book.named(place.name)
    if known:
        raise RuleViolation("place_exists", name=known[0].name)


async def _ensure_community(uow: UnitOfWork, community: int) -> None:
    """Places may be added before /setup; they need their community's row."""
    if await uow.communities.get(community) is None:
        await uow.communities.save(Community(id=community))


async def expire_stale_everywhere(uow: UnitOfWork, now: datetime) -> dict[int, list[int]]:
    """Expire stale incidents in every community in the database, whether or not the bot is still in its
    server (one it left must not keep incidents open for ever): community id -> incidents expired.

    Each community is its own transaction, so one large community does not hold the others up.
    """
    async with uow:
        ids = [c.id for c in await uow.communities.all()]
    expired: dict[int, list[int]] = {}
    for community in ids:
        numbers = await expire_stale(uow, now, community)
        if numbers:
            expired[community] = numbers
    return expired
