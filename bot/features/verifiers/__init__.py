"""Verifiers: trusted people sent to the scene from a queue card, and their answers from it."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.verifiers.requests import VisitButton, register_card_actions

    host.bot.add_dynamic_items(VisitButton)
    register_card_actions(host.card_actions)
