"""Building a screen or the review issues a fixed, small number of SQL statements."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from caseload.domain.records import Instrument, Outcome, Party
from caseload.services import appointments, checkins, clients, commitments, overview, review
from caseload.services.session import Session
from caseload.store.models import database
from tests.conftest import NY


class _Statements(logging.Handler):
    """Collects the SQL peewee sends (PostgreSQL has no trace callback like SQLite's)."""

    def __init__(self, statements: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.statements = statements

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and record.msg:
            self.statements.append(str(record.msg[0]))


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []
    connection = database.obj.connection()
    if hasattr(connection, "set_trace_callback"):  # SQLite: every statement actually run
        connection.set_trace_callback(statements.append)
        try:
            yield statements
        finally:
            connection.set_trace_callback(None)
        return
    logger = logging.getLogger("peewee")
    handler, level = _Statements(statements), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def add_clients(session: Session, first: int, count: int) -> None:
    for n in range(first, first + count):
        c = clients.add_client(session, f"Client {n}", f"CL-{n}", date(2026, 8, 1))
        for week in range(6):
            start = datetime(2026, 10, 12, 9, tzinfo=NY) + timedelta(weeks=week, hours=n % 8)
            appt = appointments.schedule_single(session, c.id, start)
            appointments.record_outcome(session, appt.id, Outcome.KEPT)
            checkins.record(session, c.id, Instrument.SRS, [9, 9, 9, 9],
                            taken_on=start.date(), appointment_id=appt.id)
        commitments.add(session, c.id, Party.COUNSELOR, "Call", date(2026, 11, 30))


def statements_for(build: Callable[[], object]) -> int:
    with counting() as statements:
        build()
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_screens_and_review_use_few_queries_whatever_the_size(session: Session) -> None:
    builds: dict[str, Callable[[], object]] = {
        "today": lambda: overview.today_rows(session, overview.load_snapshot(session)),
        "caseload": lambda: overview.caseload_rows(session, overview.load_snapshot(session)),
        "commitments": lambda: overview.open_commitments(session,
                                                         overview.load_snapshot(session)),
        "review": lambda: review.week_report(session),
    }
    add_clients(session, 1, 3)
    small = {name: statements_for(build) for name, build in builds.items()}
    add_clients(session, 4, 25)
    large = {name: statements_for(build) for name, build in builds.items()}
    assert small == large
    assert all(count <= 5 for count in large.values()), large
