"""On a shared machine: the SQLite database's companion files stay private too."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caseload.store.db import DatabaseError, Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.store.models import Counselor, database

pytestmark = pytest.mark.sqlite_only


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_wal_and_shared_memory_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask, as in a shell that did not set one
    try:
        path = tmp_path / "data" / "caseload.db"
        migrate(open_database(Location(path=path)))
        Counselor.create(login="t", display_name="T", created_at=datetime.now(UTC))
        wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
        assert wal.exists() and shm.exists()
        assert _mode(path) == _mode(wal) == _mode(shm) == 0o600
        assert _mode(path.parent) == 0o700
    finally:
        close_database()
        os.umask(old)


def test_a_readable_wal_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "caseload.db"
    migrate(open_database(Location(path=path)))
    close_database()
    wal = path.with_name("caseload.db-wal")
    wal.touch()
    wal.chmod(0o644)
    with pytest.raises(DatabaseError, match="chmod 600 .*caseload.db-wal"):
        open_database(Location(path=path))


def test_temporary_data_stays_in_memory(db_path: Path) -> None:
    assert database.execute_sql("PRAGMA temp_store").fetchone()[0] == 2
