"""Caseload histories kept between reads while the SQLite database has not changed.

The screens read the same caseload again and again: the header and Today at start-up, every
screen when it is shown again, the review, and again after every save. A history once read is
handed out again until the database changes. Whether it has changed is asked of a connection kept
for that purpose only: SQLite's `PRAGMA data_version` on a connection changes whenever any other
connection commits (another worker thread's, another process's, the counselor's own saves), and
costs a few microseconds.

Only plain SQLite files are cached; on PostgreSQL and SQLCipher every read goes to the database.
Keys hold everything a read depends on (counselor, window start, statuses, client ids), so the
reads this module answers are exactly the reads it saw. While one thread reads a missing entry,
the others asking for it wait for that read instead of repeating it. The probe is one statement
(`PRAGMA data_version`, on its own connection) per read asked for.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from peewee import Database, SqliteDatabase

from caseload.store.models import database

T = TypeVar("T")
ENTRIES = 8  # a few counselors' windows, a client list and a review at most


class _Watcher:
    """The database's version, from a connection that never writes."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()

    def version(self) -> int:
        with self.lock:
            return int(self.connection.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self.lock:
            self.connection.close()


class _Cache:
    def __init__(self, db: Database, watcher: _Watcher) -> None:
        self.db = db
        self.watcher = watcher
        self.version = -1
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()  # held while reading a missing entry (see module doc)


_current: _Cache | None = None
_current_lock = threading.Lock()


def _cacheable(db: Database | None) -> bool:
    if type(db) is not SqliteDatabase:  # PostgreSQL, SQLCipher (a subclass), none open
        return False
    path = str(db.database)
    return bool(path) and path != ":memory:" and not path.startswith("file:")


def _cache_for(db: Database) -> _Cache:
    global _current
    with _current_lock:
        if _current is None or _current.db is not db:
            if _current is not None:
                _current.watcher.close()
            _current = _Cache(db, _Watcher(str(db.database)))
        return _current


def cached(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or what it returned for `key` if the database has not changed since."""
    db = database.obj
    if not _cacheable(db):
        return read()
    cache = _cache_for(db)
    with cache.lock:
        version = cache.watcher.version()
        if version != cache.version:
            cache.entries.clear()
            cache.version = version
        if key in cache.entries:
            cache.entries.move_to_end(key)
            return cache.entries[key]  # type: ignore[no-any-return]
        # Kept under the version seen before reading: a commit while reading changes the
        # version, so the next call reads again rather than trust a read it may have torn.
        value = cache.entries[key] = read()
        while len(cache.entries) > ENTRIES:
            cache.entries.popitem(last=False)
        return value


class Change:
    """What a write did to cached reads: `patch(value)` gives a cached value as it is now."""

    def __init__(self) -> None:
        self.patch: Callable[[Any], Any] | None = None


@contextmanager
def patching() -> Iterator[Change]:
    """Around one write transaction: afterwards, patch the cached reads rather than drop them.

    The body sets `change.patch`. It is applied only when the write was provably the only
    change: the cache was current when the write began, and `PRAGMA data_version` on the
    writing connection (which changes when any *other* connection commits) is the same after
    the commit as before the transaction, so no one else committed in between, not even while
    the cache's own version was read. Otherwise the cache is left to notice the change and read
    again. A write that fails patches nothing.
    """
    change = Change()
    db = database.obj
    if not _cacheable(db):
        yield change
        return
    cache = _cache_for(db)
    connection = db.connection()

    def own_version() -> int:
        return int(connection.execute("PRAGMA data_version").fetchone()[0])

    before = own_version()
    cached_before = cache.watcher.version()
    yield change
    cached_after = cache.watcher.version()
    if change.patch is None or own_version() != before:
        return
    with cache.lock:
        if cache.version != cached_before:
            return
        patch = change.patch
        for key in list(cache.entries):
            cache.entries[key] = patch(cache.entries[key])
        cache.version = cached_after


def clear() -> None:
    """Forget every cached read (and the watching connection)."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.watcher.close()
            _current = None
