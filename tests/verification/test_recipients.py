"""The recipient contract as properties of one pure function, over generated delivery histories."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from verification.alerts import AlertKind
from verification.community import Community, Recipient, RecipientKind
from verification.deliveries import DeliveryState, LoggedAlert, Subscriber
from verification.model import Language
from verification.recipients import Audience, earlier_recipients, recipients

CHANNEL = 300
COMMUNITY = Community(id=1, alerts_channel=CHANNEL)
USERS = st.integers(min_value=10, max_value=25)
LANGUAGES = st.sampled_from(list(Language))


def dm(user: int, language: Language = Language.EN) -> Recipient:
    return Recipient(RecipientKind.DM, user, language)


@st.composite
def logs(draw: st.DrawFn) -> tuple[LoggedAlert, ...]:
    """An incident's ALERT deliveries: DMs and the channel post, in any state, some retracted since."""
    rows = []
    for delivery, user in enumerate(draw(st.lists(USERS, max_size=12)), start=1):
        recipient = dm(user, draw(LANGUAGES)) if user != 25 else Recipient(RecipientKind.CHANNEL, CHANNEL, Language.EN)
        state = draw(st.sampled_from(list(DeliveryState)))
        rows.append(LoggedAlert(delivery, recipient, state, draw(st.booleans()), draw(st.booleans())))
    return tuple(rows)


SUBSCRIBERS = st.lists(
    st.builds(Subscriber, st.builds(dm, USERS, LANGUAGES)), max_size=10, unique_by=lambda s: s.recipient.address
)


def may_have_been_told(log: tuple[LoggedAlert, ...]) -> set[tuple[RecipientKind, int]]:
    """Independently of the code under test: whoever an ALERT may have reached, unless their latest such
    ALERT was retracted for them."""
    latest: dict[tuple[RecipientKind, int], LoggedAlert] = {}
    for row in log:
        reached = row.state in (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT) or (
            row.state is DeliveryState.FAILED and row.in_doubt
        )
        if reached and not row.retracted:
            latest[(row.recipient.kind, row.recipient.address)] = row
    return set(latest)


@given(log=logs(), subscribers=SUBSCRIBERS, kind=st.sampled_from([AlertKind.CORRECTION, AlertKind.RETRACTION]))
@settings(max_examples=300)
def test_a_correction_or_retraction_reaches_every_earlier_recipient_and_nobody_else(log, subscribers, kind):
    """Subscribed or not, whoever may have been told gets the amendment once, tied to their ALERT."""
    owed = recipients(kind, COMMUNITY, "Pilsen", Audience(log=log, subscribers=tuple(subscribers)))
    keys = [(d.recipient.kind, d.recipient.address) for d in owed]
    assert len(keys) == len(set(keys))
    assert set(keys) == may_have_been_told(log)
    alert_of = {row.delivery: row for row in log}
    for delivery in owed:
        assert delivery.depends_on is not None
        assert (alert_of[delivery.depends_on].recipient.address) == delivery.recipient.address
        assert delivery.priority == 0


@given(log=logs(), subscribers=SUBSCRIBERS, kind=st.sampled_from([AlertKind.UPDATE, AlertKind.ALL_CLEAR]))
@settings(max_examples=300)
def test_an_update_reaches_only_earlier_recipients_still_subscribed_in_their_language_of_today(log, subscribers, kind):
    """Nobody who was not told, nobody who has since unsubscribed; the channel while there is one."""
    owed = recipients(kind, COMMUNITY, "Pilsen", Audience(log=log, subscribers=tuple(subscribers)))
    today = {s.recipient.address: s.recipient for s in subscribers}
    told = may_have_been_told(log)
    expected = {k for k in told if k[0] is RecipientKind.CHANNEL or k[1] in today}
    assert {(d.recipient.kind, d.recipient.address) for d in owed} == expected
    for delivery in owed:
        if delivery.recipient.kind is RecipientKind.DM:
            assert delivery.recipient == today[delivery.recipient.address]


@given(log=logs(), subscribers=SUBSCRIBERS)
def test_an_alert_goes_to_the_channel_and_every_subscriber_once_whatever_the_log(log, subscribers):
    """A first alert ignores history: today's subscribers of the area and the alerts channel, nobody else."""
    owed = recipients(AlertKind.ALERT, COMMUNITY, "Pilsen", Audience(log=log, subscribers=tuple(subscribers)))
    expected = [Recipient(RecipientKind.CHANNEL, CHANNEL, COMMUNITY.language)] + [s.recipient for s in subscribers]
    assert [d.recipient for d in owed] == expected
    assert all(d.depends_on is None for d in owed)


def test_a_retracted_alert_does_not_make_a_later_alert_of_the_same_person_theirs():
    """Told the first alert was false, they are not corrected about a second alert they never got."""
    log = (
        LoggedAlert(1, dm(10), DeliveryState.SENT, in_doubt=False, retracted=True),
        LoggedAlert(2, dm(10), DeliveryState.FAILED, in_doubt=False, retracted=False),
    )
    assert earlier_recipients(log) == []


def test_an_alert_in_doubt_counts_and_one_that_surely_failed_does_not():
    log = (
        LoggedAlert(1, dm(10), DeliveryState.FAILED, in_doubt=True, retracted=False),
        LoggedAlert(2, dm(11), DeliveryState.FAILED, in_doubt=False, retracted=False),
        LoggedAlert(3, dm(12), DeliveryState.CANCELLED, in_doubt=False, retracted=False),
    )
    assert [e.recipient.address for e in earlier_recipients(log)] == [10]
