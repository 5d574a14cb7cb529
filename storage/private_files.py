"""The data directory is its owner's alone (0700), and so are the database, its WAL, backups and the key (0600).

The umask is not trusted: a service manager may run Veraz with 0000, a shell with 0022. SQLite creates
its WAL and shared-memory files with the mode of the database file, so the database is made 0600
before SQLite ever opens it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
log = logging.getLogger(__name__)


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents) as 0700. One that exists is not changed: the admin may have
    made it for a reason; its files are 0600 anyway. A warning says when others can list it."""
    if path.is_dir():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("directory %s can be listed by others (mode %o); run: chmod 700 %s", path, mode, path)
        return
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode passes through the umask, which may also take the owner's bits


def create_private_file(path: Path) -> bool:
    """Create `path` empty and 0600 unless it exists (then make it 0600). Returns whether it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        make_private(path)
        return False
    try:
        os.fchmod(fd, FILE_MODE)  # O_CREAT's mode passes through the umask too
    finally:
        os.close(fd)
    return True


def make_private(path: Path) -> None:
    """Make an existing file 0600; a file that is missing is left missing."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode == FILE_MODE:
        return
    try:
        os.chmod(path, FILE_MODE)
    except PermissionError:
        log.warning("%s is not ours to make private (mode %o); run: chmod 600 %s", path, mode, path)
