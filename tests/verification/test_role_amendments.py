"""Amendments of alerts that went out as role posts, on both stores: each person gets one copy of a
correction, whether it reaches them by a reply post's ping or by DM, and nobody who held a pinged role
when any alert of the incident went out is forgotten."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from types import SimpleNamespace

from bot.core.alert_text import reference
from bot.features.delivery.worker import DeliveryWorker
from tests.builders import MOD_C
from tests.scenario_steps import CHICAGO
from tests.verification.test_area_roles import BOTY, BOTY_EN, BOTY_ES, EVERY_EN, by_role, recipients, roles_on
from tests.verification.test_usecases import NOW, confirm, deliver_all, log, report
from verification import usecases
from verification.alerts import AlertKind
from verification.community import Recipient, RecipientKind
from verification.deliveries import DeliveryState, EarlierRecipient
from verification.model import Language
from verification.ports import ClaimedDelivery, UnitOfWork
from verification.recipients import role_replies


def correction_dms(records) -> list[int]:
    return sorted(r.recipient.address for r in records
                  if r.kind is AlertKind.CORRECTION and r.recipient.kind is RecipientKind.DM)  # fmt: skip


async def alerted(uow: UnitOfWork) -> None:
    await usecases.submit_report(uow, NOW, report(what="2 ICE trucks by the school!!! 2 camionetas"))
    await confirm(uow, 1)
    await deliver_all(uow, 1)


async def test_who_still_holds_another_role_the_replies_ping_gets_no_dm_as_well(uow):
    """Found in review: someone who switched language, or who holds "every area" and left the area's
    role, got a DM and was pinged by the reply post: two copies of the same correction."""
    await roles_on(uow)
    await by_role(uow, 901, BOTY, Language.EN)
    await by_role(uow, 902, "", Language.EN)  # every area...
    await by_role(uow, 902, BOTY, Language.EN)  # ...and the area's own role too
    await by_role(uow, 903, BOTY, Language.EN)
    await alerted(uow)
    later = NOW + timedelta(minutes=20)
    await usecases.end_subscriptions(uow, CHICAGO, 901, BOTY, later)
    await by_role(uow, 901, BOTY, Language.ES, minutes=90)  # "mejor en español"
    await usecases.end_subscriptions(uow, CHICAGO, 902, "back of the yards", later)  # still every area
    await usecases.end_subscriptions(uow, CHICAGO, 903, None, later)  # gone for good
    await usecases.correct(uow, later + timedelta(minutes=5), CHICAGO, 1, MOD_C, "1 truck not 2, sorry")
    records = await log(uow, 1)
    assert correction_dms(records) == [903]
    assert recipients(records, AlertKind.CORRECTION) >= {
        (RecipientKind.ROLE_POST, BOTY_EN, Language.EN, (BOTY_EN, EVERY_EN)),
        (RecipientKind.ROLE_POST, BOTY_ES, Language.ES, (BOTY_ES,)),
    }


async def test_who_left_a_role_after_the_first_of_two_alerts_still_gets_the_correction_once(uow):
    """Found in review: confirmed, resolved, reopened and confirmed again, the incident's role posts
    collapsed into the second one (they share an address), so whoever left the role between the two
    alerts, told by the first, was never told it was wrong."""
    await roles_on(uow)
    await by_role(uow, 801, BOTY, Language.EN)
    await by_role(uow, 802, BOTY, Language.EN)
    await alerted(uow)
    await usecases.end_subscriptions(uow, CHICAGO, 801, None, NOW + timedelta(minutes=10))  # "no more pings pls"
    await usecases.resolve(uow, NOW + timedelta(minutes=30), CHICAGO, 1, MOD_C, "se fueron")
    await usecases.reopen(uow, NOW + timedelta(minutes=40), CHICAGO, 1, MOD_C, "they came back!!")
    await confirm(uow, 1, NOW + timedelta(minutes=45))
    await deliver_all(uow, 1)
    alerts = [r for r in await log(uow, 1) if r.kind is AlertKind.ALERT]
    assert len([r for r in alerts if r.recipient.kind is RecipientKind.ROLE_POST]) == 4  # two alerts, two posts each
    await usecases.end_subscriptions(uow, CHICAGO, 802, None, NOW + timedelta(minutes=50))
    await usecases.correct(uow, NOW + timedelta(minutes=55), CHICAGO, 1, MOD_C, "it was 1 truck")
    records = await log(uow, 1)
    assert correction_dms(records) == [801, 802]  # one copy each, though 802 had both alerts
    replies = [r for r in records if r.kind is AlertKind.CORRECTION and r.recipient.kind is RecipientKind.ROLE_POST]
    assert sorted(r.recipient.roles for r in replies) == [(BOTY_EN, EVERY_EN), (BOTY_ES,)]  # once per set of roles


def test_replies_go_once_per_set_of_roles_each_under_an_address_of_its_own():
    """Two posts whose lowest role is the same (an "every area" role made between the alerts) cannot
    share an outbox row: the second reply takes another of its roles as its address."""
    first = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 5, Language.EN, (5,)), 1, DeliveryState.SENT)
    again = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 5, Language.EN, (5,)), 3, DeliveryState.SENT)
    wider = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 5, Language.EN, (5, 7)), 4, DeliveryState.SENT)
    dm = EarlierRecipient(Recipient(RecipientKind.DM, 5, Language.EN), 2, DeliveryState.SENT)
    replies = role_replies([first, dm, again, wider])
    assert [(r.alert_delivery, r.recipient.address, r.recipient.roles) for r in replies] == [
        (3, 5, (5,)),
        (4, 7, (5, 7)),
    ]
    covered = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 5, Language.EN, (5, 7)), 1, DeliveryState.SENT)
    only_5 = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 5, Language.EN, (5,)), 2, DeliveryState.SENT)
    only_7 = EarlierRecipient(Recipient(RecipientKind.ROLE_POST, 7, Language.EN, (7,)), 3, DeliveryState.SENT)
    # (5, 7) takes 5; (5,) has no role free, and its holders are pinged by that first reply; (7,) takes 7.
    assert [r.recipient.roles for r in role_replies([covered, only_5, only_7])] == [(5, 7), (7,)]


class _Posted:
    """A message of Veraz's in the alerts channel, as channel history returns it."""

    def __init__(self, message_id: int, content: str) -> None:
        self.id = message_id
        self.content = content
        self.raw_role_mentions = [int(role) for role in re.findall(r"<@&(\d+)>", content)]


class _History:
    def __init__(self, messages: list[_Posted]) -> None:
        self.messages = messages

    async def history(self, channel_id: int, *, after: datetime, limit: int = 50) -> AsyncIterator[_Posted]:
        for message in self.messages:
            yield message


async def test_a_role_post_in_doubt_is_found_only_as_the_post_with_its_own_roles():
    """Found in review: the English post, the Spanish post and the plain channel post of an alert carry
    the same reference, so a role post in doubt was taken as sent when the other language's was found,
    and its holders never got the alert."""
    ref = reference(CHICAGO, 1, 1)
    spanish = _Posted(11, f"<@&{BOTY_ES}>\n🚨 ALERTA: 2 camionetas de ICE\nref {ref}")
    plain = _Posted(12, f"🚨 ALERT: 2 ICE trucks\nref {ref}")
    english = _Posted(13, f"<@&{BOTY_EN}> <@&{EVERY_EN}>\n🚨 ALERT: 2 ICE trucks\nref {ref}")
    since = NOW - timedelta(minutes=5)

    def claimed(recipient: Recipient) -> ClaimedDelivery:
        message = SimpleNamespace(number=1, seq=1)
        return ClaimedDelivery(7, CHICAGO, AlertKind.ALERT, message, recipient, "vz", 2, None, since, None)  # type: ignore[arg-type]

    en_post = claimed(Recipient(RecipientKind.ROLE_POST, BOTY_EN, Language.EN, (BOTY_EN, EVERY_EN)))
    channel_post = claimed(Recipient(RecipientKind.CHANNEL, 300, Language.EN))
    for history, wanted in (([spanish, plain], (None, 12)), ([spanish, plain, english], (13, 12))):
        worker = DeliveryWorker(None, _History(history), None, None, batch=1)  # type: ignore[arg-type]
        assert (await worker._already_sent(300, en_post), await worker._already_sent(300, channel_post)) == wanted
