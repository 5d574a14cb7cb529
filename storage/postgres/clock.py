"""The clock of a `veraz run` process on PostgreSQL: the host's, set to the database's.

Every timestamp one process writes another may compare: a fan-out's `next_attempt_at` written by the
active host is claimed by the next one (`next_attempt_at <= now`), rows left 'sending' are recovered by
`claimed_at <= now`, and expiry, purges, escalation pages and rate windows all read times other hosts
wrote. If each host used its own clock, a standby whose clock is X minutes behind would, after taking
over, find the rest of a fan-out not yet due for X minutes. So the process keeps time by the database:
its clock is the host's plus the offset `database now() - host now`, measured when the leadership
connection opens and again at every statement that connection already sends each second (a standby's
poll, the active process's renewal), so a host clock stepped by NTP is followed within a second. The
lease and `veraz_processes` use the database's now() directly; everything else uses this clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

SKEW_WARNING = timedelta(seconds=5)  # a host clock off by more is said once, loudly: fix its time sync
CHANGE = timedelta(seconds=0.5)  # smaller changes are jitter: ignored, so the clock does not step back
SLOWEST = timedelta(seconds=1)  # a measurement whose round trip took longer says too little: ignored


def host_now() -> datetime:
    return datetime.now(UTC)


class DatabaseClock:
    """Satisfies bot.core.clock.Clock: the host's time plus the last offset measured to the database."""

    def __init__(self, host: Callable[[], datetime] | None = None) -> None:
        self._host = host or host_now
        self.offset = timedelta(0)  # database minus host; zero until measured
        self.measured = False
        self._warned = False

    def now(self) -> datetime:
        return (self._host() + self.offset).replace(microsecond=0)

    def host(self) -> datetime:
        """The host's own time, to bracket a statement whose answer carries the database's."""
        return self._host()

    def observe(self, database_now: datetime, sent: datetime, received: datetime) -> None:
        """The database said `database_now` between `sent` and `received` (host times): its clock read
        about half-way through the round trip."""
        if received - sent > SLOWEST:
            return
        offset = database_now - (sent + (received - sent) / 2)
        if self.measured and abs(offset - self.offset) <= CHANGE:
            return
        self.offset, self.measured = offset, True
        if abs(offset) > SKEW_WARNING:
            if not self._warned:
                self._warned = True
                side = "behind" if offset > timedelta(0) else "ahead of"
                log.error(
                    "this host's clock is %.0f s %s the database's: Veraz keeps time by the database's clock, "
                    "but fix this host's time sync (chrony, systemd-timesyncd): its logs and any other program "
                    "on it are off too",
                    abs(offset).total_seconds(),
                    side,
                    extra={"offset_seconds": round(offset.total_seconds(), 3)},
                )
        elif self._warned:
            self._warned = False  # back in step: a later drift is said again
            log.warning("this host's clock is back in step with the database's",
                        extra={"offset_seconds": round(offset.total_seconds(), 3)})  # fmt: skip
