"""Settings from environment variables, optionally completed by a `veraz.toml`.

| variable | toml key | default |
|---|---|---|
| DISCORD_TOKEN (required for `veraz run`) | token | |
| VERAZ_DATA_DIR | data_dir | ./veraz-data |
| DISCORD_API_BASE_URL | api_base_url | Discord's own |
| DISCORD_GATEWAY_URL | gateway_url | Discord's own |
| VERAZ_LOG_LEVEL | log_level | INFO |
| VERAZ_COMMANDS | commands | guild (in each server at start, instant); global (once, `veraz sync --global`) |
| VERAZ_CONFIG (path of the toml file) | | ./veraz.toml if present |

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
}


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
    commands = values.get("commands", "guild").lower()
    if commands not in ("guild", "global"):
        raise SettingsError(f"VERAZ_COMMANDS must be guild or global, not {commands!r}")
    return Settings(
        token=values.get("token", ""),
        data_dir=Path(values.get("data_dir", "veraz-data")),
        api_base_url=values.get("api_base_url") or None,
        gateway_url=values.get("gateway_url") or None,
        log_level=values.get("log_level", "INFO").upper(),
        commands=commands,
    )
