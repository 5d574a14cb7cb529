"""What the log says when the bot starts and stops: which Veraz, on which data, and what it left to do."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.services import Services
from bot.version import version
from verification import usecases

log = logging.getLogger("bot.run")


def started(data_dir: Path, schema: int) -> None:
    log.info("veraz started", extra={"version": version(), "data_dir": str(data_dir.resolve()), "schema": schema})


async def stopped(services: Services, mark: Callable[[datetime], Awaitable[None]]) -> None:
    """What the next start will pick up: messages still owed, and sends that may or may not have arrived;
    `mark` records the clean stop (the heartbeat's). Neither may keep the database from being closed."""
    try:
        counts = await usecases.delivery_counts(services.storage)
        await mark(datetime.now(UTC))
    except Exception as exc:
        log.warning("veraz stopped; what was left queued is unknown", extra={"error": f"{type(exc).__name__}: {exc}"})
        return
    log.info("veraz stopped", extra={"queued": counts.queued, "in_flight": counts.sending, "in_doubt": counts.in_doubt})
