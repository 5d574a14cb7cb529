"""Spanish that reads right on a phone, in a hurry (issue 25), and English that hedges no plural either.

The golden alerts (test_golden_alerts.py) show whole messages; these check the rules every message in
the catalogs keeps: real plural forms, usted everywhere, one word per concept, Spanish command names,
12-hour clocks with the article Spanish puts before them, and no sentence ending on two periods.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import words
from bot.core.i18n import catalog, clock, clock_phrase, placeholders, plurals, t, tn, when
from intake.time import ObservedTime
from verification.model import Language

EN, ES = Language.EN, Language.ES
CHICAGO = ZoneInfo("America/Chicago")
ONE_THIRTY_ONE = datetime(2025, 1, 24, 19, 31, tzinfo=UTC)  # 1:31 p.m. in Chicago


def messages(lang: Language) -> dict[str, str]:
    """Every text of a catalog, plural forms included (as key[0], key[1]...)."""
    found = dict(catalog(lang))
    for key, forms in plurals(lang).items():
        found |= {f"{key}[{i}]": form for i, form in enumerate(forms)}
    return found


SPANISH = messages(ES)


# --- plurals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", [EN, ES], ids=["en", "es"])
def test_no_message_hedges_a_plural_with_parentheses(lang):
    hedged = {k: v for k, v in messages(lang).items() if re.search(r"\w\((s|es|as|os|a)\)", v)}
    assert hedged == {}


def test_plural_messages_have_every_form_in_both_languages_with_the_same_placeholders():
    assert set(plurals(EN)) == set(plurals(ES))
    assert set(plurals(EN)).isdisjoint(catalog(EN))
    for key in plurals(EN):
        en, es = plurals(EN)[key], plurals(ES)[key]
        assert len(en) == len(es) == 2, key  # both catalogs: nplurals=2; plural=(n != 1)
        assert set().union(*map(placeholders, en)) == set().union(*map(placeholders, es)), key


@pytest.mark.parametrize(
    ("count", "english", "spanish"),
    [
        (1, "… and 1 earlier report", "… y 1 reporte anterior"),
        (2, "… and 2 earlier reports", "… y 2 reportes anteriores"),
        (0, "… and 0 earlier reports", "… y 0 reportes anteriores"),
    ],
)
def test_a_count_takes_the_form_its_number_needs(count, english, spanish):
    assert tn(EN, "card.more_reports", count) == english
    assert tn(ES, "card.more_reports", count) == spanish


# --- 12-hour clocks and the words around them -----------------------------------------------------------


def test_spanish_clocks_are_twelve_hour_as_us_latino_readers_write_them():
    assert clock(ONE_THIRTY_ONE, CHICAGO, ES) == "1:31\u00a0p.m."  # a no-break space keeps it on one line
    assert clock(ONE_THIRTY_ONE - timedelta(hours=2, minutes=26), CHICAGO, ES) == "11:05\u00a0a.m."
    assert clock(ONE_THIRTY_ONE, CHICAGO, EN) == "13:31"
    assert clock(ONE_THIRTY_ONE, CHICAGO, EN, zone_name=True) == "13:31 CST"


def test_spanish_says_la_1_and_las_11():
    assert clock_phrase(ONE_THIRTY_ONE, CHICAGO, ES) == "la 1:31\u00a0p.m."
    assert clock_phrase(ONE_THIRTY_ONE - timedelta(hours=2), CHICAGO, ES) == "las 11:31\u00a0a.m."
    assert clock_phrase(ONE_THIRTY_ONE - timedelta(hours=1, minutes=31), CHICAGO, ES) == "las 12:00\u00a0p.m."
    assert clock_phrase(ONE_THIRTY_ONE, CHICAGO, EN) == "13:31"


def test_a_date_and_a_clock_reach_the_sentence_separately():
    assert when(ONE_THIRTY_ONE, CHICAGO, ES) == "el viernes 24 de enero, a la 1:31\u00a0p.m."
    assert when(ONE_THIRTY_ONE, CHICAGO, EN) == "Fri 24 Jan, 13:31 CST"
    about = ObservedTime.window(ONE_THIRTY_ONE - timedelta(minutes=5), ONE_THIRTY_ONE + timedelta(minutes=5))
    assert words.observed(about, CHICAGO, ES) == "el viernes 24 de enero, alrededor de la 1:31\u00a0p.m."
    assert words.observed(about, CHICAGO, ES, short=True) == "alrededor de la 1:31\u00a0p.m."
    assert words.observed(about, CHICAGO, EN) == "Fri 24 Jan, about 13:31 CST"
    wide = ObservedTime.window(ONE_THIRTY_ONE - timedelta(minutes=46), ONE_THIRTY_ONE - timedelta(minutes=21))
    assert words.observed(wide, CHICAGO, ES) == "el viernes 24 de enero, entre las 12:45\u00a0p.m. y la 1:10\u00a0p.m."
    assert words.observed(wide, CHICAGO, EN) == "Fri 24 Jan, between 12:45 and 13:10 CST"
    unsaid = ObservedTime.not_given(ONE_THIRTY_ONE)
    told = "sin hora exacta (se reportó el viernes 24 de enero, a la 1:31\u00a0p.m.)"
    assert words.observed(unsaid, CHICAGO, ES) == told
    assert words.observed(unsaid, CHICAGO, ES, short=True) == "sin hora exacta (se reportó a la 1:31\u00a0p.m.)"


def test_a_sentence_ending_on_a_clock_has_one_period():
    assert t(ES, "alert.amends", when=when(ONE_THIRTY_ONE, CHICAGO, ES)).endswith("1:31\u00a0p.m.")
    assert t(EN, "alert.amends", when=when(ONE_THIRTY_ONE, CHICAGO, EN)).endswith("13:31 CST.")


# --- usted, one word per concept, Spanish command names ----------------------------------------------------

# The second person singular (tú) in the forms Veraz's messages would use.
TU = re.compile(
    r"\b(tú|tu|tus|te|ti|tuyo|tuya|puedes|quieres|tienes|estás|eres|vas|viste|reportaste|elige|activa|configura"
    r"|pulsa|observa|intervengas|compartas|estés|informa|ve solo)\b",
    re.IGNORECASE,
)
# Where a verb form is the same for usted and tú in another person ("activa" can be "it activates"),
# the message is listed here with why it is not tú.
NOT_TU = {
    "error.verifiers_not_set",  # "quien administra el servidor configura ...": third person
    "cmd.settings.default_delivery.description",  # "si la persona no elige": third person
}


def test_spanish_messages_say_usted_never_tu():
    found = {k: v for k, v in SPANISH.items() if TU.search(v) and k.split("[")[0] not in NOT_TU}
    assert found == {}


# One word per concept: the word on the left never appears; the one on the right is what Veraz says.
NEVER = {
    r"sin verificar": "sin confirmar",
    r"retractaci": "ALERTA RETIRADA",
    r"añad": "agregar",
    r"\bpuls": "tocar",
    r"suscrit[oa]s?\b": "suscriptores, or a gender-neutral phrasing",
    r"tribunal": "corte",
    r"lugar de culto": "iglesia o templo",
    r"organismo": "institución",
    r"fuerzas del orden": "autoridad policial",
    r"seguridad nacional": "HSI (investigaciones de ICE); Seguridad Nacional reads as DHS",
    r"\bDM\b": "mensaje directo",
    r"\badmins?\b": "quien administra",
    r"\bfeed\b": "alertas públicas",
    r"«|»": "“…”, as on the cards",
    r"RESUELTO|\bResolver\b": "TERMINÓ, Ya terminó",
    r"id de error": "código del error",
    r"hora no indicada": "sin hora exacta",
}


@pytest.mark.parametrize("pattern", sorted(NEVER))
def test_spanish_uses_one_word_per_concept(pattern):
    found = {k: v for k, v in SPANISH.items() if re.search(pattern, v, re.IGNORECASE)}
    assert found == {}, f"say {NEVER[pattern]!r} instead"


ENGLISH_COMMANDS = sorted(
    {v for k, v in catalog(EN).items() if re.fullmatch(r"cmd\.[a-z_]+\.name", k)}, key=len, reverse=True
)


def test_spanish_messages_name_commands_in_spanish_with_the_english_only_in_brackets():
    """ "/cancelar-alertas (/unsubscribe si su Discord está en inglés)": never the English name alone."""
    bare = {}
    for key, text in SPANISH.items():
        for name in ENGLISH_COMMANDS:
            for match in re.finditer(rf"/{re.escape(name)}\b(?!-)", text):
                if text[max(0, match.start() - 1)] != "(":
                    bare[key] = text
    assert bare == {}


def test_the_english_command_names_are_what_the_scan_looks_for():
    assert {"report", "subscribe", "unsubscribe", "settings", "incident", "forget-me"} <= set(ENGLISH_COMMANDS)
    assert re.search(r"/unsubscribe\b(?!-)", "use /unsubscribe en el servidor")  # the scan can find one


def test_the_unsubscribe_confirmation_says_retractions_still_arrive():
    for lang in (EN, ES):
        for key in ("unsubscribe.all", "unsubscribe.area"):
            text = t(lang, key, area="Pilsen")
            assert ("retraction" in text) if lang is EN else ("ALERTA RETIRADA" in text), (lang, key)


def test_the_rights_are_said_as_rights_groups_red_cards_say_them():
    assert t(ES, "alert.rights") == (
        "Conozca sus derechos: mantenga la calma. Tiene derecho a guardar silencio. "
        "No abra la puerta a menos que le muestren una orden firmada por un juez."
    )
    assert t(ES, "report.rights") == t(ES, "alert.rights")
    assert t(EN, "report.rights") == t(EN, "alert.rights")


@pytest.mark.parametrize("lang", [EN, ES], ids=["en", "es"])
def test_every_text_fits_discords_limits_uncut(lang):
    """Discord refuses a command description or a placeholder over 100 characters and a modal label or title
    over 45; the bot cuts a label to fit, which would cut a word in half ("who you ar"). A modal's
    explanation (a text display) may run to 4,000."""
    too_long = {}
    for key, text in catalog(lang).items():
        limit = 100 if key.startswith("cmd.") and key.endswith(".description") else None
        limit = 32 if key.startswith("cmd.") and key.endswith(".name") else limit
        limit = 45 if key.startswith("modal.") and key.endswith((".title", ".label")) else limit
        limit = 100 if key.startswith("modal.") and key.endswith(".placeholder") else limit
        limit = 4000 if key.startswith("modal.") and key.endswith(".explain") else limit
        if limit is not None and len(text.replace("{number}", "12345")) > limit:
            too_long[key] = text
    assert too_long == {}
