"""Export, then import into an empty database: every table comes back the same."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from caseload.cli import main
from caseload.io import csv_io
from caseload.io.doctor import examine_sqlite
from caseload.io.rows import KINDS
from caseload.services import clients, importing
from caseload.services.exporting import load_export
from caseload.services.session import Session
from caseload.store.models import AuditEvent, Client
from tests.conftest import NOW
from tests.io.conftest import build_caseload, reopen

# Each exported table read straight from SQLite, other rows named by natural keys instead of
# ids, so the comparison does not trust the exporter's own reading of the database.
DUMPS: dict[str, str] = {
    "client": "SELECT record_number, display_name, intake_date, status, cadence_days, focus "
              "FROM client",
    "goal": "SELECT c.record_number, g.text, g.position, g.active, g.created_on FROM goal g "
            "JOIN client c ON c.id = g.client_id",
    "appointment_series": (
        "SELECT c.record_number, s.rrule, s.dtstart, s.tzname, s.duration_min, s.kind, "
        "s.location, s.materialized_until, s.ended FROM appointment_series s "
        "JOIN client c ON c.id = s.client_id"),
    "appointment": (
        "SELECT c.record_number, s.dtstart, a.recurrence_id, a.starts_at, a.ends_at, a.kind, "
        "a.location, a.outcome, a.client_late_min, a.counselor_late_min, a.cancelled_at, "
        "r.starts_at, a.requested_by, a.detached FROM appointment a "
        "JOIN client c ON c.id = a.client_id "
        "LEFT JOIN appointment_series s ON s.id = a.series_id "
        "LEFT JOIN appointment r ON r.id = a.rescheduled_to_id"),
    "commitment": (
        "SELECT c.record_number, m.owner, m.text, m.made_on, m.due, m.status, m.done_on, "
        "m.note, g.text, a.starts_at, m.due_history FROM commitment m "
        "JOIN client c ON c.id = m.client_id LEFT JOIN goal g ON g.id = m.goal_id "
        "LEFT JOIN appointment a ON a.id = m.appointment_id"),
    "checkin": (
        "SELECT c.record_number, k.instrument, k.taken_on, k.total, a.starts_at, k.discussed, "
        "k.comment, (SELECT group_concat(score, ' ') FROM (SELECT score FROM checkin_item i "
        "WHERE i.checkin_id = k.id ORDER BY i.position)) FROM checkin k "
        "JOIN client c ON c.id = k.client_id LEFT JOIN appointment a ON a.id = k.appointment_id"),
}
# Columns deliberately not carried: ids (replaced by natural keys), the counselor (the importer
# owns imported clients), version counters and created_at (the audit trail records the import).
NOT_CARRIED = {"id", "counselor_id", "version", "created_at"}
CARRIED = {
    "client": {"display_name", "record_number", "intake_date", "status", "cadence_days",
               "focus"},
    "goal": {"client_id", "text", "position", "active", "created_on"},
    "appointment_series": {"client_id", "rrule", "dtstart", "tzname", "duration_min", "kind",
                           "location", "materialized_until", "ended"},
    "appointment": {"client_id", "series_id", "recurrence_id", "starts_at", "ends_at", "kind",
                    "location", "outcome", "client_late_min", "counselor_late_min",
                    "cancelled_at", "rescheduled_to_id", "requested_by", "detached"},
    "commitment": {"client_id", "owner", "text", "made_on", "due", "status", "done_on", "note",
                   "goal_id", "appointment_id", "due_history"},
    "checkin": {"client_id", "appointment_id", "instrument", "taken_on", "total", "discussed",
                "comment"},
    "checkin_item": {"checkin_id", "position", "score"},
}
# Tables that are not caseload data to export: bookkeeping, the trail, and the reviews (which
# only the weekly review writes, and which it rebuilds).
NOT_EXPORTED = {"schema_version", "counselor", "audit_event", "weekly_review", "review_note"}
# Two databases side by side and the CLI's --db: SQLite files. The service-level round trip at
# the end of this module runs on PostgreSQL too.
sqlite_files = pytest.mark.sqlite_only


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as connection:
        tables = {}
        for table, sql in DUMPS.items():
            rows = []
            for row in connection.execute(sql).fetchall():
                if table == "commitment":  # compare the history as data, not as JSON text
                    row = (*row[:-1], json.loads(row[-1]))
                rows.append(row)
            tables[table] = sorted(rows, key=repr)
    return tables


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--now", NOW.isoformat(), *args])


@sqlite_files
def test_every_column_of_every_table_is_exported_or_deliberately_left_out(
        full_db: Path) -> None:
    with sqlite3.connect(full_db) as connection:
        tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        assert tables == set(CARRIED) | NOT_EXPORTED
        for table, columns in CARRIED.items():
            found = {r[1] for r in connection.execute(f"PRAGMA table_info({table})")}
            assert found - NOT_CARRIED == columns, table


@sqlite_files
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_an_empty_database_loses_nothing(
        fmt: str, full_db: Path, empty_db: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ("export" if fmt == "csv" else "export.json")
    assert cli(full_db, "export", fmt, "--out", str(out)) == 0
    assert cli(empty_db, "import", "all", str(out)) == 0, capsys.readouterr().err
    before, after = dump(full_db), dump(empty_db)
    for table in DUMPS:
        assert after[table] == before[table], table
    assert sum(len(rows) for rows in before.values()) > 60


@sqlite_files
def test_a_re_export_is_byte_identical(full_db: Path, empty_db: Path, tmp_path: Path) -> None:
    assert cli(full_db, "export", "csv", "--out", str(tmp_path / "first")) == 0
    assert cli(empty_db, "import", "all", str(tmp_path / "first")) == 0
    assert cli(empty_db, "export", "csv", "--out", str(tmp_path / "second")) == 0
    for kind in KINDS:
        first = (tmp_path / "first" / f"{kind}.csv").read_bytes()
        assert first.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for accented names
        assert (tmp_path / "second" / f"{kind}.csv").read_bytes() == first, kind


@sqlite_files
def test_exported_files_are_owner_only(full_db: Path, tmp_path: Path) -> None:
    assert cli(full_db, "export", "csv", "--out", str(tmp_path / "csv")) == 0
    assert cli(full_db, "export", "json", "--out", str(tmp_path / "all.json")) == 0
    assert cli(full_db, "export", "ics", "--out", str(tmp_path / "cal.ics")) == 0
    assert stat.S_IMODE((tmp_path / "csv").stat().st_mode) == 0o700
    for path in [*(tmp_path / "csv").iterdir(), tmp_path / "all.json", tmp_path / "cal.ics"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def counts() -> dict[str, int]:
    from caseload.store.models import MODELS

    return {m._meta.table_name: m.select().count() for m in MODELS}


@sqlite_files
def test_importing_the_same_export_twice_adds_nothing(
        full_db: Path, empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(full_db, "export", "csv", "--out", str(tmp_path / "csv")) == 0
    assert cli(empty_db, "import", "all", str(tmp_path / "csv")) == 0
    reopen(empty_db)
    first = counts()
    capsys.readouterr()
    assert cli(empty_db, "import", "all", str(tmp_path / "csv")) == 0
    out = capsys.readouterr().out
    assert "appointments.csv: 43 rows: 0 new, 43 already there" in out
    assert out.endswith("Imported 0 rows.\n")
    reopen(empty_db)
    second = counts()
    # Only the trail grows: one "import" event per file says the import happened.
    assert {k: v for k, v in second.items() if k != "audit_event"} == {
        k: v for k, v in first.items() if k != "audit_event"}
    assert second["audit_event"] == first["audit_event"] + len(KINDS)


@sqlite_files
def test_an_import_is_audited_row_by_row(full_db: Path, empty_db: Path, tmp_path: Path) -> None:
    assert cli(full_db, "export", "json", "--out", str(tmp_path / "all.json")) == 0
    assert cli(empty_db, "import", "all", str(tmp_path / "all.json")) == 0
    reopen(empty_db)
    events = list(AuditEvent.select().where(AuditEvent.action == "import"))
    per_entity: dict[str, int] = {}
    for event in events:
        per_entity[event.entity] = per_entity.get(event.entity, 0) + 1
    assert per_entity == {"client": 3, "goal": 2, "appointment_series": 4, "appointment": 43,
                          "commitment": 4, "checkin": 5, "import": 6}
    client = Client.get(Client.record_number == "CL-2")
    event = next(e for e in events if e.entity == "client" and e.entity_id == client.id)
    assert event.client_id == client.id and event.before is None
    assert json.loads(event.after)["display_name"] == "Ana-María Ölund"
    summary = [json.loads(e.after) for e in events if e.entity == "import"]
    assert summary[3] == {"kind": "appointments", "source": "all.json:appointments",
                          "rows": 43, "added": 43, "unchanged": 0}
    checks = {c.name: c for c in examine_sqlite(empty_db)}
    assert checks["audit trail: every row's creation recorded"].ok


@sqlite_files
def test_dry_run_changes_nothing(full_db: Path, empty_db: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(full_db, "export", "csv", "--out", str(tmp_path / "csv")) == 0
    before = empty_db.read_bytes(), dump(empty_db)
    capsys.readouterr()
    assert cli(empty_db, "import", "all", str(tmp_path / "csv"), "--dry-run") == 0
    assert capsys.readouterr().out.endswith(
        "Dry run: every row is valid; 61 would be added. Nothing was changed.\n")
    reopen(empty_db)
    assert AuditEvent.select().count() == 0 and Client.select().count() == 0
    assert dump(empty_db) == before[1]


def _names_in(text: str) -> list[str]:
    return [name for name in ("Jordan Rivers", "Ana-María Ölund", "Sam O'Neil",
                              "Jordan", "Rivers") if name in text]


@sqlite_files
@pytest.mark.parametrize("fmt,read", [
    ("csv", lambda p: "".join(f.read_text("utf-8-sig") for f in sorted(p.iterdir()))),
    ("json", lambda p: p.read_text("utf-8")),
    ("ics", lambda p: p.read_text("utf-8")),
])
def test_initials_replace_names_in_every_export(full_db: Path, tmp_path: Path, fmt: str,
                                                read: Callable[[Path], str]) -> None:
    out = tmp_path / f"export.{fmt}"
    assert cli(full_db, "export", fmt, "--initials", "--out", str(out)) == 0
    text = read(out)
    assert _names_in(text) == []
    assert "J.R." in text and "A.M.Ö." in text


@sqlite_files
def test_export_of_one_client(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    assert cli(full_db, "export", "json", "--client", "CL-2", "--out", str(out)) == 0
    data = json.loads(out.read_text("utf-8"))
    assert [c["record_number"] for c in data["clients"]] == ["CL-2"]
    assert {a["client_ref"] for a in data["appointments"]} == {"CL-2"}
    assert data["goals"] == [] and data["commitments"] == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_round_trip_through_the_services_on_any_backend(
        fmt: str, session: Session, other_session: Session) -> None:
    """Dana's caseload, exported, renumbered and imported by Sam, exports the same again."""
    build_caseload(session)
    ctx = importing.context(session)
    data = load_export(session)
    if fmt == "csv":
        texts = {kind: csv_io.csv_text(kind, data.rows(kind)).replace("CL-", "RT-")
                 for kind in KINDS}
        tables = [csv_io.read_csv_bytes(text.encode(), kind, f"{kind}.csv", ctx)
                  for kind, text in texts.items()]
    else:
        document = csv_io.to_json(data).replace("CL-", "RT-")
        tables = csv_io.read_json_bytes(document.encode(), "all.json", ctx)
    before = AuditEvent.select().count()
    dry = importing.import_tables(other_session, tables, dry_run=True)
    assert dry.ok and dry.added == data.row_count
    assert AuditEvent.select().count() == before and not clients.list_clients(other_session)
    result = importing.import_tables(other_session, tables)
    assert result.ok, result.problems[:3]
    assert result.added == data.row_count == 61
    copied = load_export(other_session)
    for kind in KINDS:
        expected = csv_io.csv_text(kind, data.rows(kind)).replace("CL-", "RT-")
        assert csv_io.csv_text(kind, copied.rows(kind)) == expected, kind
    again = importing.import_tables(other_session, tables)
    assert again.ok and again.added == 0
    assert sum(t.unchanged for t in again.tables) == data.row_count
