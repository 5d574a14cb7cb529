"""The data directory, and everything Veraz keeps in it, belong to the user Veraz runs as.

A maintenance command run as another user (`sudo veraz restore ...`, as root) would leave files the
service cannot open: the service then fails at its next start. Such a command is refused, in one line
that says who owns what and how to run it as them, before it writes anything.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

# What Veraz writes in its data directory (SQLite adds the -wal and -shm files beside the database).
KEPT = ("veraz.db", "veraz.db-wal", "veraz.db-shm", "veraz.lock", "pseudonym.key", "restore-note.json")


class NotOwner(Exception):
    """The data directory, or a file in it, belongs to another user than the one running Veraz."""


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def require_owned(data_dir: Path, *, uid: int | None = None) -> None:
    """Refuse a data directory, or a file Veraz keeps in it, that another user owns."""
    me = os.geteuid() if uid is None else uid
    try:
        owner = data_dir.stat().st_uid
    except FileNotFoundError:
        return  # `veraz run` creates it, as this user
    if owner != me:
        raise NotOwner(
            f"the data directory {data_dir} belongs to {user_name(owner)}, and this runs as {user_name(me)}: "
            f"run it as its owner (sudo -u {user_name(owner)} env VERAZ_DATA_DIR={data_dir} veraz ...)"
        )
    for name in KEPT:
        try:
            file_owner = (data_dir / name).stat().st_uid
        except (FileNotFoundError, PermissionError):
            continue
        if file_owner != me:
            raise NotOwner(
                f"{data_dir / name} belongs to {user_name(file_owner)}, not to {user_name(me)} who owns "
                f"{data_dir}: give it back (chown {user_name(me)}: {data_dir / name}), then try again"
            )
