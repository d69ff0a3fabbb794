"""Backups and restores of the SQLite database, consistent while the app is open elsewhere.

Copies go through SQLite's online backup API in a single step: the copy is one snapshot of the
database (a write committed by another process during the copy is either wholly in it or wholly
not), and writers are never blocked, because the database is in WAL mode. A copy is written to a
temporary owner-only file, switched to a self-contained rollback journal, checked with
`PRAGMA integrity_check`, and only then renamed into place.

A restore checks the file first (a SQLite database, intact, with a Caseload schema this version
can open) and touches nothing if it is not one; it then keeps a copy of the current database
beside it (`caseload.db.before-restore-<stamp>`) and copies the backup into the live database,
again through the backup API, so a process that has the database open sees the restored data
instead of writing on into a file that was swapped away under it.

An encrypted (SQLCipher) database is read with its passphrase and its backups are encrypted with
the same one: a backup never holds the records in the clear.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from caseload.io.files import private_dir, temporary_beside
from caseload.store.db import DatabaseError, private_umask
from caseload.store.migrations import CURRENT_VERSION

DAILY_PREFIX = "caseload-daily-"
_DAILY = re.escape(DAILY_PREFIX) + r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.db"  # compiled at first use
_SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0


class BackupError(DatabaseError):
    """A backup or restore that could not be done; the message says why."""


class DatabaseInfo(msgspec.Struct, frozen=True, gc=False):
    """What a Caseload database file holds, for the restore confirmation."""

    path: Path
    schema_version: int
    clients: int
    appointments: int
    audit_events: int


def backup_folder(db_path: Path, configured: Path | None = None) -> Path:
    """Where backups go: the configured folder, else `backups/` beside the database."""
    return configured.expanduser() if configured is not None else db_path.parent / "backups"


def errors() -> tuple[type[Exception], ...]:
    """The DB-API errors of SQLite and of SQLCipher (a separate copy of the library)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    return (sqlite3.Error, sqlcipher.Error)


@contextmanager
def connect(path: Path, passphrase: str | None = None) -> Iterator[Any]:
    """A DB-API connection to a SQLite file; through SQLCipher, keyed, given a passphrase."""
    if passphrase is None:
        connection: Any = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    else:
        from sqlcipher3 import dbapi2 as sqlcipher

        from caseload.store.cipher import quiet_stderr

        with quiet_stderr():
            connection = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_S)
            connection.execute("PRAGMA cipher_log_level = NONE")
            connection.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
    try:
        yield connection
    finally:
        connection.close()


def _refusal(path: Path, exc: Exception, passphrase: str | None) -> str:
    if passphrase is not None and "not a database" in str(exc):
        from caseload.store.cipher import wrong_key_message

        return wrong_key_message(path)
    return f"Cannot read {path}: {exc}."


def _integrity(connection: Any) -> list[str]:
    """The problems `PRAGMA integrity_check` finds (empty when the file is intact)."""
    rows = [str(r[0]) for r in connection.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def backup_to(source: Path, target: Path, passphrase: str | None = None) -> Path:
    """Copy the database at `source` to `target` (owner-only, checked); return `target`.

    With `passphrase` the source is a SQLCipher database and the copy is encrypted with it too.
    """
    source, target = source.expanduser(), target.expanduser()
    if not source.is_file():
        raise BackupError(f"No database at {source}.")
    if target.resolve() == source.resolve():
        raise BackupError("The backup would overwrite the database itself; choose another file.")
    temp = temporary_beside(target)
    try:
        with connect(source, passphrase) as src, connect(temp, passphrase) as dst:
            src.backup(dst)  # pages=-1: one step, one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = _integrity(dst)
        if problems:
            raise BackupError(f"The copy of {source} fails its integrity check ({problems[0]}); "
                              "run `caseload doctor`.")
        temp.replace(target)
    except errors() as exc:
        temp.unlink(missing_ok=True)
        raise BackupError(_refusal(source, exc, passphrase)) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def daily_backup(db_path: Path, today: date, keep: int = 14, folder: Path | None = None,
                 passphrase: str | None = None) -> Path | None:
    """Back up the database once per day and keep the newest `keep` daily copies.

    Returns the new backup, or None when today's exists already, `keep` is 0 (off) or there is
    no database yet.
    """
    if keep <= 0 or not db_path.is_file():
        return None
    where = private_dir(backup_folder(db_path, folder))
    target = where / f"{DAILY_PREFIX}{today.isoformat()}.db"
    if target.exists():
        return None
    backup_to(db_path, target, passphrase)
    for old in sorted(p for p in where.iterdir() if re.fullmatch(_DAILY, p.name))[:-keep]:
        old.unlink()
    return target


def inspect(path: Path, passphrase: str | None = None) -> DatabaseInfo:
    """Check that `path` is an intact Caseload database this version can open, and describe it."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupError(f"No file at {path}.")
    with open(path, "rb") as fh:
        plain = fh.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    if passphrase is None and not plain:
        raise BackupError(f"{path} is not a SQLite database (if it is encrypted, add "
                          "--encrypted).")
    try:
        with connect(path, passphrase) as connection:
            problems = _integrity(connection)
            if problems:
                raise BackupError(f"{path} is damaged ({problems[0]}); nothing was changed.")
            tables = {r[0] for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"schema_version", "client", "appointment", "audit_event"} <= tables:
                raise BackupError(f"{path} is not a Caseload database.")
            version = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            counts = [connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("client", "appointment", "audit_event")]
    except errors() as exc:
        raise BackupError(_refusal(path, exc, passphrase)) from None
    if not version or version > CURRENT_VERSION:
        raise BackupError(f"{path} has schema version {version}; this Caseload reads 1 to "
                          f"{CURRENT_VERSION}. Nothing was changed.")
    return DatabaseInfo(path, int(version), *counts)


def restore(backup: Path, db_path: Path, stamp: str,
            passphrase: str | None = None) -> Path | None:
    """Replace the database at `db_path` with `backup`; return where the old one was kept.

    Call `inspect(backup)` first (and ask the counselor); this checks again, since the file may
    have changed meanwhile.
    """
    inspect(backup, passphrase)
    db_path = db_path.expanduser()
    aside = None
    if db_path.exists():
        aside = backup_to(db_path, db_path.with_name(f"{db_path.name}.before-restore-{stamp}"),
                          passphrase)
    else:
        private_dir(db_path.parent)
        with private_umask():
            db_path.touch(mode=0o600)
    try:
        with connect(backup, passphrase) as src, connect(db_path, passphrase) as dst:
            src.backup(dst)
            problems = _integrity(dst)
    except errors() as exc:
        raise BackupError(f"The restore failed ({exc}); the previous database is kept as "
                          f"{aside}.") from None
    db_path.chmod(0o600)
    if problems:
        raise BackupError(f"The restored database fails its integrity check ({problems[0]}); "
                          f"the previous database is kept as {aside}.")
    return aside
