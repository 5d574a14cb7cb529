"""The message catalogs: complete in both languages, placeholders that agree, no empty text."""

from __future__ import annotations

import pytest

from bot.core.i18n import catalog, language_of, placeholders, t
from verification.model import Language

EN, ES = catalog(Language.EN), catalog(Language.ES)


def test_both_languages_have_exactly_the_same_keys():
    assert set(EN) - set(ES) == set(), "missing in Spanish"
    assert set(ES) - set(EN) == set(), "missing in English"


@pytest.mark.parametrize("key", sorted(EN))
def test_every_message_is_non_empty_and_its_placeholders_match(key):
    assert EN[key].strip()
    assert ES[key].strip()
    assert placeholders(EN[key]) == placeholders(ES[key]), key


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es-ES", Language.ES),
        ("es-419", Language.ES),
        ("en-US", Language.EN),
        ("en-GB", Language.EN),
        ("pt-BR", Language.EN),
        (None, Language.EN),
    ],
)
def test_discord_locales_map_to_our_two_languages(locale, language):
    assert language_of(locale) is language


def test_a_message_fills_its_placeholders_in_the_readers_language():
    assert t(Language.ES, "error.unknown_incident", number=7) == "No existe el incidente #7."
    assert t(Language.EN, "error.unknown_incident", number=7) == "There is no incident #7."


def test_every_kind_of_event_has_a_line_in_the_history_in_both_languages():
    """Found in review: /incident show crashed on events added later (near misses, place changes...)."""
    from bot.core.i18n import has
    from verification.events import EVENT_TYPES

    missing = [kind for kind in EVENT_TYPES if not has(f"history.{kind}")]
    assert missing == []
