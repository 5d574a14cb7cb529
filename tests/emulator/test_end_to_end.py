"""A real discord.py bot against the emulator: sync, slash commands, autocomplete, buttons, modals, files, DMs."""

from __future__ import annotations

import pytest

from discord_emulator import DiscordEmulator, snowflake_time
from tests.emulator.conftest import Community, bot_channel
from tests.emulator.sample_bot import SampleBot, card_view

pytestmark = pytest.mark.timeout(30)


async def test_bot_sees_the_guild_with_roles_channels_and_itself(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """READY plus GUILD_CREATE give discord.py the guild, @everyone, channels and the bot's own member."""
    guild = sample_bot.get_guild(community.guild.id)
    assert guild is not None
    assert guild.default_role.id == guild.id
    assert {c.name for c in guild.text_channels} == {"general", "veraz-queue"}
    assert guild.me is not None
    assert guild.me.guild_permissions.send_messages
    assert "Moderators" in {r.name for r in guild.roles}


async def test_sync_keeps_groups_subcommands_and_autocomplete_flags(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """The synced schema holds a subcommand group and the autocomplete flag, with stable ids."""
    commands = {c["name"]: c for c in emu.services.commands.listing(community.guild.id)}
    assert set(commands) == {"incident", "places", "report", "card", "settings", "areas"}
    note = next(o for o in commands["incident"]["options"] if o["name"] == "note")
    assert note["type"] == 2
    assert note["options"][0]["name"] == "add"
    where = next(o for o in commands["report"]["options"] if o["name"] == "where")
    assert where["autocomplete"] is True
    first_ids = {name: c["id"] for name, c in commands.items()}
    await sample_bot.tree.sync(guild=sample_bot.get_guild(community.guild.id))
    assert {c["name"]: c["id"] for c in emu.services.commands.listing(community.guild.id)} == first_ids


async def test_member_sees_an_ephemeral_reply_to_a_slash_command(community: Community, sample_bot: SampleBot) -> None:
    """Options are typed from the schema and the reply is visible to the member only."""
    res = await community.ana.slash("report", where="Hamline Elementary", what="2 agents at the door", people=2)
    assert res.callback_type == 4
    assert not res.failed
    assert res.ephemeral
    assert res.content == "Report received: 2 at Hamline Elementary: 2 agents at the door"
    assert res.message in community.ana.ephemerals
    assert res.message not in community.bea.ephemerals
    assert res.message is not None
    assert res.message not in community.guild.channel("general").messages


async def test_autocomplete_returns_the_bots_choices(community: Community, sample_bot: SampleBot) -> None:
    """The focused option's typed text reaches the bot, and its choices come back."""
    choices = await community.ana.autocomplete("report", focused="where", value="ham")
    assert [c.value for c in choices] == ["Hamline Elementary", "Hamilton Park"]


async def test_subcommand_in_a_group_reaches_the_right_callback(community: Community, sample_bot: SampleBot) -> None:
    """A path of group, subgroup and subcommand is nested as Discord nests it."""
    res = await community.ana.slash("incident note add", id=7, text="agents left at 11:20")
    assert res.message is not None
    assert res.message.embed is not None
    assert res.message.embed["title"] == "Note on #7"
    assert res.message in community.guild.channel("general").messages


async def test_deferred_thinking_reply_is_filled_by_the_first_followup(
    community: Community, sample_bot: SampleBot
) -> None:
    """slash() waits past the deferral for the first visible message; it stays ephemeral."""
    res = await community.ana.slash("incident confirm", id=3)
    assert res.deferred
    assert res.callback_type == 5
    assert res.message is not None
    assert res.message.content == "Incident #3 is confirmed"
    assert res.ephemeral
    assert not res.message.loading


async def test_a_persistent_view_button_is_answered(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """A click on a View registered with add_view() reaches its callback, by label."""
    general = community.guild.channel("general")
    await bot_channel(sample_bot, general.id).send("Incident #1", view=card_view(1))
    card = general.last_message
    assert card is not None
    res = await community.bea.click(card, "Claim")
    assert res.content == "bea claimed it"
    assert res.ephemeral


async def test_dynamic_button_opens_a_modal_whose_submission_edits_the_card(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Button -> modal (by label) -> type 7 update of the card the button was on."""
    res = await community.ana.slash("card", number=12)
    assert res.content == "posted"
    card = community.guild.channel("general").last_message
    assert card is not None
    assert card.content == "Incident #12: unverified"
    opened = await community.ana.click(card, custom_id="incident:12:confirm")
    assert opened.callback_type == 9
    assert opened.modal is not None
    assert opened.modal.field("Reason")["custom_id"] == "reason"
    submitted = await community.ana.submit_modal(opened, {"Reason": "seen by two moderators"})
    assert submitted.callback_type == 7
    assert card.content == "Incident #12 confirmed by ana: seen by two moderators"
    assert card.components == []
    assert len(card.edits) == 1


async def test_attachment_option_is_downloadable_by_the_bot(community: Community, sample_bot: SampleBot) -> None:
    """data.resolved.attachments points at a loopback URL that Attachment.read() downloads."""
    csv = b"name,area,kind,aliases\nHamline Elementary,BotY,school,\nDavis Square Park,BotY,park,Davis\n"
    res = await community.admin.slash("places import", file=("places.csv", csv))
    assert res.content == "Imported 2 places from places.csv"


async def test_member_dm_reaches_the_bot_which_reads_the_dm_history(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """MESSAGE_CREATE in the DM channel, then the bot lists its history and answers there."""
    user = await sample_bot.fetch_user(community.ana.id)
    await user.send("Alert: activity near Hamline Elementary")
    await community.ana.send_dm_to_bot("STOP")
    reply = await community.ana.wait_for_dm(lambda m: m.content.startswith("Got it"))
    assert reply.content == "Got it. I had sent you 1 messages before."
    assert [m.content for m in sample_bot.dms_received] == ["STOP"]


async def test_user_ids_encode_the_account_creation_time(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """The bot can compute account age from a snowflake, as on Discord."""
    from datetime import UTC, datetime

    created = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    newcomer = community.guild.add_member("newcomer", created_at=created)
    assert snowflake_time(newcomer.id) == created
    user = await sample_bot.fetch_user(newcomer.id)
    assert user.created_at == created


async def test_cdn_links_are_signed_and_expire_as_discords_do(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """An attachment's link carries ex/is/hm: it downloads while fresh, and gives Discord's 404 unsigned,
    forged or expired; an image's width and height are in the attachment object."""
    import io

    import aiohttp
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "PNG")
    res = await community.admin.slash("places import", file=("places.png", picture.getvalue()))
    [entry] = res.payload["data"]["resolved"]["attachments"].values()
    assert (entry["width"], entry["height"]) == (64, 48)
    url = entry["url"]
    base, _, query = url.partition("?")
    assert set(dict(p.split("=") for p in query.strip("&").split("&"))) == {"ex", "is", "hm"}
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as fresh:
            assert fresh.status == 200
            assert await fresh.read() == picture.getvalue()
        for wrong in (base, url.replace("hm=", "hm=0"), base + "?ex=ffffffff&is=0&hm=00&"):
            async with http.get(wrong) as refused:
                assert refused.status == 404
                assert await refused.text() == "This content is no longer available."
    emu.services.world.limits.cdn_link_seconds = -1.0  # links made from now on are already expired
    res = await community.admin.slash("places import", file=("again.png", picture.getvalue()))
    [entry] = res.payload["data"]["resolved"]["attachments"].values()
    async with aiohttp.ClientSession() as http, http.get(entry["url"]) as expired:
        assert expired.status == 404
