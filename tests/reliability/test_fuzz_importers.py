"""Property tests of every importer: CSV of each kind and JSON, from real exports bent out of
shape and from raw bytes.

Reading never raises: it returns a table and every problem as one line. Importing returns the
counts or the problems, and never raises anything but a `ValidationError`; when there is a
problem nothing changes (the audit trail and every table keep their size); when there is none,
each added row has its audit event.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st

from caseload.domain.records import Instrument, Outcome, Party, ValidationError
from caseload.io import csv_io
from caseload.io.columns import SPECS
from caseload.io.rows import KINDS
from caseload.services import appointments, checkins, clients, commitments, exporting, importing
from caseload.services.session import Session
from caseload.store.models import MODELS, AuditEvent
from tests.conftest import NOW
from tests.reliability.conftest import variants
from tests.reliability.workload import assert_no_control_text

HOSTILE = ["", " ", "=HYPERLINK(\"http://x\",\"y\")", "'=1+1", "+1", "-1", "@SUM(A1)",
           "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "[bold red]x[/]", "[link=http://x]y",
           "\u202etxet", "\x00", "a\nb", "a\r\nb", "\"", "\"\"", ",", "NaN", "inf", "-0",
           "9" * 40, "2026-02-30", "2026-13-01", "1899-12-31", "9999-12-31", "2026-03-08 02:30",
           "2026-11-01 01:30", "25:00", "yes", "no", "maybe", "kept", "showed", "Zoë Ñúñez",
           "李小龍", "x" * 5000, "FREQ=SECONDLY", "FREQ=WEEKLY;COUNT=0", "FREQ=DAILY;BYHOUR=99",
           "RRULE:FREQ=WEEKLY;UNTIL=99991231", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
           "America/New_York", "Mars/Olympus", "10 10 10 10", "1 2 3", "1,5 2 3 4",
           "[{\"old_due\": \"x\"}]", "[" * 50, "{}", "R-0001", "R-0002", "#1"]
cell = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str),
                 st.dates().map(str), st.floats().map(str))


def _seed(session: Session) -> None:
    """A small caseload of every kind, for exports to start from."""
    alex = clients.add_client(session, "Alex Example", "R-0001", date(2026, 9, 1)).id
    blair = clients.add_client(session, "Blair Example", "R-0002", date(2026, 9, 1)).id
    clients.add_goal(session, alex, "Steady work")
    appointments.schedule_series(session, alex, NOW.replace(day=2, hour=10))
    booked = appointments.schedule_single(session, blair, NOW.replace(day=20, hour=9))
    appointments.record_outcome(session, booked.id, Outcome.KEPT, client_late_min=5)
    commitments.add(session, alex, Party.COUNSELOR, "Call the officer", date(2026, 11, 30),
                    made_on=date(2026, 11, 20))
    checkins.record(session, blair, Instrument.WAI_SR, [4] * 12, taken_on=date(2026, 11, 20))


@pytest.fixture
def seeded(session: Session) -> Session:
    _seed(session)
    return session


def _exports(session: Session) -> dict[str, list[list[str]]]:
    """Each kind's export as CSV rows (header first)."""
    data = exporting.load_export(session)
    return {kind: list(csv.reader(io.StringIO(csv_io.csv_text(kind, data.rows(kind)))))
            for kind in KINDS}


def _counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in MODELS}


def _import(session: Session, tables: list[csv_io.Table], dry_run: bool) -> None:
    """Import; check the all-or-nothing promise and the audit of what was added."""
    for table in tables:
        for problem in table.problems:
            assert "\n" not in str(problem) and str(problem).startswith(table.source)
    before = _counts()
    try:
        result = importing.import_tables(session, tables, dry_run=dry_run)
    except ValidationError as error:
        assert error.message and "\n" not in error.message
        assert _counts() == before
        return
    after = _counts()
    event("refused: problems listed" if result.problems else "dry run" if dry_run
          else "imported: rows added" if result.added else "imported: nothing new")
    if result.problems or dry_run:
        assert after == before, result.problems[:3]
    else:
        assert_no_control_text()
        assert after["AuditEvent"] == before["AuditEvent"] + result.added + len(result.tables)
        assert sum(after.values()) - sum(before.values()) == 2 * result.added + len(
            result.tables) + _items_added(result)


def _items_added(result: importing.ImportResult) -> int:
    """Check-in items come with their check-ins (one row each, not audited one by one)."""
    return sum(
        ev_items for ev_items in (
            len(json.loads(e.after or "{}").get("items") or [])
            for e in AuditEvent.select().where((AuditEvent.action == "import")
                                               & (AuditEvent.entity == "checkin"))
            .order_by(AuditEvent.id.desc()).limit(
                next((t.added for t in result.tables if t.kind == "checkins"), 0))))


def _fresh_copy(kind: str, header: list[str], row: list[str], token: str) -> list[str]:
    """A copy of an exported row made new: its record number or free text changed."""
    text_columns = {c.name for c in SPECS[kind].columns if c.kind == "text"}
    return [f"F-{token}" if name == "record_number" else f"fresh {token}"
            if name in text_columns else value for name, value in zip(header, row, strict=True)]


def check_bent_csv(seeded: Session, kind: str, edits: list[tuple[int, int, str]],
                   extra_rows: list[list[str]], fresh: list[tuple[int, str]],
                   drop: int | None, dry_run: bool, encoding: str) -> None:
    rows = _exports(seeded)[kind]
    width = len(rows[0])
    copies = [_fresh_copy(kind, rows[0], rows[1 + n % (len(rows) - 1)], f"{token}{n}")
              for n, token in fresh if len(rows) > 1]
    rows = [list(r) for r in rows] + copies + [r[:width] + [""] * (width - len(r))
                                               for r in extra_rows]
    for row_index, column, value in edits:
        row = rows[row_index % len(rows)]
        row[column % width] = value
    if drop is not None:
        for row in rows:
            del row[drop % width]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    table = csv_io.read_csv_bytes(data, kind, f"{kind}.csv", importing.context(seeded))
    _import(seeded, [table], dry_run)


test_bent_csv, test_bent_csv_slow = variants(
    check_bent_csv, fast=100, slow=800,
    kind=st.sampled_from(KINDS),
    edits=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 20), cell), max_size=6),
    extra_rows=st.lists(st.lists(cell, max_size=12), max_size=3),
    fresh=st.lists(st.tuples(st.integers(0, 50), st.text("abcdefghjkmnpqrstuvwxyz", min_size=1,
                                                         max_size=8)), max_size=4),
    drop=st.one_of(st.none(), st.integers(0, 20)),
    dry_run=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1",
                                                     "utf-16"]))


def check_fresh_rows(seeded: Session, kind: str, fresh: list[tuple[int, str]]) -> None:
    """New rows made from exported ones, their names and free text anything at all (unicode,
    control characters, escape sequences, very long): added with their audit, or refused."""
    rows = _exports(seeded)[kind]
    copies = [_fresh_copy(kind, rows[0], rows[1 + n % (len(rows) - 1)], f"{token}{n}")
              for n, token in fresh]
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], *copies])
    table = csv_io.read_csv_bytes(out.getvalue().encode(), kind, f"{kind}.csv",
                                  importing.context(seeded))
    _import(seeded, [table], dry_run=False)


test_fresh_rows, test_fresh_rows_slow = variants(
    check_fresh_rows, fast=100, slow=800,
    kind=st.sampled_from(["clients", "goals", "commitments"]),
    fresh=st.lists(st.tuples(st.integers(0, 50), st.one_of(
        st.text(min_size=1, max_size=12), st.sampled_from(HOSTILE))), min_size=1, max_size=4))


def check_raw_bytes(seeded: Session, kind: str, data: bytes) -> None:
    table = csv_io.read_csv_bytes(data, kind, f"{kind}.csv", importing.context(seeded))
    _import(seeded, [table], dry_run=False)
    tables = csv_io.read_json_bytes(data, "export.json", importing.context(seeded))
    _import(seeded, tables, dry_run=False)


test_raw_bytes, test_raw_bytes_slow = variants(
    check_raw_bytes, fast=100, slow=800, kind=st.sampled_from(KINDS),
    data=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode),
                   st.sampled_from([b"[" * 100_000, b"{\"clients\": " + b"[" * 100_000,
                                    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 100,
                                    b"a,b\n\"unclosed", b"\n\n\n"])))

json_value: Any = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
              st.sampled_from(HOSTILE)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12)


def check_bent_json(seeded: Session, kind: str, row: int, key: str, value: Any,
                    dry_run: bool) -> None:
    document = json.loads(csv_io.to_json(exporting.load_export(seeded)))
    records = document[kind]
    if records:
        target = records[row % len(records)]
        target[key if key else next(iter(target), "x")] = value
    else:
        document[kind] = [{key or "x": value}]
    data = json.dumps(document, ensure_ascii=False).encode()
    _import(seeded, csv_io.read_json_bytes(data, "export.json", importing.context(seeded)),
            dry_run)


test_bent_json, test_bent_json_slow = variants(
    check_bent_json, fast=100, slow=800, kind=st.sampled_from(KINDS), row=st.integers(0, 30),
    key=st.one_of(st.just(""), st.sampled_from(sorted({c.name for s in SPECS.values()
                                                      for c in s.columns})), st.text(max_size=8)),
    value=json_value, dry_run=st.booleans())


def test_the_seeded_exports_import_cleanly(seeded: Session, tmp_path: Path) -> None:
    """The starting point of the bent files is itself a good file (re-import adds nothing)."""
    for kind, rows in _exports(seeded).items():
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        table = csv_io.read_csv_bytes(out.getvalue().encode(), kind, f"{kind}.csv",
                                      importing.context(seeded))
        assert table.problems == ()
        result = importing.import_tables(seeded, [table])
        assert result.ok and result.added == 0
