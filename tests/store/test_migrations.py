"""Upgrading in place: a backup first, data intact, version recorded."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from peewee import Database, TextField
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_ops

from caseload.store import migrations
from caseload.store.db import DatabaseError
from caseload.store.models import Client, Counselor, database


def _add_column(db: Database) -> None:
    migrator = SchemaMigrator.from_database(db)
    run_ops(migrator.add_column("client", "pronouns", TextField(default="")))


def _broken(db: Database) -> None:
    db.execute_sql("ALTER TABLE client ADD COLUMN half_done TEXT")
    raise RuntimeError("simulated failure in the middle of an upgrade")


def _seed() -> None:
    counselor = Counselor.create(login="t", display_name="T", created_at=datetime.now(UTC))
    Client.create(display_name="Kept Safe", record_number="R1", intake_date=date(2026, 1, 5),
                  counselor=counselor, created_at=datetime.now(UTC))


@pytest.mark.sqlite_only
def test_upgrade_takes_a_private_backup_and_keeps_data(db_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _seed()
    current = migrations.CURRENT_VERSION
    monkeypatch.setattr(migrations, "MIGRATIONS",
                        [*migrations.MIGRATIONS, ("add pronouns", _add_column)])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    done = migrations.migrate(database.obj)
    assert done[-1] == f"schema {current + 1}: add pronouns"
    backups = list(db_path.parent.glob(f"caseload.db.v{current}-*.bak"))
    assert len(backups) == 1 and stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT display_name FROM client").fetchall() == [("Kept Safe",)]
        assert "pronouns" not in [r[1] for r in old.execute("PRAGMA table_info(client)")]
    row = database.execute_sql("SELECT display_name, pronouns FROM client").fetchall()
    assert row == [("Kept Safe", "")]
    assert migrations.schema_version(database.obj) == current + 1


def test_a_failed_upgrade_changes_nothing(db_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _seed()
    current = migrations.CURRENT_VERSION
    monkeypatch.setattr(migrations, "MIGRATIONS",
                        [*migrations.MIGRATIONS, ("broken", _broken)])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    with pytest.raises(RuntimeError):
        migrations.migrate(database.obj)
    assert migrations.schema_version(database.obj) == current
    columns = [c.name for c in database.obj.get_columns("client")]
    assert "half_done" not in columns
    assert Client.select().count() == 1


def test_version_check_message(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "CURRENT_VERSION", 0)
    with pytest.raises(DatabaseError, match="newer Caseload"):
        migrations.migrate(database.obj)


@pytest.mark.parametrize(("before", "ids"), [
    ('{"future_occurrences": [4, 9, "x"]}', [4, 9]), (None, []), ("", []), ("null", []),
    ("[1, 2]", []), ("{not json", []), ('{"future_occurrences": 7}', [])])
def test_an_odd_series_removal_entry_never_stops_the_id_upgrade(before: object,
                                                                 ids: list[int]) -> None:
    from caseload.store.migrations import _future_occurrences

    assert _future_occurrences(before) == ids
