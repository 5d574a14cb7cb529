"""The pseudonym key's check value in the database: every host must read the same key file.

Hosts sharing one PostgreSQL database each read `pseudonym.key` from their own data directory. A host
started with another key (the operator forgot to copy it, or copied the wrong one) would give every
reporter a new pseudonym: their rate limits, standing and /forget-me would silently stop working. The
database keeps HMAC-SHA256(key, a fixed label): it tells whether two keys are the same, and cannot give
the key back or test a reporter's Discord id. The first process to start records it; any process whose
key gives another value refuses to start.
"""

from __future__ import annotations

import hashlib
import hmac

from .database import PostgresDatabase

KEY_CHECK = "pseudonym_key_check"
_LABEL = b"veraz pseudonym key check v1"


class KeyMismatch(Exception):
    """This process's pseudonym key is not the one the database was started with."""


def check_value(key: bytes) -> str:
    return hmac.new(key, _LABEL, hashlib.sha256).hexdigest()


async def check_pseudonym_key(database: PostgresDatabase, key: bytes) -> None:
    """Record the key's check value if none is, else compare; raises KeyMismatch with one line."""
    mine = check_value(key)
    async with database.connection() as conn:
        await conn.execute(
            "INSERT INTO veraz_settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING", KEY_CHECK, mine
        )
        recorded = await conn.fetchval("SELECT value FROM veraz_settings WHERE name = $1", KEY_CHECK)
    if recorded != mine:
        raise KeyMismatch(
            "this host's pseudonym.key is not the key this database was started with: copy pseudonym.key from "
            "a host already running into this data directory (docs/deploy.md)"
        )
