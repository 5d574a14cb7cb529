"""The persistent "Get alerts for..." menu in the alerts channel: subscribe in one click, with the
community's default delivery (an area role or DMs), in the language of the member's Discord."""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
import discord

from bot.core.acting import Acting
from bot.core.i18n import t
from bot.core.safe import cut, plain
from bot.core.services import Services, services_of
from bot.features.subscriptions.subscribing import subscribe_member
from verification import usecases
from verification.community import Community
from verification.model import Language

log = logging.getLogger(__name__)
EVERY_AREA = "*"  # never an area name: areas are names people type, and "*" alone is refused as a place
MAX_OPTIONS = 25


class AreaMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"veraz:areas"):
    def __init__(self, options: list[discord.SelectOption] | None = None, placeholder: str | None = None) -> None:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="veraz:areas",
            placeholder=placeholder,
            options=options or [discord.SelectOption(label="-", value=EVERY_AREA)],
            min_values=1,
            max_values=1,
        )
        super().__init__(select)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AreaMenu:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        services = services_of(interaction.client)
        values = self.item.values
        choice = values[0] if values else EVERY_AREA
        async with Acting(services, interaction) as act:
            community = await act.community()
            area = None if choice == EVERY_AREA else choice
            done = await subscribe_member(services, interaction.guild, community, interaction.user, area, act.lang,
                                          None, act.lang)  # fmt: skip
            await act.reply("\n".join(done.lines))


def menu_view(areas: list[str], lang: Language) -> discord.ui.View:
    options = [discord.SelectOption(label=t(lang, "subscriptions.every_area")[:100], value=EVERY_AREA)]
    # A menu's label is plain text (no markdown, no mention): escaping would show the backslashes.
    options += [discord.SelectOption(label=cut(plain(a), 100), value=a[:100]) for a in areas[: MAX_OPTIONS - 1]]
    view = discord.ui.View(timeout=None)
    view.add_item(AreaMenu(options, t(lang, "area_menu.placeholder")))
    return view


async def post_area_menu(services: Services, community: Community) -> Community:
    """Post the menu once, in the community's language (not the admin's); later calls keep the one posted."""
    if community.alerts_channel is None or community.area_menu is not None:
        return community
    areas = await usecases.areas(services.storage, community.id)
    language = community.language
    message = await services.outgoing.send(
        community.alerts_channel, t(language, "area_menu.text"), view=menu_view(areas, language)
    )
    await usecases.set_area_menu(services.storage, community.id, message.id)
    services.communities.forget(community.id)
    return await services.communities.get(community.id) or community


async def refresh_area_menu(services: Services, community: Community) -> None:
    """Show today's areas in the menu posted earlier (an admin added or removed places). A menu someone
    deleted is forgotten: turning area roles on again posts a new one."""
    if community.alerts_channel is None or community.area_menu is None:
        return
    areas = await usecases.areas(services.storage, community.id)
    try:
        await services.outgoing.edit(
            community.alerts_channel, community.area_menu, view=menu_view(areas, community.language)
        )
    except discord.NotFound:
        await usecases.set_area_menu(services.storage, community.id, None)
        services.communities.forget(community.id)
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:  # the next change tries again
        log.warning("could not refresh the area menu", extra={"guild": community.id, "error": str(exc)})
