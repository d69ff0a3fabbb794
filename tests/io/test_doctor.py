"""`caseload doctor` on a healthy database and on a deliberately damaged copy."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.io import backup, doctor
from caseload.services import appointments, clients
from caseload.services.session import Session
from caseload.store.db import is_sqlite
from caseload.store.migrations import CURRENT_VERSION
from caseload.store.models import Commitment, database
from tests.conftest import NY

sqlite_file = pytest.mark.sqlite_only  # the CLI on a SQLite file, its PRAGMAs and permissions


def run_doctor(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(db), "doctor"])
    out = capsys.readouterr()
    return code, out.out, out.err


@sqlite_file
def test_a_healthy_database_passes_every_check(imported_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_doctor(imported_db, capsys)
    assert (code, err) == (0, "")
    assert out == (f"Checking {imported_db}\n"
                   "ok    permissions\n"
                   "ok    integrity\n"
                   "ok    foreign keys\n"
                   f"ok    schema version: {CURRENT_VERSION}\n"
                   "ok    audit trail: every row's creation recorded\n"
                   "ok    audit trail: in order, nothing missing\n"
                   "ok    audit trail: append-only\n"
                   "Everything is in order.\n")


@pytest.fixture
def damaged(imported_db: Path, tmp_path: Path) -> Path:
    """A copy with a dangling foreign key, a deleted and a back-dated audit event, the
    append-only triggers dropped, and permissions others can read."""
    folder = tmp_path / "damaged"
    copy = backup.backup_to(imported_db, folder / "caseload.db")
    with sqlite3.connect(copy) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            "INSERT INTO commitment (id, client_id, owner, text, made_on, due, status, note, "
            "due_history, version) VALUES (900, 777, 'client', 'Orphan', '2026-11-01', "
            "'2026-11-02', 'open', '', '[]', 1)")
        connection.execute("DROP TRIGGER audit_event_no_update")
        connection.execute("DROP TRIGGER audit_event_no_delete")
        connection.execute("DELETE FROM audit_event WHERE id IN (2, 3)")  # CL-2 and CL-3 added
        connection.execute("UPDATE audit_event SET at = '2020-01-01 00:00:00' WHERE id = 10")
    copy.chmod(0o644)
    folder.chmod(0o755)
    return copy


@sqlite_file
def test_a_damaged_copy_fails_with_each_problem_listed(damaged: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code, out, err = run_doctor(damaged, capsys)
    assert code == 1
    assert err == ("caseload: 5 check(s) failed: permissions; foreign keys; audit trail: every "
                   "row's creation recorded; audit trail: in order, nothing missing; audit "
                   "trail: append-only.\n")
    folder = damaged.parent
    assert out.splitlines() == [
        f"Checking {damaged}",
        "FAIL  permissions",
        f"        {folder} has mode 755: other users can reach it; fix with: "
        f"chmod 700 '{folder}'",
        f"        {damaged} has mode 644: other users can reach it; fix with: "
        f"chmod 600 '{damaged}'",
        "ok    integrity",
        "FAIL  foreign keys",
        "        commitment row 900: client_id refers to a missing client",
        f"ok    schema version: {CURRENT_VERSION}",
        "FAIL  audit trail: every row's creation recorded",
        "        client #2 has no audit event recording its creation",
        "        client #3 has no audit event recording its creation",
        "        commitment #900 has no audit event recording its creation",
        "FAIL  audit trail: in order, nothing missing",
        "        audit events #2 to #3 are missing (deleted?)",
        "        audit event #10 (2020-01-01 00:00:00 UTC) is dated before #9 "
        "(2026-11-27 22:00:00 UTC)",
        "FAIL  audit trail: append-only",
        "        the trigger audit_event_no_update is missing, so audit events could be "
        "changed or deleted",
        "        the trigger audit_event_no_delete is missing, so audit events could be "
        "changed or deleted",
    ]


@sqlite_file
def test_doctor_on_a_missing_database_is_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_doctor(tmp_path / "nothing.db", capsys)
    assert (code, out) == (1, "")
    assert err == f"caseload: No database at {tmp_path / 'nothing.db'}.\n"
    assert not (tmp_path / "nothing.db").exists()


def test_the_checks_run_through_any_database_connection(session: Session) -> None:
    """The same checks, through Peewee, on SQLite or PostgreSQL (where the server keeps the
    file-level ones)."""
    client = clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    appointments.schedule_series(session, client.id, datetime(2026, 11, 30, 10, tzinfo=NY))
    db = database.obj
    checks = doctor.examine(lambda sql: db.execute_sql(sql).fetchall(), sqlite=is_sqlite())
    assert [c.name for c in checks if not c.ok] == []
    assert len(checks) == (6 if is_sqlite() else 4)
    Commitment.insert(client=client.id, owner="client", text="Unaudited", made_on=date(2026, 11, 1),
                      due=date(2026, 11, 2)).execute()
    checks = doctor.examine(lambda sql: db.execute_sql(sql).fetchall(), sqlite=is_sqlite())
    failed = [c for c in checks if not c.ok]
    assert [c.name for c in failed] == ["audit trail: every row's creation recorded"]
    assert failed[0].problems[0].endswith("has no audit event recording its creation")
