"""Fixtures shared by every test: units of work on the in-memory fake and on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage
from tests.fakes import FakeUnitOfWork
from verification.ports import UnitOfWork


@pytest.fixture(params=["memory", "sqlite"])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    """A unit of work on each implementation: contract tests run against both."""
    if request.param == "memory":
        yield FakeUnitOfWork()
        return
    database = await storage.open_database(tmp_path)
    try:
        yield database.unit_of_work()
    finally:
        await database.close()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[storage.Database]:
    database = await storage.open_database(tmp_path)
    try:
        yield database
    finally:
        await database.close()
