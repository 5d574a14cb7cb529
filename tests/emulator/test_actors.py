"""The actor API refuses what Discord's client refuses, and reports what each member saw."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from discord_emulator import ActorError, DiscordEmulator, DiscordError
from discord_emulator.commands import validate_command
from tests.emulator.conftest import BotStarter, Community, bot_channel
from tests.emulator.sample_bot import SampleBot, card_view

pytestmark = pytest.mark.timeout(30)


async def test_a_command_with_default_permissions_is_hidden_from_members_without_them(
    community: Community, sample_bot: SampleBot
) -> None:
    """default_member_permissions hides /settings from bea; admin (MANAGE_GUILD) can run it."""
    with pytest.raises(ActorError, match="hidden"):
        await community.bea.slash("settings", language="es")
    res = await community.admin.slash("settings", language="es")
    assert res.content == "language=es"


async def test_choices_accept_the_value_or_the_name_the_member_saw(community: Community, sample_bot: SampleBot) -> None:
    """Picking "Español" sends the choice's value; anything else is not offered."""
    res = await community.admin.slash("settings", language="Español")
    assert res.content == "language=es"
    with pytest.raises(ActorError, match="only accepts"):
        await community.admin.slash("settings", language="fr")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"where": "x"}, "needs option 'what'"),
        ({"where": "x", "what": "y", "people": "two"}, "takes a number"),
        ({"where": "x", "what": "y", "people": 51}, "outside"),
        ({"where": "x", "what": "y", "colour": "red"}, "has no option"),
    ],
)
async def test_the_client_refuses_options_the_schema_forbids(
    community: Community, sample_bot: SampleBot, options: dict[str, object], reason: str
) -> None:
    """Missing required options, wrong types, out-of-range numbers and unknown names never reach the bot."""
    before = len(community.ana.interactions)
    with pytest.raises(ActorError, match=reason):
        await community.ana.slash("report", **options)
    assert len(community.ana.interactions) == before


async def test_unknown_commands_list_what_is_synced(community: Community, sample_bot: SampleBot) -> None:
    """The error names the synced commands, to make typos obvious."""
    with pytest.raises(ActorError, match="'report'"):
        await community.ana.slash("reprot", where="x", what="y")


async def test_a_select_menu_on_an_ephemeral_message(community: Community, sample_bot: SampleBot) -> None:
    """Values go to the bot, and its type 7 answer updates the ephemeral message in place."""
    res = await community.bea.slash("areas")
    assert res.message is not None
    with pytest.raises(ActorError, match="not options"):
        await community.bea.select(res.message, ["downtown"])
    picked = await community.bea.select(res.message, ["pilsen", "little village"])
    assert picked.callback_type == 7
    assert res.message.content == "Subscribed to pilsen, little village"
    assert res.message.components == []


async def test_nobody_else_can_click_an_ephemeral_message(community: Community, sample_bot: SampleBot) -> None:
    """Ephemeral messages belong to the member who triggered them."""
    res = await community.bea.slash("areas")
    assert res.message is not None
    with pytest.raises(ActorError, match="someone else's ephemeral"):
        await community.ana.select(res.message, ["pilsen"])


async def test_members_only_see_channels_they_have_access_to(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """The private queue is visible to moderators; bea cannot click what she cannot see."""
    queue = community.guild.channel("veraz-queue")
    await bot_channel(sample_bot, queue.id).send("Incident #2", view=card_view(2))
    card = queue.messages[0]
    assert community.ana.visible_messages(queue) == [card]
    assert community.bea.visible_messages(queue) == []
    with pytest.raises(ActorError, match="cannot see"):
        await community.bea.click(card, "Claim")


async def test_a_disabled_or_missing_button_cannot_be_clicked(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Clicking needs exactly one enabled button with that label."""
    view = card_view(3)
    for item in view.walk_children():
        if isinstance(item, discord.ui.Button):
            item.disabled = True
    await bot_channel(sample_bot, community.guild.channel("general").id).send("closed", view=view)
    card = community.guild.channel("general").messages[-1]
    with pytest.raises(ActorError, match="disabled"):
        await community.ana.click(card, "Claim")
    with pytest.raises(ActorError, match="0 buttons"):
        await community.ana.click(card, "Debunk")


async def test_a_member_who_left_cannot_act(community: Community, sample_bot: SampleBot) -> None:
    """After removal from the guild, slash commands are refused."""
    community.guild.remove_member(community.bea)
    with pytest.raises(ActorError, match="no longer a member"):
        await community.bea.slash("report", where="x", what="y")


async def test_a_second_acknowledgement_is_refused_with_40060(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Once answered, the callback route says the interaction was already acknowledged."""
    res = await community.ana.slash("report", where="x", what="y")
    with pytest.raises(DiscordError) as refused:
        emu.services.interactions.callback(res.id, res.payload["token"], {"type": 4, "data": {"content": "x"}}, [])
    assert refused.value.code == 40060


async def test_a_callback_type_the_interaction_does_not_allow_is_refused(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """UPDATE_MESSAGE (7) answers a component, never a slash command."""
    emu.limits.interaction_deadline = 60.0
    from discord_emulator.interactions import APPLICATION_COMMAND

    record = emu.services.interactions.open(
        kind=APPLICATION_COMMAND,
        user=community.ana.user,
        guild=community.guild.guild,
        channel=community.guild.channel("general"),
        data={"id": "1", "name": "nothing", "type": 1},
    )
    with pytest.raises(DiscordError) as refused:
        emu.services.interactions.callback(record.id, record.token, {"type": 7, "data": {"content": "x"}}, [])
    assert refused.value.code == 50035
    assert not record.acknowledged


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"name": "Report", "description": "x"}, "name"),
        ({"name": "report", "description": ""}, "description"),
        (
            {
                "name": "report",
                "description": "x",
                "options": [
                    {"type": 3, "name": "what", "description": "x"},
                    {"type": 3, "name": "where", "description": "x", "required": True},
                ],
            },
            "required",
        ),
        (
            {
                "name": "report",
                "description": "x",
                "options": [
                    {
                        "type": 3,
                        "name": "k",
                        "description": "x",
                        "autocomplete": True,
                        "choices": [{"name": "a", "value": "a"}],
                    }
                ],
            },
            "autocomplete",
        ),
    ],
)
def test_command_sync_rejects_what_discord_rejects(command: dict[str, object], field: str) -> None:
    """Upper-case names, empty descriptions, required-after-optional, choices with autocomplete."""
    problems = validate_command(command)
    assert [str(path[-1]) for path, _, _ in problems] == [field]


async def test_a_global_command_can_be_used_in_the_bots_dms(
    emu: DiscordEmulator, community: Community, start_bot: BotStarter
) -> None:
    """In a DM the interaction carries `user` instead of `member`, context 1, and the reply lands in the DM."""

    class DmBot(commands.Bot):
        async def setup_hook(self) -> None:
            @app_commands.command(name="subscriptions", description="Your alert subscriptions")
            @app_commands.allowed_contexts(guilds=True, dms=True)
            async def subscriptions(interaction: discord.Interaction) -> None:
                where = "DM" if interaction.guild is None else "guild"
                await interaction.response.send_message(f"{interaction.user.name} in {where}")

            self.tree.add_command(subscriptions)
            await self.tree.sync()

    await start_bot(DmBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1))
    res = await community.ana.slash("subscriptions", community.ana.open_dm())
    assert res.content == "ana in DM"
    assert res.payload["context"] == 1
    assert "member" not in res.payload
    assert res.message in community.ana.dms


async def test_default_member_permissions_zero_means_administrators_only(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """A command synced with default_member_permissions "0" is hidden from everyone but admins."""
    stored = next(c for c in emu.services.commands.listing(community.guild.id) if c["name"] == "settings")
    stored["default_member_permissions"] = "0"
    with pytest.raises(ActorError, match="hidden"):
        await community.admin.slash("settings", language="es")
    res = await community.guild.owner.slash("settings", language="es")
    assert res.content == "language=es"


SPANISH = {"status": "estado", "place": "lugar"}


class SpanishTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale is discord.Locale.latin_american_spanish:
            return SPANISH.get(string.message)
        return None


async def test_localized_command_and_option_names_work_for_members_in_that_locale(
    emu: DiscordEmulator, community: Community, start_bot: BotStarter
) -> None:
    """name_localizations from a Translator are kept; ana (es-419) types /estado lugar:..., the bot gets base names."""

    class LocalizedBot(commands.Bot):
        async def setup_hook(self) -> None:
            @app_commands.command(name=app_commands.locale_str("status"), description="Status of a place")
            @app_commands.rename(place=app_commands.locale_str("place"))
            async def status(interaction: discord.Interaction, place: str) -> None:
                await interaction.response.send_message(f"{interaction.locale.value}: {place}")

            await self.tree.set_translator(SpanishTranslator())
            self.tree.add_command(status, guild=discord.Object(community.guild.id))
            await self.tree.sync(guild=discord.Object(community.guild.id))

    await start_bot(LocalizedBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1))
    [stored] = emu.services.commands.listing(community.guild.id)
    assert stored["name_localizations"] == {"es-419": "estado"}
    res = await community.ana.slash("estado", lugar="Hamline Elementary")
    assert res.content == "es-419: Hamline Elementary"
    assert res.payload["data"]["name"] == "status"
    assert res.payload["data"]["options"][0]["name"] == "place"


async def test_a_user_select_sends_resolved_members(
    emu: DiscordEmulator, community: Community, start_bot: BotStarter
) -> None:
    """User selects carry ids plus `resolved`, so discord.py hands the callback Member objects."""

    class Picker(discord.ui.UserSelect[discord.ui.View]):
        async def callback(self, interaction: discord.Interaction) -> None:
            names = ", ".join(sorted(user.name for user in self.values))
            await interaction.response.send_message(f"notifying {names}", ephemeral=True)

    class SelectBot(commands.Bot):
        async def setup_hook(self) -> None:
            @app_commands.command(name="notify", description="Pick who to notify")
            async def notify(interaction: discord.Interaction) -> None:
                view = discord.ui.View()
                view.add_item(Picker(custom_id="who", max_values=2))
                await interaction.response.send_message("Who?", view=view, ephemeral=True)

            self.tree.add_command(notify, guild=discord.Object(community.guild.id))
            await self.tree.sync(guild=discord.Object(community.guild.id))

    await start_bot(SelectBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1))
    asked = await community.ana.slash("notify")
    assert asked.message is not None
    picked = await community.ana.select(asked.message, [community.bea, community.admin])
    assert picked.content == "notifying admin, bea"
