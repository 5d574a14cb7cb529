"""Privacy: /forget-me."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.privacy.cog import Privacy

    await host.bot.add_cog(Privacy(host.services))
