"""A throwaway PostgreSQL for the tests: the machine's own `initdb` and `pg_ctl`, in a temporary directory,
listening on a free loopback port only, stopped and deleted when the session ends.

`VERAZ_TEST_DATABASE_URL` (a server the tests may create and drop databases on) is used instead when set.
Without either, PostgreSQL tests skip with one line saying why; `VERAZ_REQUIRE_POSTGRES=1` (set by
.ci/run) turns that skip into a failure, so CI always runs them.

Each test gets a database of its own, copied from a template the migrations ran on once.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE = "VERAZ_REQUIRE_POSTGRES"
URL = "VERAZ_TEST_DATABASE_URL"


class PostgresUnavailable(Exception):
    """Why the PostgreSQL tests cannot run on this machine."""


def _binaries() -> Path:
    """The directory of initdb and pg_ctl: VERAZ_TEST_PG_BIN, on PATH, or Debian's newest
    /usr/lib/postgresql/N/bin."""
    chosen = os.environ.get("VERAZ_TEST_PG_BIN")
    if chosen is not None:
        if not (Path(chosen) / "pg_ctl").exists():
            raise PostgresUnavailable(f"no pg_ctl in VERAZ_TEST_PG_BIN={chosen}")
        return Path(chosen)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise PostgresUnavailable("no initdb/pg_ctl found (install postgresql) and VERAZ_TEST_DATABASE_URL is unset")
    return Path(versions[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A cluster this session started (`directory` set) or one it was given (VERAZ_TEST_DATABASE_URL)."""

    url: str  # the maintenance database, where test databases are created
    directory: Path | None = None
    pg_ctl: Path | None = None
    run_as: str | None = None
    template: str | None = None

    def database_url(self, name: str) -> str:
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{name}"

    def stop(self) -> None:
        if self.directory is None or self.pg_ctl is None:
            return
        _run(self.run_as, [str(self.pg_ctl), "stop", "-D", str(self.directory / "data"), "-m", "immediate", "-w"])
        shutil.rmtree(self.directory, ignore_errors=True)


def _run(user: str | None, command: list[str]) -> subprocess.CompletedProcess[str]:
    # PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
    full = ["runuser", "-u", user, "--", *command] if user else command
    return subprocess.run(full, capture_output=True, text=True, timeout=120, check=False)


def start_cluster() -> Cluster:
    """Start a private cluster: trust authentication on 127.0.0.1 only, no Unix socket, no durability
    (fsync off: the tests kill clients, never this server)."""
    given = os.environ.get(URL)
    if given:
        return Cluster(given)
    binaries = _binaries()
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no `postgres` user to run PostgreSQL as") from None
        run_as = "postgres"
    directory = Path(tempfile.mkdtemp(prefix="veraz-pg-"))
    if run_as:
        shutil.chown(directory, run_as)
    data = directory / "data"
    done = _run(run_as, [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
    if done.returncode:
        shutil.rmtree(directory, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {done.stderr.strip().splitlines()[-1:]}")
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
    )
    started = _run(run_as, [str(binaries / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "60",
                            "-l", str(directory / "server.log"), "-o", options])  # fmt: skip
    if started.returncode:
        log = (directory / "server.log").read_text(errors="replace") if (directory / "server.log").exists() else ""
        shutil.rmtree(directory, ignore_errors=True)
        raise PostgresUnavailable(f"pg_ctl start failed: {started.stderr.strip()} {log[-500:]}")
    return Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", directory, binaries / "pg_ctl", run_as)


def unavailable(reason: str) -> None:
    """Skip, in one line saying why; or fail, where PostgreSQL is required (CI)."""
    message = f"PostgreSQL tests skipped: {reason}"
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{message} ({REQUIRE}=1 requires them)", pytrace=False)
    pytest.skip(message)


async def new_database(cluster: Cluster) -> str:
    """A fresh, migrated database of its own for one test; its URL."""
    import asyncpg

    from storage.postgres.database import PostgresDatabase

    admin = await asyncpg.connect(cluster.url)
    try:
        if cluster.template is None:
            template = f"veraz_template_{uuid.uuid4().hex[:8]}"
            await admin.execute(f'CREATE DATABASE "{template}"')
            database = await PostgresDatabase.open(cluster.database_url(template))
            await database.close()
            cluster.template = template
        name = f"veraz_test_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{cluster.template}"')
    finally:
        await admin.close()
    return cluster.database_url(name)


async def empty_database(cluster: Cluster) -> str:
    """A fresh database with nothing in it, not even Veraz's schema; its URL."""
    import asyncpg

    admin = await asyncpg.connect(cluster.url)
    try:
        name = f"veraz_empty_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return cluster.database_url(name)


async def drop_database(cluster: Cluster, url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    admin = await asyncpg.connect(cluster.url)
    try:
        with contextlib.suppress(asyncpg.PostgresError):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
