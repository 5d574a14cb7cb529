"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, and the "Get alerts for..." menu."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.subscriptions.area_menu import AreaMenu, post_area_menu, refresh_area_menu
    from bot.features.subscriptions.cog import SubscriptionCommands

    services = host.services
    await host.bot.add_cog(SubscriptionCommands(services, host.bot))
    host.bot.add_dynamic_items(AreaMenu)
    services.hooks.post_area_menu = lambda community: post_area_menu(services, community)
    services.hooks.refresh_area_menu = lambda community: refresh_area_menu(services, community)
