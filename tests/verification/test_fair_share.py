"""The fair claim's rule (verification.fair_share), property by property.

Streams are generated with hypothesis: a few communities, each with a few alerts, each alert with
claimable deliveries at one or more ranks. The storage backends are held to the same function in
tests/storage/test_fair_claims.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from verification.fair_share import Due, FairClaim, Stream, fair_claim, rank, read_sizes


@st.composite
def workloads(draw: st.DrawFn) -> tuple[list[Stream], dict[int, int], int]:
    """Streams with ids unique and in claim order, turns no larger than the counter."""
    ids = count(1)
    counter = draw(st.integers(0, 20))
    streams = []
    alert = 0
    for community in range(1, draw(st.integers(1, 4)) + 1):
        for _ in range(draw(st.integers(1, 4))):
            alert += 1
            ranks = sorted(draw(st.lists(st.integers(0, 5), max_size=12)))
            due = tuple(Due(next(ids), r) for r in ranks)
            streams.append(Stream(alert, 10 * community, draw(st.integers(0, counter)), due))
    # A community's turn may come from an alert no longer in progress: as large as the counter.
    community_turns = {
        s.community: max([t.turn for t in streams if t.community == s.community] + [draw(st.integers(0, counter))])
        for s in streams
    }
    return streams, community_turns, counter


def owner(streams: list[Stream]) -> dict[int, Stream]:
    return {d.id: s for s in streams for d in s.due}


def rank_of(streams: list[Stream]) -> dict[int, int]:
    return {d.id: d.rank for s in streams for d in s.due}


@given(workloads(), st.integers(1, 60))
def test_work_conserving_in_rank_order_and_each_alert_in_its_own_order(work, limit):
    streams, turns, counter = work
    claim = fair_claim(streams, turns, counter, limit)
    assert claim.final
    total = sum(len(s.due) for s in streams)
    assert len(claim.ids) == min(limit, total)  # nothing claimable is held back
    assert len(set(claim.ids)) == len(claim.ids)
    ranks = [rank_of(streams)[i] for i in claim.ids]
    assert ranks == sorted(ranks)  # amendments, then posts before DMs at each priority: strictly
    if ranks:
        left = [d for s in streams for d in s.due if d.id not in claim.ids]
        assert all(d.rank >= ranks[-1] for d in left)
    for s in streams:
        mine = [i for i in claim.ids if owner(streams)[i] is s]
        assert mine == [d.id for d in s.due[: len(mine)]]  # a prefix of the alert's own order


@given(workloads(), st.integers(1, 60))
def test_communities_take_turns_and_so_do_the_alerts_of_one_community(work, limit):
    """At each rank, two communities that both still had something of that rank left after the claim got
    shares differing by at most one; likewise two alerts of one community."""
    streams, turns, counter = work
    claim = fair_claim(streams, turns, counter, limit)
    by_id = owner(streams)
    taken = set(claim.ids)
    for r in range(6):
        left = {s.alert for s in streams for d in s.due if d.rank == r and d.id not in taken}
        got = Counter(by_id[i].alert for i in claim.ids if by_id[i].due[0].rank <= r and rank_of(streams)[i] == r)
        per_community = Counter(by_id[i].community for i in claim.ids if rank_of(streams)[i] == r)
        waiting = {s.community for s in streams if s.alert in left}
        for a in waiting:
            for b in waiting:
                assert per_community[a] - per_community[b] <= 1
        for a in left:
            for b in left:
                same = (
                    next(s for s in streams if s.alert == a).community
                    == next(s for s in streams if s.alert == b).community
                )
                if same:
                    assert got[a] - got[b] <= 1


@given(workloads(), st.integers(1, 60), st.data())
def test_reading_each_alert_in_part_gives_what_reading_all_of_it_gives(work, limit, data):
    """What lets a backend read only a few rows per alert: asked for more where it matters, the answer is
    the one full knowledge gives."""
    streams, turns, counter = work
    full = fair_claim(streams, turns, counter, limit)
    shown = {s.alert: data.draw(st.integers(0, len(s.due))) for s in streams}
    rounds = 0
    while True:
        partial = [replace(s, due=s.due[: shown[s.alert]], complete=shown[s.alert] == len(s.due)) for s in streams]
        claim = fair_claim(partial, turns, counter, limit)
        if claim.final:
            break
        assert claim.read_more <= {s.alert for s in partial if not s.complete}
        for s in partial:
            if s.alert in claim.read_more:
                shown[s.alert] = min(len(next(t for t in streams if t.alert == s.alert).due),
                                     shown[s.alert] + data.draw(st.integers(1, 5)))  # fmt: skip
        rounds += 1
        assert rounds < 500
    assert claim == full


def batches(streams: list[Stream], turns: dict[int, int], counter: int, limit: int, rounds: int) -> list[list[int]]:
    """The claims of a worker that sends everything it claims, turns kept between claims."""
    out = []
    for _ in range(rounds):
        claim = fair_claim(streams, turns, counter, limit)
        if not claim.ids:
            break
        out.append(list(claim.ids))
        taken = set(claim.ids)
        for s in streams:
            if s.alert in claim.turns:
                turns[s.community] = max(turns.get(s.community, 0), claim.turns[s.alert])
        streams = [
            replace(s, due=tuple(d for d in s.due if d.id not in taken), turn=claim.turns.get(s.alert, s.turn))
            for s in streams
        ]
        counter = max([counter, *claim.turns.values()])
    return out


def dms(alert: int, community: int, first: int, n: int, turn: int = 0) -> Stream:
    return Stream(alert, community, turn, tuple(Due(first + i, rank(1, dm=True)) for i in range(n)))


def test_a_small_alert_of_another_community_is_done_in_the_time_of_its_own_sends():
    """The issue's case: 5,000 DMs of one server, then a 5-subscriber alert of another server."""
    big = dms(1, 100, 1, 5000)
    first = fair_claim([big], {}, 0, 47)
    small = dms(2, 200, 10_000, 5, turn=first.turns[1])  # joins at the back: the counter's value
    turns = {100: first.turns[1], 200: first.turns[1]}
    big = replace(big, due=big.due[47:], turn=first.turns[1])
    claimed = batches([big, small], turns, first.turns[1], 47, 1)[0]
    assert [i for i in claimed if i >= 10_000] == list(range(10_000, 10_005))
    assert max(claimed.index(i) for i in range(10_000, 10_005)) <= 10  # alternating: by the 10th send


def test_a_community_that_floods_the_queue_takes_one_communitys_share():
    flood = [dms(a, 100, 1000 * a, 200) for a in range(1, 11)]  # ten alerts at once
    other = dms(11, 200, 50_000, 200)
    claimed = [i for b in batches([*flood, other], {}, 0, 47, 4) for i in b]
    by = Counter(100 if i < 50_000 else 200 for i in claimed)
    assert abs(by[100] - by[200]) <= 1
    per_alert = Counter(i // 1000 for i in claimed if i < 50_000)
    assert max(per_alert.values()) - min(per_alert.values()) <= 1  # and its alerts share it


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=8), st.integers(1, 47))
def test_nothing_waits_for_ever_a_stream_waits_at_most_one_round(alerts_per_community, limit):
    """With C communities in progress and m alerts in a community, an alert of it is served at least once
    in every C * m deliveries claimed at its rank, whatever the batch size and however the turns were
    left between claims."""
    streams, first = [], 1
    alert = 0
    for c, m in enumerate(alerts_per_community, start=1):
        for _ in range(m):
            alert += 1
            streams.append(dms(alert, c, first, 60))
            first += 60
    claimed = [i for b in batches(streams, {}, 0, limit, 10_000) for i in b]
    which = {d.id: s for s in streams for d in s.due}
    communities = len(alerts_per_community)
    for s in streams:
        m = alerts_per_community[s.community - 1]
        positions = [n for n, i in enumerate(claimed) if which[i] is s]
        # While every stream still has work (the first round where one runs out, the bound loosens).
        horizon = min(len(claimed), 60 * communities)
        gaps = [b - a for a, b in zip([-1, *positions], positions, strict=False) if b < horizon]
        assert all(g <= communities * m for g in gaps), (s.alert, gaps[:10])


def test_a_new_alert_joins_at_the_back_of_the_round():
    """Turned at the counter's value when added, it never overtakes what was already waiting."""
    waiting = [dms(1, 1, 1, 10, turn=3), dms(2, 2, 100, 10, turn=4)]
    new = dms(3, 3, 1000, 10, turn=5)
    claim = fair_claim([*waiting, new], {1: 3, 2: 4, 3: 5}, 5, 3)
    assert claim.ids == (1, 100, 1000)


def test_a_stream_read_in_part_is_read_further_only_where_it_could_matter():
    post = Stream(1, 1, 0, (Due(1, rank(1, dm=False)),), complete=False)
    dm = dms(2, 2, 10, 3)
    assert fair_claim([post, dm], {}, 0, 5) == FairClaim(read_more=frozenset({1}))  # more posts may follow
    done = fair_claim([replace(post, complete=True), dm], {}, 0, 5)
    assert done.ids == (1, 10, 11, 12)
    assert done.turns == {1: 1, 2: 4}


def test_read_sizes_split_one_claim_between_communities_then_alerts():
    sizes = read_sizes([(1, 100), (2, 200), (3, 200)], 47)
    assert sizes == {1: 24 + 2, 2: 12 + 2, 3: 12 + 2}
