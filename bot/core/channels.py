"""What a channel's permissions say about who reads it."""

from __future__ import annotations

import discord


def readable_by_everyone(channel: discord.abc.GuildChannel) -> bool:
    """Whether @everyone may open the channel: anything posted there is public inside the server."""
    return channel.permissions_for(channel.guild.default_role).view_channel
