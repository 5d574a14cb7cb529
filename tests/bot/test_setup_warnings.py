"""/setup says when the moderators' queue is not private: open to @everyone, or hidden from @everyone but
open to a role most members hold (found in review of issue 23: only @everyone was looked at)."""

from __future__ import annotations

import pytest

from bot.demo.live_world import World
from discord_emulator import overwrite
from discord_emulator.permissions import VIEW_CHANNEL

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


async def setup_with(world: World, queue) -> str:
    reply = await world.people["admin"].slash("setup", moderator_role=world.mods, queue_channel=queue,
                                              alerts_channel=world.alerts, timezone="America/Chicago")  # fmt: skip
    assert "Veraz is set up" in reply.content, reply.content
    return reply.content


async def test_a_queue_open_to_everyone_or_to_an_everyone_like_role_is_warned_about(world: World):
    assert "Everyone can see" in await setup_with(world, world.guild.channel("general"))

    members = world.guild.create_role("Members")
    for person in world.people.values():
        person.add_role(members)
    hidden = world.guild.create_text_channel(
        "mod-queue", private=True, overwrites=[overwrite(members, allow=VIEW_CHANNEL)]
    )
    said = await setup_with(world, hidden)
    assert "Everyone can see" not in said
    assert f"<@&{members.id}> can read <#{hidden.id}>, and 8 of the server's" in said, said

    assert "can read" not in await setup_with(world, world.queue)  # the moderators' own channel: no warning
