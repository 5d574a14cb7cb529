"""Every message Veraz sends or edits on its own initiative, and every role it makes, grants or takes
away, goes through `Outgoing`: it is the only holder of the Discord client for REST calls.

One path means no send can skip the two things every send needs:

- a slot from the shared `Pacer`, so the bot stays under Discord's global limit without needing a 429
  to find it (interaction replies are exempt from that limit and go through `Acting` instead);
- mention safety: `allowed_mentions` is "nobody" unless the caller names the exact roles an alert may
  mention, so no user text that ends up in a message can ever ping anyone.

It also carries the delivery's nonce (with `enforce_nonce`), so a send repeated after a crash is
de-duplicated by Discord, and it holds the `DiscordHealth` that watches every request's outcome.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import discord

from bot.core.discord_health import DiscordHealth
from bot.core.pacing import Pacer

NO_PINGS = discord.AllowedMentions.none()


def mentions_for(roles: Sequence[int] = ()) -> discord.AllowedMentions:
    """Nobody, or exactly these roles: never users, never @everyone, never any other role."""
    if not roles:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                   roles=[discord.Object(id=r) for r in roles])  # fmt: skip


class Outgoing:
    def __init__(self, client: discord.Client, pacer: Pacer, health: DiscordHealth | None = None) -> None:
        self._client = client
        self.pacer = pacer
        self.health = health or DiscordHealth()  # fed by the client's trace (bot.client), if it has it

    async def probe(self) -> None:
        """One cheap request that changes nothing (who the bot is): whether Discord answers at all."""
        await self.pacer.slot()
        await self._client.http.request(discord.http.Route("GET", "/users/@me"))

    async def send(
        self,
        channel_id: int,
        text: str = "",
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        reply_to: tuple[int, int] | None = None,
        nonce: str | None = None,
        roles: Sequence[int] = (),
        file: discord.File | None = None,
    ) -> discord.Message:
        """Post in a channel or a DM channel. `reply_to` is (channel id, message id) of the post it answers;
        `file` is uploaded with it (only the photos feature does, and only to the private queue channel)."""
        channel = self._client.get_partial_messageable(channel_id)
        kwargs: dict[str, Any] = {"allowed_mentions": mentions_for(roles)}
        if embed is not None:
            kwargs["embed"] = embed
        else:
            kwargs["suppress_embeds"] = True  # a link in user text never unfurls into a preview
        if view is not None:
            kwargs["view"] = view
        if nonce is not None:
            kwargs["nonce"] = nonce  # discord.py sets enforce_nonce with it
        if file is not None:
            kwargs["file"] = file
        if reply_to is not None:
            kwargs["reference"] = discord.MessageReference(
                message_id=reply_to[1], channel_id=reply_to[0], fail_if_not_exists=False
            )
        await self.pacer.slot()
        return await channel.send(text or None, **kwargs)

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        *,
        text: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """Edit one of the bot's own messages (a queue card, an amended alert post)."""
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if text is not None:
            kwargs["content"] = text[:2000]
        if embed is not None:
            kwargs["embed"] = embed
            kwargs["view"] = view  # None removes the buttons of a closed incident's card
        elif view is not None:
            kwargs["view"] = view  # new options of a menu, the text kept
        await self.pacer.slot()
        await message.edit(**kwargs)

    async def delete(self, channel_id: int, message_id: int) -> None:
        """Delete one of the bot's own messages (a photo's queue post that retention or /forget-me removed)."""
        await self.pacer.slot()
        await self._client.get_partial_messageable(channel_id).get_partial_message(message_id).delete()

    async def open_dm(self, user_id: int) -> int:
        """Open (or find) the DM channel with a user; returns its id."""
        await self.pacer.slot()
        data = await self._client.http.start_private_message(user_id)
        return int(data["id"])

    async def history(
        self, channel_id: int, *, after: datetime, limit: int | None = 50
    ) -> AsyncIterator[discord.Message]:
        """The bot's messages in a channel since `after`, oldest first (one paced request per page of 100)."""
        await self.pacer.slot()
        channel = self._client.get_partial_messageable(channel_id)
        mine = self._client.user.id if self._client.user is not None else None
        seen = 0
        async for message in channel.history(limit=limit, after=discord.Object(id=_snowflake(after))):
            seen += 1
            if seen % 100 == 0:
                await self.pacer.slot()
            if message.author.id == mine:
                yield message

    # --- area roles (issue 14): paced like messages; no role call skips the shared budget ------------

    async def create_role(self, guild: discord.Guild, name: str, reason: str) -> discord.Role:
        """A role that grants nothing and that nobody but Veraz (with Mention Everyone) can ping."""
        await self.pacer.slot()
        return await guild.create_role(
            name=name, mentionable=False, permissions=discord.Permissions.none(), reason=reason
        )

    async def delete_role(self, guild_id: int, role: int, reason: str) -> None:
        await self.pacer.slot()
        await self._client.http.delete_role(guild_id, role, reason=reason)

    async def add_role(self, guild_id: int, user_id: int, role: int, reason: str) -> None:
        await self.pacer.slot()
        await self._client.http.add_role(guild_id, user_id, role, reason=reason)

    async def remove_role(self, guild_id: int, user_id: int, role: int, reason: str) -> None:
        await self.pacer.slot()
        await self._client.http.remove_role(guild_id, user_id, role, reason=reason)

    async def role_member_counts(self, guild_id: int) -> dict[int, int]:
        """How many members hold each role of the server (no members intent needed; @everyone left out)."""
        await self.pacer.slot()
        route = discord.http.Route("GET", "/guilds/{guild_id}/roles/member-counts", guild_id=guild_id)
        found = await self._client.http.request(route)
        return {int(role): int(count) for role, count in found.items()}

    async def member_roles(self, guild_id: int, user_id: int) -> list[int]:
        """The roles Discord has the member holding now (raises NotFound when they left the server)."""
        await self.pacer.slot()
        member = await self._client.http.get_member(guild_id, user_id)
        return [int(role) for role in member.get("roles", [])]


def _snowflake(moment: datetime) -> int:
    """The smallest Discord id created at `moment` (ids start with their creation time)."""
    return max(0, int(moment.timestamp() * 1000) - 1420070400000) << 22
