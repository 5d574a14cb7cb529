"""/setup and /places: for server admins (Manage Server, checked by the bot)."""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core.acting import Acting
from bot.core.area_roles import missing_permissions, unable_to_read
from bot.core.channels import readable_by_everyone
from bot.core.i18n import t, tn
from bot.core.safe import user_text
from bot.core.services import Services
from bot.core.time_to_truth import time_to_truth_lines
from bot.core.translator import L
from bot.feed.links import Links
from intake.place.words import fold
from verification import usecases
from verification.community import Community, Via
from verification.errors import RuleViolation
from verification.model import MAX_SOURCE, MAX_WHERE, Language, PlaceKind

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 256 * 1024
# The verifier role is for the few who go and look: more holders than this (or than a quarter of the
# server, once there are a few) and /settings warns that every request shows them an unconfirmed place.
VERIFIERS_MANY, VERIFIERS_FEW = 25, 5
SWITCH = [app_commands.Choice(name=L(f"choice.switch.{v}"), value=v) for v in ("on", "off")]
VIAS = [app_commands.Choice(name=L(f"choice.via.{via.value}"), value=via.value) for via in Via]
LANGUAGES = [app_commands.Choice(name=L(f"choice.language.{lang.value}"), value=lang.value) for lang in Language]
KINDS = [app_commands.Choice(name=L(f"choice.place_kind.{k.value}"), value=k.value) for k in PlaceKind]
ZONES = sorted(available_timezones())
COMMON_ZONES = ["America/Chicago", "America/Los_Angeles", "America/New_York", "America/Denver", "America/Phoenix"]


TURN_OFF = [app_commands.Choice(name=L(f"choice.turn_off.{k}"), value=k) for k in ("on_call", "verifiers")]
OFF_SETTINGS: dict[str, dict[str, int | None]] = {
    "on_call": {"on_call_role": None},
    "verifiers": {"verifier_role": None, "verifier_channel": None},
}


def feed_lines(community: Community, base: str | None, lang: Language) -> list[str]:
    """Whether the public feed is on, and where (issue 15)."""
    if not community.feed or community.feed_slug is None:
        return [t(lang, "settings.feed.off")]
    if base is None:
        return [t(lang, "settings.feed.on"), t(lang, "settings.feed.not_served")]
    links = Links(base, community.feed_slug)
    return [t(lang, "settings.feed.on"), t(lang, "settings.feed.urls", page=links.page, atom=links.atom)]


class Admin(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name=L("cmd.setup.name"), description=L("cmd.setup.description"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.rename(
        moderator_role=L("cmd.setup.moderator_role.name"), queue_channel=L("cmd.setup.queue_channel.name"),
        alerts_channel=L("cmd.setup.alerts_channel.name"), timezone=L("cmd.setup.timezone.name"),
        language=L("cmd.setup.language.name"),
    )  # fmt: skip
    @app_commands.describe(
        moderator_role=L("cmd.setup.moderator_role.description"),
        queue_channel=L("cmd.setup.queue_channel.description"),
        alerts_channel=L("cmd.setup.alerts_channel.description"), timezone=L("cmd.setup.timezone.description"),
        language=L("cmd.setup.language.description"),
    )  # fmt: skip
    @app_commands.choices(language=LANGUAGES)
    async def setup_command(
        self,
        interaction: discord.Interaction,
        moderator_role: discord.Role,
        queue_channel: discord.TextChannel,
        alerts_channel: discord.TextChannel,
        timezone: app_commands.Range[str, 1, 64],
        language: str | None = None,
    ) -> None:
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            setup = usecases.Setup(
                community=act.guild_id,
                moderator_role=moderator_role.id,
                queue_channel=queue_channel.id,
                alerts_channel=alerts_channel.id,
                timezone=timezone.strip(),
                language=Language(language) if language else None,
            )
            before = await self.services.communities.get(act.guild_id)
            community = await usecases.configure_community(self.services.storage, setup)
            self.services.communities.forget(community.id)
            log.info("community set up" if before is None or not before.configured else "community set up again",
                     extra={"guild": community.id, "moderator_role": setup.moderator_role,
                            "queue_channel": setup.queue_channel, "alerts_channel": setup.alerts_channel,
                            "timezone": community.timezone, "language": community.language.value})  # fmt: skip
            if before is not None and before.queue_channel != community.queue_channel:
                await self.services.cards.redraw(community.id, all_open=True)  # cards follow the queue
            lines = [t(act.lang, "setup.done", role=moderator_role.mention, queue=queue_channel.mention,
                       alerts=alerts_channel.mention, timezone=community.timezone,
                       language=t(act.lang, f"language.{community.language.value}"))]  # fmt: skip
            lines += self._warnings(interaction, queue_channel, alerts_channel, act.lang, community.area_roles)
            if not readable_by_everyone(queue_channel):  # hidden from @everyone, but maybe not from "Members"
                crowded = "setup.warn_queue_crowded"
                lines += await self._crowded_channel(queue_channel, moderator_role, act.lang, crowded)
            places = await usecases.list_places(self.services.storage, community.id)
            if not places:
                lines.append(t(act.lang, "setup.no_places"))
            await act.reply("\n".join(lines))

    def _warnings(
        self,
        interaction: discord.Interaction,
        queue: discord.TextChannel,
        alerts: discord.TextChannel,
        lang: Language,
        area_roles: bool = False,
    ) -> list[str]:
        """Permissions Veraz should not have, and ones it lacks where it must post."""
        guild = interaction.guild
        me = guild.me if guild is not None else None
        if me is None:
            return []
        warnings = []
        if me.guild_permissions.administrator:
            warnings.append(t(lang, "setup.warn_administrator"))
        if me.guild_permissions.mention_everyone and not area_roles:
            warnings.append(t(lang, "setup.warn_mention_everyone"))
        if area_roles:
            warnings += [t(lang, f"settings.area_roles.needs.{name}") for name in missing_permissions(guild)]
        for channel in (queue, alerts):
            allowed = channel.permissions_for(me)
            needed = (allowed.view_channel, allowed.send_messages, allowed.embed_links, allowed.read_message_history)
            if not all(needed):
                warnings.append(t(lang, "setup.warn_channel", channel=channel.mention))
        if readable_by_everyone(queue):
            warnings.append(t(lang, "setup.warn_queue_public", channel=queue.mention))
        return warnings

    @app_commands.command(name=L("cmd.settings.name"), description=L("cmd.settings.description"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.rename(
        retention_days=L("cmd.settings.retention_days.name"), stale_hours=L("cmd.settings.stale_hours.name"),
        report_limit=L("cmd.settings.report_limit.name"), relay_hours=L("cmd.settings.relay_hours.name"),
        area_roles=L("cmd.settings.area_roles.name"), default_delivery=L("cmd.settings.default_delivery.name"),
        area_role_limit=L("cmd.settings.area_role_limit.name"),
        on_call_role=L("cmd.settings.on_call_role.name"), escalate_after=L("cmd.settings.escalate_after.name"),
        verifier_role=L("cmd.settings.verifier_role.name"), verifier_channel=L("cmd.settings.verifier_channel.name"),
        turn_off=L("cmd.settings.turn_off.name"),
        feed=L("cmd.settings.feed.name"),
    )  # fmt: skip
    @app_commands.describe(
        retention_days=L("cmd.settings.retention_days.description"),
        stale_hours=L("cmd.settings.stale_hours.description"),
        report_limit=L("cmd.settings.report_limit.description"),
        relay_hours=L("cmd.settings.relay_hours.description"),
        area_roles=L("cmd.settings.area_roles.description"),
        default_delivery=L("cmd.settings.default_delivery.description"),
        area_role_limit=L("cmd.settings.area_role_limit.description"),
        on_call_role=L("cmd.settings.on_call_role.description"),
        escalate_after=L("cmd.settings.escalate_after.description"),
        verifier_role=L("cmd.settings.verifier_role.description"),
        verifier_channel=L("cmd.settings.verifier_channel.description"),
        turn_off=L("cmd.settings.turn_off.description"),
        feed=L("cmd.settings.feed.description"),
    )  # fmt: skip
    @app_commands.choices(area_roles=SWITCH, default_delivery=VIAS, turn_off=TURN_OFF, feed=SWITCH)
    async def settings(
        self,
        interaction: discord.Interaction,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
        stale_hours: app_commands.Range[int, 1, 168] | None = None,
        report_limit: app_commands.Range[int, 1, 100] | None = None,
        relay_hours: app_commands.Range[int, 0, 168] | None = None,
        area_roles: str | None = None,
        default_delivery: str | None = None,
        on_call_role: discord.Role | None = None,
        escalate_after: app_commands.Range[int, 1, 120] | None = None,
        verifier_role: discord.Role | None = None,
        verifier_channel: discord.TextChannel | None = None,
        turn_off: str | None = None,
        feed: str | None = None,
        area_role_limit: app_commands.Range[int, 1, 200] | None = None,
    ) -> None:
        """Show the community's settings, changing those given."""
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            if verifier_channel is not None and readable_by_everyone(verifier_channel):
                # Requests name a place before anything is confirmed: in #general that is a rumour for all.
                raise RuleViolation("verifier_channel_public", channel=verifier_channel.mention)
            asked = {"retention_days": retention_days, "stale_hours": stale_hours, "report_limit": report_limit,
                     "relay_hours": relay_hours, "escalate_after_minutes": escalate_after,
                     "area_role_limit": area_role_limit}  # fmt: skip
            changes = {k: v for k, v in asked.items() if v is not None}
            if changes:
                community = await usecases.update_settings(self.services.storage, act.guild_id, **changes)
                self.services.communities.forget(act.guild_id)
            else:
                community = await act.community()
            lines: list[str] = []
            if area_roles is not None or default_delivery is not None:
                community, lines = await self._area_roles(
                    interaction, community, area_roles, default_delivery, act.lang
                )
            if turn_off is not None:  # a role deleted by an admin would otherwise be paged for ever
                cleared = OFF_SETTINGS[turn_off]
                community = await usecases.set_people(self.services.storage, act.guild_id, **cleared)
                self.services.communities.forget(act.guild_id)
            people = {"on_call_role": on_call_role, "verifier_role": verifier_role,
                      "verifier_channel": verifier_channel}  # fmt: skip
            if any(v is not None for v in people.values()):
                given = {k: v.id for k, v in people.items() if v is not None}
                community = await usecases.set_people(self.services.storage, act.guild_id, **given)
                self.services.communities.forget(act.guild_id)
                me = interaction.guild.me if interaction.guild is not None else None
                for role in (on_call_role, verifier_role):
                    # Discord drops a bot's role mention unless the role allows it: the page would be silent.
                    if role is not None and not role.mentionable and not (me and me.guild_permissions.mention_everyone):
                        lines.append(t(act.lang, "settings.role_not_mentionable", role=role.mention))
                if verifier_role is not None and interaction.guild is not None:
                    lines += await self._crowded(interaction.guild, verifier_role, act.lang)
                where = community.verifier_channel
                channel = interaction.guild.get_channel(where) if interaction.guild and where else None
                if channel is not None and (verifier_channel is not None or verifier_role is not None):
                    lines += await self._crowded_channel(channel, verifier_role, act.lang)
            lines += time_to_truth_lines(community, act.lang)
            if feed is not None:
                community = await usecases.set_feed(self.services.storage, act.guild_id, on=feed == "on")
                self.services.communities.forget(act.guild_id)
                lines += feed_lines(community, self.services.feed_url, act.lang)
            named = [k for k, v in people.items() if v is not None]
            _log_settings(act.guild_id, changes, area_roles=area_roles, default_delivery=default_delivery,
                          turn_off=turn_off, people=named, feed=feed)  # fmt: skip
            c = community
            mode = t(act.lang, f"settings.area_roles.{'on' if c.area_roles else 'off'}")
            default = t(act.lang, f"choice.via.{c.default_delivery.value}")
            head = [t(act.lang, "settings.now", retention_days=c.retention_days, stale_hours=c.stale_hours,
                      report_limit=c.report_limit, report_window=c.report_window_minutes, relay_hours=c.relay_hours),
                    t(act.lang, "settings.delivery", mode=mode, default=default, limit=c.area_role_limit)]  # fmt: skip
            await act.reply("\n".join(head + lines))

    async def _area_roles(
        self, interaction: discord.Interaction, community: Community, switch: str | None, default: str | None,
        lang: Language,
    ) -> tuple[Community, list[str]]:  # fmt: skip
        """Turn area roles on only with both permissions they need; otherwise say why and stay on DMs."""
        lines: list[str] = []
        on = None if switch is None else switch == "on"
        if on:
            missing = missing_permissions(interaction.guild)
            if missing:
                on = False
                lines.append(t(lang, "settings.area_roles.refused"))
                lines += [t(lang, f"settings.area_roles.needs.{name}") for name in missing]
        was_on = community.area_roles
        community = await usecases.set_area_roles(self.services.storage, community.id, on=on,
                                                  default=Via(default) if default else None)  # fmt: skip
        self.services.communities.forget(community.id)
        if was_on and not community.area_roles and interaction.guild is not None:
            # Left open last time: the roles stayed, counted against the server's 250, pinged by nothing.
            deleted, failed = await self.services.roles.delete_all(interaction.guild.id, community.id)
            if deleted:
                lines.append(tn(lang, "settings.area_roles.deleted", deleted))
            if failed:
                lines.append(tn(lang, "settings.area_roles.not_deleted", failed))
        if community.area_roles and interaction.guild is not None:
            roles = await usecases.area_roles_of(self.services.storage, community.id)
            blind = unable_to_read(interaction.guild, community, roles)
            if blind:
                lines.append(t(lang, "settings.area_roles.cannot_read", roles=", ".join(r.mention for r in blind)))
            if self.services.hooks.post_area_menu is not None:
                community = await self.services.hooks.post_area_menu(community)
        if community.default_delivery is Via.ROLE and not community.area_roles:
            lines.append(t(lang, "settings.area_roles.default_falls_back"))
        return community, lines

    async def _crowded(self, guild: discord.Guild, role: discord.Role, lang: Language) -> list[str]:
        """A warning when very many members hold the verifier role: each request shows them all a place
        nothing has confirmed yet. Discord's count is asked for; without it, nothing is said."""
        try:
            held = (await self.services.outgoing.role_member_counts(guild.id)).get(role.id, 0)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not count the verifier role's members", extra={"guild": guild.id, "error": str(exc)})
            return []
        members = guild.member_count or 0
        if held > VERIFIERS_MANY or (held >= VERIFIERS_FEW and held * 4 > members):
            return [t(lang, "settings.verifiers.crowded", role=role.mention, count=held, members=members)]
        return []

    async def _crowded_channel(
        self,
        channel: discord.abc.GuildChannel,
        trusted: discord.Role | None,
        lang: Language,
        key: str = "settings.verifier_channel.crowded",
    ) -> list[str]:
        """A warning when a private channel (the verifiers', the queue) is hidden from @everyone but open
        to a role very many members hold (a "Members" role every newcomer gets): it is as public as
        #general. `trusted` is the role the channel is for."""
        guild = channel.guild
        readers = [r for r in guild.roles if not r.is_default() and r != trusted and not r.managed
                   and channel.permissions_for(r).view_channel]  # fmt: skip
        if not readers:
            return []
        try:
            counts = await self.services.outgoing.role_member_counts(guild.id)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not count the members who read the verifiers' channel",
                        extra={"guild": guild.id, "error": str(exc)})  # fmt: skip
            return []
        members = guild.member_count or 0
        lines = []
        for role in readers:
            held = counts.get(role.id, 0)
            if held > VERIFIERS_MANY or (held >= VERIFIERS_FEW and held * 4 > members):
                lines.append(t(lang, key, role=role.mention, channel=channel.mention, count=held, members=members))
        return lines

    async def _areas_changed(self, community_id: int) -> None:
        """The areas may have changed: the alerts channel's "Get alerts for..." menu shows today's."""
        community = await self.services.communities.get(community_id)
        if community is not None and self.services.hooks.refresh_area_menu is not None:
            await self.services.hooks.refresh_area_menu(community)

    @setup_command.autocomplete("timezone")
    async def timezone_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().casefold().replace(" ", "_")
        found = [z for z in ZONES if wanted in z.casefold()] if wanted else COMMON_ZONES
        return [app_commands.Choice(name=z, value=z) for z in found[:25]]

    places = app_commands.Group(
        name=L("cmd.places.name"),
        description=L("cmd.places.description"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @places.command(name=L("cmd.places.add.name"), description=L("cmd.places.add.description"))
    @app_commands.rename(
        name=L("cmd.places.place.name"), area=L("cmd.places.area.name"), kind=L("cmd.places.kind.name"),
        aliases=L("cmd.places.aliases.name"), address=L("cmd.places.address.name"),
        cross_streets=L("cmd.places.cross_streets.name"),
    )  # fmt: skip
    @app_commands.describe(
        name=L("cmd.places.place.description"), area=L("cmd.places.area.description"),
        kind=L("cmd.places.kind.description"), aliases=L("cmd.places.aliases.description"),
        address=L("cmd.places.address.description"), cross_streets=L("cmd.places.cross_streets.description"),
    )  # fmt: skip
    @app_commands.choices(kind=KINDS)
    async def add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_WHERE],
        area: app_commands.Range[str, 1, MAX_SOURCE],
        kind: str,
        aliases: app_commands.Range[str, 1, 1000] | None = None,
        address: app_commands.Range[str, 1, MAX_WHERE] | None = None,
        cross_streets: app_commands.Range[str, 1, MAX_WHERE] | None = None,
    ) -> None:
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            place = usecases.make_place(
                name, area, PlaceKind(kind), aliases or "", address=address or "", cross_streets=cross_streets or ""
            )
            await usecases.add_place(self.services.storage, act.guild_id, place)
            self.services.communities.forget(act.guild_id)
            await self._areas_changed(act.guild_id)
            await act.reply(
                t(act.lang, "places.added", name=user_text(place.name, 100), area=user_text(place.area, 60))
            )

    @places.command(name=L("cmd.places.remove.name"), description=L("cmd.places.remove.description"))
    @app_commands.rename(name=L("cmd.places.place.name"))
    @app_commands.describe(name=L("cmd.places.remove.place.description"))
    async def remove(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, MAX_WHERE]) -> None:
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            removed = await usecases.remove_place(self.services.storage, act.guild_id, name)
            self.services.communities.forget(act.guild_id)
            await self._areas_changed(act.guild_id)
            key = "places.removed" if removed else "places.not_found"
            await act.reply(t(act.lang, key, name=user_text(name, 100)))

    @remove.autocomplete("name")
    async def place_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        wanted = fold(current)
        names = [p.name for p in await usecases.list_places(self.services.storage, interaction.guild_id)]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names if wanted in fold(n)][:25]

    @places.command(name=L("cmd.places.list.name"), description=L("cmd.places.list.description"))
    async def list_(self, interaction: discord.Interaction) -> None:
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            places = await usecases.list_places(self.services.storage, act.guild_id)
            if not places:
                await act.reply(t(act.lang, "places.none"))
                return
            lines = [
                t(act.lang, "places.line", name=user_text(p.name, 80), area=user_text(p.area, 40),
                  kind=t(act.lang, f"place_kind.{p.kind.value}"), aliases=len(p.aliases))
                for p in places
            ]  # fmt: skip
            shown: list[str] = []
            for line in lines:
                if len("\n".join([*shown, line])) > 1800:
                    shown.append(t(act.lang, "places.more", count=len(lines) - len(shown)))
                    break
                shown.append(line)
            await act.reply("\n".join(shown))

    @places.command(name=L("cmd.places.import.name"), description=L("cmd.places.import.description"))
    @app_commands.rename(file=L("cmd.places.import.file.name"))
    @app_commands.describe(file=L("cmd.places.import.file.description"))
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        async with Acting(self.services, interaction) as act:
            act.require_admin()
            if file.size > MAX_IMPORT_BYTES or not file.filename.casefold().endswith((".csv", ".txt")):
                raise RuleViolation("import_not_csv")
            try:
                text = (await file.read()).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise RuleViolation("import_not_csv") from exc
            if usecases.is_grid_csv(text):  # the community's street grid, in the same command
                points = await usecases.import_grid(self.services.storage, act.guild_id, text)
                await act.reply(t(act.lang, "places.grid_imported", count=len(points)))
                return
            places = await usecases.import_places(self.services.storage, act.guild_id, text)
            self.services.communities.forget(act.guild_id)
            await self._areas_changed(act.guild_id)
            await act.reply(tn(act.lang, "places.imported", len(places)))


def _log_settings(guild: int, changes: dict[str, int], *, people: list[str], **switches: str | None) -> None:
    """An admin's change, for the operator: which settings, and their new values (ids of roles and
    channels are the server's, never a person's)."""
    changed: dict[str, object] = {**changes, **{k: v for k, v in switches.items() if v is not None}}
    changed.update(dict.fromkeys(people, "set"))
    if changed:
        log.info("settings changed", extra={"guild": guild, "changed": changed})
    if switches.get("feed") is not None:
        log.info(f"public feed turned {switches['feed']}", extra={"guild": guild})
