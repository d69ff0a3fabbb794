"""Opening the database: pragmas, private files, migrations, constraints, append-only audit."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from peewee import IntegrityError

from caseload.store.db import (
    BULK_CACHE_KIB,
    DatabaseError,
    Location,
    bulk_write_cache,
    close_database,
    open_database,
)
from caseload.store.migrations import CURRENT_VERSION, migrate, schema_version
from caseload.store.models import (
    Appointment,
    AuditEvent,
    CheckIn,
    CheckInItem,
    Client,
    Commitment,
    Counselor,
    SchemaVersion,
    database,
)


@pytest.mark.sqlite_only
def test_pragmas_are_wal_foreign_keys_full_sync(db_path: Path) -> None:
    db = database.obj
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.sqlite_only
def test_a_bulk_write_has_a_larger_page_cache_then_the_apps_again(db_path: Path) -> None:
    """Each connection keeps 1 MB of pages (memory: one per thread); a bulk write 16 MB."""
    db = database.obj
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -1000
    with bulk_write_cache(), database.atomic():
        assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -BULK_CACHE_KIB
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -1000
    with pytest.raises(ZeroDivisionError), bulk_write_cache():
        1 / 0  # noqa: B018 - a failed write gives the app's size back too
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -1000


@pytest.mark.sqlite_only
def test_files_are_created_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask must not leak into the database's mode
    try:
        path = tmp_path / "new" / "caseload.db"
        migrate(open_database(Location(path=path)))
        close_database()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.sqlite_only
def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch()
    path.chmod(0o644)
    with pytest.raises(DatabaseError, match="chmod 600"):
        open_database(Location(path=path))


def test_database_is_not_bound_at_import() -> None:
    code = "import caseload.store.models as m, caseload.services.overview; print(m.database.obj)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "None"


def test_fresh_database_is_at_current_version(db_path: Path) -> None:
    assert schema_version(database.obj) == CURRENT_VERSION
    assert migrate(database.obj) == []


def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    SchemaVersion.create(version=CURRENT_VERSION + 1, applied_at=datetime.now(UTC))
    before = db_path.read_bytes() if db_path.exists() else None  # None on PostgreSQL
    with pytest.raises(DatabaseError, match="newer Caseload"):
        migrate(database.obj)
    assert SchemaVersion.select().count() == CURRENT_VERSION + 1
    assert (db_path.read_bytes() if db_path.exists() else None) == before


@pytest.mark.sqlite_only
def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    path.chmod(0o600)
    with pytest.raises(DatabaseError, match="does not look like a Caseload database"):
        migrate(open_database(Location(path=path)))


def _client() -> Client:
    c = Counselor.create(login="t", display_name="T", created_at=datetime.now(UTC))
    return Client.create(display_name="A B", record_number="R1", intake_date=date(2026, 1, 1),
                         counselor=c, created_at=datetime.now(UTC))


@pytest.mark.parametrize("sql", [
    "UPDATE appointment SET outcome = 'vanished'",
    "UPDATE client SET status = 'gone'",
    "UPDATE commitment SET owner = 'nobody'",
    "UPDATE commitment SET due = '2000-01-01'",
    "UPDATE commitment SET status = 'done'",
    "UPDATE checkin_item SET score = 11",
    "UPDATE checkin SET instrument = 'bdi'",
])
def test_database_checks_refuse_bad_values(db_path: Path, sql: str) -> None:
    client = _client()
    start = datetime(2026, 11, 2, 15, tzinfo=UTC)
    Appointment.insert(client=client.id, starts_at=start, ends_at=start.replace(hour=16)).execute()
    Commitment.create(client=client, owner="client", text="x", made_on=date(2026, 11, 1),
                      due=date(2026, 11, 5))
    ci = CheckIn.create(client=client, instrument="srs", taken_on=date(2026, 11, 2),
                        total=38, created_at=datetime.now(UTC))
    CheckInItem.create(checkin=ci, position=1, score=9.5)
    with pytest.raises(IntegrityError), database.atomic():
        database.execute_sql(sql)


def test_foreign_keys_are_enforced(db_path: Path) -> None:
    with pytest.raises(IntegrityError), database.atomic():
        Commitment.create(client=9999, owner="client", text="x", made_on=date(2026, 1, 1),
                          due=date(2026, 1, 2))


def test_audit_trail_is_append_only(db_path: Path) -> None:
    AuditEvent.create(at=datetime.now(UTC), actor="t", action="add", entity="client",
                      entity_id=1)
    for sql in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(IntegrityError, match="append-only"), database.atomic():
            database.execute_sql(sql)
    assert AuditEvent.select().count() == 1


def test_a_location_never_shows_or_compares_its_passphrase() -> None:
    secret = "correct horse battery staple"
    here = Location(path=Path("/srv/caseload.db"), passphrase=secret)
    assert secret not in repr(here) and secret not in str(here)
    assert "caseload.db" in repr(here)
    assert here == Location(path=Path("/srv/caseload.db"), passphrase="another one")
    assert hash(here) == hash(Location(path=Path("/srv/caseload.db")))
    assert here != Location(path=Path("/srv/other.db"), passphrase=secret)
    assert here != Location(url="sqlite:////srv/caseload.db")
    with pytest.raises(AttributeError):
        here.passphrase = None  # type: ignore[misc]
    clinic = Location(url="postgresql://dana:s3cret@db.clinic/caseload")
    assert "s3cret" not in repr(clinic) and "db.clinic" in repr(clinic)
