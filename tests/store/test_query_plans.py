"""The snapshot's queries for one counselor never scan the whole appointment table.

A clinic database holds five years of every counselor's sessions; one counselor's screens must
find theirs through an index (store.models.SNAPSHOT_INDEXES), whatever the table's size.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from caseload import demo
from caseload.domain.records import Settings
from caseload.services.overview import HISTORY_WEEKS, window_start
from caseload.services.session import Session
from caseload.store import queries
from caseload.store.models import database

TODAY = date(2026, 11, 27)
ALIAS = re.compile(r'"(\w+)" AS "(t\d+)"')


@pytest.fixture
def clinic(session: Session) -> Session:
    """A small clinic: three counselors (the session's counselor first), a year of history."""
    demo.generate(clients=30, weeks=52, counselors=3, today=TODAY, login=session.actor,
                  settings=Settings(timezone="America/New_York"))
    return session


def _tables(sql: str) -> dict[str, str]:
    return {alias: table for table, alias in ALIAS.findall(sql)}


@pytest.mark.sqlite_only
def test_no_full_scan_of_appointments_for_one_counselor(clinic: Session) -> None:
    now = clinic.now()
    found = queries.snapshot_sql(clinic.counselor_id, window_start(now), now)
    assert set(found) == {"appointments", "commitments", "checkins"}
    for name, (sql, params) in found.items():
        tables = _tables(sql)
        plan = [str(row[-1]) for row in
                database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
        for line in plan:
            step = re.match(r"(SCAN|SEARCH) (\w+)", line)
            if step is None:
                continue
            table = tables.get(step.group(2), step.group(2))
            assert not (step.group(1) == "SCAN" and table in ("appointment", "client")), (
                f"{name}: {line}")
            if table == "appointment":
                assert "USING" in line and "INDEX" in line, f"{name}: {line}"
    appointment_plan = [str(r[-1]) for r in database.execute_sql(
        "EXPLAIN QUERY PLAN " + found["appointments"][0], found["appointments"][1])]
    # Both halves of the window query read the covering index: no row of the table itself.
    assert sum("COVERING INDEX appointment_" in line for line in appointment_plan) == 2, (
        appointment_plan)


@pytest.mark.postgres_only
def test_postgresql_can_answer_one_counselors_window_from_indexes(clinic: Session) -> None:
    """With sequential scans priced out, no appointment query needs one (an index serves it).

    (On a table this small PostgreSQL rightly prefers to scan; the point is that it need not.)
    """
    now = clinic.now()
    since = now - timedelta(weeks=HISTORY_WEEKS)
    found = queries.snapshot_sql(clinic.counselor_id, since, now)
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        for name, (sql, params) in found.items():
            plan = "\n".join(r[0] for r in database.execute_sql("EXPLAIN " + sql, params))
            assert "Seq Scan on appointment" not in plan, f"{name}:\n{plan}"
