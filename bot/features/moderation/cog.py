"""/incident ...: the moderators' commands. The moderator role is checked by the bot on every one."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.acting import Acting
from bot.core.i18n import t
from bot.core.services import Services
from bot.core.time_to_truth import figures_text
from bot.core.translator import L
from bot.features.moderation import history
from bot.features.moderation.moderating import moderate
from verification import usecases
from verification.model import MAX_QUOTE, MAX_REASON, MAX_SOURCE, MAX_URL, MAX_WHERE, Agency, SourceKind, Stance
from verification.usecases import ModAction, StatementInput

Id = app_commands.Range[int, 1, 10**9]
Text = app_commands.Range[str, 1, MAX_REASON]
Label = app_commands.Range[str, 1, MAX_WHERE]
STANCES = [app_commands.Choice(name=L(f"choice.stance.{s.value}"), value=s.value) for s in Stance]
SOURCE_KINDS = [app_commands.Choice(name=L(f"choice.source_kind.{k.value}"), value=k.value) for k in SourceKind]
AGENCIES = [app_commands.Choice(name=L(f"choice.agency.{a.value}"), value=a.value) for a in Agency]
# The optional second text moderators give, in Spanish, wherever they write what subscribers read.
IN_SPANISH = L("cmd.incident.in_spanish.name")


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class IncidentCommands(
    commands.GroupCog, group_name=L("cmd.incident.name"), group_description=L("cmd.incident.description")
):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(name=L("cmd.incident.show.name"), description=L("cmd.incident.show.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"))
    @app_commands.describe(id=L("cmd.incident.id.description"))
    async def show(self, interaction: discord.Interaction, id: Id) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            view = await usecases.incident_view(self.services.storage, community.id, id)
            now = self.services.clock.now()
            await act.reply("", embed=history.incident_embed(view, act.lang, community.zone, now))

    @app_commands.command(name=L("cmd.incident.stats.name"), description=L("cmd.incident.stats.description"))
    @app_commands.rename(days=L("cmd.incident.stats.days.name"))
    @app_commands.describe(days=L("cmd.incident.stats.days.description"))
    async def stats(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 7) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            figures = await usecases.stats(self.services.storage, self.services.clock.now(), community.id, days)
            await act.reply(figures_text(figures, days, act.lang))

    @app_commands.command(name=L("cmd.incident.queue.name"), description=L("cmd.incident.queue.description"))
    async def queue(self, interaction: discord.Interaction) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            summaries = await usecases.queue(self.services.storage, community.id)
            await act.reply(history.queue_text(summaries, act.lang, community.zone))

    @app_commands.command(name=L("cmd.incident.confirm.name"), description=L("cmd.incident.confirm.description"))
    @app_commands.rename(
        id=L("cmd.incident.id.name"), note=L("cmd.incident.note.name"), place=L("cmd.incident.place.label.name")
    )
    @app_commands.describe(
        id=L("cmd.incident.id.description"), note=L("cmd.incident.note.description"),
        place=L("cmd.incident.confirm.place.description"),
    )  # fmt: skip
    async def confirm(
        self, interaction: discord.Interaction, id: Id, note: Text | None = None, place: Label | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            # A place given here is set with the vote, in one transaction: a refused vote changes nothing.
            await moderate(act, ModAction.CONFIRM, id, note or "", place=place or "")

    @app_commands.command(name=L("cmd.incident.place.name"), description=L("cmd.incident.place.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), label=L("cmd.incident.place.label.name"))
    @app_commands.describe(id=L("cmd.incident.id.description"), label=L("cmd.incident.place.label.description"))
    async def place(self, interaction: discord.Interaction, id: Id, label: Label) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.PLACE, id, label)

    @app_commands.command(name=L("cmd.incident.statement.name"), description=L("cmd.incident.statement.description"))
    @app_commands.rename(
        id=L("cmd.incident.id.name"), source=L("cmd.incident.statement.source.name"),
        stance=L("cmd.incident.statement.stance.name"), kind=L("cmd.incident.statement.kind.name"),
        url=L("cmd.incident.statement.url.name"), quote=L("cmd.incident.statement.quote.name"),
        published=L("cmd.incident.statement.published.name"),
        quote_in_spanish=L("cmd.incident.statement.quote_in_spanish.name"),
    )  # fmt: skip
    @app_commands.describe(
        id=L("cmd.incident.id.description"), source=L("cmd.incident.statement.source.description"),
        stance=L("cmd.incident.statement.stance.description"), kind=L("cmd.incident.statement.kind.description"),
        url=L("cmd.incident.statement.url.description"), quote=L("cmd.incident.statement.quote.description"),
        published=L("cmd.incident.statement.published.description"),
        quote_in_spanish=L("cmd.incident.statement.quote_in_spanish.description"),
    )  # fmt: skip
    @app_commands.choices(stance=STANCES, kind=SOURCE_KINDS)
    async def statement(
        self,
        interaction: discord.Interaction,
        id: Id,
        source: app_commands.Range[str, 1, MAX_SOURCE],
        stance: str,
        url: app_commands.Range[str, 1, MAX_URL] | None = None,
        quote: app_commands.Range[str, 1, MAX_QUOTE] | None = None,
        published: app_commands.Range[str, 1, 100] | None = None,
        kind: str = SourceKind.OFFICIAL.value,
        quote_in_spanish: app_commands.Range[str, 1, MAX_QUOTE] | None = None,
    ) -> None:
        async with Acting(self.services, interaction) as act:
            data = StatementInput(source, Stance(stance), SourceKind(kind), url, quote, published, quote_in_spanish)
            await moderate(act, ModAction.STATEMENT, id, statement=data)

    @app_commands.command(name=L("cmd.incident.update.name"), description=L("cmd.incident.update.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), text=L("cmd.incident.text.name"), in_spanish=IN_SPANISH)
    @app_commands.describe(
        id=L("cmd.incident.id.description"), text=L("cmd.incident.update.text.description"),
        in_spanish=L("cmd.incident.update.in_spanish.description"),
    )  # fmt: skip
    async def update(
        self, interaction: discord.Interaction, id: Id, text: Text, in_spanish: Text | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.UPDATE, id, text, text_es=in_spanish or "")

    @app_commands.command(name=L("cmd.incident.correct.name"), description=L("cmd.incident.correct.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), text=L("cmd.incident.text.name"), in_spanish=IN_SPANISH)
    @app_commands.describe(
        id=L("cmd.incident.id.description"), text=L("cmd.incident.correct.text.description"),
        in_spanish=L("cmd.incident.correct.in_spanish.description"),
    )  # fmt: skip
    async def correct(
        self, interaction: discord.Interaction, id: Id, text: Text, in_spanish: Text | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.CORRECT, id, text, text_es=in_spanish or "")

    @app_commands.command(
        name=L("cmd.incident.misidentified.name"), description=L("cmd.incident.misidentified.description")
    )
    @app_commands.rename(
        id=L("cmd.incident.id.name"), correction=L("cmd.incident.misidentified.correction.name"),
        agency=L("cmd.incident.misidentified.agency.name"), in_spanish=IN_SPANISH,
    )  # fmt: skip
    @app_commands.describe(
        id=L("cmd.incident.id.description"), correction=L("cmd.incident.misidentified.correction.description"),
        agency=L("cmd.incident.misidentified.agency.description"),
        in_spanish=L("cmd.incident.misidentified.in_spanish.description"),
    )  # fmt: skip
    @app_commands.choices(agency=AGENCIES)
    async def misidentified(
        self,
        interaction: discord.Interaction,
        id: Id,
        correction: Text,
        agency: str | None = None,
        in_spanish: Text | None = None,
    ) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.MISIDENTIFIED, id, correction, agency=Agency(agency) if agency else None,
                           text_es=in_spanish or "")  # fmt: skip

    @app_commands.command(name=L("cmd.incident.debunk.name"), description=L("cmd.incident.debunk.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), reason=L("cmd.incident.reason.name"), in_spanish=IN_SPANISH)
    @app_commands.describe(
        id=L("cmd.incident.id.description"), reason=L("cmd.incident.debunk.reason.description"),
        in_spanish=L("cmd.incident.debunk.in_spanish.description"),
    )  # fmt: skip
    async def debunk(
        self, interaction: discord.Interaction, id: Id, reason: Text, in_spanish: Text | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.DEBUNK, id, reason, text_es=in_spanish or "")

    @app_commands.command(name=L("cmd.incident.resolve.name"), description=L("cmd.incident.resolve.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), note=L("cmd.incident.note.name"), in_spanish=IN_SPANISH)
    @app_commands.describe(
        id=L("cmd.incident.id.description"), note=L("cmd.incident.resolve.note.description"),
        in_spanish=L("cmd.incident.resolve.in_spanish.description"),
    )  # fmt: skip
    async def resolve(
        self, interaction: discord.Interaction, id: Id, note: Text | None = None, in_spanish: Text | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.RESOLVE, id, note or "", text_es=in_spanish or "")

    @app_commands.command(name=L("cmd.incident.reopen.name"), description=L("cmd.incident.reopen.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), reason=L("cmd.incident.reason.name"))
    @app_commands.describe(id=L("cmd.incident.id.description"), reason=L("cmd.incident.reopen.reason.description"))
    async def reopen(self, interaction: discord.Interaction, id: Id, reason: Text) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.REOPEN, id, reason)

    @app_commands.command(name=L("cmd.incident.merge.name"), description=L("cmd.incident.merge.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"), into=L("cmd.incident.merge.into.name"))
    @app_commands.describe(id=L("cmd.incident.merge.id.description"), into=L("cmd.incident.merge.into.description"))
    async def merge(self, interaction: discord.Interaction, id: Id, into: Id) -> None:
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.MERGE, id, into=into)

    @app_commands.command(name=L("cmd.incident.deliveries.name"), description=L("cmd.incident.deliveries.description"))
    @app_commands.rename(id=L("cmd.incident.id.name"))
    @app_commands.describe(id=L("cmd.incident.id.description"))
    async def deliveries(self, interaction: discord.Interaction, id: Id) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            records = await usecases.delivery_log(self.services.storage, community.id, id)
            counts = await usecases.delivery_counts(self.services.storage, community.id)
            text = history.deliveries_text(id, records, counts, act.lang, community.zone)
            stats = self.services.delivery.stats_for(community.id)
            text += "\n" + t(act.lang, "deliveries.worker", sent=stats.sent, retried=stats.retried,
                              limited=self.services.rate_limited())  # fmt: skip
            await act.reply(text)
