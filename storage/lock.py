"""One Veraz per data directory: two bots on one database would send every alert twice."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from .private_files import create_private_file, private_dir

LOCK_FILE = "veraz.lock"


class DataDirInUse(Exception):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(f"another Veraz is running with the data directory {data_dir}; stop it first")


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        private_dir(self.data_dir)
        create_private_file(self.data_dir / LOCK_FILE)
        f = open(self.data_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise DataDirInUse(self.data_dir) from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
