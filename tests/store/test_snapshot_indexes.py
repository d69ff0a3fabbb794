"""Schema 2: the snapshot's indexes, added in place to a database of schema 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseload.store import migrations
from caseload.store.models import SNAPSHOT_INDEXES, SchemaVersion, database

NEW = {index._name for _model, index in SNAPSHOT_INDEXES}


def _indexes() -> set[str]:
    return {i.name for table in ("appointment", "commitment", "checkin")
            for i in database.obj.get_indexes(table)}


def test_a_new_database_has_them(db_path: Path) -> None:
    assert NEW <= _indexes()
    assert "appointment_client_id_starts_at" not in _indexes()
    assert migrations.schema_version(database.obj) == migrations.CURRENT_VERSION >= 2


@pytest.mark.sqlite_only
def test_upgrading_schema_1_adds_them_and_drops_what_they_replace(db_path: Path) -> None:
    db = database.obj
    for name in NEW:  # back to schema 1's indexes
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql('CREATE INDEX "appointment_client_id" ON "appointment" ("client_id")')
    db.execute_sql('CREATE INDEX "appointment_client_id_starts_at" ON "appointment" '
                   '("client_id", "starts_at")')
    SchemaVersion.delete().where(SchemaVersion.version >= 2).execute()
    assert migrations.schema_version(db) == 1
    done = migrations.migrate(db)
    assert "schema 2: indexes for reading a caseload's window" in done
    assert any(d.startswith("backed up to") for d in done)
    found = _indexes()
    assert NEW <= found
    assert not {"appointment_client_id", "appointment_client_id_starts_at"} & found
    assert migrations.migrate(db) == []


@pytest.mark.sqlite_only
def test_upgrading_schema_3_puts_the_version_in_the_window_index(db_path: Path) -> None:
    """Schema 4: the snapshot reads each appointment's version, still from the index alone."""
    db = database.obj
    db.execute_sql('DROP INDEX "appointment_window"')
    db.execute_sql('CREATE INDEX "appointment_window" ON "appointment" ("client_id", '
                   '"starts_at", "ends_at", "outcome", "client_late_min", '
                   '"counselor_late_min", "requested_by", "cancelled_at", "series_id")')
    SchemaVersion.delete().where(SchemaVersion.version >= 4).execute()
    assert migrations.schema_version(db) == 3
    done = migrations.migrate(db)
    assert "schema 4: the appointment window index holds the version" in done
    (window,) = [i for i in db.get_indexes("appointment") if i.name == "appointment_window"]
    assert window.columns[-1] == "version"
    assert migrations.migrate(db) == []
