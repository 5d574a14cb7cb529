"""What the log says of each alert's life, so an operator can follow one from queued to delivered.

- "alert queued": an incident change made messages owed (which kinds, how many recipients);
- "alert fan-out done": once the worker has nothing left to claim, one line per message it worked on
  since the last such line: sent, failed, left in doubt or retrying (those come back in a later line),
  and how long it took from the first claim.

Counts and incident numbers only: never a recipient, never a report's text.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from verification.effects import Queued
from verification.ports import ClaimedDelivery

log = logging.getLogger("bot.delivery")


def queued(owed: Queued) -> None:
    log.info("alert queued", extra={"guild": owed.community, "incident": owed.number, "kind": ",".join(owed.kinds),
                                    "recipients": owed.recipients, "cancelled": owed.cancelled})  # fmt: skip


@dataclass
class _Tally:
    started: float = field(default_factory=time.monotonic)
    sent: int = 0
    failed: int = 0
    in_doubt: int = 0
    retrying: int = 0


class FanOutLog:
    """The worker's tallies per message (community, incident, seq), said when it runs out of work."""

    def __init__(self) -> None:
        self._tallies: dict[tuple[int, int, int, str], _Tally] = {}

    def _tally(self, d: ClaimedDelivery) -> _Tally:
        key = (d.community, d.message.number, d.message.seq, d.kind.value)
        return self._tallies.setdefault(key, _Tally())

    def claimed(self, d: ClaimedDelivery) -> None:
        self._tally(d)

    def settled(self, d: ClaimedDelivery, outcome: str) -> None:
        """`outcome`: sent, failed, in_doubt or retrying."""
        tally = self._tally(d)
        setattr(tally, outcome, getattr(tally, outcome) + 1)

    def flush(self) -> None:
        now = time.monotonic()
        for (community, number, seq, kind), tally in self._tallies.items():
            log.info("alert fan-out done", extra={"guild": community, "incident": number, "kind": kind, "seq": seq,
                                                  "sent": tally.sent, "failed": tally.failed,
                                                  "in_doubt": tally.in_doubt, "retrying": tally.retrying,
                                                  "seconds": round(now - tally.started, 1)})  # fmt: skip
        self._tallies.clear()
