"""Large files: a fixed number of queries whatever the size, and thousands of rows in seconds."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from caseload.io import csv_io
from caseload.io.progress import progress_bar
from caseload.io.rows import KINDS
from caseload.services import importing
from caseload.services.exporting import load_export
from caseload.services.session import Session
from caseload.store.models import Appointment, AuditEvent, database
from tests.conftest import NY


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []
    connection = database.obj.connection()
    connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        connection.set_trace_callback(None)


def files(clients: int, weeks: int, first_client: int = 0) -> dict[str, str]:
    """A fictional caseload as CSV text: clients, weekly kept sessions, SRS check-ins."""
    numbers = range(first_client, first_client + clients)
    start = datetime(2025, 12, 1, 9, tzinfo=NY)
    sessions = [f"CL-{n},{start + timedelta(weeks=w, hours=n % 8):%Y-%m-%d %H:%M},50,kept"
                for n in numbers for w in range(weeks)]
    checkins = [f"CL-{n},{(start + timedelta(weeks=w)).date()},srs,9 8.5 9 9,yes"
                for n in numbers for w in range(weeks)]
    return {
        "clients": "record_number,name,intake_date\n"
                   + "".join(f"CL-{n},Client Number{n},2025-11-01\n" for n in numbers),
        "appointments": "client_ref,start,duration_min,outcome\n" + "\n".join(sessions) + "\n",
        "checkins": "client_ref,date,instrument,items,discussed\n" + "\n".join(checkins) + "\n",
    }


def run_import(session: Session, texts: dict[str, str]) -> importing.ImportResult:
    ctx = importing.context(session)
    tables = [csv_io.read_csv_bytes(text.encode(), kind, f"{kind}.csv", ctx)
              for kind, text in texts.items()]
    result = importing.import_tables(session, tables)
    assert result.ok, result.problems[:3]
    return result


@pytest.mark.sqlite_only  # counts statements with SQLite's trace callback
def test_an_import_issues_the_same_queries_for_ten_rows_or_a_thousand(session: Session) -> None:
    with statements() as small:
        run_import(session, files(clients=2, weeks=5))
    with statements() as large:
        run_import(session, files(clients=40, weeks=25, first_client=100))

    def reads(seen: list[str]) -> list[str]:
        return [s.split()[0].upper() for s in seen if not s.lstrip().upper().startswith("INSERT")]

    # Inserts go out through executemany (which the trace shows row by row); every other
    # statement, each SELECT included, is the same for 10 rows as for 1,000.
    assert reads(small) == reads(large)
    assert reads(large).count("SELECT") <= 20
    assert Appointment.select().count() == 10 + 1000
    assert AuditEvent.select().where(AuditEvent.action == "import").count() == (
        2 + 10 + 10) + (40 + 1000 + 1000) + 6


@pytest.mark.slow
def test_ten_thousand_rows_import_and_export_in_seconds(session: Session) -> None:
    texts = files(clients=100, weeks=50)
    began = time.perf_counter()
    result = run_import(session, texts)
    imported = time.perf_counter() - began
    assert result.added == 100 + 5000 + 5000
    began = time.perf_counter()
    data = load_export(session)
    exported = {kind: csv_io.csv_text(kind, data.rows(kind)) for kind in KINDS}
    csv_io.to_json(data)
    elapsed = time.perf_counter() - began
    assert exported["appointments"].count("\n") == 5001
    # Generous bounds (about 1 s and 0.5 s on a laptop): they catch a per-row query, not noise.
    assert imported < 20 and elapsed < 10, (imported, elapsed)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_shows_on_a_terminal_and_stays_quiet_when_piped() -> None:
    piped, terminal = _Stream(False), _Stream(True)
    for stream in (piped, terminal):
        with progress_bar("Importing", 1000, stream=stream) as advance:
            for _ in range(10):
                advance(100)
    assert piped.getvalue() == ""
    assert "Importing" in terminal.getvalue()
    short = _Stream(True)
    with progress_bar("Importing", 10, stream=short) as advance:
        advance(10)
    assert short.getvalue() == ""
