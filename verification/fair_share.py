"""A fair share of the bot's sending budget: which due deliveries a worker claims next.

Every message the bot sends shares one budget (Discord's 50 requests a second per bot token). Claiming
in the order rows were queued made a five-person alert of one server wait behind every DM of another
server's five-thousand-person alert. This module is the rule, as a pure function, so every storage
backend claims the same rows in the same order (storage/sqlite/delivery_queue.py implements it in SQL;
tests/verification/test_fair_share.py checks its properties and tests/storage/test_fair_claims.py holds
each backend to it).

The rule, whole:

1. **What may be claimed** is decided before this rule: a delivery that is queued, due, and ready (its
   ALERT, if it amends one, is sent or may have arrived, and no earlier message of the same incident to
   the same recipient is still queued or in flight). Per-recipient order comes from that readiness, not
   from this rule: two messages to one person about one incident are never claimable at once.
2. **Classes, strictly in order.** A delivery's rank is `2 * priority + (1 if it is a DM else 0)`:
   amendments first (priority 0), then alerts (1), then updates and all-clears (2), and at each priority
   the posts in channels before the DMs. Nothing of a rank is claimed while anything of a lower rank is
   claimable.
3. **Within a rank, round-robin over communities, then over alerts.** A *stream* is one alert's
   deliveries (one message of one incident: an ALERT, an UPDATE, a CORRECTION...). Each alert has a
   *turn*, a number from one counter that only grows: when it is added to the outbox its turn is the
   counter's current value (it joins at the back of the round), and each of its deliveries claimed takes
   the counter's next value. A community's turn is the largest turn of any of its alerts. One delivery at
   a time, the claim takes, among the communities with something claimable at the current rank, the one
   with the smallest turn (ties: the smaller community id); in it, among its alerts with something
   claimable at that rank, the one with the smallest turn (ties: the smaller alert id, the older); and
   that alert's claimable delivery of that rank with the smallest id. The counter then advances by one and
   that alert takes the new value (so does its community, through the maximum).
4. **Per claim, at most `limit` deliveries**, in the order chosen; the new turns of the alerts served are
   stored with the claim, in the same transaction.

What follows: with C communities in progress at a rank, each gets at least one delivery in every C
(1/C of the budget); inside a community with m alerts in progress, each gets one of every m of the
community's (so an alert gets 1/N of the budget when N alerts are in progress in N communities, and a
community that floods the queue with ten alerts takes one community's share, not ten). A stream waits at
most C * m claimed deliveries for its next one: nothing waits for ever. An idle share is never held back:
when a stream has nothing claimable, the others take its place (work-conserving).

A backend need not read every claimable row to apply the rule: `fair_claim` accepts each stream's
claimable deliveries as a prefix (`Stream.complete` False: more may follow) and says which streams it
must read further (`FairClaim.read_more`) before its answer is final. Read more of those streams and call
it again with the same turns; the answer is then the one full knowledge would give.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


def rank(priority: int, dm: bool) -> int:
    """Lower is claimed first: by priority, and at each priority the posts in channels before the DMs."""
    return 2 * priority + (1 if dm else 0)


@dataclass(frozen=True, slots=True)
class Due:
    """A claimable delivery: queued, due, and ready."""

    id: int
    rank: int


@dataclass(frozen=True, slots=True)
class Stream:
    """One alert's claimable deliveries in claim order (rank, then id), as far as they were read."""

    alert: int
    community: int
    turn: int  # the alert's turn: when it was last served, or when it was queued if never
    due: tuple[Due, ...]
    complete: bool = True  # False: more claimable deliveries may follow the last one read


@dataclass(frozen=True, slots=True)
class FairClaim:
    ids: tuple[int, ...] = ()  # to claim, in this order
    turns: Mapping[int, int] = field(default_factory=dict)  # alert -> its new turn, for the alerts served
    read_more: frozenset[int] = frozenset()  # alerts to read further before `ids` is final (then it is empty)

    @property
    def final(self) -> bool:
        return not self.read_more


def fair_claim(streams: Iterable[Stream], community_turns: Mapping[int, int], counter: int, limit: int) -> FairClaim:
    """The deliveries to claim next under the rule above.

    `community_turns`: each community's turn (the largest turn of any of its alerts, active or not); a
    community missing from it takes the largest turn of its streams. `counter`: the counter's current
    value (the largest turn of any alert). Deterministic: the same arguments give the same answer.
    """
    live = [s for s in streams if s.due or not s.complete]
    for s in live:
        if any((a.rank, a.id) >= (b.rank, b.id) for a, b in zip(s.due, s.due[1:], strict=False)):
            raise ValueError(f"stream {s.alert}: deliveries not in claim order")
    alert_turn = {s.alert: s.turn for s in live}
    community_turn: dict[int, int] = {}
    for s in live:
        known = community_turns.get(s.community, s.turn)
        community_turn[s.community] = max(community_turn.get(s.community, known), known, s.turn)
    position = dict.fromkeys(alert_turn, 0)
    taken: list[int] = []
    served: dict[int, int] = {}

    def unknown(at_rank: int | None) -> frozenset[int]:
        # A stream read only in part, all of it used: what follows has a rank no lower than its last one.
        return frozenset(
            s.alert
            for s in live
            if position[s.alert] == len(s.due)
            and not s.complete
            and (at_rank is None or not s.due or s.due[-1].rank <= at_rank)
        )

    while len(taken) < limit:
        current = min((s.due[position[s.alert]].rank for s in live if position[s.alert] < len(s.due)), default=None)
        if blocked := unknown(current):
            return FairClaim(read_more=blocked)
        if current is None:
            break
        # One rank: round-robin over its communities, and in each over its alerts, by turn (ties: lower id).
        alerts_at: dict[int, list[tuple[int, int, Stream]]] = {}
        for s in live:
            if position[s.alert] < len(s.due) and s.due[position[s.alert]].rank == current:
                alerts_at.setdefault(s.community, []).append((alert_turn[s.alert], s.alert, s))
        communities = [(community_turn[c], c) for c in alerts_at]
        heapq.heapify(communities)
        for waiting in alerts_at.values():
            heapq.heapify(waiting)
        while communities and len(taken) < limit:
            _, community = heapq.heappop(communities)
            _, alert, stream = heapq.heappop(alerts_at[community])
            taken.append(stream.due[position[alert]].id)
            position[alert] += 1
            counter += 1
            alert_turn[alert] = community_turn[community] = served[alert] = counter
            if position[alert] < len(stream.due) and stream.due[position[alert]].rank == current:
                heapq.heappush(alerts_at[community], (counter, alert, stream))
            elif position[alert] == len(stream.due) and not stream.complete:
                return FairClaim(read_more=unknown(current))
            if alerts_at[community]:
                heapq.heappush(communities, (counter, community))
    return FairClaim(tuple(taken), served)


def read_sizes(streams: Sequence[tuple[int, int]], limit: int) -> dict[int, int]:
    """How many claimable deliveries to read first from each active alert, given as (alert, community):
    about its share of one claim (the claim's share of its community, split between the community's
    alerts), plus two to tell a stream that has more from one that ended. Only a first guess: `fair_claim`
    asks for more where it needs it."""
    alerts_of: dict[int, int] = {}
    for _, community in streams:
        alerts_of[community] = alerts_of.get(community, 0) + 1
    communities = max(1, len(alerts_of))
    return {alert: -(-limit // (communities * alerts_of[community])) + 2 for alert, community in streams}
