"""Two servers on one bot: the same incident numbers, the same moderators and reporters in both,
questions to the same reporter from both, modals open in both, a fan-out in each. Nothing crosses."""

from __future__ import annotations

import pytest

from bot.demo.live_world import BOT_PERMISSIONS, World
from discord_emulator import GuildHandle, MemberActor, overwrite
from discord_emulator.permissions import MANAGE_GUILD, MANAGE_MESSAGES, VIEW_CHANNEL
from tests.bot.conftest import alerts, set_up
from tests.scenario_steps import PLACES_CSV

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


class Second:
    """The second server: its own roles and channels, people who are also in the first one."""

    def __init__(self, world: World) -> None:
        self.guild: GuildHandle = world.emu.create_guild("Pilsen Rapid Response")
        world.emu.add_bot_to_guild(self.guild, permissions=BOT_PERMISSIONS)  # first: a private queue lets it in
        self.mods = self.guild.create_role("Mods", permissions=MANAGE_MESSAGES)
        queue_access = [overwrite(self.mods, allow=VIEW_CHANNEL)]
        self.queue = self.guild.create_text_channel("queue", private=True, overwrites=queue_access)
        self.alerts = self.guild.create_text_channel("alertas")
        self.admin = self.guild.add_member("admin2", permissions=MANAGE_GUILD)
        both = {name: world.people[name] for name in ("dev", "marta", "rosa", "luis")}
        self.people: dict[str, MemberActor] = {
            name: self.guild.add_existing(person, roles=[self.mods] if name in ("dev", "marta") else [])
            for name, person in both.items()
        }
        self.people["pat2"] = self.guild.add_member("pat2")

    def card(self, number: int):
        return next(m for m in self.queue.messages if m.embeds and m.embeds[0]["title"].startswith(f"#{number} "))

    async def set_up(self, world: World) -> None:
        await world.emu.wait_for(lambda: world.emu.services.commands.listing(self.guild.guild.id), timeout=20,
                                 what="commands synced in the second server")  # fmt: skip
        done = await self.admin.slash("setup", moderator_role=self.mods, queue_channel=self.queue,
                                      alerts_channel=self.alerts, timezone="America/Chicago")  # fmt: skip
        assert "Veraz is set up" in done.content, done.content
        imported = await self.admin.slash("places import", file=("places.csv", PLACES_CSV.encode()))
        assert "Imported 5 places" in imported.content


def texts(channel) -> str:
    return "\n".join(m.content for m in channel.messages)


async def test_nothing_crosses_from_one_server_to_the_other(world: World):
    await set_up(world)
    b = Second(world)
    await b.set_up(world)
    a = world.people

    # The same incident number in both servers, from the same two reporters.
    for server in (a, b.people):
        first = await server["rosa"].slash("report", where="Hamline Elementary", what="dos agentes en la puerta")
        second = await server["luis"].slash("report", where="Hamline Elementary", what="two agents at the door")
        assert "#1" in first.content
        assert "#1" in second.content
    await world.settle()

    # The same moderator opens the Ask modal on incident #1 in both servers before submitting either.
    opened_a = await a["dev"].click(world.card(1), "Ask reporters")
    opened_b = await b.people["dev"].click(b.card(1), "Ask reporters")
    assert opened_a.modal is not None
    assert opened_b.modal is not None
    assert opened_a.modal.custom_id != opened_b.modal.custom_id
    await b.people["dev"].submit_modal(opened_b, {"text": "PILSEN QUESTION: still there?"})
    await a["dev"].submit_modal(opened_a, {"text": "YARDS QUESTION: which door?"})
    await world.emu.wait_for_message(world.queue, lambda m: "YARDS QUESTION" in m.content)
    await world.emu.wait_for_message(b.queue, lambda m: "PILSEN QUESTION" in m.content)
    assert "YARDS QUESTION" in texts(world.queue)
    assert "PILSEN QUESTION" not in texts(world.queue)
    assert "PILSEN QUESTION" in texts(b.queue)
    assert "YARDS QUESTION" not in texts(b.queue)

    # Rosa has a question from each server: a plain DM is not guessed at, she is asked to pick.
    rosa = a["rosa"]
    question_a = next(m for m in rosa.dms if "YARDS QUESTION" in m.content)
    question_b = next(m for m in rosa.dms if "PILSEN QUESTION" in m.content)
    seen = rosa.dms[-1].id
    await rosa.send_dm_to_bot("ANSWER WITHOUT A TARGET")
    pick = await rosa.wait_for_dm(after=seen)
    assert "2" in pick.content
    # A reply to a DM that is not an open question (here: the welcome of /subscribe in one server)
    # answers nothing: it must not fall through to the other server's question.
    await a["rosa"].slash("subscribe")
    welcome = await rosa.wait_for_dm(lambda m: "alertas confirmadas" in m.content)  # she reads Spanish
    await rosa.send_dm_to_bot("REPLY TO THE WELCOME", reply_to=welcome)
    # A reply to one question answers that one; the Answer button under the other answers the other.
    await rosa.send_dm_to_bot("ANSWER FOR THE YARDS: the side door", reply_to=question_a)
    await world.emu.wait_for_message(world.queue, lambda m: "ANSWER FOR THE YARDS" in m.content)
    pressed = await rosa.click(question_b, "Responder")
    assert pressed.modal is not None
    await rosa.submit_modal(pressed, {"text": "ANSWER FOR PILSEN: se fueron"})
    await world.emu.wait_for_message(b.queue, lambda m: "ANSWER FOR PILSEN" in m.content)
    await world.settle()
    for channel in (world.queue, b.queue):
        assert "ANSWER WITHOUT A TARGET" not in texts(channel)
        assert "REPLY TO THE WELCOME" not in texts(channel)
    assert "ANSWER FOR PILSEN" not in texts(world.queue)
    assert "ANSWER FOR THE YARDS" not in texts(b.queue)

    # A fan-out in each: subscribers of one server never get the other's alert.
    await a["sam"].slash("subscribe")
    await a["luis"].slash("subscribe")  # rosa subscribed in the first server above
    await b.people["pat2"].slash("subscribe")
    await b.people["luis"].slash("subscribe")
    for mods, card in ((a, world.card(1)), (b.people, b.card(1))):
        await mods["dev"].click(card, "Confirm")
        await mods["marta"].click(card, "Confirm")
    await world.settle()
    assert len(alerts(a["sam"])) == 1
    assert len(alerts(a["rosa"])) == 1  # subscribed in the first server only
    assert len(alerts(b.people["pat2"])) == 1
    assert len(alerts(a["luis"])) == 2  # one from each server he subscribed in
    assert len({m.content.rsplit("Veraz ref ", 1)[-1] for m in alerts(a["luis"])}) == 2
    assert len([m for m in world.alerts.messages if "Veraz ref" in m.content]) == 1
    assert len([m for m in b.alerts.messages if "Veraz ref" in m.content]) == 1

    # Each server's moderators see only their own deliveries.
    shown_a = await a["dev"].slash("incident deliveries", id=1)
    shown_b = await b.people["dev"].slash("incident deliveries", id=1)
    # The alerts channel and its subscribers: sam, luis and rosa in the first; pat2 and luis in the second.
    for shown, count in ((shown_a, 4), (shown_b, 3)):
        assert f"ALERT: {count} sent" in shown.content
        assert f"In this server since Veraz started: {count} sent" in shown.content
