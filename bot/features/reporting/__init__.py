"""Reporting: /report, /status, and the buttons under a report's reply (time, place)."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.reporting.cog import PlaceMenu, Reporting, TimeButton

    await host.bot.add_cog(Reporting(host.services))
    host.bot.add_dynamic_items(TimeButton, PlaceMenu)
