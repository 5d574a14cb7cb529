"""Roles as a bot manages them: create, edit, delete, grant, the hierarchy, the 250 limit, role pings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from discord_emulator import DiscordEmulator, Limits, overwrite
from discord_emulator.guilds import GuildHandle
from discord_emulator.permissions import DEFAULT_BOT, MANAGE_ROLES, MENTION_EVERYONE, VIEW_CHANNEL

pytestmark = pytest.mark.timeout(30)


class Api:
    """The bot's side, as raw HTTP: what discord.py would send."""

    def __init__(self, emu: DiscordEmulator, session: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.session = session

    async def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.emu.token}"}
        async with self.session.request(method, self.emu.api_base + path, json=body, headers=headers) as response:
            payload = await response.json() if response.content_type == "application/json" else None
            return response.status, payload


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    limits = Limits(global_limit=None, default_bucket=None)
    async with DiscordEmulator("tok", limits=limits) as emu, aiohttp.ClientSession() as session:
        yield Api(emu, session)


def guild_with_bot(emu: DiscordEmulator, permissions: int) -> GuildHandle:
    guild = emu.create_guild("Pilsen Rapid Response")
    emu.add_bot_to_guild(guild, permissions=permissions)
    return guild


async def test_a_new_role_goes_just_above_everyone_and_the_bot_can_grant_it(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)
    bot_role = guild.role("Veraz")
    status, made = await api("POST", f"/guilds/{guild.id}/roles", {"name": "Veraz · Pilsen", "mentionable": False})
    assert status == 200
    assert (made["name"], made["position"], made["mentionable"], made["managed"]) == ("Veraz · Pilsen", 1, False, False)
    assert bot_role.position == 2  # moved up, as Discord does
    ana = guild.add_member("ana")
    status, _ = await api("PUT", f"/guilds/{guild.id}/members/{ana.id}/roles/{made['id']}")
    assert status == 204
    assert [r.name for r in ana.roles] == ["Veraz · Pilsen"]
    status, _ = await api("DELETE", f"/guilds/{guild.id}/members/{ana.id}/roles/{made['id']}")
    assert (status, ana.roles) == (204, [])


async def test_without_manage_roles_nothing_about_roles_is_allowed(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT)
    status, body = await api("POST", f"/guilds/{guild.id}/roles", {"name": "Veraz · Pilsen"})
    assert (status, body["code"]) == (403, 50013)
    low = guild.create_role("alerts", mentionable=True)
    low.position, guild.role("Veraz").position = 1, 2
    ana = guild.add_member("ana")
    status, body = await api("PUT", f"/guilds/{guild.id}/members/{ana.id}/roles/{low.id}")
    assert (status, body["code"], ana.roles) == (403, 50013, [])


async def test_roles_at_or_above_the_bots_highest_cannot_be_granted_edited_or_deleted(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)
    above = guild.create_role("Organizers")  # created after the bot: on top
    ana = guild.add_member("ana")
    for method, path, body in (
        ("PUT", f"/guilds/{guild.id}/members/{ana.id}/roles/{above.id}", None),
        ("PATCH", f"/guilds/{guild.id}/roles/{above.id}", {"mentionable": True}),
        ("DELETE", f"/guilds/{guild.id}/roles/{above.id}", None),
    ):
        status, answer = await api(method, path, body)
        assert (method, status, answer["code"]) == (method, 403, 50013)
    assert not above.mentionable
    assert above.id in guild.guild.roles


async def test_a_role_edit_and_deletion_reach_its_holders(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)
    _, made = await api("POST", f"/guilds/{guild.id}/roles", {"name": "Veraz · Pilsen"})
    role = guild.role("Veraz · Pilsen")
    ana = guild.add_member("ana", roles=[role])
    status, edited = await api("PATCH", f"/guilds/{guild.id}/roles/{made['id']}", {"name": "Veraz · Pilsen (es)"})
    assert (status, edited["name"], role.name) == (200, "Veraz · Pilsen (es)", "Veraz · Pilsen (es)")
    status, answer = await api("PATCH", f"/guilds/{guild.id}/roles/{made['id']}", {"name": "x" * 101})
    assert (status, answer["code"]) == (400, 50035)
    assert answer["errors"]["name"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    status, _ = await api("DELETE", f"/guilds/{guild.id}/roles/{made['id']}")
    assert status == 204
    assert ana.roles == []
    assert made["id"] not in {str(r) for r in guild.guild.roles}
    status, answer = await api("DELETE", f"/guilds/{guild.id}/roles/{guild.id}")
    assert (status, answer["code"]) == (400, 50028)  # never @everyone


async def test_a_bot_cannot_give_a_role_permissions_it_lacks(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)
    status, answer = await api(
        "POST", f"/guilds/{guild.id}/roles", {"name": "loud", "permissions": str(MENTION_EVERYONE)}
    )
    assert (status, answer["code"]) == (403, 50013)


async def test_the_250th_role_is_the_last(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)  # @everyone and the bot's role: 2
    for i in range(248):
        status, _ = await api("POST", f"/guilds/{guild.id}/roles", {"name": f"area {i}"})
        assert status == 200
    assert len(guild.guild.roles) == 250
    status, answer = await api("POST", f"/guilds/{guild.id}/roles", {"name": "one too many"})
    assert (status, answer["code"]) == (400, 30005)
    assert answer["message"] == "Maximum number of guild roles reached (250)"


async def post(api: Api, channel_id: int, content: str, roles: list[int]) -> tuple[int, Any]:
    mentions = {"parse": [], "roles": [str(r) for r in roles]}
    return await api("POST", f"/channels/{channel_id}/messages", {"content": content, "allowed_mentions": mentions})


async def test_a_role_members_cannot_mention_pings_its_holders_only_when_the_bot_may_mention_everyone(
    api: Api,
) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES)
    _, made = await api("POST", f"/guilds/{guild.id}/roles", {"name": "Veraz · Pilsen", "mentionable": False})
    role = guild.role("Veraz · Pilsen")
    holders = [guild.add_member(f"h{i}", roles=[role]) for i in range(3)]
    other = guild.add_member("other")
    alerts = guild.channel("general")
    status, _ = await post(api, alerts.id, f"{role.mention} ALERT", [role.id])
    assert status == 200
    assert api.emu.pings == []
    guild.role("Veraz").permissions |= MENTION_EVERYONE
    status, _ = await post(api, alerts.id, f"{role.mention} ALERT", [role.id])
    [ping] = api.emu.pings
    assert ping.roles == {role.id}
    assert ping.reached == {h.id for h in holders}
    assert other.id not in ping.reached
    assert made["mentionable"] is False


async def test_a_role_ping_reaches_only_holders_who_can_view_the_channel(api: Api) -> None:
    guild = guild_with_bot(api.emu, DEFAULT_BOT | MANAGE_ROLES | MENTION_EVERYONE)
    role = guild.create_role("Veraz · Pilsen")
    role.position, guild.role("Veraz").position = 1, 2
    hidden_from = guild.create_role("Muted")
    alerts = guild.create_text_channel("alerts", overwrites=[overwrite(hidden_from, deny=VIEW_CHANNEL)])
    sees = guild.add_member("sees", roles=[role])
    blind = guild.add_member("blind", roles=[role, hidden_from])
    await post(api, alerts.id, f"{role.mention} ALERT", [role.id])
    [ping] = api.emu.pings
    assert ping.reached == {sees.id}
    assert blind.pings == []
