"""Encryption at rest with SQLCipher (`sqlcipher3`, `playhouse.sqlcipher_ext`).

An encrypted database is the same SQLite schema in a file that is unreadable without its
passphrase. SQLCipher reports a wrong key as "file is not a database", and logs decryption
failures to stderr on its own; both are turned into one clear line here, and its log is switched
off (and fd 2 silenced while a database is opened) so that nothing garbles the terminal.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from peewee import Database
from peewee import DatabaseError as PeeweeDatabaseError

from caseload.store.db import (
    LOCK_TYPE,
    SQLITE_PRAGMAS,
    DatabaseError,
    check_permissions,
    private_umask,
)

PLAIN_HEADER = b"SQLite format 3\x00"
# First, so that a wrong key's decryption errors are not logged (SQLCipher >= 4.5.4).
CIPHER_PRAGMAS: dict[str, object] = {"cipher_log_level": "NONE", **SQLITE_PRAGMAS}


def is_plain_sqlite(path: Path) -> bool:
    """True for an unencrypted SQLite file (an encrypted one has no readable header).

    Call it before this process connects to `path`, never while connected: closing the file
    here drops the POSIX locks SQLite holds on it for this process (see caseload/cli.py).
    """
    with open(path, "rb") as fh:
        return fh.read(16) == PLAIN_HEADER


def is_encrypted(path: Path) -> bool:
    """True for a non-empty file that is not plain SQLite (what SQLCipher writes)."""
    return path.exists() and path.stat().st_size > 0 and not is_plain_sqlite(path)


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment: C libraries write there directly."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def wrong_key_message(path: Path) -> str:
    return (f"Cannot open {path}: wrong passphrase, or the file is not an encrypted Caseload "
            "database.")


def open_encrypted(path: Path, passphrase: str) -> Database:
    """An SQLCipher database for `path`, with the usual pragmas; not yet connected."""
    from playhouse.sqlcipher_ext import SqlCipherDatabase

    if not passphrase:
        raise DatabaseError("An encrypted database needs a passphrase.")
    return SqlCipherDatabase(str(path), passphrase=passphrase, pragmas=CIPHER_PRAGMAS,
                             check_same_thread=False, lock_type=LOCK_TYPE)


def connect_checked(db: Database, path: Path) -> None:
    """Connect and read the schema: a wrong passphrase fails here, as one line, in silence."""
    try:
        with quiet_stderr():
            db.connect(reuse_if_open=True)
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except PeeweeDatabaseError as exc:
        with suppress(Exception):
            db.close()
        if "not a database" in str(exc) or "encrypt" in str(exc):
            raise DatabaseError(wrong_key_message(path)) from exc
        raise


class EncryptResult(msgspec.Struct, frozen=True):
    path: Path
    tables: int
    rows: int
    steps: tuple[str, ...]


def _counts(conn: Any) -> dict[str, int]:
    """Rows per table (sqlite3 and sqlcipher3 connections alike)."""
    cursor = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")
    names = [r[0] for r in cursor.fetchall()]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def encrypt_file(path: Path, passphrase: str) -> EncryptResult:
    """Encrypt a plain SQLite database in place, keeping the plain file until the result checks.

    1. export everything into a new owner-only file with `sqlcipher_export`;
    2. open the new file with the passphrase and compare every table's row count and
       SQLCipher's integrity check;
    3. keep the plain file aside, move the encrypted one into its place, and check again;
    4. only then delete the plain copy. Any failure leaves the original where it was.
    """
    from sqlcipher3 import dbapi2 as sqlcipher

    if not passphrase:
        raise DatabaseError("Encryption needs a passphrase.")
    if not path.exists():
        raise DatabaseError(f"No database at {path}.")
    check_permissions(path)
    if not is_plain_sqlite(path):
        raise DatabaseError(f"{path} is already encrypted (or not a SQLite database).")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.encrypting")
    backup = path.with_name(f"{path.name}.plain-{stamp}")
    steps: list[str] = []
    for leftover in (target, target.with_name(target.name + "-journal")):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(str(path))
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        expected = _counts(source)
        version = source.execute("PRAGMA user_version").fetchone()[0]
    finally:
        source.close()
    with private_umask(), quiet_stderr():
        conn = sqlcipher.connect(str(path))
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"ATTACH DATABASE {_quote(str(target))} AS encrypted "
                         f"KEY {_quote(passphrase)}")
            conn.execute("SELECT sqlcipher_export('encrypted')")
            conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            conn.execute("DETACH DATABASE encrypted")
        finally:
            conn.close()
    steps.append(f"exported {len(expected)} tables into a new encrypted file")
    try:
        _verify(target, passphrase, expected)
        steps.append("the encrypted copy opens with the passphrase; every table's rows match")
        os.replace(path, backup)
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(target, path)
        steps.append(f"kept the plain file aside as {backup.name} while checking")
        _verify(path, passphrase, expected)
    except Exception:
        if backup.exists() and not path.exists():
            os.replace(backup, path)
        elif backup.exists():
            os.replace(path, target)
            os.replace(backup, path)
        target.unlink(missing_ok=True)
        raise
    backup.unlink()
    steps.append(f"{path.name} is encrypted and checked; deleted the plain copy")
    return EncryptResult(path, len(expected), sum(expected.values()), tuple(steps))


def _verify(path: Path, passphrase: str, expected: dict[str, int]) -> None:
    from sqlcipher3 import dbapi2 as sqlcipher

    if is_plain_sqlite(path):
        raise DatabaseError(f"{path} was not encrypted; nothing was changed.")
    with quiet_stderr():
        conn = sqlcipher.connect(str(path))
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = {_quote(passphrase)}")
            found = _counts(conn)
            problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check")]
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    if found != expected or problems or integrity != "ok":
        raise DatabaseError(f"The encrypted copy of {path.name} does not match the original; "
                            "the original was kept unchanged.")
