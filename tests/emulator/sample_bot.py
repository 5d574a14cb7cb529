"""A small real discord.py bot that exercises what Veraz uses: groups, autocomplete, views, modals, DMs."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

PLACES = ["Hamline Elementary", "Hamilton Park", "Back of the Yards Library", "Davis Square Park"]


class ReasonModal(discord.ui.Modal, title="Confirm incident"):
    """Asks for a reason (TextInput inside a Label, the 2.6+ layout) and updates the card it came from."""

    def __init__(self, incident: int) -> None:
        super().__init__(custom_id=f"confirm-modal:{incident}")
        self.incident = incident
        self.reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(custom_id="reason", max_length=200)
        self.add_item(discord.ui.Label(text="Reason", component=self.reason))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(
            content=f"Incident #{self.incident} confirmed by {interaction.user.name}: {self.reason.value}", view=None
        )


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"incident:(?P<id>\d+):confirm"
):
    """Keeps its state in the custom_id, so it works on messages sent before a restart."""

    def __init__(self, incident: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Confirm", style=discord.ButtonStyle.success, custom_id=f"incident:{incident}:confirm"
            )
        )
        self.incident = incident

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReasonModal(self.incident))


class QueueView(discord.ui.View):
    """A persistent view: registered with add_view() in setup_hook, timeout=None, fixed custom_id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Claim", custom_id="queue:claim", style=discord.ButtonStyle.secondary)
    async def claim(self, interaction: discord.Interaction, button: discord.ui.Button[QueueView]) -> None:
        await interaction.response.send_message(f"{interaction.user.name} claimed it", ephemeral=True)


def card_view(incident: int) -> discord.ui.View:
    view = QueueView()
    view.add_item(ConfirmButton(incident))
    return view


incident = app_commands.Group(name="incident", description="Moderate incidents")
note = app_commands.Group(name="note", description="Notes on incidents", parent=incident)
places = app_commands.Group(name="places", description="Known places")


@incident.command(name="confirm", description="Confirm an incident")
async def incident_confirm(interaction: discord.Interaction, id: int) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send(f"Incident #{id} is confirmed", ephemeral=True)


@note.command(name="add", description="Add a note")
@app_commands.describe(text="The note")
async def note_add(interaction: discord.Interaction, id: app_commands.Range[int, 1, 9999], text: str) -> None:
    embed = discord.Embed(title=f"Note on #{id}", description=text)
    await interaction.response.send_message(embed=embed)


@places.command(name="import", description="Import places from a CSV file")
async def places_import(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    rows = data.decode().strip().splitlines()[1:]
    await interaction.response.send_message(f"Imported {len(rows)} places from {file.filename}", ephemeral=True)


@app_commands.command(name="report", description="Report a sighting")
@app_commands.describe(where="Where", what="What you saw", people="How many")
async def report(
    interaction: discord.Interaction, where: str, what: str, people: app_commands.Range[int, 1, 50] = 1
) -> None:
    await interaction.response.send_message(f"Report received: {people} at {where}: {what}", ephemeral=True)


@report.autocomplete("where")
async def report_where(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=p, value=p) for p in PLACES if current.lower() in p.lower()][:25]


@app_commands.command(name="card", description="Post an incident card in this channel")
async def card(interaction: discord.Interaction, number: int) -> None:
    assert isinstance(interaction.channel, discord.TextChannel)
    await interaction.channel.send(f"Incident #{number}: unverified", view=card_view(number))
    await interaction.response.send_message("posted", ephemeral=True)


@app_commands.command(name="settings", description="Community settings")
@app_commands.default_permissions(manage_guild=True)
@app_commands.choices(
    language=[app_commands.Choice(name="Español", value="es"), app_commands.Choice(name="English", value="en")]
)
async def settings(interaction: discord.Interaction, language: app_commands.Choice[str]) -> None:
    await interaction.response.send_message(f"language={language.value}", ephemeral=True)


class AreaSelect(discord.ui.Select[discord.ui.View]):
    def __init__(self) -> None:
        options = [discord.SelectOption(label=name, value=name.lower()) for name in ("Pilsen", "Little Village")]
        super().__init__(custom_id="areas", options=options, max_values=2)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"Subscribed to {', '.join(self.values)}", view=None)


@app_commands.command(name="areas", description="Choose the areas you want alerts for")
async def areas(interaction: discord.Interaction) -> None:
    view = discord.ui.View()
    view.add_item(AreaSelect())
    await interaction.response.send_message("Pick areas", view=view, ephemeral=True)


class SampleBot(commands.Bot):
    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.1,
        )
        self.guild_id = guild_id
        self.dms_received: list[discord.Message] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ConfirmButton)
        self.add_view(QueueView())
        slash_commands: tuple[app_commands.Group | app_commands.Command[Any, ..., Any], ...] = (
            incident, places, report, card, settings, areas,
        )  # fmt: skip
        for command in slash_commands:
            self.tree.add_command(command)
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None or message.author.bot:
            return
        self.dms_received.append(message)
        history = [m async for m in message.channel.history(limit=10)]
        mine = sum(1 for m in history if self.user is not None and m.author.id == self.user.id)
        await message.channel.send(f"Got it. I had sent you {mine} messages before.")
