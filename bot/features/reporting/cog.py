"""/report and /status: what anyone in the server can do."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import replies, words
from bot.core.acting import Acting
from bot.core.i18n import t
from bot.core.services import SentPhotos, Services, services_of
from bot.core.translator import L
from bot.features.reporting.status import public_status
from intake.place.words import fold
from verification import usecases
from verification.clustering import words_alike
from verification.community import Community
from verification.model import MAX_MARKINGS, MAX_PEOPLE, MAX_WHAT, MAX_WHERE, Agency, Language, Place
from verification.usecases import ReportInput

AGENCIES = [app_commands.Choice(name=L(f"choice.agency.{a.value}"), value=a.value) for a in Agency]


def low_trust(member: discord.User | discord.Member, community: Community, now: datetime) -> bool:
    """A new account, or a new member of the server: shown on the card, never raises priority.

    Computed from what Discord tells us at report time (the id's timestamp, the join date); neither
    is stored.
    """
    if now - member.created_at < timedelta(days=community.new_account_days):
        return True
    joined = getattr(member, "joined_at", None)
    return joined is None or now - joined < timedelta(hours=community.new_member_hours)


def _near(wanted: str, name: str, aliases: tuple[str, ...]) -> bool:
    """Autocomplete: the typed text is in the name or an alias, or is a typo of one of the name's words."""
    if not wanted or wanted in fold(name) or any(wanted in fold(a) for a in aliases):
        return True
    return any(words_alike(wanted, word) for word in fold(name).split())


def time_buttons(number: int, report_id: int, lang: Language) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for minutes in (*usecases.TIME_CHOICES, None):
        view.add_item(TimeButton(number, report_id, minutes, t(lang, _time_label(minutes))))
    return view


def _time_label(minutes: int | None) -> str:
    return "button.time.keep" if minutes is None else f"button.time.{minutes}"


class TimeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"veraz:when:(?P<number>\d+):(?P<report>\d+):(?P<minutes>\d+|keep)",
):
    """Under the reply to a report whose time could not be read: "15 minutes ago" in one tap."""

    def __init__(
        self,
        number: int,
        report_id: int,
        minutes: int | None,
        label: str | None = None,
        services: Services | None = None,
    ) -> None:
        choice = "keep" if minutes is None else str(minutes)
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, custom_id=f"veraz:when:{number}:{report_id}:{choice}"
        )
        super().__init__(button)
        self.number, self.report_id, self.minutes, self.services = number, report_id, minutes, services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TimeButton:
        minutes = None if match["minutes"] == "keep" else int(match["minutes"])
        return cls(int(match["number"]), int(match["report"]), minutes, services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = self.services or services_of(interaction.client)
        async with Acting(services, interaction) as act:
            community = await act.community()
            if self.minutes is None:
                await act.reply(t(act.lang, "report.time_kept", number=self.number))
                return
            reporter = services.pseudonyms(community.id, interaction.user.id)
            outcome = await usecases.set_report_time(
                services.storage, services.clock.now(), community.id, self.number, self.report_id, reporter,
                self.minutes,
            )  # fmt: skip
            facts = next(r for r in outcome.incident.reports if r.report_id == self.report_id)
            shown = words.observed(facts.observed_time, community.zone, act.lang)
            await act.reply(t(act.lang, "report.time_set", number=self.number, time=shown))


TYPED = "~typed"  # the menu's "somewhere else (as I typed it)"


class PlaceMenu(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"veraz:where:(?P<number>\d+):(?P<report>\d+)"
):
    """Under the reply to a report whose place named no known place surely: the closest known places."""

    def __init__(
        self,
        number: int,
        report_id: int,
        places: tuple[Place, ...] = (),
        lang: Language = Language.EN,
        services: Services | None = None,
    ) -> None:
        options = [
            discord.SelectOption(label=f"{p.name} ({p.area})"[:100], value=p.key)
            for p in places[:24]
            if len(p.key) <= 100
        ]
        options.append(discord.SelectOption(label=t(lang, "report.place_as_typed")[:100], value=TYPED))
        menu: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"veraz:where:{number}:{report_id}",
            placeholder=t(lang, "report.place_pick")[:150],
            options=options,
        )
        super().__init__(menu)
        self.number, self.report_id, self.services = number, report_id, services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlaceMenu:
        return cls(int(match["number"]), int(match["report"]), services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        values = data.get("values") or []
        picked = str(values[0]) if values else TYPED  # read before any await
        services = self.services or services_of(interaction.client)
        async with Acting(services, interaction) as act:
            community = await act.community()
            reporter = services.pseudonyms(community.id, interaction.user.id)
            key = None if picked == TYPED else picked
            outcome = await usecases.choose_place(
                services.storage, services.clock.now(), community.id, self.number, self.report_id, reporter, key
            )
            place = words.place_of(outcome.incident.place, act.lang)
            await act.reply(t(act.lang, "report.place_set", number=outcome.number, place=place))


class Reporting(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name=L("cmd.report.name"), description=L("cmd.report.description"))
    @app_commands.guild_only()
    @app_commands.rename(
        where=L("cmd.report.where.name"), what=L("cmd.report.what.name"), when=L("cmd.report.when.name"),
        agency=L("cmd.report.agency.name"), people=L("cmd.report.people.name"),
        markings=L("cmd.report.markings.name"), photo=L("cmd.report.photo.name"), photo2=L("cmd.report.photo2.name"),
    )  # fmt: skip
    @app_commands.describe(
        where=L("cmd.report.where.description"), what=L("cmd.report.what.description"),
        when=L("cmd.report.when.description"), agency=L("cmd.report.agency.description"),
        people=L("cmd.report.people.description"), markings=L("cmd.report.markings.description"),
        photo=L("cmd.report.photo.description"), photo2=L("cmd.report.photo2.description"),
    )  # fmt: skip
    @app_commands.choices(agency=AGENCIES)
    async def report(
        self,
        interaction: discord.Interaction,
        where: app_commands.Range[str, 1, MAX_WHERE],
        what: app_commands.Range[str, 1, MAX_WHAT],
        when: app_commands.Range[str, 1, 100] | None = None,
        agency: str = Agency.UNKNOWN.value,
        people: app_commands.Range[int, 1, MAX_PEOPLE] | None = None,
        markings: app_commands.Range[str, 1, MAX_MARKINGS] | None = None,
        photo: discord.Attachment | None = None,
        photo2: discord.Attachment | None = None,
    ) -> None:
        services = self.services
        async with Acting(services, interaction) as act:
            community = await act.community()
            now = services.clock.now()
            # The reporter's id becomes a keyed pseudonym here and goes no further.
            reporter = services.pseudonyms(community.id, interaction.user.id)
            data = ReportInput(
                community=community.id,
                reporter=reporter,
                where=where,
                what=what,
                when=when,
                agency=Agency(agency),
                people=people,
                markings=markings or "",
                language=act.lang,
                low_trust=low_trust(interaction.user, community, datetime.now(UTC)),
            )
            outcome = await usecases.submit_report(services.storage, now, data)
            # Kept in memory only, for the relay window: how a moderator's question can reach this reporter.
            ordinal = outcome.incident.reports[-1].reporter
            until = now + timedelta(hours=community.relay_hours)
            services.relay.remember(community.id, outcome.number, ordinal, interaction.user.id, act.lang, until)
            text = replies.report_accepted(outcome, act.lang)
            mine = outcome.incident.reports[-1]
            view = None
            if mine.observed_time.unreadable:
                # Kept with "time not given"; one tap sets it, no retyping (only this reporter can).
                text += "\n" + t(act.lang, "report.time_unreadable")
                view = time_buttons(outcome.number, mine.report_id, act.lang)
            if outcome.place_choices and outcome.incident.reporter_count == 1:
                # Kept where they typed it; a pick moves the report to that place and its incident.
                text += "\n" + t(act.lang, "report.place_uncertain")
                view = view or discord.ui.View(timeout=None)
                view.add_item(PlaceMenu(outcome.number, mine.report_id, outcome.place_choices, act.lang))
            if outcome.first_report:
                text += "\n\n" + replies.privacy_notice(community, act.lang)
            await act.reply(text, view=view)
            # Photos are taken in after the reply, off this path (bot/features/photos).
            photos = tuple(p for p in (photo, photo2) if p is not None)
            if photos and services.hooks.photos_sent is not None:
                sent = SentPhotos(community.id, outcome.number, mine.report_id, reporter, act.lang, photos, act.reply)
                services.hooks.photos_sent(sent)

    @report.autocomplete("where")
    async def where_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        places = await usecases.list_places(self.services.storage, interaction.guild_id)
        wanted = fold(current).strip()
        names = [p.name for p in places if _near(wanted, p.name, p.aliases)]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    @app_commands.command(name=L("cmd.status.name"), description=L("cmd.status.description"))
    @app_commands.guild_only()
    @app_commands.rename(incident=L("cmd.status.incident.name"))
    @app_commands.describe(incident=L("cmd.status.incident.description"))
    async def status(self, interaction: discord.Interaction, incident: app_commands.Range[int, 1, 10**9]) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            # The same answer for an unconfirmed incident as for none at all, except to its reporters.
            asker = self.services.pseudonyms(community.id, interaction.user.id)
            state = await usecases.status_for(self.services.storage, community.id, incident, asker)
            await act.reply(public_status(state, act.lang, community.zone))
