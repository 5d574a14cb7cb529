"""One line for every failure an operator can cause or meet, and the exit codes that go with them.

A traceback tells an operator nothing they can act on; a line naming the file, the port or the setting
does. What is not in this list is a bug, and keeps its traceback.
"""

from __future__ import annotations

import errno
import sqlite3

import aiohttp
import discord

import storage
from bot.core.settings import SettingsError

# Exit codes, for service managers and scripts.
REFUSED = 1  # the command cannot do what was asked (a bad file, no such community, a lock held)
BAD_SETTINGS = 2
UNREACHABLE = 3  # `veraz run` gave up reaching Discord
DISCORD_ENDED = 4  # Discord closed the connection for good (a token reset, an intent refused)
FAILED_AFTER_LOGIN = 5  # `veraz run` could not go on after logging in (the feed's port taken, a disk full)


class CommandFailed(Exception):
    """A command cannot go on; the message says why, in one line."""

    def __init__(self, message: str, code: int = REFUSED) -> None:
        super().__init__(message)
        self.code = code


# What an operator can meet: each one is said in a line (see `one_line`).
OPERATIONAL = (
    CommandFailed,
    SettingsError,
    storage.SchemaTooNew,
    storage.MigrationFailed,
    storage.RestoreRefused,
    storage.BackupRefused,
    storage.CopyRefused,
    storage.NoDatabase,
    storage.SchemaTooOld,
    storage.DataDirInUse,
    storage.NotOwner,
    OSError,  # a port taken, a file unreadable, a disk full, a directory where a file should be
    sqlite3.Error,
    aiohttp.ClientError,
    discord.DiscordException,
    LookupError,
)


def one_line(exc: BaseException) -> str:
    """The failure in words an operator can act on, on one line."""
    if isinstance(exc, OSError) and not isinstance(exc, aiohttp.ClientError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"the disk is full{where}: free some space and try again"
        if exc.errno == errno.EADDRINUSE:
            return f"the address is already in use ({exc.strerror}): another program listens on it"
        if isinstance(exc, PermissionError):
            return f"permission denied{where}: run Veraz as the user who owns its data directory"
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the database cannot be read: {exc}"
    if isinstance(exc, KeyError):  # its str() is the repr of the key
        return f"not found: {exc.args[0] if exc.args else exc}"
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())  # one line, whatever the message held
