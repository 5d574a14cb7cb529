"""Issue 23 §1: a reporter's words never become an alert's place unless a moderator names it, and a home
is shown only as its block. The reading, the incident's rules, and the use cases on both stores (the
button, the commands and the demo all go through these)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.place import PlaceBook, ReadingKind
from tests.builders import HAMLINE, MOD_A, MOD_B, Story, at, reported, statement
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, PLACES_CSV, set_up_chicago
from tests.verification.test_usecases import NOW, report
from verification import usecases
from verification.errors import RuleViolation
from verification.events import Confirmed, PlaceChanged, PlaceRef, from_record, to_record
from verification.model import Status
from verification.reading import resolve_as_typed, resolve_named, resolve_place
from verification.usecases import parse_places_csv

BOOK = PlaceBook.of(p for _, p in parse_places_csv(PLACES_CSV))
# Chicago's streets, as places registered with their addresses and cross streets make them known.
STREETS_CSV = """name,area,kind,aliases,address,cross_streets
Kedzie Clinic,Little Village,hospital,,3200 S Kedzie Ave,W 31st St; S Kedzie Ave
Chavez Elementary,Back of the Yards,school,Chavez school,4747 S Marshfield Ave,W 47th St; S Marshfield Ave
Pulaski station,Little Village,station,,2600 S Pulaski Rd,W 26th St; S Pulaski Rd
Home Depot,Little Village,store,,2500 S Kedzie Ave,
Walmart,Little Village,store,,3000 W Cermak Rd,
Casa Central,Humboldt Park,other,,1343 N California Ave,
Las Palmas,Pilsen,store,,1800 S Blue Island Ave,
"""
STREETS = PlaceBook.of(p for _, p in parse_places_csv(STREETS_CSV))


# --- the three texts ------------------------------------------------------------------------


def test_a_persons_name_and_a_house_number_never_make_a_publishable_label():
    named = resolve_place("outside Maria Gonzalez house they took her husband", BOOK)
    assert named.ref.reporters_words  # was published as "Maria Gonzalez house"
    status = resolve_place("Carlos Mendoza (he is undocumented) Kedzie", BOOK)
    assert status.ref.reporters_words  # was "Carlos Mendoza undocumented Kedzie"
    on_known = resolve_place("Carlos Mendoza (he is undocumented) Kedzie", STREETS)
    assert (on_known.reading, on_known.ref.label) == (ReadingKind.STREET, "Kedzie Ave")
    assert not on_known.ref.reporters_words
    home = resolve_place("house 45 on Elm St", BOOK)  # was "House 45, Elm St"
    assert (home.reading, home.ref.label, home.ref.block) == (ReadingKind.BLOCK, "Elm St", 0)
    assert not home.ref.reporters_words


# --- homes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "block"),
    [
        ("45 Elm St", "Elm St", 0),
        ("house 45 on Elm St", "Elm St", 0),
        ("casa 12 calle Elm", "Elm St", 0),  # never "12th St & Elm"
        ("casa #12 de la calle Wood, la familia Aguilar", "Wood St", 0),
        ("Elm St #45", "Elm St", 0),
        ("apt 3B 2300 S Pulaski Rd", "S Pulaski Rd", 2300),
        ("apt 3B on Elm St", "Elm St", None),  # an apartment's number is not the house's: the street
        ("trailer 12 on Elm St", "Elm St", None),
        ("unit B, 1823 W 19th St", "W 19th St", 1800),
        ("lote 7, calle Elm", "Elm St", None),
        ("Maria Lopez apt, 2nd floor, Kedzie Ave", "Kedzie Ave", None),  # the 2nd floor is no 2nd St
        ("cuarto 5 de la casa en la calle Elm", "Elm St", None),  # "cuarto" is a room, not 4th St
    ],
)
def test_a_home_shows_only_as_its_block_or_its_street(text, label, block):
    place = resolve_place(text, BOOK)
    assert (place.ref.label, place.ref.block, place.ref.reporters_words) == (label, block, False), place


@pytest.mark.parametrize("text", ["they took juan from apt 3B", "lote 14, donde vive el compa Chuy", "casa 118"])
def test_a_home_without_a_street_is_never_shown_nor_its_number_kept(text):
    place = resolve_place(text, BOOK)
    assert place.ref.reporters_words
    assert not any(n in place.ref.label for n in ("3B", "14", "118"))


def test_a_count_after_a_home_word_is_no_home():
    assert resolve_place("parking lot 5 agents on Elm St", BOOK).ref.label == "Elm St"


# --- what is published without asking ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["26th St & Pulaski Rd", "Hamline Elementary", "2300 block of S Pulaski", "Pulaski Rd between 26th and 27th",
     "on 48th St", "the car wash on Cermak Rd", "on W Cermak", "2300 W Cermak"],
)  # fmt: skip
def test_a_known_place_or_a_sure_street_form_is_published_as_read(text):
    assert not resolve_place(text, BOOK).ref.reporters_words


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        ("juan y maria", ""),  # two words read as a corner are two people
        ("at carlos place rn", ""),  # "place" is not Pl
        ("Josefina's place on Wood", ""),
        ("ice on maria and jose's block", ""),
        ("cermak and pulaski", ""),  # streets nobody registered, written without a suffix
        ("El Güero market", ""),
        ("Walgreens on Elm St", "Elm St"),  # a business: its street may be published
        ("la casa de Don Pedro en la 26", "26th St"),
        ("Ramirez twins house, Pilsen", "Pilsen"),  # the community's area it names
        ("los Martinez", ""),
    ],
)
def test_anything_else_is_the_reporters_words_with_what_could_be_published_instead(text, offered):
    place = resolve_place(text, BOOK)
    assert place.ref.reporters_words, place
    assert place.ref.suggested == offered


@pytest.mark.parametrize(
    "text", ["at Carlos place by Hamline Elementary", "Maria's place by Hamline Elementary",
             "Maria's place near the Hamline school", "juan y maria by Hamline Elementary"],
)  # fmt: skip
def test_a_landmark_beside_them_never_approves_the_reporters_words(text):
    """Found in review: "X by Y", Y a registered place, published X as read whenever it was read as a
    street, even one Veraz was not sure of: "Carlos Pl (by Hamline Elementary)"."""
    place = resolve_place(text, BOOK)
    assert place.ref.reporters_words, place
    assert not place.ref.suggested or place.ref.suggested == "Back of the Yards"
    sure = resolve_place("Elm St by Hamline Elementary", BOOK)
    assert (sure.ref.label, sure.ref.reporters_words) == ("Elm St (by Hamline Elementary)", False)


@pytest.mark.parametrize(
    "text", ["where kevin lives Elm St", "ICE took maria Elm St", "my cousin jose Elm St & 26th",
             "undocumented maria Kedzie Ave", "mi tia rosa calle Elm", "la casa de juan calle Elm", "Juan calle 26"],
)  # fmt: skip
def test_words_before_a_street_never_make_its_name(text):
    """Found in review: up to three words before a suffix were read as the street's name and published
    without asking ("Kevin Lives Elm St", "Undocumented Maria Kedzie Ave"), and "calle" before a street
    ended the name before it ("Tia Rosa St", "Juan St" for "Juan calle 26")."""
    for book in (BOOK, STREETS):
        place = resolve_place(text, book)
        assert place.ref.reporters_words, place
        for word in ("kevin", "lives", "maria", "cousin", "jose", "undocumented", "tia", "rosa", "juan"):
            assert word not in place.ref.suggested.lower(), place


def test_a_known_street_after_other_words_is_that_street():
    place = resolve_place("where kevin lives Kedzie Ave", STREETS)
    assert (place.ref.suggested, place.ref.reporters_words) == ("Kedzie Ave", True)
    assert resolve_place("mi tia rosa calle Elm", BOOK).ref.suggested == "Elm St"
    assert resolve_place("Juan calle 26", BOOK).ref.suggested == "26th St"
    for text, label in [("Kedzie av & 26th", "26th St & Kedzie Ave"), ("kedzie avenue 26th", "26th St & Kedzie Ave"),
                        ("18th st and blue island ave", "18th St & Blue Island Ave")]:  # fmt: skip
        known = resolve_place(text, STREETS)
        assert (known.ref.label, known.ref.reporters_words) == (label, False)


def test_streets_the_community_knows_need_no_suffix():
    assert not resolve_place("26th & Pulaski", STREETS).ref.reporters_words
    assert not resolve_place("kedzie y 31", STREETS).ref.reporters_words


def test_a_family_or_a_home_is_never_guessed_to_be_a_known_place_of_that_name():
    for text in ("donde los Chávez, la casa con el portón negro", "the Chavez family house"):
        place = resolve_place(text, STREETS)
        assert place.reading is not ReadingKind.KNOWN, text
        assert place.ref.reporters_words
        assert place.needs_choice  # the reporter may still pick Chavez Elementary from the menu
        assert [p.name for p in place.alternatives][:1] == ["Chavez Elementary"]
    assert resolve_place("la escuela Chavez", STREETS).reading is ReadingKind.KNOWN
    assert resolve_place("Chavez", STREETS).reading is ReadingKind.KNOWN


@pytest.mark.parametrize(
    ("text", "name"),
    [("Home Depot", "Home Depot"), ("ICE at the walmart parking lot", "Walmart"), ("Casa Central", "Casa Central"),
     ("las palmas", "Las Palmas"), ("la migra en la Home Depot, la casa de al lado", "Home Depot")],
)  # fmt: skip
def test_a_known_place_whose_name_has_a_home_word_or_an_article_is_still_that_place(text, name):
    place = resolve_place(text, STREETS)
    assert (place.reading, place.ref.label) == (ReadingKind.KNOWN, name)


def test_kept_as_typed_is_still_the_reporters_words():
    assert resolve_as_typed("whittier by Maria's house", BOOK).ref.reporters_words


def test_what_a_moderator_names_an_area_is_the_area_and_a_homes_number_needs_its_street():
    area = resolve_named("back of the yards", BOOK)
    assert (area.ref.label, area.ref.key[:5], area.ref.reporters_words) == ("Back of the Yards", "area:", False)
    with pytest.raises(RuleViolation) as refused:
        resolve_named("casa 12", BOOK)
    assert refused.value.code == "place_home"
    assert resolve_named("casa 12 calle Elm", BOOK).ref.block == 0


# --- the incident's rules ------------------------------------------------------------------------------

WORDS = PlaceRef(key="named:gonsal hous mari", label="Maria Gonzalez house", reporters_words=True)
OFFERED = PlaceRef(key="named:ramires@elm", label="Ramirez house, Elm St", reporters_words=True, suggested="Elm St")


def test_no_vote_while_the_place_is_the_reporters_words():
    story = Story(place=WORDS)
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_A, at(5))
    assert refused.value.code == "place_unapproved"
    assert refused.value.details["label"] == "Maria Gonzalez house"
    with pytest.raises(RuleViolation) as offered:
        Story(place=OFFERED).incident.vote(MOD_A, at(5))
    assert offered.value.code == "place_unapproved_suggested"
    assert offered.value.details["suggested"] == "Elm St"


def test_a_place_a_moderator_names_is_approved():
    story = Story(place=WORDS)
    named = PlaceRef(key="block:0:elm", label="Elm St", block=0, reporters_words=True, suggested="x")
    story.do(story.incident.set_place(named, MOD_A, at(3)))
    assert story.incident.place == PlaceRef(key="block:0:elm", label="Elm St", block=0)
    assert not story.incident.place_unapproved
    story.do(story.incident.vote(MOD_A, at(5)))
    story.do(story.incident.vote(MOD_B, at(6)))
    assert story.incident.status is Status.CONFIRMED
    assert story.incident.confirmed_facts is not None
    assert story.incident.confirmed_facts.place.label == "Elm St"


def test_votes_cast_before_veraz_checked_never_confirm_the_reporters_words():
    """An incident voted on before this rule, and a statement that would complete the confirmation."""
    story = Story(place=WORDS)
    first = Story(place=HAMLINE).incident.vote(MOD_A, at(4))  # a vote event, as an older Veraz wrote it
    story.do(first)
    assert story.incident.votes == ("mod:1001",)
    new = story.incident.attach_statement(statement(), MOD_B, at(6))
    assert not any(isinstance(e, Confirmed) for e in new)
    story.do(new)
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.place_unapproved
    assert not story.incident.confirmation_blocked  # the card says what holds it: the place


def test_events_written_before_veraz_kept_it_know_a_business_name_was_the_reporters():
    [opened] = reported(place=WORDS)
    record = to_record(opened)
    for key in ("reporters_words", "suggested"):
        del record["place"][key]
    assert from_record(record).place.reporters_words  # type: ignore[attr-defined]
    record["place"]["key"] = "corner:26|pulaski"
    assert not from_record(record).place.reporters_words  # type: ignore[attr-defined]
    changed = to_record(PlaceChanged(at=at(1), actor="mod:1", place=HAMLINE))
    assert from_record(changed).place == HAMLINE  # type: ignore[attr-defined]


# --- the use cases, on both stores ---------------------------------------------------------------------

BOTH = pytest.mark.parametrize("uow", ["memory", "sqlite"], indirect=True)


async def _vote(uow, number: int, by=MOD_A, place: str | None = None):
    return await usecases.vote_confirm(uow, NOW, CHICAGO, number, by, pseudonyms=moderator_pseudonyms, place=place)


@BOTH
async def test_confirm_is_refused_until_a_moderator_names_the_place_and_then_says_only_that(uow):
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 501, None, None)
    filed = await usecases.submit_report(uow, NOW, report(where="outside Maria Gonzalez house they took her husband"))
    with pytest.raises(RuleViolation) as refused:
        await _vote(uow, filed.number)
    assert refused.value.code == "place_unapproved"
    assert (await usecases.incident(uow, CHICAGO, filed.number)).votes == ()  # nothing changed
    await _vote(uow, filed.number, place="Pilsen")
    confirmed = await _vote(uow, filed.number, by=MOD_B)
    [alert] = confirmed.alerts
    assert (alert.facts.place, alert.facts.area) == ("Pilsen", "")


@BOTH
async def test_incident_place_approves_what_the_moderator_names(uow):
    await set_up_chicago(uow)
    filed = await usecases.submit_report(uow, NOW, report(where="Walgreens on Elm St"))
    assert filed.incident.place.reporters_words
    named = await usecases.set_place(uow, NOW, CHICAGO, filed.number, MOD_A, "Walgreens on Elm St")
    assert named.incident.place.label == "Walgreens, Elm St"
    assert not named.incident.place.reporters_words
    await _vote(uow, filed.number)
    assert (await _vote(uow, filed.number, by=MOD_B)).status is Status.CONFIRMED
    with pytest.raises(RuleViolation) as home:
        await usecases.set_place(uow, NOW, CHICAGO, filed.number, MOD_A, "trailer 12")
    assert home.value.code == "place_home"


@BOTH
async def test_a_merge_never_carries_the_reporters_words_into_an_alert(uow):
    await set_up_chicago(uow)
    words = await usecases.submit_report(uow, NOW, report("r1", "la casa de los Martinez, la que no tiene papeles"))
    known = await usecases.submit_report(uow, NOW + timedelta(minutes=1), report("r2", "Hamline Elementary"))
    # Folded into the known place: the target's place stands, and it may be confirmed as it is.
    await usecases.merge(uow, NOW, CHICAGO, words.number, known.number, MOD_A)
    await _vote(uow, known.number)
    confirmed = await _vote(uow, known.number, by=MOD_B)
    assert confirmed.alerts[0].facts.place == "Hamline Elementary"
    # Folded the other way, the reporter's words stay the place, and confirming still asks for one.
    other = await usecases.submit_report(uow, NOW + timedelta(minutes=2), report("r3", "Whittier Elementary"))
    words = await usecases.submit_report(uow, NOW + timedelta(minutes=3), report("r4", "los Martinez, apt 3B"))
    await usecases.merge(uow, NOW, CHICAGO, other.number, words.number, MOD_A)
    with pytest.raises(RuleViolation) as refused:
        await _vote(uow, words.number)
    assert refused.value.code == "place_unapproved"


@BOTH
async def test_a_reporter_keeping_their_words_does_not_approve_them(uow):
    await set_up_chicago(uow)
    filed = await usecases.submit_report(uow, NOW, report("r1", "whittier, at Maria's house", when=None))
    assert filed.place_choices
    kept = await usecases.choose_place(uow, NOW, CHICAGO, filed.number, filed.report_id, "r1", None)
    assert kept.incident.place.reporters_words
    with pytest.raises(RuleViolation):
        await _vote(uow, filed.number)
