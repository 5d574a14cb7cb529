"""Moderation: /incident and the moderators' actions on a queue card (confirm, debunk, merge...)."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.moderation.card_actions import MergeButton, register
    from bot.features.moderation.cog import IncidentCommands

    await host.bot.add_cog(IncidentCommands(host.services))
    host.bot.add_dynamic_items(MergeButton)
    register(host.card_actions)
