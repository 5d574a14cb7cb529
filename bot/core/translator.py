"""Command names, descriptions, options and choices in Spanish, from the same catalogs as everything else.

Every user-facing string in a command's definition is written `L("cmd.report.description")`: a
`locale_str` whose default text is the English catalog entry and whose key the translator looks up in
the Spanish catalog for Discord's `es-ES` and `es-419` locales.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.i18n import catalog, language_of, t
from verification.model import Language


def L(key: str) -> app_commands.locale_str:
    return app_commands.locale_str(t(Language.EN, key), key=key)


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key is None or language_of(locale) is not Language.ES:
            return None
        return catalog(Language.ES).get(key)
