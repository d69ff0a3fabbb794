"""Opening the database: where it lives, its pragmas, its permissions.

The default is one SQLite file per counselor under the user's data folder, created owner-only
(folder 0700, file 0600) with WAL, foreign keys, a busy timeout and synchronous=FULL, so a
committed write survives a crash or a power cut. A clinic database is given as a URL
(`--database-url` or CASELOAD_DATABASE_URL): `postgresql://` URLs are opened with psycopg 3
(libpq reads the URL itself, so peer authentication over the local socket, passwords, `?host=`,
`sslmode` and the rest work as in psql); other URLs go through `playhouse.db_url`.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from peewee import (
    Database,
    Model,
    ModelSelect,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)

from caseload.drivers import enable_psycopg
from caseload.store.models import database

SQLITE_PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": 2,  # FULL
    "cache_size": -1_000,  # KiB per connection (half SQLite's default): see below
    "temp_store": 2,  # MEMORY: large sorts never spill client data into temporary files
}
# Each thread has its own connection (Peewee), so the app's workers each keep a page cache: with
# 16 MB each, reading a thousand clients' year filled 14 MB more than with 2 MB, and 1 MB
# more than with 1 MB, for no speed (the file's pages stay in the system's cache: the clinic's
# year read in 489-501 ms with 1 MB against 552-558 ms with 2 MB; issue 7: ≤ 80 MiB with every
# client listed). A bulk write (`bulk_write_cache`) takes a larger cache for its transaction.
BULK_CACHE_KIB = 16_000
# Every transaction on SQLite begins with BEGIN IMMEDIATE, taking the write lock at once (and
# waiting up to busy_timeout for it). A service reads, checks, then writes in one transaction; begun
# DEFERRED, its read would pin a snapshot, and once another session committed, upgrading to a
# write fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT: waiting cannot help).
# Readers never wait for this lock (WAL), so only writers queue, briefly: each write is short.
# tests/reliability/test_concurrent_sessions.py shows the failure without it.
LOCK_TYPE = "IMMEDIATE"


# A database this process cannot write (a read-only file, folder or file system) is opened
# read-only: no journal-mode change (a write), and SQLite refuses every write as well.
READ_ONLY_PRAGMAS: dict[str, object] = {
    **{k: v for k, v in SQLITE_PRAGMAS.items() if k not in ("journal_mode", "synchronous")},
    "query_only": 1,
}

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
Q = TypeVar("Q", bound="ModelSelect[Any]")


class DatabaseError(Exception):
    """The database cannot be opened or used; the message says what to do."""


class ReadOnlySqliteDatabase(SqliteDatabase):
    """A SQLite file opened read-only; `reason` says why, for the banner and refusals."""

    reason: str = "the database is read-only"

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        """SQLite's refusal of a write becomes one clear line (a `DatabaseError`)."""
        try:
            return super().execute_sql(sql, params)
        except OperationalError as exc:
            name = str(getattr(getattr(exc, "orig", exc), "sqlite_errorname", ""))
            if name.startswith("SQLITE_READONLY"):
                raise DatabaseError(f"Read-only: {self.reason}; nothing was saved.") from exc
            raise


class Location(msgspec.Struct, frozen=True, gc=False):
    """Where a database is: a SQLite path or a URL; a passphrase for an encrypted file.

    A frozen struct, not a dataclass: it is made at every start, and a dataclass costs ≈ 1 ms
    to define (issue 7: cold start). The passphrase is never shown and never compared.
    """

    path: Path | None = None
    url: str | None = None
    passphrase: str | None = None  # set for a SQLCipher file (store.cipher)

    def __repr__(self) -> str:  # a URL's password is hidden too (`describe`)
        url = None if self.url is None else _redact(self.url)
        return f"Location(path={self.path!r}, url={url!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (self.path, self.url) == (other.path, other.url)

    def __hash__(self) -> int:
        return hash((self.path, self.url))

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None or (self.url or "").startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.path is None and (self.url or "").startswith(POSTGRES_SCHEMES)

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        return _redact(self.url or "")


def _redact(url: str) -> str:
    """Hide a password in a database URL (user:password@ or ?password=) before it is shown."""
    url = re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if "/" in creds:  # an '@' after the host, e.g. in the query: no credentials part
            return url
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def default_path() -> Path:
    """The counselor's own database: <user data dir>/caseload/caseload.db."""
    import platformdirs

    return platformdirs.user_data_path("caseload") / "caseload.db"


@contextmanager
def private_umask() -> Iterator[None]:
    """Create files owner-only from the start, rather than fixing permissions afterwards."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def ensure_private_file(path: Path) -> None:
    """Create the folder (0700) and file (0600) if missing; refuse a file others can read."""
    with private_umask():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    check_permissions(path)


def check_permissions(path: Path) -> None:
    """Refuse a database file (or its WAL and shared-memory files) others could read or change.

    SQLite gives the -wal and -shm files the database file's own mode, so a private database
    keeps them private; one left readable (copied in, or made by another tool) is refused too.
    """
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file is not path and not file.exists():
            continue
        mode = stat.S_IMODE(file.stat().st_mode)
        if mode & 0o077:
            raise DatabaseError(
                f"{file} can be read by other users (mode {mode:o}); "
                f"client records must be private. Fix it with: chmod 600 '{file}'")


def read_only_reason(path: Path) -> str | None:
    """Why this process cannot write the SQLite file at `path`; None when it can.

    SQLite writes the file and, in WAL mode, a -wal and a -shm file beside it, so a folder
    that cannot take new files makes the database read-only too (unless both exist already).
    """
    if not os.access(path, os.W_OK):
        return "the database file is read-only"
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    if not os.access(path.parent, os.W_OK | os.X_OK) and not all(
            os.access(c, os.W_OK) for c in companions):
        return "the database's folder is read-only"
    return None


def _read_only_uri(path: Path) -> str:
    """The URI that opens `path` read-only.

    Read-only WAL needs the -shm file, which SQLite creates if it may. In a read-only folder
    without one, a file with no -wal beside it (every change in the file itself: a clean
    shutdown) is opened as immutable; a -wal that was never written back cannot be read without
    the -shm, so that is refused rather than shown without the changes it holds.
    """
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    params = "mode=ro"
    if not shm.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
        if wal.exists() and wal.stat().st_size > 0:
            raise DatabaseError(
                f"{path} is read-only, in a read-only folder, and its latest changes are still "
                f"in {wal.name}: open it once where the folder can be written.")
        params = "immutable=1"
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{params}"


def current_read_only_reason() -> str | None:
    """Why the open database is read-only (a SQLite file this process cannot write), or None."""
    db = database.obj
    return db.reason if isinstance(db, ReadOnlySqliteDatabase) else None


def postgres_database(url: str) -> PostgresqlDatabase:
    """A PostgreSQL database for a `postgresql://` URL, always through psycopg 3.

    The whole URL goes to libpq as the connection string (peewee passes it on as `conninfo`).
    `prefer_psycopg3` matters when psycopg2 happens to be installed too.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    enable_psycopg()  # deferred at start-up (caseload.drivers)
    return PostgresqlDatabase(url, prefer_psycopg3=True)


def _disk_full(path: Path) -> bool:
    """Whether the file system holding `path` has (next to) no room left."""
    try:
        return shutil.disk_usage(path.expanduser().parent).free < 64 * 1024
    except OSError:
        return False


def _connect_hint(location: Location, exc: Exception) -> str:
    """One line saying why a database cannot be opened or reached, and what usually fixes it."""
    name = str(getattr(getattr(exc, "orig", exc), "sqlite_errorname", "") or "")
    if (location.path is not None and name.startswith(("SQLITE_IOERR", "SQLITE_FULL"))
            and _disk_full(location.path)):
        # Opening a WAL database needs room for its -shm file beside it.
        return "the disk is full. Free some space, then try again."
    text = " ".join(str(exc).split())
    if "Peer authentication failed" in text:
        return (f"{text}. Connect as your own login: ask the administrator to run "
                "`caseload clinic add-counselor <your login>`.")
    if "does not exist" in text and "database" in text:
        return f"{text}. Ask the administrator to create it (README: Clinic setup)."
    return text


def refusal(exc: BaseException) -> str:
    """What a database error means, in one line that never quotes the values involved.

    Driver messages quote values ("Key (record_number)=(CL-1042) already exists"), so they must
    not reach the terminal or a log; the class of the error and its SQLSTATE say enough.
    """
    from peewee import IntegrityError

    orig = getattr(exc, "orig", exc)
    cause = exc.__context__
    if cause is not None and any(text in str(orig) for text in (
            "no transaction is active", "no such savepoint")):
        # SQLite rolls a transaction back by itself after a full disk or an I/O error; the
        # ROLLBACK that follows then fails, hiding the error it was cleaning up after.
        return refusal(cause)
    state = str(getattr(orig, "sqlstate", "") or "")
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    if name == "SQLITE_FULL" or state == "53100":
        return ("The disk is full: this change was not saved; everything saved before is "
                "safe. Free some space, then try again.")
    if name.startswith("SQLITE_READONLY") or state == "25006":
        return "The database is read-only here: nothing was saved."
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return ("The database was busy (another session was saving) for too long; nothing "
                "was saved. Try again.")
    if name.startswith("SQLITE_IOERR") or state.startswith("58"):
        return ("The disk reported an error while saving: nothing was saved. Check the disk, "
                "then run `caseload doctor`.")
    if state == "42501":
        return ("The database refused: your role may not make this change (a supervisor "
                "only reads; a counselor changes only their own clients). Nothing was saved.")
    if isinstance(exc, IntegrityError) or state.startswith("23"):
        return ("The database refused a value that breaks one of its rules (a duplicate, a "
                "missing record or a value out of range). Nothing was saved.")
    if isinstance(exc, OperationalError) or state.startswith("08"):
        return "The database could not be reached, or was busy; nothing was saved. Try again."
    return f"The database refused the operation ({type(exc).__name__}); nothing was saved."


def open_database(location: Location, *, create: bool = True) -> Database:
    """Open (and bind the models to) the database at `location`."""
    if location.path is not None:
        path = location.path.expanduser()
        if not create and not path.exists():
            raise DatabaseError(f"No database at {path}.")
        try:
            ensure_private_file(path)
        except PermissionError as exc:
            raise DatabaseError(f"Cannot open {path}: permission denied.") from exc
        except OSError as exc:  # a read-only file system, a full disk
            raise DatabaseError(f"Cannot create {path}: {exc.strerror}.") from exc
        from caseload.store import cipher

        if location.passphrase is not None:
            db: Database = cipher.open_encrypted(path, location.passphrase)
            database.initialize(db)
            cipher.connect_checked(db, path)
            return db
        if cipher.is_encrypted(path):
            raise DatabaseError(f"{path} is encrypted: open it with --encrypted "
                                "(or `encrypted = true` in the config file).")
        reason = read_only_reason(path)
        if reason is None:
            db = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False,
                                lock_type=LOCK_TYPE)
        else:
            db = ReadOnlySqliteDatabase(_read_only_uri(path), uri=True,
                                        pragmas=READ_ONLY_PRAGMAS, check_same_thread=False)
            db.reason = reason
    elif location.is_postgres:
        db = postgres_database(location.url or "")
    else:
        from playhouse import db_url  # other URL schemes are rare: not loaded at start-up

        url = location.url or ""
        if not url.startswith("sqlite"):
            enable_psycopg()
        try:
            db = db_url.connect(url, **({"lock_type": LOCK_TYPE} if url.startswith("sqlite")
                                        else {}))
        except Exception as exc:  # an unknown scheme or malformed URL
            raise DatabaseError(f"Cannot use database URL {_redact(url)}: {exc}") from exc
        if isinstance(db, SqliteDatabase):
            db.init(db.database, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    database.initialize(db)
    try:
        _connect(db)
    except Exception as exc:
        raise DatabaseError(f"Cannot open the database {location.describe()}: "
                            f"{_connect_hint(location, exc)}") from exc
    return db


def _connect(db: Database, attempts: int = 50) -> None:
    """Connect; on SQLite, try again while the file is locked.

    Switching a new file to WAL (the first start, in two terminals at once) does not wait for the
    busy timeout: it fails at once with "database is locked" while another connection does it.
    """
    for attempt in range(attempts):
        try:
            db.connect(reuse_if_open=True)
            return
        except Exception as exc:
            if (not isinstance(db, SqliteDatabase) or "locked" not in str(exc)
                    or attempt == attempts - 1):
                raise
            time.sleep(0.05)


def close_database() -> None:
    """Close the current connection, if any (and forget what was read through it)."""
    from caseload.store import cache

    cache.clear()
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


@contextmanager
def bulk_write_cache() -> Iterator[None]:
    """A larger page cache on this thread's connection while one bulk write runs (SQLite).

    Hundreds of thousands of rows inserted in one transaction keep their indexes' pages
    dirty: with the app's 1 MB the cache spilled them to the log before the commit (the
    clinic's generation took 8.9 s against 8.0 s with 2 MB). The app's size comes back after.
    """
    if not is_sqlite():
        yield
        return
    database.execute_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {SQLITE_PRAGMAS['cache_size']}")


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def locked(query: Q, *of: type[Model]) -> Q:
    """`query` locking the rows it reads (of the models `of`) until the transaction ends.

    For the read of a read-check-write transaction: on PostgreSQL (read committed) another
    session could otherwise change the row between the read and the write, and one of the two
    changes would be lost. SQLite needs nothing: its write transactions run one at a time
    (LOCK_TYPE).
    """
    return query.for_update(of=of or None) if is_postgres() else query
