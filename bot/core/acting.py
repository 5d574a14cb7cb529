"""Handling one interaction: acknowledge it in time, check who may act, reply politely whatever happens.

Every command and button handler runs inside `Acting`:

    async with Acting(services, interaction) as act:
        community = await act.community()
        await act.require_moderator(community)
        ...
        await act.reply(text)

It acknowledges the interaction at once (a "thinking" deferral, so the 3-second deadline never bites
whatever the database is doing), and turns any refusal into an ephemeral reply in the user's language.
An unexpected error is logged with a short id, which the reply shows, and changes nothing: the use case
it interrupted rolled back.
"""

from __future__ import annotations

import logging
import re
import secrets
from types import TracebackType
from typing import Self

import discord

from bot.core import metrics
from bot.core.i18n import language_of, t
from bot.core.replies import refusal
from bot.core.services import Services
from verification.community import Community
from verification.errors import RuleViolation
from verification.model import Language

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()


class Acting:
    def __init__(self, services: Services, interaction: discord.Interaction, *, defer: bool = True) -> None:
        self.services = services
        self.interaction = interaction
        self.lang: Language = language_of(interaction.locale)
        self._defer = defer

    async def __aenter__(self) -> Self:
        if self._defer and not self.interaction.response.is_done():
            await self.interaction.response.defer(ephemeral=True, thinking=True)
            metrics.acknowledged(self.interaction)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if exc is None:
            return False
        if isinstance(exc, RuleViolation):
            await self.reply(refusal(exc, self.lang))
            return True
        if isinstance(exc, Exception):
            error_id = secrets.token_hex(4)
            log.error(
                "interaction failed",
                exc_info=(type(exc), exc, tb),
                extra={"error_id": error_id, "guild": self.interaction.guild_id, "kind": self._kind()},
            )
            try:
                await self.reply(t(self.lang, "error.unexpected", error_id=error_id))
            except discord.HTTPException:
                log.warning("could not tell the user about error %s", error_id)
            return True
        return False  # cancellation and exits propagate

    def _kind(self) -> str:
        """What was used, for the log: a command name, or a custom id without its numbers (which can
        be ids of people)."""
        data: dict[str, object] = dict(self.interaction.data or {})
        kind = str(data.get("name") or data.get("custom_id") or self.interaction.type.name)
        return re.sub(r"\d+", "#", kind)

    # --- who may act ----------------------------------------------------------------------------

    @property
    def guild_id(self) -> int:
        if self.interaction.guild_id is None:
            raise RuleViolation("guild_only")
        return self.interaction.guild_id

    async def community(self, *, configured: bool = True) -> Community:
        community = await self.services.communities.get(self.guild_id)
        if community is None or (configured and not community.configured):
            raise RuleViolation("not_configured")
        return community

    async def require_moderator(self, community: Community) -> None:
        """The community's moderator role, checked here: Discord's command permissions are only a default."""
        member = self.interaction.user
        if not isinstance(member, discord.Member) or community.moderator_role is None:
            raise RuleViolation("not_moderator")
        if not any(role.id == community.moderator_role for role in member.roles):
            raise RuleViolation("not_moderator")

    def require_admin(self) -> None:
        member = self.interaction.user
        if not isinstance(member, discord.Member) or not member.guild_permissions.manage_guild:
            raise RuleViolation("not_admin")

    # --- replying -------------------------------------------------------------------------------

    async def reply(
        self, text: str, *, embed: discord.Embed | None = None, view: discord.ui.View | None = None
    ) -> None:
        """An ephemeral answer that pings nobody and previews no link; `view` adds buttons or a menu."""
        embeds = [embed] if embed is not None else []
        buttons = view if view is not None else discord.utils.MISSING
        if self.interaction.response.is_done():
            await self.interaction.followup.send(
                text, ephemeral=True, embeds=embeds, allowed_mentions=NO_PINGS, suppress_embeds=not embeds, view=buttons
            )
        else:
            await self.interaction.response.send_message(
                text, ephemeral=True, embeds=embeds, allowed_mentions=NO_PINGS, suppress_embeds=not embeds, view=buttons
            )
