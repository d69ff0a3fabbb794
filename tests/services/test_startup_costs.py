"""Start-up work that must not grow with the caseload's history or repeat each start."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from caseload.domain.recurrence import Cadence
from caseload.services import appointments, clients
from caseload.services.session import Session
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
