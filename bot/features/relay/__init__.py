"""The relay: a moderator's question to an incident's reporters by DM, and their answers back."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.relay.cog import AnswerButton, Relay, register_card_actions

    await host.bot.add_cog(Relay(host.services))
    host.bot.add_dynamic_items(AnswerButton)
    register_card_actions(host.card_actions)
