"""Reporter pseudonyms: keyed HMAC-SHA256 of the Discord user id, so no reporter id is ever stored.

The key lives in the data directory (mode 0600), never in the database: a copy of the database alone
cannot be used to test whether a given person reported. Pseudonyms are per community, so two
communities cannot link the same reporter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from .private_files import FILE_MODE, make_private, private_dir

KEY_FILE = "pseudonym.key"
KEY_BYTES = 32
log = logging.getLogger(__name__)


def report_mark(report_id: int, pseudonym: str) -> str:
    """What /forget-me leaves of a report's pseudonym, so a moderator who reported still cannot confirm it.

    Salted by the report id, marks of one person's reports differ from each other and from the
    pseudonym, so they link no reports together; and the pseudonym needs the key, so only someone who
    holds it and a suspect's Discord id can test a mark.
    """
    return hashlib.sha256(f"{report_id}:{pseudonym}".encode()).hexdigest()


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key needs at least 16 bytes")
        self._key = key

    def __call__(self, community: int, user_id: int) -> str:
        mac = hmac.new(self._key, f"{community}:{user_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()  # 144 bits, 24 characters

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> Pseudonymizer:
        return cls(load_or_create_key(data_dir / KEY_FILE))

    def __repr__(self) -> str:  # never print the key
        return "Pseudonymizer(<key>)"


def load_or_create_key(path: Path) -> bytes:
    """Read the key, or create it (first start) readable by its owner only."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("pseudonym key %s was readable by others (mode %o): made 0600", path, mode)
            make_private(path)
        key = path.read_bytes()
        if len(key) < 16:
            raise ValueError(f"pseudonym key {path} is too short; restore it from your backup") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    os.fchmod(fd, FILE_MODE)  # O_CREAT's mode passes through the umask, which may take the owner's bits
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    log.info("created a new pseudonym key at %s: back it up with the database", path)
    return key
