"""allowed_mentions and pings: who a message notifies, recorded so tests can assert "nobody was pinged"."""

from __future__ import annotations

import discord
import pytest

from discord_emulator import DiscordEmulator
from discord_emulator.mentions import Mentions, allowed, parse_content
from discord_emulator.permissions import DEFAULT_BOT, MENTION_EVERYONE
from tests.emulator.conftest import BotStarter, Community, bot_channel
from tests.emulator.sample_bot import SampleBot

pytestmark = pytest.mark.timeout(30)


def loud_text(community: Community) -> str:
    return f"@everyone {community.bea.mention} and {community.mods.mention}: activity reported"


@pytest.fixture
async def loud_bot(emu: DiscordEmulator, community: Community, start_bot: BotStarter) -> SampleBot:
    """A bot whose role may mention @everyone and any role."""
    bot_member = community.guild.bot_member
    assert bot_member is not None
    bot_role = community.guild.guild.roles[bot_member.role_ids[0]]
    bot_role.permissions = DEFAULT_BOT | MENTION_EVERYONE
    bot = await start_bot(SampleBot(community.guild.id))
    assert isinstance(bot, SampleBot)
    return bot


async def test_allowed_mentions_none_pings_nobody(
    emu: DiscordEmulator, community: Community, loud_bot: SampleBot
) -> None:
    """@everyone, a user and a role in the content, but AllowedMentions.none(): no notification at all."""
    channel = bot_channel(loud_bot, community.guild.channel("general").id)
    sent = await channel.send(loud_text(community), allowed_mentions=discord.AllowedMentions.none())
    message = community.guild.channel("general").messages[-1]
    assert emu.pings == []
    assert message.ping is None
    assert not message.mention_everyone
    assert message.mention_user_ids == []
    assert sent.mentions == []


async def test_without_allowed_mentions_everything_in_the_content_pings(
    emu: DiscordEmulator, community: Community, loud_bot: SampleBot
) -> None:
    """Absent allowed_mentions means parse everything; the ping reaches every member who can see the channel."""
    channel = bot_channel(loud_bot, community.guild.channel("general").id)
    await channel.send(loud_text(community))
    [ping] = emu.pings
    assert ping.everyone
    assert ping.users == {community.bea.id}
    assert ping.roles == {community.mods.id}
    assert {community.ana.id, community.bea.id, community.admin.id} <= ping.reached
    assert ping in community.ana.pings


async def test_without_mention_everyone_permission_only_the_user_is_pinged(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """@everyone and a non-mentionable role need MENTION_EVERYONE; the plain user mention still pings."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    await channel.send(loud_text(community))
    [ping] = emu.pings
    assert not ping.everyone
    assert ping.roles == frozenset()
    assert ping.reached == {community.bea.id}


async def test_allowed_mentions_users_only_pings_the_listed_user(
    emu: DiscordEmulator, community: Community, loud_bot: SampleBot
) -> None:
    """An explicit users list lets through only those users, and only when they are in the content."""
    channel = bot_channel(loud_bot, community.guild.channel("general").id)
    mentions = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(community.bea.id)])
    await channel.send(f"{community.bea.mention} {community.ana.mention}", allowed_mentions=mentions)
    [ping] = emu.pings
    assert ping.reached == {community.bea.id}


async def test_mentions_inside_embeds_never_ping(
    emu: DiscordEmulator, community: Community, loud_bot: SampleBot
) -> None:
    """Only content is parsed for mentions, as on Discord."""
    channel = bot_channel(loud_bot, community.guild.channel("general").id)
    await channel.send(embed=discord.Embed(description=loud_text(community)))
    assert emu.pings == []


async def test_a_reply_pings_its_author_unless_replied_user_is_false(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Replies ping the replied-to author by default; mention_author=False (replied_user) stops it."""
    general = community.guild.channel("general")
    original = await community.bea.say(general, "is anyone there?")
    channel = bot_channel(sample_bot, general.id)
    partial = channel.get_partial_message(original.id)
    await partial.reply("yes")
    await partial.reply("quietly", mention_author=False)
    assert [p.reached for p in emu.pings] == [{community.bea.id}]


async def test_an_edit_that_adds_a_mention_does_not_ping(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Discord notifies on creation only; the edited message lists the mention but nobody is pinged."""
    general = bot_channel(sample_bot, community.guild.channel("general").id)
    sent = await general.send("status")
    await sent.edit(content=f"status for {community.ana.mention}")
    assert emu.pings == []
    assert community.guild.channel("general").messages[-1].mention_user_ids == [community.ana.id]


def test_parse_reads_user_role_and_everyone_mentions_in_order() -> None:
    """Nickname mentions (<@!id>) count as user mentions; repeats collapse."""
    parsed = parse_content("<@!12> <@34> <@12> <@&56> @here")
    assert parsed == Mentions(users=(12, 34), roles=(56,), everyone=False, here=True)


def test_parse_list_and_explicit_lists_combine_as_documented() -> None:
    """parse=[roles] plus users=[12]: every role in the content, but only user 12."""
    parsed = parse_content("<@12> <@34> <@&56> @everyone")
    result = allowed(parsed, {"parse": ["roles"], "users": ["12"]}, reply_author=None)
    assert result == Mentions(users=(12,), roles=(56,), everyone=False, here=False)


def test_replied_user_defaults_to_false_once_allowed_mentions_is_given() -> None:
    """With allowed_mentions present the replied-to author is pinged only with replied_user: true."""
    parsed = parse_content("thanks")
    assert allowed(parsed, {"parse": []}, reply_author=99).users == ()
    assert allowed(parsed, {"parse": [], "replied_user": True}, reply_author=99).users == (99,)
    assert allowed(parsed, None, reply_author=99).users == (99,)
