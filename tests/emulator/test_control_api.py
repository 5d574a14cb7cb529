"""The /_emulator control API: inspect state and drive actors over HTTP, as a test in another process would."""

from __future__ import annotations

import asyncio

import pytest

from discord_emulator import DiscordEmulator
from discord_emulator.remote import RemoteEmulator, RemoteEmulatorError
from tests.emulator.conftest import Community, bot_channel
from tests.emulator.sample_bot import SampleBot

pytestmark = pytest.mark.timeout(30)


async def test_state_lists_guilds_members_and_the_bot_connection(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """GET /_emulator/state is a JSON snapshot of the world."""
    async with RemoteEmulator(emu.base_url) as remote:
        state = await remote.state()
    assert state["bot_connected"] is True
    [guild] = state["guilds"]
    assert guild["name"] == "Back of the Yards Rapid Response"
    assert {m["username"] for m in guild["members"]} >= {"ana", "bea", "admin", "Veraz"}
    assert state["errors"] == []


async def test_a_slash_command_click_and_modal_over_http(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Actions by member name return the interaction's outcome, including the modal to submit."""
    guild_id = community.guild.id
    async with RemoteEmulator(emu.base_url) as remote:
        reply = await remote.slash(guild_id, "ana", "report", where="Hamline Elementary", what="van")
        assert reply["message"]["content"] == "Report received: 1 at Hamline Elementary: van"
        assert reply["ephemeral"] is True
        await remote.slash(guild_id, "ana", "card", number=4)
        [card] = await remote.messages(channel="general", guild_id=guild_id)
        opened = await remote.act("click", guild_id, "ana", message_id=card["id"], label="Confirm")
        assert opened["modal"]["title"] == "Confirm incident"
        await remote.act("submit_modal", guild_id, "ana", interaction_id=opened["id"], values={"reason": "seen"})
        [card] = await remote.messages(channel="general", guild_id=guild_id)
    assert card["content"] == "Incident #4 confirmed by ana: seen"
    assert len(card["edits"]) == 1


async def test_an_attachment_option_can_be_sent_as_text(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """{"filename", "text"} stands in for a file upload over JSON."""
    async with RemoteEmulator(emu.base_url) as remote:
        file = {"filename": "places.csv", "text": "name,area\nA,x\nB,y\nC,z\n"}
        reply = await remote.slash(community.guild.id, community.admin.id, "places import", file=file)
    assert reply["message"]["content"] == "Imported 3 places from places.csv"


async def test_refused_actions_answer_409(emu: DiscordEmulator, community: Community, sample_bot: SampleBot) -> None:
    """An unknown command is what Discord's client would refuse: 409 with the reason."""
    async with RemoteEmulator(emu.base_url) as remote:
        with pytest.raises(RemoteEmulatorError) as refused:
            await remote.slash(community.guild.id, "ana", "no-such-command")
    assert refused.value.status == 409
    assert "no synced command" in refused.value.body["error"]


async def test_messages_can_long_poll_for_a_minimum_count(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """min_count makes the request wait (event-driven) until enough messages exist."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    async with RemoteEmulator(emu.base_url) as remote:
        waiting = asyncio.create_task(remote.messages(channel=channel.id, min_count=2, timeout=5))
        await channel.send("one")
        await channel.send("two")
        listed = await waiting
    assert [m["content"] for m in listed] == ["one", "two"]


async def test_a_member_built_over_http_can_have_dms_closed(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Members, roles and channels can be created remotely; PATCH /users closes DMs."""
    async with RemoteEmulator(emu.base_url) as remote:
        role = await remote.create_role(community.guild.id, "Subscribers", mentionable=True)
        created = await remote.add_member(
            community.guild.id, "carla", roles=[role["id"]], locale="es-419", created_at="2025-01-02T03:04:05+00:00"
        )
        await remote.set_dms_open(created["id"], False)
        channel = await remote.create_channel(community.guild.id, "alerts")
    carla = community.guild.member("carla")
    assert carla.roles[0].name == "Subscribers"
    assert not carla.dms_open
    assert carla.created_at.year == 2025
    assert community.guild.channel("alerts").id == int(channel["id"])
