"""`caseload doctor` on a healthy database and on a deliberately damaged copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.io import backup

pytestmark = pytest.mark.sqlite_only  # SQLite files: the CLI's --db, backups, PRAGMAs


def doctor(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(db), "doctor"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_healthy_database_passes_every_check(imported_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = doctor(imported_db, capsys)
    assert (code, err) == (0, "")
    assert out == (f"Checking {imported_db}\n"
                   "ok    permissions\n"
                   "ok    integrity\n"
                   "ok    foreign keys\n"
                   "ok    schema version: 1\n"
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


def test_a_damaged_copy_fails_with_each_problem_listed(damaged: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code, out, err = doctor(damaged, capsys)
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
        "ok    schema version: 1",
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


def test_doctor_on_a_missing_database_is_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = doctor(tmp_path / "nothing.db", capsys)
    assert (code, out) == (1, "")
    assert err == f"caseload: No database at {tmp_path / 'nothing.db'}.\n"
    assert not (tmp_path / "nothing.db").exists()
