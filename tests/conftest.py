"""Fixtures shared by every test: units of work on the in-memory fake, on a real SQLite file and on a
throwaway PostgreSQL (tests/postgres.py), so the same contract runs on each."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import storage
from tests.fakes import FakeUnitOfWork
from tests.postgres import Cluster, PostgresUnavailable, drop_database, new_database, start_cluster, unavailable
from verification.ports import UnitOfWork

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One PostgreSQL for the whole session, started on first use; the tests that need it skip (or,
    with VERAZ_REQUIRE_POSTGRES=1, fail) with one line saying why when it cannot start."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
        raise  # unreachable: unavailable() skips or fails
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
async def postgres_url(postgres_cluster: Cluster) -> AsyncIterator[str]:
    """A fresh, migrated database of this test's own, dropped after it."""
    url = await new_database(postgres_cluster)
    try:
        yield url
    finally:
        await drop_database(postgres_cluster, url)


@contextlib.asynccontextmanager
async def opened(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[storage.AnyDatabase]:
    """The database on `backend`: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    url = None
    if backend == "postgres":
        cluster: Cluster = request.getfixturevalue("postgres_cluster")
        url = await new_database(cluster)
    database = await storage.open_database(tmp_path, url=url)
    try:
        yield database
    finally:
        await database.close()
        if url is not None:
            await drop_database(cluster, url)


@pytest.fixture(params=["memory", *BACKENDS])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    """A unit of work on each implementation: contract tests run against all three."""
    if request.param == "memory":
        yield FakeUnitOfWork()
        return
    async with opened(request.param, request, tmp_path) as database:
        yield database.unit_of_work()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[storage.Database]:
    database = await storage.open_database(tmp_path)
    assert isinstance(database, storage.Database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(params=BACKENDS)
async def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[storage.AnyDatabase]:
    """The database on each backend, for storage's own tests (the delivery queue, retention)."""
    async with opened(request.param, request, tmp_path) as database:
        yield database
