"""Discord snowflake ids: a millisecond timestamp since the Discord epoch, shifted left 22 bits."""

from __future__ import annotations

from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in a snowflake."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


class SnowflakeFactory:
    """Hands out unique snowflakes; ids made for "now" strictly increase, as message ids must."""

    def __init__(self) -> None:
        self._increment = 0
        self._last_now = 0

    def _low_bits(self) -> int:
        # Worker and process bits plus the increment: 22 bits that keep ids of the same millisecond apart.
        self._increment = (self._increment + 1) % (1 << 22)
        return self._increment

    def at(self, moment: datetime) -> int:
        """A fresh snowflake whose timestamp is `moment` (for users created in the past, say)."""
        ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
        if ms < 0:
            raise ValueError(f"{moment.isoformat()} is before the Discord epoch (2015-01-01)")
        return (ms << 22) | self._low_bits()

    def now(self) -> int:
        """A snowflake for the current time, greater than any previous one from this method."""
        candidate = self.at(datetime.now(UTC))
        self._last_now = max(candidate, self._last_now + 1)
        return self._last_now
