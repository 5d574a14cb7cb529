"""What the log says when the bot starts and stops: which Veraz, on which data, and what it left to do."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.core.services import Services
from bot.version import version
from verification import usecases

log = logging.getLogger("bot.run")


def started(data_dir: Path, schema: int) -> None:
    log.info("veraz started", extra={"version": version(), "data_dir": str(data_dir.resolve()), "schema": schema})


async def stopped(services: Services) -> None:
    """What the next start will pick up: messages still owed, and sends that may or may not have arrived."""
    try:
        counts = await usecases.delivery_counts(services.storage)
    except Exception as exc:  # saying it is a nicety: the database must still be closed after it
        log.warning("veraz stopped; what was left queued is unknown", extra={"error": f"{type(exc).__name__}: {exc}"})
        return
    log.info("veraz stopped", extra={"queued": counts.queued, "in_flight": counts.sending, "in_doubt": counts.in_doubt})
