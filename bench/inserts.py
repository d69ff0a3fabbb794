"""Baseline I: the clinic's rows written with raw `executemany` in one transaction."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from bench import data

TABLES = ("counselor", "client", "appointment_series", "appointment", "commitment", "checkin",
          "checkin_item", "audit_event")


def rows_of(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row of the tables `generate` writes, in an order foreign keys accept."""
    con = sqlite3.connect(path)
    try:
        out = []
        for table in TABLES:
            order = "rescheduled_to_id IS NOT NULL, id" if table == "appointment" else "id"
            out.append((table, con.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
                        .fetchall()))
        return out
    finally:
        con.close()


def _empty_database(name: str) -> Path:
    """A new database with Caseload's schema, pragmas as the app sets them."""
    from caseload.store.db import Location, close_database, open_database
    from caseload.store.migrations import migrate

    data.RUNS.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data.RUNS / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    migrate(open_database(Location(path=path)))
    close_database()
    return path


def raw_insert_once(rows: list[tuple[str, list[tuple[Any, ...]]]]) -> float:
    """Seconds to insert `rows` into a fresh database: one transaction, executemany per table."""
    from caseload.store.db import SQLITE_PRAGMAS

    path = _empty_database("insert-raw")
    con = sqlite3.connect(path, isolation_level=None)
    for name, value in SQLITE_PRAGMAS.items():
        con.execute(f"PRAGMA {name} = {value}")
    start = time.perf_counter()
    con.execute("BEGIN")
    for table, batch in rows:
        if batch:
            marks = ", ".join("?" * len(batch[0]))
            con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', batch)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def generate_once(spec: data.Spec) -> float:
    """Seconds `caseload.demo.generate` takes to write `spec` into a fresh database."""
    from caseload.demo import generate
    from caseload.domain.records import Settings
    from caseload.store.db import Location, close_database, open_database

    path = _empty_database("insert-generate")
    open_database(Location(path=path))
    start = time.perf_counter()
    generate(clients=spec.clients, weeks=spec.weeks, seed=spec.seed,
             counselors=spec.counselors, today=data.TODAY, login=data.login(),
             settings=Settings(timezone=data.TIMEZONE))
    elapsed = time.perf_counter() - start
    close_database()
    return elapsed
