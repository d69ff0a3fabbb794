"""Building a screen or the review issues a fixed, small number of SQL statements."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from caseload.domain.records import Instrument, Outcome, Party
from caseload.services import (
    appointments,
    checkins,
    client_view,
    clients,
    commitments,
    overview,
    review,
    weekly_review,
)
from caseload.services.session import Session
from caseload.store import cache
from caseload.store.db import is_sqlite
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
    """SELECTs `build` runs reading from the database (store.cache emptied first)."""
    cache.clear()
    with counting() as statements:
        build()
    return len([s for s in statements if s.lstrip("( \n").upper().startswith("SELECT")])


def screen_loaders(session: Session) -> dict[str, Callable[[], object]]:
    """What each screen's worker (and `caseload review`) reads, as the screen reads it."""
    def header() -> object:
        return overview.week_header(session, overview.load_snapshot(session))

    def today() -> object:
        snapshot = overview.load_snapshot(session)
        return overview.today_rows(session, snapshot), overview.week_header(session, snapshot)

    def caseload() -> object:
        snapshot = overview.load_snapshot(session)
        return (overview.caseload_rows(session, snapshot, include_inactive=True),
                overview.week_header(session, snapshot))

    def client() -> object:
        first = overview.load_snapshot(session).histories[0].client.id
        return client_view.load_client_view(session, first)

    def weekly_review_steps() -> object:
        return weekly_review.load_review(session, weekly_review.start_or_resume(session))

    return {
        "header": header, "today": today, "caseload": caseload,
        "commitments": lambda: overview.open_commitments(session,
                                                         overview.load_snapshot(session)),
        "client": client, "review": lambda: review.week_report(session),
        "weekly review": weekly_review_steps,
    }


def test_screens_and_review_use_few_queries_whatever_the_size(session: Session) -> None:
    builds = {name: build for name, build in screen_loaders(session).items()
              if name not in ("client", "weekly review")}  # these two write or look first
    add_clients(session, 1, 3)
    small = {name: statements_for(build) for name, build in builds.items()}
    add_clients(session, 4, 25)
    large = {name: statements_for(build) for name, build in builds.items()}
    assert small == large
    assert all(count <= 5 for count in large.values()), large


def test_every_screen_loader_uses_few_queries_whatever_the_size(session: Session) -> None:
    """Client and weekly review too: reads counted after the setup they need."""
    def count(name: str) -> int:
        loaders = screen_loaders(session)
        if name == "client":
            first = overview.load_snapshot(session).histories[0].client.id
            return statements_for(lambda: client_view.load_client_view(session, first))
        if name == "weekly review":
            state = weekly_review.start_or_resume(session)
            return statements_for(lambda: weekly_review.load_review(session, state))
        return statements_for(loaders[name])

    add_clients(session, 1, 3)
    small = {name: count(name) for name in screen_loaders(session)}
    add_clients(session, 4, 25)
    large = {name: count(name) for name in screen_loaders(session)}
    assert small == large
    assert all(n <= 5 for n in large.values()), large


def test_a_cached_read_costs_no_query(session: Session) -> None:
    """Read again with nothing changed: answered from store.cache (SQLite) without a SELECT."""
    add_clients(session, 1, 3)
    overview.load_snapshot(session)
    with counting() as statements:
        review.week_report(session)
    selects = [s for s in statements if s.lstrip("( \n").upper().startswith("SELECT")]
    assert len(selects) == (0 if is_sqlite() else 4)
