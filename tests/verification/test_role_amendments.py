"""Amendments of alerts that went out as role posts, on both stores: each person gets one copy of a
correction, whether it reaches them by a reply post's ping or by DM, and nobody who held a pinged role
when any alert of the incident went out is forgotten."""

from __future__ import annotations

from datetime import timedelta

from tests.builders import MOD_C
from tests.scenario_steps import CHICAGO
from tests.verification.test_area_roles import BOTY, BOTY_EN, BOTY_ES, EVERY_EN, by_role, recipients, roles_on
from tests.verification.test_usecases import NOW, confirm, deliver_all, log, report
from verification import usecases
from verification.alerts import AlertKind
from verification.community import RecipientKind
from verification.model import Language
from verification.ports import UnitOfWork


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
