"""A process that runs use cases against a database until it is killed (see test_crash.py).

Before each use case it appends `start <i> <kind>` to a journal, after the commit `done <i>`, each line
flushed and fsynced, so the test knows which operations must be in the database after a SIGKILL.

    python -m tests.storage.crash_child DATA_DIR JOURNAL SEED [POSTGRESQL_URL]
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.errors import RuleViolation
from verification.model import Language, Moderator, SourceKind, Stance
from verification.usecases import ReportInput, StatementInput

PLACES = ["Hamline Elementary", "Whittier Elementary", "Whittier Park", "26th & Pulaski", "Russell Elementary"]
MODERATORS = [Moderator(str(i), f"mod-{i}") for i in range(1, 4)]


class Journal:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())
        os.fsync(self.fd)


async def main(data_dir: Path, journal_path: Path, seed: int, url: str | None) -> None:
    rng = random.Random(seed)
    database = await storage.open_database(data_dir, url=url)
    uow = database.unit_of_work()
    journal = Journal(journal_path)
    if await usecases.get_community(uow, CHICAGO) is None:
        await set_up_chicago(uow)
        for user in range(500, 520):
            await usecases.subscribe(uow, CHICAGO, user, rng.choice([None, "Back of the Yards", "Pilsen"]), Language.EN)
    now = datetime(2025, 1, 24, 17, 0, tzinfo=UTC) + timedelta(minutes=seed)
    i = seed * 1_000_000
    while True:
        i += 1
        now += timedelta(seconds=rng.randrange(1, 20))
        kind = rng.choice(["report", "report", "report", "vote", "statement", "correct", "debunk"])
        incidents = await usecases.all_incidents(uow, CHICAGO)
        number = rng.choice(incidents).number if incidents else 1
        journal.write(f"start {i} {kind}")
        try:
            if kind == "report":
                data = ReportInput(CHICAGO, f"reporter-{rng.randrange(50)}", rng.choice(PLACES), f"op-{i}", None)
                await usecases.submit_report(uow, now, data)
            elif kind == "vote":
                await usecases.vote_confirm(
                    uow, now, CHICAGO, number, rng.choice(MODERATORS), f"op-{i}", pseudonyms=moderator_pseudonyms
                )
            elif kind == "statement":
                s = StatementInput("CPS", rng.choice(list(Stance)), SourceKind.OFFICIAL, quote=f"op-{i}")
                await usecases.attach_statement(
                    uow, now, CHICAGO, number, rng.choice(MODERATORS), s, pseudonyms=moderator_pseudonyms
                )
            elif kind == "correct":
                await usecases.correct(uow, now, CHICAGO, number, rng.choice(MODERATORS), f"op-{i}")
            else:
                await usecases.debunk(uow, now, CHICAGO, number, rng.choice(MODERATORS), f"op-{i}")
        except RuleViolation:
            journal.write(f"refused {i}")
            continue
        journal.write(f"done {i}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), (sys.argv[4:] or [""])[0] or None))
