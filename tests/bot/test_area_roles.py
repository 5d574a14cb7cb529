"""Area roles end to end: the real bot, through the emulator, pinging area roles from the alerts channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.client import Tuning
from bot.demo.live_world import BOT_PERMISSIONS, World, open_world
from discord_emulator import FaultMode, intents, payloads
from discord_emulator.permissions import MANAGE_ROLES, MENTION_EVERYONE, VIEW_CHANNEL
from discord_emulator.state import Overwrite
from tests.bot.conftest import PEOPLE, alerts, set_up
from verification import usecases

pytestmark = pytest.mark.timeout(120)
ROLES_OK = BOT_PERMISSIONS | MANAGE_ROLES | MENTION_EVERYONE


@pytest.fixture
async def roles_world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await open_world(tmp_path / "data", PEOPLE, bot_permissions=ROLES_OK,
                              tuning=Tuning(card_interval=0.0, maintenance_every=3600))  # fmt: skip
    try:
        yield opened
    finally:
        await opened.close()
    assert opened.emu.errors == []


async def confirmed(world: World, what: str = "two agents at the door", number: int = 1) -> None:
    await world.people["luis"].slash("report", where="Hamline Elementary", what=what)
    await world.people["marta"].slash("incident statement", id=number, source="CPS", stance="confirms")
    await world.people["marta"].slash("incident confirm", id=number)


def posts(world: World) -> list:
    return [m for m in world.alerts.messages if "Veraz ref " in m.content]


async def test_subscribing_by_role_and_an_alert_pings_exactly_the_holders_of_the_areas_roles(roles_world):
    world = roles_world
    await set_up(world)
    turned = await world.people["admin"].slash("settings", area_roles="on")
    assert "Area roles: on" in turned.content, turned.content
    menu = world.alerts.last_message
    assert menu is not None
    assert menu.walk_components()
    sam, rosa, pat, lucia = (world.people[n] for n in ("sam", "rosa", "pat", "lucia"))
    done = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "role" in done.content, done.content
    await rosa.slash("subscribe", area="Back of the Yards", language="es", via="role")
    await pat.slash("subscribe", area="Pilsen", via="role")
    await lucia.slash("subscribe", language="es")  # every area, by DM
    en_role, es_role = world.guild.role("Veraz · Back of the Yards"), world.guild.role("Veraz · Back of the Yards (es)")
    assert not en_role.mentionable
    assert not es_role.mentionable
    assert [r.name for r in sam.roles] == ["Veraz · Back of the Yards"]
    listing = await rosa.slash("subscriptions")
    assert "rol de zona" in listing.content
    assert "registro" in listing.content

    await confirmed(world)
    await world.settle()
    english, spanish = posts(world)
    assert english.content.startswith(en_role.mention)
    assert "🚨 ALERT" in english.content
    assert spanish.content.startswith(es_role.mention)
    assert "🚨 ALERTA" in spanish.content
    assert english.ping is not None
    assert english.ping.reached == {sam.id}
    assert spanish.ping is not None
    assert spanish.ping.reached == {rosa.id}
    assert all(p.roles <= {en_role.id, es_role.id} and not p.users and not p.everyone for p in world.emu.pings)
    assert len(alerts(lucia)) == 1
    assert alerts(sam) == []
    assert alerts(rosa) == []

    # Sam leaves after the alert: the correction reaches Sam by DM, and the role holders by reply.
    await sam.slash("unsubscribe", area="Back of the Yards")
    assert sam.roles == []
    await world.people["dev"].slash("incident misidentified", id=1, correction="Secret Service, not ICE")
    await world.settle()
    assert [m.content.split(" · ")[0] for m in alerts(sam)] == ["**⚠️ CORRECTION"]
    assert alerts(rosa) == []
    replies = [m for m in posts(world) if m.message_reference]
    assert {m.message_reference["message_id"] for m in replies} == {str(english.id), str(spanish.id)}
    spanish_fix = next(m for m in replies if m.message_reference["message_id"] == str(spanish.id))
    assert spanish_fix.ping is not None
    assert spanish_fix.ping.reached == {rosa.id}


async def test_user_text_never_pings(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await sam.slash("subscribe", area="Back of the Yards", via="role")
    mods = world.mods
    await confirmed(world, what=f"@everyone {mods.mention} <@{world.people['pat'].id}> AGENTS!!! 🚨🚨")
    await world.settle()
    [english] = posts(world)
    assert english.ping is not None
    assert english.ping.roles == {world.guild.role("Veraz · Back of the Yards").id}
    assert not english.ping.users
    assert not english.ping.everyone
    assert world.people["pat"].pings == []
    assert world.people["dev"].pings == []


async def test_a_missing_permission_warns_and_falls_back_to_dms(world):
    await set_up(world)
    refused = await world.people["admin"].slash("settings", area_roles="on")
    assert "Manage Roles" in refused.content
    assert "Area roles: off" in refused.content
    sam = world.people["sam"]
    done = await sam.slash("subscribe", area="Back of the Yards", via="role")
    assert "by DM instead" in done.content, done.content
    assert sam.roles == []
    await confirmed(world)
    await world.settle()
    assert len(alerts(sam)) == 1
    assert world.emu.pings == []


async def test_an_admin_deleting_an_area_role_sends_its_holders_dms(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam, rosa = world.people["sam"], world.people["rosa"]
    await sam.slash("subscribe", area="back of the yards", via="role")
    await rosa.slash("subscribe", area="Back of the Yards", language="es", via="role")
    world.emu.services.world.delete_role(world.guild.guild, world.guild.role("Veraz · Back of the Yards"))
    for _ in range(200):  # the gateway event reaches the bot asynchronously
        if "DM" in (await sam.slash("subscriptions")).content:
            break
        await asyncio.sleep(0.01)
    await confirmed(world)
    await world.settle()
    assert len(alerts(sam)) == 1  # by DM: no post can ping a deleted role
    assert alerts(rosa) == []
    plain, spanish = posts(world)
    assert plain.ping is None  # the English post is the plain channel post again
    assert spanish.ping is not None
    assert spanish.ping.reached == {rosa.id}


async def test_without_mention_everyone_a_role_post_becomes_dms_to_its_holders(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam, rosa, lucia = world.people["sam"], world.people["rosa"], world.people["lucia"]
    await sam.slash("subscribe", area="back of the yards", via="role")
    await rosa.slash("subscribe", area="Back of the Yards", language="es", via="role")
    await lucia.slash("subscribe", language="es")  # every area, by DM
    registry, guild = world.emu.services.world, world.guild.guild
    registry.update_role(guild, world.guild.role("Veraz"), {"permissions": ROLES_OK & ~MENTION_EVERYONE})
    for _ in range(200):  # the gateway event reaches the bot asynchronously
        cached = world.bot.get_guild(guild.id)
        if cached is not None and cached.me is not None and not cached.me.guild_permissions.mention_everyone:
            break
        await asyncio.sleep(0.01)
    await confirmed(world)
    await world.settle()
    assert [m.content.split(" · ")[0] for m in alerts(sam)] == ["**🚨 ALERT"]
    assert [m.content.split(" · ")[0] for m in alerts(rosa)] == ["**🚨 ALERTA"]
    assert len(alerts(lucia)) == 1  # once, as before
    [plain] = posts(world)  # the plain English channel post again, pinging nobody
    assert plain.ping is None or not plain.ping.roles
    assert "🚨 ALERT" in plain.content
    told = [m.content for m in world.queue.messages if "Mention @everyone, @here, and All Roles" in m.content]
    assert len(told) == 2, told  # one per language's post
    assert all("1 role holder gets it by DM instead" in m for m in told), told


async def test_two_members_subscribing_at_once_get_the_one_role_of_the_area(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam, pat = world.people["sam"], world.people["pat"]
    await asyncio.gather(
        sam.slash("subscribe", area="back of the yards", via="role"),
        pat.slash("subscribe", area="BACK OF THE YARDS!!", via="role"),
    )
    made = [r for r in world.guild.guild.roles.values() if r.name == "Veraz · Back of the Yards"]
    assert len(made) == 1, made
    assert [r.name for r in sam.roles] == [r.name for r in pat.roles] == ["Veraz · Back of the Yards"]
    await confirmed(world)
    await world.settle()
    [english] = posts(world)
    assert english.ping is not None
    assert english.ping.reached == {sam.id, pat.id}


async def test_a_grant_discord_applied_but_answered_with_a_5xx_is_kept(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    world.emu.fail_next("PUT", r"/members/\d+/roles/\d+$", status=503, mode=FaultMode.AFTER)
    sam = world.people["sam"]
    done = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "role" in done.content, done.content
    assert [r.name for r in sam.roles] == ["Veraz · Back of the Yards"]
    assert "role" in (await sam.slash("subscriptions")).content
    await confirmed(world)
    await world.settle()
    [english] = posts(world)
    assert english.ping is not None
    assert english.ping.reached == {sam.id}
    assert alerts(sam) == []  # the ping is their copy


async def test_a_grant_refused_or_lost_changes_nothing(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await sam.slash("subscribe", area="Back of the Yards", language="es")  # by DM, in Spanish
    world.emu.fail_next("PUT", r"/members/\d+/roles/\d+$", status=403)
    refused = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "Nothing was changed" in refused.content, refused.content

    # The request never reached Discord (discord.py retries a dropped connection: drop every try).
    world.emu.fail_next("PUT", r"/members/\d+/roles/\d+$", mode=FaultMode.DROP, times=10)
    looked = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "Nothing was changed" in looked.content, looked.content  # the member's roles show no grant
    world.emu.fail_next("PUT", r"/members/\d+/roles/\d+$", mode=FaultMode.DROP, times=10)
    world.emu.fail_next("GET", r"/guilds/\d+/members/\d+$", mode=FaultMode.DROP, times=10)
    unknown = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "did not answer" in unknown.content, unknown.content
    assert sam.roles == []
    listing = (await sam.slash("subscriptions")).content
    assert "Back of the Yards" in listing
    assert "role" not in listing, listing  # still by DM, as before
    await confirmed(world)
    await world.settle()
    assert [m.content.split(" · ")[0] for m in alerts(sam)] == ["**🚨 ALERTA"]


async def test_unsubscribing_again_takes_away_a_role_discord_did_not_remove(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await world.people["pat"].slash("subscribe", area="back of the yards", via="role")  # the role stays worn
    await sam.slash("subscribe", area="back of the yards", via="role")
    world.emu.fail_next("DELETE", r"/members/\d+/roles/\d+$", status=503)
    first = await sam.slash("unsubscribe")
    assert "may still be pinged" in first.content, first.content
    assert [r.name for r in sam.roles] == ["Veraz · Back of the Yards"]
    second = await sam.slash("unsubscribe")
    assert sam.roles == []
    assert "took away" in second.content, second.content


async def test_dms_for_every_area_keep_the_areas_roles(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await sam.slash("subscribe", via="role")  # the every-area role
    await sam.slash("subscribe", area="back of the yards", via="role")
    await sam.slash("subscribe", via="dm")  # every area by DM now
    assert [r.name for r in sam.roles] == ["Veraz · Back of the Yards"]
    listing = (await sam.slash("subscriptions")).content
    assert "Back of the Yards" in listing, listing


async def test_switching_to_dms_with_the_area_typed_loosely_takes_back_its_role(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await sam.slash("subscribe", area="Pilsen", via="role")
    await sam.slash("subscribe", area="Pílsen", via="dm")
    assert sam.roles == []
    await sam.slash("subscribe", area="pilsen", via="role")
    moved = await sam.slash("subscribe", area="pilsn", via="dm")
    assert "Pilsen" in moved.content, moved.content
    assert sam.roles == []


async def test_a_member_who_cannot_read_the_alerts_channel_gets_dms_and_is_told_why(roles_world):
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    registry, channel = world.emu.services.world, world.alerts
    channel.overwrites.append(Overwrite(sam.id, 1, deny=VIEW_CHANNEL))
    registry.dispatch("CHANNEL_UPDATE", payloads.channel(channel, registry), guild_id=world.guild.id,
                      intent=intents.GUILDS)  # fmt: skip
    for _ in range(200):  # the gateway event reaches the bot asynchronously
        cached = world.bot.get_channel(channel.id)
        if (
            isinstance(cached, discord.TextChannel)
            and cached.overwrites_for(discord.Object(sam.id)).view_channel is False
        ):
            break
        await asyncio.sleep(0.01)
    done = await sam.slash("subscribe", area="back of the yards", via="role")
    assert "cannot open the alerts channel" in done.content, done.content
    assert sam.roles == []
    await confirmed(world)
    await world.settle()
    assert len(alerts(sam)) == 1


# --- issue 23 §5 and §7: one member can neither fill the server's roles nor end up wearing two -------------


def veraz_roles(world: World) -> list[str]:
    return sorted(r.name for r in world.guild.guild.roles.values() if r.name.startswith("Veraz · "))


async def test_one_member_cannot_fill_the_servers_roles(roles_world):
    """Found in review: roles were made for every area and language anyone subscribed to and never deleted;
    one member took a server from 174 roles to Discord's cap of 250."""
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await world.people["pat"].slash("subscribe", area="Pilsen", via="role")  # someone who stays
    for area, language in [("Pilsen", "es"), ("Back of the Yards", "en"), ("Back of the Yards", "es")]:
        done = await sam.slash("subscribe", area=area, language=language, via="role")
        assert "role" in done.content, done.content
        await sam.slash("unsubscribe")
    assert veraz_roles(world) == ["Veraz · Pilsen"]  # the roles nobody wears are gone
    await sam.slash("subscribe", area="Florence-Firestone", via="role")
    await sam.slash("subscribe", area="Florence-Firestone", language="es", via="role")  # replaces the English one
    assert veraz_roles(world) == ["Veraz · Florence-Firestone (es)", "Veraz · Pilsen"]
    refused = await sam.slash("subscribe", area="Pilsen", via="role")  # a sixth role in an hour
    assert "5 times in the last hour" in refused.content, refused.content
    assert [r.name for r in sam.roles] == ["Veraz · Florence-Firestone (es)"]
    by_dm = await sam.slash("subscribe", area="Pilsen", via="dm")  # DMs are never limited
    assert "Pilsen" in by_dm.content, by_dm.content


async def test_veraz_makes_no_more_roles_than_its_limit_and_subscribes_by_dm_beyond(roles_world):
    world = roles_world
    await set_up(world)
    shown = await world.people["admin"].slash("settings", area_roles="on", area_role_limit=2)
    assert "at most 2 roles" in shown.content, shown.content
    sam, luis, pat = world.people["sam"], world.people["luis"], world.people["pat"]
    await sam.slash("subscribe", area="Pilsen", via="role")
    await luis.slash("subscribe", area="Back of the Yards", via="role")
    await pat.slash("subscribe", area="Back of the Yards", via="role")  # the area's role is there: no new one
    assert [r.name for r in pat.roles] == ["Veraz · Back of the Yards"]
    done = await pat.slash("subscribe", area="Florence-Firestone", via="role")
    assert "as many area roles as this server allows (2)" in done.content, done.content
    assert veraz_roles(world) == ["Veraz · Back of the Yards", "Veraz · Pilsen"]
    listing = (await pat.slash("subscriptions")).content
    assert listing.startswith("You receive confirmed alerts for: Florence\\-Firestone"), listing  # by DM


async def test_turning_area_roles_off_deletes_them_and_their_holders_get_dms(roles_world):
    world = roles_world
    await set_up(world)
    admin, sam, rosa = world.people["admin"], world.people["sam"], world.people["rosa"]
    await admin.slash("settings", area_roles="on")
    await sam.slash("subscribe", area="Back of the Yards", via="role")
    await rosa.slash("subscribe", area="Back of the Yards", language="es", via="role")
    off = await admin.slash("settings", area_roles="off")
    assert "Area roles: off" in off.content, off.content
    assert "Deleted Veraz's 2 area roles" in off.content, off.content
    assert veraz_roles(world) == []
    assert sam.roles == []
    for _ in range(200):  # the gateway's role deletions reach the bot asynchronously
        if "role" not in (await sam.slash("subscriptions")).content:
            break
        await asyncio.sleep(0.01)
    await confirmed(world)
    await world.settle()
    assert [m.content.split(" · ")[0] for m in alerts(sam)] == ["**🚨 ALERT"]
    assert [m.content.split(" · ")[0] for m in alerts(rosa)] == ["**🚨 ALERTA"]
    assert all(m.ping is None or not m.ping.roles for m in world.alerts.messages)


async def test_two_role_subscriptions_at_once_in_two_languages_leave_one_role_worn(roles_world):
    """Found in review: each took away only the roles it had seen before its grant, so the member wore both
    roles while the ledger knew one, and each alert pinged them twice."""
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam = world.people["sam"]
    await asyncio.gather(
        sam.slash("subscribe", area="Back of the Yards", language="en", via="role"),
        sam.slash("subscribe", area="Back of the Yards", language="es", via="role"),
    )
    [worn] = sam.roles
    held = await usecases.held_roles(world.bot.services.storage, world.guild.id, sam.id)
    assert [r.role for r in held] == [worn.id]
    await confirmed(world)
    await world.settle()
    assert sum(m.ping is not None and sam.id in m.ping.reached for m in world.alerts.messages) == 1
    assert alerts(sam) == []


async def test_the_area_menu_follows_the_areas(roles_world):
    """Left from issue 14: the "Get alerts for..." menu kept the areas it was posted with."""
    world = roles_world
    await set_up(world)
    admin = world.people["admin"]
    await admin.slash("settings", area_roles="on")
    menu = world.alerts.last_message
    assert menu is not None

    def offered() -> list[str]:
        [select] = [c for c in menu.walk_components() if c.get("type") == 3]
        return [o["label"] for o in select["options"]]

    assert offered() == ["every area", "Back of the Yards", "Florence-Firestone", "Pilsen"]
    await admin.slash("places add", name="Little Village Library", area="Little Village", kind="other")
    assert offered() == ["every area", "Back of the Yards", "Florence-Firestone", "Little Village", "Pilsen"]
    await admin.slash("places remove", name="Russell Elementary")
    await admin.slash("places remove", name="Lillian Street Elementary")
    assert offered() == ["every area", "Back of the Yards", "Little Village", "Pilsen"]
    done = await world.people["sam"].select(menu, ["Little Village"])
    assert "Little Village" in done.content, done.content


async def test_a_reply_to_a_role_post_notifies_whoever_holds_the_role_then_and_no_later_dm_subscriber(roles_world):
    """Issue 23 §8, decided: an amendment of a role post is a reply mentioning the same roles, so it also
    notifies someone who took the role after the alert. They read the alerts channel, where the alert and
    the reply both are, so it tells them nothing the channel does not; telling only the earlier holders
    would take a DM each (the cost roles exist to avoid) or mentioning each of them by name in the channel
    (which would show everyone who subscribes). A later DM subscriber gets nothing: no DM refers to an
    alert they never got."""
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam, pat, lucia = world.people["sam"], world.people["pat"], world.people["lucia"]
    await sam.slash("subscribe", area="Back of the Yards", via="role")
    await confirmed(world)
    await world.settle()
    [alert] = posts(world)
    await pat.slash("subscribe", area="Back of the Yards", via="role")  # after the alert
    await lucia.slash("subscribe", area="Back of the Yards", language="en", via="dm")
    await world.people["dev"].slash("incident misidentified", id=1, correction="Secret Service, not ICE")
    await world.settle()
    [reply] = [m for m in posts(world) if m.message_reference]
    assert reply.message_reference["message_id"] == str(alert.id)
    assert reply.ping is not None
    assert reply.ping.reached == {sam.id, pat.id}
    assert "#1" in reply.content
    assert alerts(lucia) == []
    assert alerts(pat) == []


async def test_veraz_leaves_a_server_near_discords_role_limit_room_for_its_admins(roles_world):
    """Found in review: Veraz's own limit (50) counts only its roles, so on a server with 200 roles of its
    own it took the server to Discord's 250, and admins could make no role at all."""
    world = roles_world
    await set_up(world)
    await world.people["admin"].slash("settings", area_roles="on")
    sam, pat = world.people["sam"], world.people["pat"]
    await pat.slash("subscribe", area="Pilsen", via="role")  # made while the server has room
    for n in range(224 - len(world.guild.guild.roles)):
        world.guild.create_role(f"team {n}")
    assert len(world.guild.guild.roles) == 224
    await sam.slash("subscribe", area="Pilsen", via="role")  # the area's role is there: no new one
    assert [r.name for r in sam.roles] == ["Veraz · Pilsen"]
    world.guild.create_role("one more")  # 225: 25 left to Discord's limit
    refused = await sam.slash("subscribe", area="Back of the Yards", via="role")
    assert "close to Discord's limit of 250" in refused.content, refused.content
    assert len(world.guild.guild.roles) == 225
    by_dm = await sam.slash("subscribe", area="Back of the Yards", via="dm")
    assert "Back of the Yards" in by_dm.content, by_dm.content
