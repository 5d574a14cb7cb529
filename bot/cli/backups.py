"""`veraz backup`, `veraz restore` and `veraz copy-db` (from SQLite to PostgreSQL)."""

from __future__ import annotations

import sys
from pathlib import Path

import storage
from bot.cli.failures import CommandFailed
from bot.core.settings import Settings, SettingsError


def refuse_on_postgres(settings: Settings, command: str) -> None:
    """On PostgreSQL, backups are the database's own (pg_dump, the provider's point-in-time recovery)."""
    if settings.database_url:
        raise CommandFailed(f"{command}: {storage.POSTGRES_BACKUPS}")


async def backup(settings: Settings, target: Path, *, force: bool = False) -> int:
    refuse_on_postgres(settings, "backup")
    version = await storage.backup(settings.data_dir / storage.DATABASE_NAME, target, force=force)
    key = settings.data_dir / "pseudonym.key"
    print(f"backup written to {target} (schema version {version}). "
          f"Keep {key} safe too, separately: it is not in the backup.")  # fmt: skip
    return 0


def restore(settings: Settings, backup_file: Path) -> int:
    refuse_on_postgres(settings, "restore")
    with storage.DataDirLock(settings.data_dir):
        restored = storage.restore(backup_file, settings.data_dir / storage.DATABASE_NAME)
    kept = restored.kept
    print(f"restored {backup_file}" + (f"; the replaced database is kept at {kept}" if kept else ""))
    print(f"Queue cards and verifier requests posted after {restored.horizon:%Y-%m-%d %H:%M} UTC are "
          "orphaned: this database does not know them, and their incident numbers will be given "
          "again. `veraz run` marks them so when it starts, and their buttons do nothing; "
          "moderators use the current cards.")  # fmt: skip
    if restored.repurged:
        print(f"veraz restore: warning: the backup held the text of {restored.repurged} report(s) "
              "purged since it was made (retention or /forget-me). It is purged again in the restored "
              "database, but the backup file still holds it: delete or rotate old backups.",
              file=sys.stderr)  # fmt: skip
    if not restored.compared:
        print("veraz restore: warning: there was no database to compare with, so text purged or "
              "forgotten since the backup was made may be back; run `veraz purge` now.",
              file=sys.stderr)  # fmt: skip
    return 0


async def copy_db(settings: Settings, url: str) -> int:
    """SQLite to PostgreSQL, with the bot stopped (the data directory's lock is held meanwhile)."""
    if not storage.is_postgres(url):
        raise SettingsError("veraz copy-db --to needs a postgresql:// URL")
    with storage.DataDirLock(settings.data_dir):
        copied = await storage.copy_to_postgres(settings.data_dir, url)
    for table, count in copied.rows.items():
        print(f"{table}: {count}")
    print(f"copied {sum(copied.rows.values())} rows to {storage.redact(url)}, every table's count verified. "
          "Next: set VERAZ_DATABASE_URL and copy pseudonym.key to every host (docs/deploy.md)")  # fmt: skip
    return 0
