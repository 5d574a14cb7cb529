"""Before any command touches the data directory: it is a directory, it is ours, and it is named."""

from __future__ import annotations

import sys

import storage
from bot.cli.failures import CommandFailed
from bot.core.settings import Settings


def check(settings: Settings, command: str) -> None:
    """Refuse a data directory that is a file or another user's (`storage.require_owned`); say which one
    the command uses, resolved, so a mistyped or unset VERAZ_DATA_DIR shows at once."""
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        raise CommandFailed(f"{data_dir} is a file, not a directory: check VERAZ_DATA_DIR")
    storage.require_owned(data_dir)
    if command == "run":
        return  # `veraz run` says it once the token is checked, and logs it
    # On stdout, with what the command prints when it works (so `> /dev/null` in a crontab keeps cron
    # quiet unless something fails); `veraz feed` prints the feed there, so it says it on stderr.
    print(f"veraz {command}: data directory {data_dir.resolve()}", file=sys.stderr if command == "feed" else sys.stdout)
