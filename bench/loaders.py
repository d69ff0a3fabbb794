"""What each screen and the review read, as the screens' workers do it; statements and plans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from caseload.services.session import Session


def _today(session: Session) -> object:
    from caseload.services import overview

    snapshot = overview.load_snapshot(session)
    return overview.today_rows(session, snapshot), overview.week_header(session, snapshot)


def _caseload(session: Session) -> object:
    from caseload.services import overview

    snapshot = overview.load_snapshot(session)
    return (overview.caseload_rows(session, snapshot, include_inactive=True),
            overview.week_header(session, snapshot))


def _commitments(session: Session) -> object:
    from caseload.services import overview

    return overview.open_commitments(session, overview.load_snapshot(session))


def _client(session: Session) -> object:
    from caseload.services import client_view, overview

    first = overview.load_snapshot(session).histories[0].client.id
    return lambda: client_view.load_client_view(session, first)


def _review(session: Session) -> object:
    from caseload.services.review import week_report

    return week_report(session)


def _weekly_review(session: Session) -> object:
    from caseload.services import weekly_review

    state = weekly_review.start_or_resume(session)
    return lambda: weekly_review.load_review(session, state)


def _header(session: Session) -> object:
    from caseload.services import overview

    return overview.week_header(session, overview.load_snapshot(session))


# name -> a function of the session building what the screen shows. A function returning a
# callable is a two-step loader: only the callable's statements are counted (the first step
# finds a client to open, or starts the review).
LOADERS: dict[str, Callable[[Session], object]] = {
    "header": _header, "today": _today, "caseload": _caseload, "commitments": _commitments,
    "client": _client, "review": _review, "weekly review": _weekly_review,
}


def count_statements(build: Callable[[], object]) -> int:
    """How many SQL statements `build()` runs reading the database (SQLite's trace callback).

    store.cache is emptied first, so this is a first read; it adds one `PRAGMA data_version`
    (on the cache's own connection, not traced here) to each snapshot it reads.
    """
    from caseload.store import cache
    from caseload.store.models import database

    result = build()
    if callable(result):
        build = result
    cache.clear()
    statements: list[str] = []
    connection = database.obj.connection()
    connection.set_trace_callback(statements.append)
    try:
        build()
    finally:
        connection.set_trace_callback(None)
    return len([s for s in statements if not s.lstrip().upper().startswith(("PRAGMA",))])


def hot_query_plans(session: Session) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the snapshot's queries for the session's counselor."""
    from caseload.services.overview import HISTORY_WEEKS
    from caseload.store import queries
    from caseload.store.models import database

    now = session.now()
    since = now - timedelta(weeks=HISTORY_WEEKS)
    found: dict[str, list[str]] = {}
    for name, sql in queries.snapshot_sql(session.counselor_id, since, now).items():
        rows: list[Any] = database.execute_sql("EXPLAIN QUERY PLAN " + sql[0], sql[1]).fetchall()
        found[name] = [str(r[-1]) for r in rows]
    return found
