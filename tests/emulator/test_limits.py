"""Discord's documented limits, enforced on a real discord.py client: 429s, sizes, nonces, deadlines, DMs."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from discord_emulator import Bucket, DiscordEmulator, Limits, overwrite
from discord_emulator.permissions import SEND_MESSAGES, VIEW_CHANNEL
from tests.emulator.conftest import BotStarter, Community, bot_channel
from tests.emulator.sample_bot import SampleBot

pytestmark = pytest.mark.timeout(30)


class TestGlobalRateLimit:
    @pytest.fixture
    def limits(self) -> Limits:
        return Limits(global_limit=3, global_window=0.2, buckets={}, default_bucket=None)

    async def test_discordpy_waits_out_global_429s_and_delivers_every_message(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """With 3 requests per 0.2 s, eight sends all arrive and the emulator counted global 429s."""
        channel = bot_channel(sample_bot, community.guild.channel("general").id)
        before = emu.rate_limited_count
        for number in range(8):
            await channel.send(f"alert {number}")
        assert [m.content for m in community.guild.channel("general").messages] == [f"alert {n}" for n in range(8)]
        assert emu.rate_limited_count > before
        limited = [r for r in emu.requests if r.status == 429]
        assert limited
        assert all(r.response["global"] is True for r in limited)

    async def test_interaction_callbacks_are_exempt_from_the_global_limit(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """Even with the global window exhausted, the callback goes through first time."""
        channel = bot_channel(sample_bot, community.guild.channel("general").id)
        await asyncio.gather(*(channel.send(str(n)) for n in range(3)))
        res = await community.ana.slash("report", where="x", what="y")
        callbacks = [r for r in emu.requests if r.route and r.route.endswith("/callback")]
        assert res.callback_type == 4
        assert [r.status for r in callbacks] == [200]


class TestRouteBuckets:
    @pytest.fixture
    def limits(self) -> Limits:
        limits = Limits(global_limit=None)
        limits.buckets["POST /channels/{channel_id}/messages"] = Bucket(2, 0.3)
        return limits

    async def test_an_exhausted_bucket_answers_429_with_user_scope_and_headers(
        self, emu: DiscordEmulator, community: Community
    ) -> None:
        """Third post within the window: 429, scope user, Via, and the bucket headers Discord sends."""
        url = f"{emu.api_base}/channels/{community.guild.channel('general').id}/messages"
        headers = {"Authorization": f"Bot {emu.token}"}
        async with aiohttp.ClientSession() as session:
            statuses = []
            for n in range(3):
                async with session.post(url, json={"content": str(n)}, headers=headers) as response:
                    statuses.append(response.status)
                    last_headers = response.headers
                    last_body = await response.json()
        assert statuses == [200, 200, 429]
        assert last_headers["X-RateLimit-Scope"] == "user"
        assert last_headers["X-RateLimit-Remaining"] == "0"
        assert last_headers["X-RateLimit-Limit"] == "2"
        assert "Via" in last_headers
        assert "X-RateLimit-Bucket" in last_headers
        assert last_body["global"] is False
        assert 0 < last_body["retry_after"] <= 0.3

    async def test_buckets_are_per_channel(self, emu: DiscordEmulator, community: Community) -> None:
        """A full bucket in one channel does not slow posts to another (top-level resource)."""
        general = community.guild.channel("general")
        other = community.guild.create_text_channel("other")
        headers = {"Authorization": f"Bot {emu.token}"}
        async with aiohttp.ClientSession() as session:
            for channel in (general, general, other):
                url = f"{emu.api_base}/channels/{channel.id}/messages"
                async with session.post(url, json={"content": "x"}, headers=headers) as response:
                    assert response.status == 200

    async def test_discordpy_respects_bucket_headers_and_delivers_everything(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """Concurrent sends beyond the bucket are paced by discord.py and all arrive."""
        channel = bot_channel(sample_bot, community.guild.channel("general").id)
        await asyncio.gather(*(channel.send(f"m{n}") for n in range(5)))
        assert sorted(m.content for m in community.guild.channel("general").messages) == [f"m{n}" for n in range(5)]


async def test_content_of_2001_characters_is_refused_and_2000_accepted(
    community: Community, sample_bot: SampleBot
) -> None:
    """400 with code 50035 and an errors object pointing at content."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    await channel.send("x" * 2000)
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("x" * 2001)
    assert refused.value.status == 400
    assert refused.value.code == 50035
    assert "content" in refused.value.text
    assert len(community.guild.channel("general").messages) == 1


async def test_an_overlong_embed_description_is_refused(community: Community, sample_bot: SampleBot) -> None:
    """Embed descriptions are capped at 4096 characters."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    await channel.send(embed=discord.Embed(description="d" * 4096))
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send(embed=discord.Embed(description="d" * 4097))
    assert refused.value.code == 50035
    assert "embeds.0.description" in refused.value.text


async def test_embeds_over_6000_characters_in_total_are_refused(community: Community, sample_bot: SampleBot) -> None:
    """Two embeds each under the per-field limits can still exceed the 6000 total."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    embeds = [discord.Embed(title="t" * 200, description="d" * 3000) for _ in range(2)]
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send(embeds=embeds)
    assert refused.value.code == 50035
    assert "6000" in refused.value.text


async def test_an_empty_message_is_refused_with_50006(community: Community, sample_bot: SampleBot) -> None:
    """No content, embeds, components or files: Cannot send an empty message."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send()
    assert refused.value.code == 50006


class TestNonces:
    async def test_a_repeated_nonce_returns_the_first_message_and_creates_nothing(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """enforce_nonce: the same nonce in the same channel answers 200 with the first message."""
        general = community.guild.channel("general")
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=general.id)
        first = await sample_bot.http.request(route, json={"content": "alert", "nonce": "abc", "enforce_nonce": True})
        second = await sample_bot.http.request(route, json={"content": "alert!", "nonce": "abc", "enforce_nonce": True})
        assert second["id"] == first["id"]
        assert second["content"] == "alert"
        assert [m.content for m in general.messages] == ["alert"]

    async def test_without_enforce_nonce_a_repeat_creates_a_second_message(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """The nonce alone does not deduplicate."""
        general = community.guild.channel("general")
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=general.id)
        for _ in range(2):
            await sample_bot.http.request(route, json={"content": "alert", "nonce": "abc"})
        assert len(general.messages) == 2

    async def test_discordpy_send_with_a_nonce_is_idempotent(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """channel.send(nonce=...) sets enforce_nonce, so a retried send after a crash is safe."""
        channel = bot_channel(sample_bot, community.guild.channel("general").id)
        first = await channel.send("alert", nonce="delivery-17")
        again = await channel.send("alert", nonce="delivery-17")
        assert again.id == first.id
        assert len(community.guild.channel("general").messages) == 1

    async def test_a_nonce_outside_the_window_creates_a_new_message(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """After the window (here shrunk to zero) the same nonce is new again."""
        channel = bot_channel(sample_bot, community.guild.channel("general").id)
        first = await channel.send("alert", nonce="n1")
        emu.limits.nonce_window = 0.0
        again = await channel.send("alert", nonce="n1")
        assert again.id != first.id


class SlowBot(commands.Bot):
    """Answers /slow only after `delay` seconds, and remembers what the late callback got back."""

    def __init__(self, guild_id: int, delay: float) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.guild_id = guild_id
        self.delay = delay
        self.late_error: asyncio.Future[discord.HTTPException] = asyncio.get_running_loop().create_future()

    async def setup_hook(self) -> None:
        @app_commands.command(name="slow", description="Takes its time")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.delay)
            try:
                await interaction.response.send_message("finally")
            except discord.HTTPException as error:
                self.late_error.set_result(error)

        self.tree.add_command(slow, guild=discord.Object(self.guild_id))
        await self.tree.sync(guild=discord.Object(self.guild_id))


class TestInteractionDeadline:
    @pytest.fixture
    def limits(self) -> Limits:
        return Limits(interaction_deadline=0.3)

    async def test_an_unacknowledged_interaction_fails_and_the_late_callback_gets_10062(
        self, community: Community, start_bot: BotStarter
    ) -> None:
        """Past the deadline the member sees a failure and Discord answers 404 Unknown interaction."""
        bot = await start_bot(SlowBot(community.guild.id, delay=0.6))
        assert isinstance(bot, SlowBot)
        res = await community.ana.slash("slow")
        assert res.failed
        assert res.message is None
        error = await asyncio.wait_for(bot.late_error, 5)
        assert isinstance(error, discord.NotFound)
        assert error.code == 10062

    async def test_an_interaction_acknowledged_in_time_does_not_fail(
        self, community: Community, start_bot: BotStarter
    ) -> None:
        """Inside the deadline the same command succeeds."""
        await start_bot(SlowBot(community.guild.id, delay=0.05))
        res = await community.ana.slash("slow")
        assert not res.failed
        assert res.content == "finally"


class TestDirectMessages:
    async def test_closed_dms_answer_403_with_50007(self, community: Community, sample_bot: SampleBot) -> None:
        """A member with DMs closed cannot be messaged; discord.py raises Forbidden."""
        community.bea.dms_open = False
        user = await sample_bot.fetch_user(community.bea.id)
        with pytest.raises(discord.Forbidden) as refused:
            await user.send("Alert")
        assert refused.value.code == 50007
        assert community.bea.dms == []

    async def test_a_user_sharing_no_guild_with_the_bot_cannot_be_messaged(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """After leaving the only shared guild, DMs fail with 50007 too."""
        user = await sample_bot.fetch_user(community.bea.id)
        await user.send("welcome")
        community.guild.remove_member(community.bea)
        with pytest.raises(discord.Forbidden) as refused:
            await user.send("still there?")
        assert refused.value.code == 50007

    async def test_each_user_has_one_stable_dm_channel(
        self, emu: DiscordEmulator, community: Community, sample_bot: SampleBot
    ) -> None:
        """Opening a DM twice gives the same channel id."""
        route = Route("POST", "/users/@me/channels")
        first = await sample_bot.http.request(route, json={"recipient_id": str(community.ana.id)})
        second = await sample_bot.http.request(route, json={"recipient_id": str(community.ana.id)})
        assert first["id"] == second["id"]
        assert first["type"] == 1


async def test_a_deleted_channel_answers_404_with_10003(community: Community, sample_bot: SampleBot) -> None:
    """Posting to a channel deleted after startup fails with Unknown Channel."""
    doomed = community.guild.create_text_channel("doomed")
    channel = await sample_bot.fetch_channel(doomed.id)
    assert isinstance(channel, discord.TextChannel)
    community.guild.delete_channel(doomed)
    with pytest.raises(discord.NotFound) as refused:
        await channel.send("hello?")
    assert refused.value.code == 10003


async def test_a_channel_the_bot_cannot_see_answers_403_missing_access(
    community: Community, sample_bot: SampleBot
) -> None:
    """A channel hidden from @everyone, with no overwrite for the bot, is out of reach: 50001."""
    hidden = community.guild.create_text_channel(
        "mods-only", overwrites=[overwrite(community.guild.everyone, deny=VIEW_CHANNEL)]
    )
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=hidden.id)
    with pytest.raises(discord.Forbidden) as refused:
        await sample_bot.http.request(route, json={"content": "hi"})
    assert refused.value.code == 50001


async def test_a_channel_without_send_permission_answers_403_missing_permissions(
    community: Community, sample_bot: SampleBot
) -> None:
    """Seeing a channel is not enough to post in it: 50013."""
    read_only = community.guild.create_text_channel(
        "announcements", overwrites=[overwrite(community.guild.everyone, deny=SEND_MESSAGES)]
    )
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=read_only.id)
    with pytest.raises(discord.Forbidden) as refused:
        await sample_bot.http.request(route, json={"content": "hi"})
    assert refused.value.code == 50013


class TestWebhookTokenLifetime:
    @pytest.fixture
    def limits(self) -> Limits:
        return Limits(interaction_token_lifetime=0.3)

    async def test_followups_after_the_token_lifetime_get_50027(
        self, emu: DiscordEmulator, community: Community, start_bot: BotStarter
    ) -> None:
        """Interaction tokens last 15 minutes (here 0.3 s); after that the webhook answers 401."""
        emu.settle_timeout = 0.1
        outcome: asyncio.Future[discord.HTTPException] = asyncio.get_running_loop().create_future()

        class LateBot(commands.Bot):
            async def setup_hook(self) -> None:
                @app_commands.command(name="late", description="Follows up too late")
                async def late(interaction: discord.Interaction) -> None:
                    await interaction.response.defer()
                    await asyncio.sleep(0.4)
                    try:
                        await interaction.followup.send("too late")
                    except discord.HTTPException as error:
                        outcome.set_result(error)

                self.tree.add_command(late, guild=discord.Object(community.guild.id))
                await self.tree.sync(guild=discord.Object(community.guild.id))

        await start_bot(LateBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1))
        res = await community.ana.slash("late")
        assert res.deferred
        error = await asyncio.wait_for(outcome, 5)
        assert res.original is not None
        assert res.original.loading
        assert error.status == 401
        assert error.code == 50027
