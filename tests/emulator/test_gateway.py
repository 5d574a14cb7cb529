"""The gateway: identify, resume with replay, restarts, intents, and the close codes discord.py relies on."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import discord
import pytest
from discord.ext import commands

from discord_emulator import DiscordEmulator, GuildHandle, Limits
from tests.emulator.conftest import TOKEN, BotStarter, Community
from tests.emulator.sample_bot import SampleBot

pytestmark = pytest.mark.timeout(30)


async def test_a_restarted_bot_handles_clicks_on_messages_the_first_one_sent(
    emu: DiscordEmulator, community: Community, start_bot: BotStarter
) -> None:
    """Bot #1 posts a card and closes; bot #2 (DynamicItem registered in setup_hook) answers its button."""
    first = await start_bot(SampleBot(community.guild.id))
    await community.ana.slash("card", number=5)
    card = community.guild.channel("general").last_message
    assert card is not None
    await first.close()
    await emu.wait_for(lambda: not emu.bot_connected, what="bot #1 to disconnect")

    await start_bot(SampleBot(community.guild.id))
    assert emu.identify_count == 2
    opened = await community.ana.click(card, "Confirm")
    assert opened.modal is not None
    assert opened.modal.title == "Confirm incident"


async def test_a_dropped_connection_resumes_and_replays_what_the_bot_missed(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """An interaction created while the socket is down is replayed after RESUME and answered in time."""
    await emu.disconnect_bot()
    assert not emu.bot_connected
    res = await community.ana.slash("report", where="Davis Square Park", what="van")
    assert res.content == "Report received: 1 at Davis Square Park: van"
    assert emu.services.gateway.resume_count == 1
    assert emu.identify_count == 1


async def test_op7_reconnect_makes_discordpy_resume(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """RECONNECT closes the socket from the client side; the session resumes without a new IDENTIFY."""
    emu.request_reconnect()
    await emu.wait_for(lambda: emu.services.gateway.resume_count == 1, what="a RESUME")
    res = await community.ana.slash("report", where="x", what="y")
    assert not res.failed
    assert emu.identify_count == 1


async def test_a_wrong_token_is_a_login_failure(emu: DiscordEmulator, community: Community) -> None:
    """GET /users/@me answers 401, which discord.py turns into LoginFailure."""
    bot = SampleBot(community.guild.id)
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def gateway_frames(
    emu: DiscordEmulator, sent: list[dict[str, object]], count: int
) -> tuple[list[dict[str, object]], int | None]:
    """Send raw frames to the gateway; collect `count` frames back (or until it closes) and the close code."""
    received: list[dict[str, object]] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{emu.gateway_url}?v=10&encoding=json") as ws:
        for frame in sent:
            await ws.send_json(frame)
        while len(received) < count:
            message = await ws.receive(timeout=5)
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            received.append(json.loads(message.data))
        return received, ws.close_code


async def test_identify_with_a_bad_token_closes_with_4004(emu: DiscordEmulator) -> None:
    """Authentication failed is close code 4004, which discord.py does not retry."""
    frames, code = await gateway_frames(emu, [{"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}}], 2)
    assert frames[0]["op"] == 10
    assert code == 4004


async def test_heartbeats_are_acknowledged(emu: DiscordEmulator) -> None:
    """op 1 is answered with op 11."""
    frames, _ = await gateway_frames(emu, [{"op": 1, "d": None}], 2)
    assert [f["op"] for f in frames] == [10, 11]


async def test_resuming_an_unknown_session_is_invalid(emu: DiscordEmulator) -> None:
    """op 9 with d=false tells the client to identify afresh."""
    resume = {"op": 6, "d": {"token": TOKEN, "session_id": "nope", "seq": 3}}
    frames, _ = await gateway_frames(emu, [resume], 2)
    assert frames[1] == {"op": 9, "d": False, "s": None, "t": None}


async def test_ready_then_one_guild_create_per_guild_with_rising_sequence_numbers(
    emu: DiscordEmulator, community: Community
) -> None:
    """READY lists guilds as unavailable; GUILD_CREATE follows with the bot's member and unavailable false."""
    other = emu.create_guild("Pilsen Rapid Response")
    emu.add_bot_to_guild(other)
    identify = {"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}}}
    frames, _ = await gateway_frames(emu, [identify], 4)
    ready, *creates = frames[1:]
    assert ready["t"] == "READY"
    assert [c["t"] for c in creates] == ["GUILD_CREATE", "GUILD_CREATE"]
    assert [f["s"] for f in frames[1:]] == [1, 2, 3]
    create = creates[0]["d"]
    assert isinstance(create, dict)
    assert create["unavailable"] is False
    assert [m["user"]["id"] for m in create["members"]] == [str(emu.bot_user.id)]


async def test_privileged_intents_can_be_refused_with_4014() -> None:
    """An application without the members intent enabled gets Disallowed intent(s)."""
    async with DiscordEmulator(TOKEN, enabled_privileged_intents=0) as strict:
        identify = {"op": 2, "d": {"token": TOKEN, "intents": 1 | 1 << 1, "properties": {}}}
        _, code = await gateway_frames(strict, [identify], 5)
    assert code == 4014


class Listener(commands.Bot):
    def __init__(self, guild_id: int, intents: discord.Intents) -> None:
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.1)
        self.seen: asyncio.Queue[discord.Message] = asyncio.Queue()

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            await self.seen.put(message)


async def test_without_the_message_content_intent_guild_messages_arrive_blank(
    community: Community, start_bot: BotStarter
) -> None:
    """Other people's guild messages lose their content unless they mention the bot."""
    bot = await start_bot(Listener(community.guild.id, discord.Intents.default()))
    assert isinstance(bot, Listener)
    assert bot.user is not None
    general = community.guild.channel("general")
    await community.bea.say(general, "secret plans")
    await community.bea.say(general, f"{bot.user.mention} hello")
    first, second = await bot.seen.get(), await bot.seen.get()
    assert first.content == ""
    assert second.content == f"{bot.user.mention} hello"


async def test_with_the_message_content_intent_guild_messages_keep_their_content(
    community: Community, start_bot: BotStarter
) -> None:
    """The privileged intent lifts the blanking."""
    intents = discord.Intents.default()
    intents.message_content = True
    bot = await start_bot(Listener(community.guild.id, intents))
    assert isinstance(bot, Listener)
    await community.bea.say(community.guild.channel("general"), "secret plans")
    assert (await bot.seen.get()).content == "secret plans"


async def test_a_bot_with_the_members_intent_gets_every_member(community: Community, start_bot: BotStarter) -> None:
    """GUILD_CREATE carries all members, so discord.py considers the guild chunked."""
    intents = discord.Intents.default()
    intents.members = True
    bot = await start_bot(Listener(community.guild.id, intents))
    guild = bot.get_guild(community.guild.id)
    assert guild is not None
    assert guild.chunked
    assert {m.name for m in guild.members} >= {"ana", "bea", "admin", "Veraz"}


async def test_the_gateway_counts_the_most_sessions_ever_connected_at_once(
    emu: DiscordEmulator, community: Community, start_bot: BotStarter
) -> None:
    """A bot run on several hosts must never hold two sessions at once: the emulator can tell."""
    first = await start_bot(SampleBot(community.guild.id))
    await first.close()
    await emu.wait_for(lambda: not emu.bot_connected, what="bot #1 to disconnect")
    await start_bot(SampleBot(community.guild.id))
    assert emu.services.gateway.max_live_sessions == 1  # one after the other: never two
    await start_bot(SampleBot(community.guild.id))
    assert emu.services.gateway.max_live_sessions == 2


def on_each_shard(emu: DiscordEmulator, shards: int) -> list[GuildHandle]:
    """One new guild on each shard (a guild's shard is (id >> 22) % shards: its creation millisecond)."""
    found: dict[int, GuildHandle] = {}
    while len(found) < shards:
        guild = emu.create_guild(f"server {len(found)}")
        found.setdefault((guild.id >> 22) % shards, guild)
        time.sleep(0.001)
    return [found[shard] for shard in range(shards)]


def _identify(shard: object) -> dict[str, object]:
    return {"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}, "shard": shard}}


async def test_sharded_sessions_get_their_own_guilds_and_discord_recommends_the_count() -> None:
    """GET /gateway/bot says how many shards; each session gets the guilds of its shard only; a bot that
    identifies without shards when one session may not hold them all is closed with 4011; a shard pair
    that makes no sense with 4010."""
    async with DiscordEmulator(TOKEN, limits=Limits(recommended_shards=2, guilds_per_shard=1)) as emu:
        for guild in on_each_shard(emu, 2):
            emu.add_bot_to_guild(guild)
        headers = {"Authorization": f"Bot {TOKEN}"}
        async with aiohttp.ClientSession() as session, session.get(f"{emu.api_base}/gateway/bot",
                                                                   headers=headers) as answer:  # fmt: skip
            assert (await answer.json())["shards"] == 2
        for shard in (0, 1):
            frames, _ = await gateway_frames(emu, [_identify([shard, 2])], 3)
            ready, create = frames[1], frames[2]
            assert ready["d"]["shard"] == [shard, 2]  # type: ignore[index]
            assert create["t"] == "GUILD_CREATE"
            assert (int(create["d"]["id"]) >> 22) % 2 == shard  # type: ignore[index]
        _, code = await gateway_frames(emu, [_identify(None)], 3)
        assert code == 4011
        for bad in ([2, 2], [0], "0,2", [-1, 2]):
            _, code = await gateway_frames(emu, [_identify(bad)], 3)
            assert code == 4010, bad
        assert emu.services.gateway.max_live_sessions == 1  # one per shard, one after the other
