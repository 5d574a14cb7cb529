"""The Discord adapter end to end: real discord.py against the emulator, a real SQLite file."""

from __future__ import annotations

import pytest

from discord_emulator import ActorError, overwrite
from discord_emulator.permissions import ADMINISTRATOR, MANAGE_MESSAGES, MENTION_EVERYONE, VIEW_CHANNEL
from tests.bot.conftest import alerts, set_up


async def report(world, who="luis", **options):
    options = {"where": "Hamline Elementary", "what": "two agents at the door", **options}
    return await world.people[who].slash("report", **options)


async def confirm_with_statement(world, number=1):
    marta = world.people["marta"]
    await marta.slash("incident statement", id=number, source="Chicago Public Schools", stance="confirms")
    return await marta.slash("incident confirm", id=number)


async def test_commands_before_setup_explain_what_is_missing(world):
    result = await report(world)
    assert "not set up" in result.content
    assert "/setup" in result.content
    status = await world.people["luis"].slash("status", incident=1)
    assert "not set up" in status.content


async def test_setup_refuses_everyone_as_moderators_and_one_channel_for_queue_and_alerts(world):
    admin = world.people["admin"]
    everyone = world.guild.guild.roles[world.guild.guild.id]  # Discord gives @everyone the server's id
    refused = await admin.slash("setup", moderator_role=everyone, queue_channel=world.queue,
                                alerts_channel=world.alerts, timezone="America/Chicago")  # fmt: skip
    assert "@everyone cannot be the moderator role" in refused.content
    refused = await admin.slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                                alerts_channel=world.queue, timezone="America/Chicago")  # fmt: skip
    assert "two different channels" in refused.content
    status = await world.people["luis"].slash("report", where="Hamline", what="two agents")
    assert "not set up" in status.content  # nothing was saved


async def test_non_admins_are_refused_setup_and_places_by_the_bot_itself(world):
    """Discord hides /setup and /places from non-admins by default, but an admin can open them to anyone
    (Server Settings > Integrations): the bot checks Manage Server itself."""
    marta = world.people["marta"]  # Manage Messages, not Manage Server
    with pytest.raises(ActorError, match="hidden"):
        await marta.slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                          alerts_channel=world.alerts, timezone="America/Chicago")  # fmt: skip
    world.emu.open_command_to_everyone(world.guild, "setup")
    world.emu.open_command_to_everyone(world.guild, "places")
    refused = await marta.slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                                alerts_channel=world.alerts, timezone="America/Chicago")  # fmt: skip
    assert "Solo quienes administran el servidor (Gestionar servidor)" in refused.content
    for command, options in [
        ("places add", {"name": "Fake School", "area": "Pilsen", "kind": "school"}),
        ("places remove", {"name": "Hamline Elementary"}),
        ("places list", {}),
        ("places import", {"file": ("p.csv", b"name,area,kind\nX School,Pilsen,school\n")}),
    ]:
        result = await world.people["luis"].slash(command, **options)
        assert "Only server admins" in result.content, command
    assert "not set up" in (await world.people["luis"].slash("status", incident=1)).content


async def test_every_moderator_command_refuses_members_without_the_moderator_role(world):
    await set_up(world)
    await report(world)
    # Sees the commands (Manage Messages) and, by an admin's mistake, the queue channel; lacks the role.
    outsider = world.guild.add_member("outsider", permissions=MANAGE_MESSAGES)
    world.queue.overwrites.append(overwrite(outsider, allow=VIEW_CHANNEL))
    for command, options in [
        ("incident show", {"id": 1}),
        ("incident queue", {}),
        ("incident confirm", {"id": 1}),
        ("incident statement", {"id": 1, "source": "CPS", "stance": "confirms"}),
        ("incident update", {"id": 1, "text": "x"}),
        ("incident correct", {"id": 1, "text": "x"}),
        ("incident misidentified", {"id": 1, "correction": "x"}),
        ("incident debunk", {"id": 1, "reason": "x"}),
        ("incident resolve", {"id": 1}),
        ("incident reopen", {"id": 1, "reason": "x"}),
        ("incident merge", {"id": 1, "into": 1}),
        ("incident deliveries", {"id": 1}),
    ]:
        result = await outsider.slash(command, **options)
        assert "Only this server's moderators" in result.content, command
    for label in ("Confirm", "Debunk", "Misidentified", "Resolve"):
        result = await outsider.click(world.card(1), label)
        assert "Only this server's moderators" in result.content, label
    view = await world.people["marta"].slash("incident show", id=1)
    assert "SIN CONFIRMAR" in view.message.text  # Marta reads Spanish: her replies are in Spanish


async def test_two_moderators_confirm_by_clicking_and_one_alone_never_does(world):
    await set_up(world)
    await world.people["sam"].slash("subscribe", area="Back of the Yards")
    await report(world)
    await world.settle()
    first = await world.people["marta"].click(world.card(1), "Confirm")
    assert "Su voto" in first.content  # Marta reads Spanish
    again = await world.people["marta"].click(world.card(1), "Confirm")  # a double click
    assert "Ya votó" in again.content
    await world.settle()
    assert alerts(world.people["sam"]) == []  # one moderator: nothing goes out
    second = await world.people["dev"].click(world.card(1), "Confirm")
    assert "CONFIRMED" in second.content
    await world.settle()
    [alert] = alerts(world.people["sam"])
    assert alert.content.startswith("**🚨 ALERT · #1 · Hamline Elementary")
    assert "Confirmed by two moderators" in alert.content
    assert world.alerts.messages[0].content == alert.content.replace(
        "\nTo stop these messages, use /unsubscribe in the server.", ""
    )
    assert [b["label"] for b in world.card(1).buttons] == ["Debunk", "Misidentified", "Resolve", "Ask reporters"]


async def test_a_moderator_cannot_confirm_their_own_report(world):
    await set_up(world)
    await report(world, who="dev")
    result = await world.people["dev"].slash("incident confirm", id=1)
    assert "You reported #1 yourself" in result.content


async def test_report_text_cannot_ping_or_forge_formatting(world):
    """@everyone, role and user mentions and markdown in report text ping nobody anywhere."""
    await set_up(world)
    await world.people["sam"].slash("subscribe")
    sam = world.people["sam"]
    hostile = f"@everyone @here <@&{world.mods.id}> <@{sam.id}> **FAKE ALERT** [click](https://evil.example)"
    result = await report(world, what=hostile, markings="<@&" + str(world.mods.id) + ">")
    assert "#1" in result.content
    await confirm_with_statement(world)
    await world.people["dev"].slash("incident correct", id=1, text=hostile)
    await world.settle()
    assert world.emu.pings == []
    card = world.card(1).text
    assert "\\@everyone" in card
    correction = alerts(sam)[-1].content
    assert "\\@everyone" in correction
    assert "\\[click\\]" in correction


async def test_bad_times_and_huge_text_get_polite_refusals_and_change_nothing(world):
    """Only what cannot be a recent observation is refused (issue 12): a time in the future, a week old,
    or oversized text. A time nobody can read, or a vague one, is kept (see tests/bot/test_intake.py)."""
    await set_up(world)
    for when, expected in [
        ("tomorrow", "in the future"),
        ("23:59 2030-01-01", "in the future"),
        ("2 weeks ago", "more than 7 days ago: too old"),
    ]:
        result = await report(world, when=when)
        assert expected in result.content, (when, result.content)
    with pytest.raises(ActorError):  # Discord itself refuses over-long options; the bot sets max_length
        await report(world, what="x" * 5000)
    empty = await report(world, where=" ")
    assert "#" not in empty.content
    queue = await world.people["marta"].slash("incident queue")
    assert "vacía" in queue.content  # nothing was stored


async def test_old_cards_keep_working_after_a_restart(world):
    await set_up(world)
    await report(world)
    await world.settle()
    card = world.card(1)
    await world.restart_bot()
    result = await world.people["marta"].click(card, "Confirm")
    assert "Su voto" in result.content
    opened = await world.people["dev"].click(card, "Debunk")
    assert opened.modal is not None
    done = await world.people["dev"].submit_modal(opened, {"text": "it was a film crew"})
    assert "DEBUNKED" in done.content
    await world.settle()
    assert world.card(1).buttons == []  # closed: no more buttons


async def test_a_button_on_an_out_of_date_card_gets_a_clear_reply(world):
    """Two moderators look at the same card; one debunks, the other then clicks Confirm on what they see."""
    await set_up(world)
    await report(world)
    await world.settle()
    opened = await world.people["dev"].click(world.card(1), "Debunk")
    late = await world.people["marta"].click(world.card(1), "Resolve")  # still showing buttons for Marta
    await world.people["dev"].submit_modal(opened, {"text": "a delivery van"})
    closed = await world.people["marta"].submit_modal(late, {})
    assert "está cerrado" in closed.content
    await world.settle()  # cards are edited in the background, paced like every other send
    assert "DEBUNKED" in world.card(1).text


async def test_setup_warns_when_the_bots_role_has_powers_it_does_not_need(tmp_path):
    from bot.client import Tuning
    from bot.demo.live_world import BOT_PERMISSIONS, open_world
    from tests.bot.conftest import PEOPLE

    world = await open_world(tmp_path / "d", PEOPLE, tuning=Tuning(card_interval=0.0),
                             bot_permissions=BOT_PERMISSIONS | ADMINISTRATOR | MENTION_EVERYONE)  # fmt: skip
    try:
        result = await world.people["admin"].slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                                                   alerts_channel=world.alerts, timezone="America/Chicago")  # fmt: skip
        assert "has Administrator" in result.content
        assert "can mention @everyone" in result.content
        bad_zone = await world.people["admin"].slash("setup", moderator_role=world.mods, queue_channel=world.queue,
                                                     alerts_channel=world.alerts, timezone="Mars/Olympus")  # fmt: skip
        assert "is not a time zone" in bad_zone.content
    finally:
        await world.close()


async def test_a_spanish_reporter_gets_spanish_and_a_spanish_subscriber_gets_spanish_alerts(world):
    await set_up(world)
    lucia = world.people["lucia"]
    subscribed = await lucia.slash("subscribe", area="Back of the Yards", language="es")
    assert "Recibirá alertas confirmadas" in subscribed.content
    reply = await report(
        world, who="rosa", where="escuela Hamline", what="la migra en la puerta", when="hace 5 minutos"
    )
    assert reply.content.startswith("Gracias. Su reporte es parte del incidente **#1**")
    await confirm_with_statement(world)
    await world.people["dev"].slash("incident misidentified", id=1, correction="Servicio Secreto, no ICE",
                                    agency="other_federal")  # fmt: skip
    await world.settle()
    kinds = [dm.content.split("\n", 1)[0] for dm in alerts(lucia)]
    assert kinds == ["**🚨 ALERTA · #1 · Hamline Elementary (Back of the Yards)**",
                     "**⚠️ CORRECCIÓN · #1 · Hamline Elementary (Back of the Yards)**"]  # fmt: skip


async def test_status_shows_confirmed_facts_only(world):
    await set_up(world)
    await report(world)
    # To anyone but its reporters, an unconfirmed incident looks exactly like one that does not exist:
    # /status can neither spread a rumour nor confirm that something was reported.
    probe = await world.people["pat"].slash("status", incident=1)
    assert probe.content == "There is no incident #1."
    under_review = await world.people["luis"].slash("status", incident=1)  # who reported it
    assert "under review" in under_review.content or "en revisión" in under_review.content
    assert "Hamline" not in under_review.content  # a rumour is not repeated, not even its place
    await confirm_with_statement(world)
    confirmed = await world.people["pat"].slash("status", incident=1)
    assert "CONFIRMED" in confirmed.content
    assert "two agents at the door" not in confirmed.content  # reporters' words never
    unknown = await world.people["pat"].slash("status", incident=99)
    assert "There is no incident #99" in unknown.content


async def test_subscriptions_list_and_stop(world):
    await set_up(world)
    sam = world.people["sam"]
    assert "not subscribed" in (await sam.slash("subscriptions")).content
    await sam.slash("subscribe", area="Pilsen")
    await sam.slash("subscribe", area="back of the yards")
    listing = await sam.slash("subscriptions")
    assert "Back of the Yards, Pilsen" in listing.content
    refused = await sam.slash("subscribe", area="Narnia")
    assert "There is no area" in refused.content
    assert "no longer receive alerts for Pilsen" in (await sam.slash("unsubscribe", area="Pilsen")).content
    assert "no longer receive alerts" in (await sam.slash("unsubscribe")).content


async def test_a_new_subscriber_is_welcomed_once_by_dm_and_told_when_dms_are_closed(world):
    await set_up(world)
    sam, pat = world.people["sam"], world.people["pat"]
    await sam.slash("subscribe", area="Pilsen")
    await sam.slash("subscribe", area="Back of the Yards")
    assert [m.content for m in sam.dms] == [
        "Veraz will send you confirmed alerts here. Nothing unconfirmed is ever sent. "
        "To stop, use /unsubscribe in the server."
    ]
    assert alerts(sam) == []
    pat.dms_open = False
    closed = await pat.slash("subscribe", area="Pilsen")
    assert "You will receive confirmed alerts for Pilsen" in closed.content
    assert "cannot send you direct messages" in closed.content
    pat.dms_open = True
    again = await pat.slash("subscribe", area="Pilsen")  # what the warning asks for: it checks again
    assert "cannot send you direct messages" not in again.content
    assert len(pat.dms) == 1


async def test_autocomplete_offers_known_places_and_areas(world):
    await set_up(world)
    places = await world.people["luis"].autocomplete("report", focused="where", value="ham", what="x")
    assert [c.value for c in places] == ["Hamline Elementary"]
    areas = await world.people["luis"].autocomplete("subscribe", focused="area", value="pil")
    assert [c.value for c in areas] == ["Pilsen"]


async def test_spanish_command_names_reach_the_same_commands(world):
    await set_up(world)
    result = await world.people["rosa"].slash("reportar", donde="Hamline", que="dos agentes")
    assert "incidente **#1**" in result.content
