"""Schema versions and in-place upgrades.

Every database records its schema version in `schema_version`. Opening an older database
upgrades it in place, in one transaction, after taking a backup copy (SQLite) next to it.
A database written by a newer Caseload is refused rather than touched.

To change the schema: add a function to MIGRATIONS that takes the database from version N-1 to
N (using playhouse.migrate operations or portable SQL), and keep models.py describing version N.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from peewee import Database, SqliteDatabase

from caseload.store.db import DatabaseError, private_umask
from caseload.store.models import MODELS, SNAPSHOT_INDEXES, SchemaVersion
from caseload.store.postgres import protect_audit


def _create_v1(db: Database) -> None:
    db.create_tables(MODELS, safe=True)
    _protect_audit(db)


def _future_occurrences(before: object) -> list[int]:
    """The appointment ids a series removal's audit entry names (none if it names none, or is
    not the JSON object it should be: an upgrade never stops on an odd audit entry)."""
    try:
        data = json.loads(str(before)) if before else {}
    except ValueError:
        return []
    ids = data.get("future_occurrences", []) if isinstance(data, dict) else []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _protect_audit(db: Database) -> None:
    """Make the audit trail append-only in the database itself."""
    if isinstance(db, SqliteDatabase):
        for verb in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} "
                f"BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
    else:
        protect_audit(db)  # PostgreSQL: UPDATE, DELETE and TRUNCATE refused (store.postgres)


def _snapshot_indexes(db: Database) -> None:
    """The indexes of `models.SNAPSHOT_INDEXES`, replacing two they make redundant."""
    for _model, index in SNAPSHOT_INDEXES:  # CREATE INDEX IF NOT EXISTS: new databases have them
        db.execute_sql(*db.get_sql_context().sql(index).query())
    # (commitment_window: in this schema's first draft only; dropped again as useless.)
    for old in ("appointment_client_id_starts_at", "appointment_client_id", "commitment_window"):
        db.execute_sql(f'DROP INDEX IF EXISTS "{old}"')


def _never_reuse_appointment_ids(db: Database) -> None:
    """SQLite: rebuild `appointment` with an AUTOINCREMENT key (models.NeverReusedIdField).

    Future occurrences are deleted when a series ends or is split, and SQLite would give the
    highest deleted id to the next appointment, which would then inherit the deleted one's
    audit events. The table is rebuilt as SQLite's documentation prescribes for a change ALTER
    TABLE cannot make (foreign keys are off for the upgrade, see `migrate`), and its sequence
    starts past every id the audit trail has ever named. PostgreSQL's sequences never go back:
    nothing to do there, nor in a database created by this version.
    """
    if not isinstance(db, SqliteDatabase):
        return
    (table_sql,) = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'appointment'").fetchone()
    if "AUTOINCREMENT" not in table_sql.upper():
        key = '"id" INTEGER NOT NULL PRIMARY KEY'
        if not table_sql.startswith('CREATE TABLE "appointment" (') or key not in table_sql:
            raise DatabaseError("The appointment table is not as Caseload made it; the database "
                                "was not changed.")
        rebuilt = table_sql.replace('CREATE TABLE "appointment"',
                                    'CREATE TABLE "appointment__rebuilt"', 1)
        rebuilt = rebuilt.replace(key, key + " AUTOINCREMENT", 1)
        attached = [sql for (sql,) in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'appointment' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL")]
        # Dropping the old table with foreign keys on would act as a DELETE of every appointment
        # (clearing each commitment's and check-in's link to it): refuse rather than risk it.
        if db.execute_sql("PRAGMA foreign_keys").fetchone()[0]:
            raise DatabaseError("The upgrade needs foreign keys off and could not turn them off; "
                                "the database was not changed.")
        db.execute_sql(rebuilt)
        db.execute_sql('INSERT INTO "appointment__rebuilt" SELECT * FROM "appointment"')
        db.execute_sql('DROP TABLE "appointment"')
        db.execute_sql('ALTER TABLE "appointment__rebuilt" RENAME TO "appointment"')
        for sql in attached:
            db.execute_sql(sql)
    (audited,) = db.execute_sql(
        "SELECT max(entity_id) FROM audit_event WHERE entity = 'appointment'").fetchone()
    named = [audited or 0]
    for (before,) in db.execute_sql(
            "SELECT before FROM audit_event WHERE action = 'remove_series'"):
        named.extend(_future_occurrences(before))
    highest = max(named)
    if highest:
        db.execute_sql("DELETE FROM sqlite_sequence WHERE name = 'appointment' AND seq < ?",
                       (highest,))
        db.execute_sql("INSERT INTO sqlite_sequence (name, seq) SELECT 'appointment', ? "
                       "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence "
                       "WHERE name = 'appointment')", (highest,))


def _window_index_with_version(db: Database) -> None:
    """`appointment_window` made again with `version` (models.SNAPSHOT_INDEXES), so the snapshot,
    which now reads each appointment's version for the screens, still reads from the index alone.
    """
    window = next(index for _model, index in SNAPSHOT_INDEXES
                  if index._name == "appointment_window")
    db.execute_sql('DROP INDEX IF EXISTS "appointment_window"')
    db.execute_sql(*db.get_sql_context().sql(window).query())


# MIGRATIONS[i] brings a database to version i + 1.
MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("initial schema", _create_v1),
    ("indexes for reading a caseload's window", _snapshot_indexes),
    ("appointment ids never reused", _never_reuse_appointment_ids),
    ("the appointment window index holds the version", _window_index_with_version),
]
CURRENT_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The version recorded in the database; 0 for an empty database."""
    # One read of the table list (not "does schema_version exist?", then "any tables?"): another
    # session creating the schema in between would make the two answers disagree.
    tables = [t for t in db.get_tables() if not t.startswith("sqlite_")]
    if SchemaVersion._meta.table_name not in tables:
        if tables:
            raise DatabaseError(
                "This database has tables but no Caseload schema version; "
                "it does not look like a Caseload database.")
        return 0
    row = SchemaVersion.select(SchemaVersion.version).order_by(
        SchemaVersion.version.desc()).first()
    return row.version if row else 0


def require_current(db: Database) -> None:
    """Refuse a clinic database whose schema is missing or not this version's.

    Counselors never change a clinic database's schema: its administrator creates and upgrades
    it (with its roles and policies) by running `caseload clinic init`.
    """
    version = schema_version(db)
    if version == 0:
        raise DatabaseError("This clinic database is not set up yet: its administrator runs "
                            "`caseload clinic init` (README: Clinic setup).")
    if version < CURRENT_VERSION:
        raise DatabaseError(
            f"This clinic database has schema {version}; this Caseload needs "
            f"{CURRENT_VERSION}. Its administrator upgrades it with `caseload clinic init`.")
    if version > CURRENT_VERSION:
        migrate(db)  # refuses, with the message about a newer Caseload


def backup_before_upgrade(db: Database, version: int) -> Path | None:
    """Copy a SQLite database aside (consistently, with the online backup API)."""
    if not isinstance(db, SqliteDatabase) or db.database == ":memory:":
        return None
    source = Path(db.database)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.v{version}-{stamp}.bak")
    with private_umask():
        dest = sqlite3.connect(str(target))
        try:
            db.connection().backup(dest)
        finally:
            dest.close()
    shutil.copymode(source, target)
    return target


def migrate(db: Database) -> list[str]:
    """Bring the schema up to date; return what was done (empty when already current)."""
    version = schema_version(db)
    if version > CURRENT_VERSION:
        raise DatabaseError(
            f"This database was written by a newer Caseload (schema {version}; this version "
            f"knows up to {CURRENT_VERSION}). Upgrade Caseload; the database was not changed.")
    if version == CURRENT_VERSION:
        return []
    done: list[str] = []
    if version > 0:
        backup = backup_before_upgrade(db, version)
        if backup is not None:
            done.append(f"backed up to {backup}")
    sqlite = isinstance(db, SqliteDatabase)
    if sqlite:  # a table rebuild must not cascade; SQLite ignores this inside a transaction
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            # Another session may have upgraded it meanwhile (two terminals opened at once); on
            # SQLite the write lock is held from here (BEGIN IMMEDIATE), so this answer stands.
            version = schema_version(db)
            for number in range(version + 1, CURRENT_VERSION + 1):
                note, step = MIGRATIONS[number - 1]
                step(db)
                SchemaVersion.create(version=number, applied_at=datetime.now(UTC), note=note)
                done.append(f"schema {number}: {note}")
            if sqlite and db.execute_sql("PRAGMA foreign_key_check").fetchone() is not None:
                raise DatabaseError("The upgrade would break links between records; the "
                                    "database was not changed.")
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return done
