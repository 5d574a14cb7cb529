"""Structured logs: one JSON object per line, so operators can filter and ship them.

Reporters' Discord ids never appear: the adapter logs incident numbers and community ids, and
discord.py's own loggers stay at WARNING, where they do not print interaction payloads.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class NoVoiceWarnings(logging.Filter):
    """discord.py warns at start that voice is not supported: Veraz has no voice, so that is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


class DiscordPacing(logging.Filter):
    """discord.py's own lines, in the weight an operator should give them.

    - A 429 it waits out is pacing, not a problem: INFO, without the ids in the route (a DM channel's id
      stands for a person). `RateLimitCounter` (bot.client) still counts them, on discord.py's logger.
    - A reconnect is one line with its cause, not an ERROR with a 4 KB traceback: the gateway drops
      connections now and then, and discord.py resumes.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "discord.http" and "rate limit" in str(record.msg):
            record.msg = _IDS.sub("#", record.getMessage())
            record.args = ()
            record.levelno, record.levelname = logging.INFO, "INFO"
            return self.level <= logging.INFO
        if record.name == "discord.client" and str(record.msg).startswith("Attempting a reconnect"):
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                record.cause = " ".join(f"{type(error).__name__}: {error}".split())[:300]
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            return self.level <= logging.WARNING
        return True


_IDS = re.compile(r"\d{6,}")


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(NoVoiceWarnings())
    handler.addFilter(DiscordPacing(logging.getLevelName(level)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(logging.WARNING, logging.getLevelName(level)))
