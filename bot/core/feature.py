"""What a feature's `setup` is given: the bot to register its commands and views on, the services, and
the card's action registry (see `card_button`)."""

from __future__ import annotations

from dataclasses import dataclass

from discord.ext import commands

from bot.core.card_button import CardActions
from bot.core.services import Services


@dataclass(frozen=True, slots=True)
class Host:
    bot: commands.Bot
    services: Services
    card_actions: CardActions
