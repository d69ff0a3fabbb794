"""Start-up work that must not grow with the caseload's history or repeat each start."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from caseload.domain.recurrence import Cadence
from caseload.services import appointments, clients
from caseload.services.session import Session
from caseload.store.models import database
from tests.conftest import NY
from tests.store.test_cache import _selects


def test_start_up_booking_is_a_no_op_after_the_first_start_of_the_day(session: Session) -> None:
    """The horizon is a day boundary: a second start the same day expands no rule again."""
    client = clients.add_client(session, "Sam Example", "CL-9", date(2026, 9, 1))
    appointments.schedule_series(session, client.id, datetime(2026, 11, 2, 9, tzinfo=NY),
                                 Cadence.WEEKLY)
    horizon = appointments.materialize_horizon(session)
    assert horizon.time() == datetime.min.time() and horizon > session.now()
    assert appointments.ensure_materialized(session) == 0  # booked past it already
    later = Session(session.actor, session.counselor_id, session.counselor_name,
                    session.settings, clock=lambda: session.now() + timedelta(hours=5))
    assert appointments.materialize_horizon(later) == horizon
    assert _selects(lambda: appointments.ensure_materialized(later)) == 1


@pytest.mark.sqlite_only  # another session's write lock, taken on the SQLite file itself
def test_a_start_with_every_series_booked_does_not_wait_for_another_sessions_write(
        session: Session, db_path: Path) -> None:
    client = clients.add_client(session, "Sam Example", "CL-9", date(2026, 9, 1))
    appointments.schedule_series(session, client.id, datetime(2026, 11, 2, 9, tzinfo=NY),
                                 Cadence.WEEKLY)
    database.execute_sql("PRAGMA busy_timeout = 100")  # waiting would fail, not hang
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another counselor's session, in the middle of a save
    try:
        assert appointments.ensure_materialized(session) == 0  # a read only: no lock taken
        later = Session(session.actor, session.counselor_id, session.counselor_name,
                        session.settings, clock=lambda: session.now() + timedelta(weeks=5))
        with pytest.raises(Exception, match="locked"):  # due: booking needs the write lock
            appointments.ensure_materialized(later)
    finally:
        other.rollback()
        other.close()
    assert appointments.ensure_materialized(later) > 0  # and books once it is free
