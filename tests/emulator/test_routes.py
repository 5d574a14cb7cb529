"""REST details: unknown routes, authentication, history paging, ephemeral visibility, role hierarchy."""

from __future__ import annotations

import logging

import aiohttp
import discord
import pytest
from discord.http import Route

from discord_emulator import Bucket, DiscordEmulator
from tests.emulator.conftest import Community, bot_channel
from tests.emulator.sample_bot import SampleBot

pytestmark = pytest.mark.timeout(30)


async def raw(emu: DiscordEmulator, method: str, path: str, *, token: str | None = None) -> tuple[int, object]:
    headers = {"Authorization": f"Bot {token or emu.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, emu.api_base + path, headers=headers) as response,
    ):
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body


async def test_an_unknown_route_answers_404_and_is_recorded_loudly(
    emu: DiscordEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Gaps in the emulation show up: Discord's 404 body, a warning, and a request record without a route."""
    with caplog.at_level(logging.WARNING, logger="discord_emulator"):
        status, body = await raw(emu, "GET", "/guilds/1/audit-logs")
    assert status == 404
    assert body == {"message": "404: Not Found", "code": 0}
    assert [(r.method, r.path) for r in emu.unknown_requests] == [("GET", "/api/v10/guilds/1/audit-logs")]
    assert "no emulated route" in caplog.text


async def test_a_known_path_with_the_wrong_method_answers_405(emu: DiscordEmulator) -> None:
    """PUT on the messages collection is not a Discord route."""
    status, body = await raw(emu, "PUT", "/channels/1/messages")
    assert status == 405
    assert body == {"message": "405: Method Not Allowed", "code": 0}


async def test_bot_routes_need_the_bot_token(emu: DiscordEmulator) -> None:
    """401 with Discord's body when the Authorization header is wrong."""
    status, body = await raw(emu, "GET", "/users/@me", token="stolen")
    assert status == 401
    assert body == {"message": "401: Unauthorized", "code": 0}


async def test_webhook_routes_are_authenticated_by_the_token_in_the_url(emu: DiscordEmulator) -> None:
    """No Authorization needed, but an unknown token is refused with 50027."""
    async with aiohttp.ClientSession() as session:
        url = f"{emu.api_base}/webhooks/{emu.application_id}/no-such-token?wait=1"
        async with session.post(url, json={"content": "hi"}) as response:
            assert response.status == 401
            assert (await response.json())["code"] == 50027


async def test_history_pages_newest_first_with_before_and_after(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """limit, before and after pick the window; Discord returns it newest first either way."""
    emu.limits.buckets["POST /channels/{channel_id}/messages"] = Bucket(50, 1.0)
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    sent = [await channel.send(str(n)) for n in range(6)]
    newest = [m.content async for m in channel.history(limit=3)]
    older = [m.content async for m in channel.history(limit=2, before=sent[3])]
    after = [m.content async for m in channel.history(limit=2, after=sent[1], oldest_first=True)]
    assert newest == ["5", "4", "3"]
    assert older == ["2", "1"]
    assert after == ["2", "3"]
    status, body = await raw(emu, "GET", f"/channels/{channel.id}/messages?limit=2&after={sent[1].id}")
    assert status == 200
    assert isinstance(body, list)
    assert [m["content"] for m in body] == ["3", "2"]


async def test_history_limit_outside_1_to_100_is_refused(emu: DiscordEmulator, community: Community) -> None:
    """Discord validates the limit query parameter."""
    status, body = await raw(emu, "GET", f"/channels/{community.guild.channel('general').id}/messages?limit=101")
    assert status == 400
    assert isinstance(body, dict)
    assert body["code"] == 50035


async def test_ephemeral_messages_are_not_readable_through_channel_routes(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Only the interaction webhook can fetch an ephemeral reply; the channel says Unknown Message."""
    res = await community.ana.slash("report", where="x", what="y")
    assert res.message is not None
    status, body = await raw(emu, "GET", f"/channels/{res.message.channel_id}/messages/{res.message.id}")
    assert status == 404
    assert isinstance(body, dict)
    assert body["code"] == 10008


async def test_editing_someone_elses_message_is_refused(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """A bot can only edit its own messages (50005)."""
    general = community.guild.channel("general")
    theirs = await community.bea.say(general, "mine")
    route = Route("PATCH", "/channels/{channel_id}/messages/{message_id}", channel_id=general.id, message_id=theirs.id)
    with pytest.raises(discord.Forbidden) as refused:
        await sample_bot.http.request(route, json={"content": "edited"})
    assert refused.value.code == 50005


async def test_edits_keep_a_history_and_deletes_hide_the_message(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Each edit adds a revision; a deleted message leaves channel.messages but stays in all_messages."""
    channel = bot_channel(sample_bot, community.guild.channel("general").id)
    sent = await channel.send("v1")
    await sent.edit(content="v2")
    await sent.edit(content="v3")
    stored = community.guild.channel("general").all_messages[-1]
    assert [r.content for r in stored.history] == ["v1", "v2", "v3"]
    assert stored.edited_at is not None
    await sent.delete()
    assert stored.deleted
    assert stored not in community.guild.channel("general").messages


async def test_roles_can_only_be_granted_below_the_bots_top_role(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """Without MANAGE_ROLES: 50013; with it, a lower role is granted and the member's roles change."""
    alerts = community.guild.create_role("alerts")
    route = Route(
        "PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        guild_id=community.guild.id, user_id=community.bea.id, role_id=alerts.id,
    )  # fmt: skip
    with pytest.raises(discord.Forbidden):
        await sample_bot.http.request(route)
    bot_member = community.guild.bot_member
    assert bot_member is not None
    bot_role = community.guild.guild.roles[bot_member.role_ids[0]]
    bot_role.permissions |= 1 << 28
    bot_role.position = alerts.position + 1
    await sample_bot.http.request(route)
    assert alerts in community.bea.roles


async def test_interactions_carry_what_discordpy_indexes(
    emu: DiscordEmulator, community: Community, sample_bot: SampleBot
) -> None:
    """attachment_size_limit, member with permissions, app_permissions, locales, context and owners."""
    res = await community.ana.slash("report", where="x", what="y")
    payload = res.payload
    for key in ("attachment_size_limit", "app_permissions", "locale", "guild_locale", "channel", "context"):
        assert key in payload
    assert payload["locale"] == "es-419"
    assert payload["guild_locale"] == "es-419"
    assert set(payload["member"]) >= {"user", "roles", "joined_at", "permissions"}
    assert payload["authorizing_integration_owners"] == {"0": str(community.guild.id)}
    assert payload["entitlements"] == []
