"""Area roles through the use cases, on both stores: one post per language pinging the areas' roles, and
the ledger that still reaches, by DM, whoever held a role when the alert went out and left it since."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders import MOD_C
from tests.scenario_steps import CHICAGO, set_up_chicago
from tests.verification.test_usecases import NOW, confirm, deliver_all, log, report
from verification import usecases
from verification.alerts import AlertKind
from verification.community import AreaRole, Recipient, RecipientKind, Via, area_role_name
from verification.errors import RuleViolation
from verification.model import Agency, Language
from verification.ports import UnitOfWork

BOTY = "Back of the Yards"
BOTY_EN, BOTY_ES, EVERY_EN, PILSEN_EN = 9001, 9002, 9003, 9004


async def roles_on(uow: UnitOfWork) -> None:
    await set_up_chicago(uow)
    await usecases.set_area_roles(uow, CHICAGO, on=True)
    for area, language, role in ((BOTY, Language.EN, BOTY_EN), (BOTY, Language.ES, BOTY_ES),
                                 ("", Language.EN, EVERY_EN), ("Pilsen", Language.EN, PILSEN_EN)):  # fmt: skip
        await usecases.remember_area_role(uow, CHICAGO, AreaRole(area, language, role), NOW)


async def by_role(uow: UnitOfWork, user: int, area: str, language: Language, minutes: int = 0) -> None:
    wanted = await usecases.role_wanted(uow, CHICAGO, area, language)
    assert wanted.role is not None
    role = AreaRole(wanted.area, language, wanted.role)
    await usecases.subscribe_by_role(uow, CHICAGO, user, role, NOW - timedelta(hours=1) + timedelta(minutes=minutes))


def recipients(records, kind: AlertKind) -> set[tuple[RecipientKind, int, Language, tuple[int, ...]]]:
    return {(r.recipient.kind, r.recipient.address, r.recipient.language, r.recipient.roles)
            for r in records if r.kind is kind}  # fmt: skip


async def test_an_alert_is_one_post_per_language_pinging_exactly_the_areas_roles(uow):
    await roles_on(uow)
    await by_role(uow, 701, "back of the yards", Language.EN)  # typed loosely, as on a phone
    await by_role(uow, 702, BOTY, Language.ES)
    await usecases.subscribe(uow, CHICAGO, 703, None, Language.EN)  # every area, by DM
    await usecases.subscribe(uow, CHICAGO, 704, None, Language.EN)
    await by_role(uow, 704, BOTY, Language.EN)  # both ways: the role post is their one copy
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    assert recipients(await log(uow, 1), AlertKind.ALERT) == {
        (RecipientKind.ROLE_POST, BOTY_EN, Language.EN, (BOTY_EN, EVERY_EN)),
        (RecipientKind.ROLE_POST, BOTY_ES, Language.ES, (BOTY_ES,)),
        (RecipientKind.DM, 703, Language.EN, ()),
    }  # no plain channel post beside the English role post, and never the Pilsen role


async def test_a_correction_reaches_by_dm_who_left_the_role_after_the_alert_and_only_them(uow):
    await roles_on(uow)
    for user in (801, 802, 803):
        await by_role(uow, user, BOTY, Language.ES if user == 802 else Language.EN)
    await usecases.subscribe(uow, CHICAGO, 804, None, Language.EN)
    await by_role(uow, 804, BOTY, Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    later = NOW + timedelta(hours=1)
    ended = await usecases.end_subscriptions(uow, CHICAGO, 801, "back of the yards", later)
    assert ended.roles == (BOTY_EN,)
    await usecases.end_subscriptions(uow, CHICAGO, 802, None, later)
    await usecases.end_subscriptions(uow, CHICAGO, 804, BOTY, later)  # still subscribed to all by DM
    await by_role(uow, 805, BOTY, Language.EN, minutes=24 * 60)  # joined after the alert...
    await usecases.end_subscriptions(uow, CHICAGO, 805, None, later + timedelta(days=1))  # ...and left
    update = await usecases.add_update(uow, later, CHICAGO, 1, MOD_C, "agents left toward Ashland")
    assert [m.kind for m in update.alerts] == [AlertKind.UPDATE]
    await usecases.mark_misidentified(uow, later, CHICAGO, 1, MOD_C, "Secret Service, not ICE", Agency.OTHER_FEDERAL)
    records = await log(uow, 1)
    posts = {
        (RecipientKind.ROLE_POST, BOTY_EN, Language.EN, (BOTY_EN, EVERY_EN)),
        (RecipientKind.ROLE_POST, BOTY_ES, Language.ES, (BOTY_ES,)),
    }
    assert recipients(records, AlertKind.UPDATE) == posts  # replies in the channel: no DMs
    assert recipients(records, AlertKind.CORRECTION) == posts | {
        (RecipientKind.DM, 801, Language.EN, ()),
        (RecipientKind.DM, 802, Language.ES, ()),
        (RecipientKind.DM, 804, Language.EN, ()),
    }  # 803 still holds the role: the reply pings them; 805 never had the alert
    dms = [r for r in records if r.kind is AlertKind.CORRECTION and r.recipient.kind is RecipientKind.DM]
    assert len(dms) == 3  # one copy each


async def test_a_dm_subscriber_who_also_left_a_role_gets_one_correction(uow):
    await roles_on(uow)
    await by_role(uow, 901, BOTY, Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    await usecases.end_subscriptions(uow, CHICAGO, 901, None, NOW + timedelta(minutes=5))
    await usecases.subscribe(uow, CHICAGO, 901, None, Language.EN)  # now by DM
    await usecases.correct(uow, NOW + timedelta(minutes=9), CHICAGO, 1, MOD_C, "three agents, not two")
    dms = [r for r in await log(uow, 1) if r.kind is AlertKind.CORRECTION and r.recipient.kind is RecipientKind.DM]
    assert [r.recipient.address for r in dms] == [901]


async def test_with_area_roles_off_role_subscribers_get_dms_and_subscribing_by_role_falls_back(uow):
    await roles_on(uow)
    await by_role(uow, 701, BOTY, Language.ES)
    community = await usecases.set_area_roles(uow, CHICAGO, on=False)
    assert usecases.choose_delivery(community, Via.ROLE) == usecases.DeliveryChoice(Via.DM, fell_back=True)
    assert usecases.choose_delivery(community, None) == usecases.DeliveryChoice(Via.DM, fell_back=False)
    with pytest.raises(RuleViolation) as refused:
        await usecases.role_wanted(uow, CHICAGO, BOTY, Language.EN)
    assert refused.value.code == "area_roles_off"
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    assert recipients(await log(uow, 1), AlertKind.ALERT) == {
        (RecipientKind.CHANNEL, 300, Language.EN, ()),
        (RecipientKind.DM, 701, Language.ES, ()),
    }


async def test_the_default_delivery_and_an_unknown_area(uow):
    await roles_on(uow)
    community = await usecases.set_area_roles(uow, CHICAGO, default=Via.ROLE)
    assert usecases.choose_delivery(community, None) == usecases.DeliveryChoice(Via.ROLE, fell_back=False)
    assert usecases.choose_delivery(community, Via.DM).via is Via.DM
    with pytest.raises(RuleViolation) as refused:
        await usecases.role_wanted(uow, CHICAGO, "Pilsen!!", Language.EN)
    assert refused.value.code == "unknown_area"


async def test_a_new_language_replaces_the_areas_other_role_in_the_ledger(uow):
    await roles_on(uow)
    await by_role(uow, 701, BOTY, Language.EN)
    await by_role(uow, 701, BOTY, Language.ES, minutes=5)
    held = await usecases.held_roles(uow, CHICAGO, 701)
    assert [r.role for r in held] == [BOTY_ES]
    subs = await usecases.subscriptions_of(uow, CHICAGO, 701)
    assert [(s.area, s.language, s.via) for s in subs] == [(BOTY, Language.ES, Via.ROLE)]


def test_role_names_say_the_area_and_a_language_other_than_the_communitys() -> None:
    assert area_role_name("Pilsen", Language.EN, Language.EN) == "Veraz · Pilsen"
    assert area_role_name("Pilsen", Language.ES, Language.EN) == "Veraz · Pilsen (es)"
    long = area_role_name("x" * 300, Language.ES, Language.EN)
    assert len(long) == 100
    assert long.endswith(" (es)")


def test_a_role_post_recipient_keeps_its_roles() -> None:
    post = Recipient(RecipientKind.ROLE_POST, 1, Language.EN, (1, 2))
    assert post.roles == (1, 2)


async def test_holders_of_a_deleted_role_get_dms_and_their_subscriptions_go_by_dm(uow):
    await roles_on(uow)
    await by_role(uow, 701, "back of the yards", Language.EN)
    await by_role(uow, 702, BOTY, Language.ES)
    await usecases.forget_area_role(uow, CHICAGO, BOTY_EN, NOW - timedelta(minutes=30))  # an admin deleted it
    subs = await usecases.subscriptions_of(uow, CHICAGO, 701)
    assert [(s.area, s.via) for s in subs] == [(BOTY, Via.DM)]
    assert await usecases.held_roles(uow, CHICAGO, 701) == []
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    assert recipients(await log(uow, 1), AlertKind.ALERT) == {
        (RecipientKind.ROLE_POST, EVERY_EN, Language.EN, (EVERY_EN,)),
        (RecipientKind.ROLE_POST, BOTY_ES, Language.ES, (BOTY_ES,)),
        (RecipientKind.DM, 701, Language.EN, ()),
    }  # 701's role is gone: a DM, not silence; 702 still holds the Spanish role


async def test_a_role_subscriber_the_ledger_has_not_holding_a_posted_role_gets_a_dm(uow):
    await roles_on(uow)
    await by_role(uow, 701, BOTY, Language.EN)
    await usecases.role_not_granted(uow, CHICAGO, 701, AreaRole(BOTY, Language.EN, BOTY_EN), NOW)
    await usecases.subscribe(uow, CHICAGO, 701, None, Language.EN)  # every area, by DM
    await uow_subscribe_by_role_without_grant(uow, 702)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    dms = {r[1] for r in recipients(await log(uow, 1), AlertKind.ALERT) if r[0] is RecipientKind.DM}
    assert dms == {701, 702}


async def uow_subscribe_by_role_without_grant(uow: UnitOfWork, user: int) -> None:
    """A role subscription whose grant the ledger lacks (as after a crash between the two)."""
    async with uow:
        await uow.subscriptions.subscribe(CHICAGO, user, BOTY, Language.EN, Via.ROLE)
        await uow.commit()


async def test_the_first_role_recorded_for_an_area_stays(uow):
    await roles_on(uow)
    kept = await usecases.remember_area_role(uow, CHICAGO, AreaRole("back of the yards", Language.EN, 9999), NOW)
    assert kept == AreaRole(BOTY, Language.EN, BOTY_EN)  # a second maker's role is not recorded
    assert [r.role for r in await usecases.area_roles_of(uow, CHICAGO) if r.area == BOTY] == [BOTY_EN, BOTY_ES]


async def test_a_refused_grant_leaves_the_members_subscription_as_it_was(uow):
    await roles_on(uow)
    await usecases.subscribe(uow, CHICAGO, 701, "back of the yards!!", Language.ES)  # by DM, in Spanish
    await usecases.role_not_granted(uow, CHICAGO, 701, AreaRole(BOTY, Language.EN, BOTY_EN), NOW)
    subs = await usecases.subscriptions_of(uow, CHICAGO, 701)
    assert [(s.area, s.language, s.via) for s in subs] == [(BOTY, Language.ES, Via.DM)]  # "nothing was changed"
    assert await usecases.held_roles(uow, CHICAGO, 701) == []


async def test_unsubscribing_again_takes_away_the_area_roles_the_member_still_wears(uow):
    await roles_on(uow)
    await by_role(uow, 701, BOTY, Language.EN)
    first = await usecases.end_subscriptions(uow, CHICAGO, 701, None, NOW)
    assert first == usecases.Ended(1, (BOTY_EN,))
    # Discord refused the removal: the ledger has it gone, the member still wears it (and a role of theirs).
    again = await usecases.end_subscriptions(uow, CHICAGO, 701, None, NOW, worn=(BOTY_EN, 4242))
    assert again == usecases.Ended(0, (BOTY_EN,))
    # A lost answer to a grant: worn, never in the ledger, the area typed as on a phone.
    worn = (BOTY_EN, PILSEN_EN)
    one = await usecases.end_subscriptions(uow, CHICAGO, 702, "back of teh yards", NOW, worn=worn)
    assert one == usecases.Ended(0, (BOTY_EN,))  # not Pilsen's


async def test_taking_back_the_every_area_role_leaves_the_areas_roles(uow):
    await roles_on(uow)
    await by_role(uow, 701, "", Language.EN)
    await by_role(uow, 701, BOTY, Language.EN)
    assert await usecases.take_back_roles(uow, CHICAGO, 701, "", NOW) == (EVERY_EN,)
    assert [r.role for r in await usecases.held_roles(uow, CHICAGO, 701)] == [BOTY_EN]


# --- issue 23: roles only for areas with subscribers, a limit, a rate limit, grants a crash cut short ------


async def test_a_member_may_ask_for_five_roles_an_hour(uow):
    await roles_on(uow)
    role = AreaRole(BOTY, Language.EN, BOTY_EN)
    for i in range(5):
        wanted = await usecases.role_wanted(uow, CHICAGO, BOTY, Language.EN, user=701, now=NOW + timedelta(minutes=i))
        assert wanted.role == BOTY_EN
        await usecases.grant_asked(uow, CHICAGO, 701, role, NOW + timedelta(minutes=i))
    with pytest.raises(RuleViolation) as limited:
        await usecases.role_wanted(uow, CHICAGO, BOTY, Language.EN, user=701, now=NOW + timedelta(minutes=30))
    assert limited.value.code == "role_rate_limited"
    await usecases.role_wanted(uow, CHICAGO, BOTY, Language.EN, user=702, now=NOW + timedelta(minutes=30))
    await usecases.role_wanted(uow, CHICAGO, BOTY, Language.EN, user=701, now=NOW + timedelta(minutes=61))


async def test_no_room_for_a_new_role_beyond_the_communitys_limit(uow):
    await roles_on(uow)  # four roles
    await usecases.update_settings(uow, CHICAGO, area_role_limit=4)
    assert (await usecases.role_wanted(uow, CHICAGO, "Pilsen", Language.ES)).room is False
    assert (await usecases.role_wanted(uow, CHICAGO, BOTY, Language.ES)).role == BOTY_ES  # made already
    with pytest.raises(RuleViolation):
        await usecases.update_settings(uow, CHICAGO, area_role_limit=0)


async def test_a_role_is_unworn_once_its_last_holder_leaves_and_no_grant_is_on_its_way(uow):
    await roles_on(uow)
    await by_role(uow, 701, BOTY, Language.EN)
    assert await usecases.unworn(uow, CHICAGO, (BOTY_EN, BOTY_ES, 12345)) == (BOTY_ES,)  # 12345: not Veraz's
    await usecases.grant_asked(uow, CHICAGO, 702, AreaRole(BOTY, Language.ES, BOTY_ES), NOW)
    await usecases.end_subscriptions(uow, CHICAGO, 701, None, NOW)
    assert await usecases.unworn(uow, CHICAGO, (BOTY_EN, BOTY_ES)) == (BOTY_EN,)  # 702's grant is asked
    await usecases.role_not_granted(uow, CHICAGO, 702, AreaRole(BOTY, Language.ES, BOTY_ES), NOW)
    assert await usecases.unworn(uow, CHICAGO, (BOTY_EN, BOTY_ES)) == (BOTY_EN, BOTY_ES)


async def test_a_grant_never_settled_is_found_and_settling_it_records_the_holder(uow):
    await roles_on(uow)
    role = AreaRole(BOTY, Language.EN, BOTY_EN)
    await usecases.grant_asked(uow, CHICAGO, 701, role, NOW)
    [asked] = await usecases.unsettled_grants(uow, CHICAGO, NOW + timedelta(seconds=1))
    assert (asked.user, asked.role) == (701, role)
    assert await usecases.unsettled_grants(uow, CHICAGO, NOW) == []  # asked by this process: in flight
    await usecases.subscribe_by_role(uow, CHICAGO, 701, role, NOW + timedelta(minutes=1))
    assert await usecases.unsettled_grants(uow, CHICAGO, NOW + timedelta(hours=1)) == []
    assert [r.role for r in await usecases.held_roles(uow, CHICAGO, 701)] == [BOTY_EN]


async def test_two_grants_in_two_languages_at_once_leave_the_one_recorded_last(uow):
    """Both grants reached Discord before either was recorded: the second record takes away the first."""
    await roles_on(uow)
    english, spanish = AreaRole(BOTY, Language.EN, BOTY_EN), AreaRole(BOTY, Language.ES, BOTY_ES)
    first = await usecases.subscribe_by_role(uow, CHICAGO, 701, english, NOW)
    second = await usecases.subscribe_by_role(uow, CHICAGO, 701, spanish, NOW)
    assert (first.removed, second.removed) == ((), (BOTY_EN,))
    assert [r.role for r in await usecases.held_roles(uow, CHICAGO, 701)] == [BOTY_ES]
