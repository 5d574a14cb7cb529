"""The moderators' queue: one card per incident, edited in place, with the actions features offer."""

from bot.core.card_button import CardButton
from bot.core.feature import Host


async def setup(host: Host) -> None:
    host.bot.add_dynamic_items(CardButton)
