"""Settings from environment variables, optionally completed by a `veraz.toml`.

| variable | toml key | default |
|---|---|---|
| DISCORD_TOKEN (required for `veraz run`) | token | |
| VERAZ_DATA_DIR | data_dir | ./veraz-data |
| DISCORD_API_BASE_URL | api_base_url | Discord's own |
| DISCORD_GATEWAY_URL | gateway_url | Discord's own |
| VERAZ_LOG_LEVEL | log_level | INFO (DEBUG, INFO, WARNING, ERROR) |
| VERAZ_START_PATIENCE | start_patience | 300 (seconds `veraz run` retries an unreachable Discord at start) |
| VERAZ_COMMANDS | commands | guild (in each server at start, instant); global (once, `veraz sync --global`) |
| VERAZ_CONFIG (path of the toml file) | | ./veraz.toml if present |
| VERAZ_HEALTH_ADDRESS | health_address | unset; `127.0.0.1:9100`: serve /healthz and /metrics there |
| VERAZ_DATABASE_URL | database_url | unset: SQLite in the data directory; `postgresql://...` (docs/deploy.md) |

Environment variables win over the file, so a service manager can override anything.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(Exception):
    """A setting is missing or wrong; the message is meant for the person starting Veraz."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str = ""
    data_dir: Path = Path("veraz-data")
    api_base_url: str | None = None
    gateway_url: str | None = None
    log_level: str = "INFO"
    commands: str = "guild"
    feed_address: str | None = None  # "127.0.0.1:8080": serve the public feeds (issue 15) there
    feed_url: str | None = None  # the public base URL in front of it (a reverse proxy), for the links
    feed_rate: float = 5.0  # requests a second per client address, after a burst of 30
    start_patience: float = 300.0  # seconds of retrying an unreachable Discord at start
    database_url: str | None = None  # postgresql://...: several hosts share it (issue 22); None: SQLite
    health_address: str | None = None  # "127.0.0.1:9100": /healthz and /metrics (issue 22)

    @property
    def health_listen(self) -> tuple[str, int] | None:
        if not self.health_address:
            return None
        host, _, port = self.health_address.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)

    @property
    def feed_listen(self) -> tuple[str, int] | None:
        if not self.feed_address:
            return None
        host, _, port = self.feed_address.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)

    def require_token(self) -> str:
        if not self.token.strip():
            raise SettingsError("DISCORD_TOKEN is not set: put the bot token in the environment (see README)")
        return self.token.strip()


_KEYS = {
    "token": "DISCORD_TOKEN",
    "data_dir": "VERAZ_DATA_DIR",
    "api_base_url": "DISCORD_API_BASE_URL",
    "gateway_url": "DISCORD_GATEWAY_URL",
    "log_level": "VERAZ_LOG_LEVEL",
    "commands": "VERAZ_COMMANDS",
    "feed_address": "VERAZ_FEED_ADDRESS",
    "feed_url": "VERAZ_FEED_URL",
    "feed_rate": "VERAZ_FEED_RATE",
    "start_patience": "VERAZ_START_PATIENCE",
    "database_url": "VERAZ_DATABASE_URL",
    "health_address": "VERAZ_HEALTH_ADDRESS",
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(env.get("VERAZ_CONFIG", "veraz.toml"))
    values: dict[str, str] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read {path}: {exc}") from exc
        unknown = set(raw) - set(_KEYS)
        if unknown:
            raise SettingsError(f"{path}: unknown settings {sorted(unknown)}; known: {sorted(_KEYS)}")
        values.update({k: str(v) for k, v in raw.items()})
    elif "VERAZ_CONFIG" in env:
        raise SettingsError(f"VERAZ_CONFIG points to {path}, which does not exist")
    for key, variable in _KEYS.items():
        if env.get(variable):
            values[key] = env[variable]
    for key in ("api_base_url", "gateway_url"):
        url = values.get(key)
        if url and not url.startswith(("http://", "https://", "ws://", "wss://")):
            raise SettingsError(f"{_KEYS[key]} must be a URL, not {url!r}")
    feed_address = values.get("feed_address") or None
    if feed_address is not None:
        _, colon, port = feed_address.rpartition(":")
        if not colon or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"VERAZ_FEED_ADDRESS must be host:port, like 127.0.0.1:8080, not {feed_address!r}")
    feed_url = values.get("feed_url") or None
    if feed_url is not None and not feed_url.startswith(("http://", "https://")):
        raise SettingsError(f"VERAZ_FEED_URL must be an http(s) URL, not {feed_url!r}")
    try:
        feed_rate = float(values.get("feed_rate", "5"))
    except ValueError as exc:
        raise SettingsError(
            f"VERAZ_FEED_RATE must be a number of requests a second, not {values['feed_rate']!r}"
        ) from exc
    if not feed_rate > 0:
        raise SettingsError("VERAZ_FEED_RATE must be more than 0")
    try:
        start_patience = float(values.get("start_patience", "300"))
    except ValueError:
        start_patience = -1.0
    if not 0 <= start_patience < float("inf"):
        raise SettingsError(
            f"VERAZ_START_PATIENCE must be a number of seconds, 0 or more, not {values['start_patience']!r}"
        )
    log_level = values.get("log_level", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"VERAZ_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {values['log_level']!r}")
    database_url = values.get("database_url") or None
    if database_url is not None and not database_url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("VERAZ_DATABASE_URL must be a postgresql:// URL (unset it to use SQLite)")
    health_address = values.get("health_address") or None
    if health_address is not None:
        _, colon, port = health_address.rpartition(":")
        if not colon or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"VERAZ_HEALTH_ADDRESS must be host:port, like 127.0.0.1:9100, not {health_address!r}")
    commands = values.get("commands", "guild").lower()
    if commands not in ("guild", "global"):
        raise SettingsError(f"VERAZ_COMMANDS must be guild or global, not {commands!r}")
    return Settings(
        token=values.get("token", ""),
        data_dir=Path(values.get("data_dir", "veraz-data")),
        api_base_url=values.get("api_base_url") or None,
        gateway_url=values.get("gateway_url") or None,
        log_level=log_level,
        commands=commands,
        feed_address=feed_address,
        feed_url=feed_url,
        feed_rate=feed_rate,
        start_patience=start_patience,
        database_url=database_url,
        health_address=health_address,
    )
