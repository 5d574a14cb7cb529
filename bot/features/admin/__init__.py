"""Administration: /setup, /settings and /places."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.admin.cog import Admin

    await host.bot.add_cog(Admin(host.services))
