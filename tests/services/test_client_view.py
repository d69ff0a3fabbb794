"""The Client screen's read model: header, series and timeline in five queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest

from caseload.domain.records import Instrument, NotFound, Outcome, Party
from caseload.domain.recurrence import Cadence
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.client_view import EntryKind, load_client_view
from caseload.services.session import Session
from caseload.store.models import database
from tests.conftest import NY


@contextmanager
def counted() -> Iterator[list[str]]:
    """Record every SQL statement the database runs inside the block."""
    seen: list[str] = []
    db = database.obj
    original = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    db.execute_sql = spy
    try:
        yield seen
    finally:
        db.execute_sql = original


@pytest.fixture
def client_id(session: Session) -> int:
    fact = clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    clients.add_goal(session, fact.id, "Stay sober through the holidays")
    retired = clients.add_goal(session, fact.id, "Old goal")
    clients.edit_goal(session, retired.id, active=False)
    clients.add_goal(session, fact.id, "Get my license back")
    return fact.id


def test_view_has_goals_in_order_series_and_a_time_ordered_timeline(
        session: Session, client_id: int) -> None:
    start = datetime(2026, 11, 3, 10, 0, tzinfo=NY)
    series_id, booked = appointments.schedule_series(session, client_id, start, Cadence.WEEKLY)
    past = [a for a in appointments_of(session, client_id) if a.start < session.now()]
    appointments.record_outcome(session, past[0].id, Outcome.KEPT)
    appointments.record_outcome(session, past[1].id, Outcome.NO_SHOW)
    commitments.add(session, client_id, Party.COUNSELOR, "Call probation officer",
                    date(2026, 12, 2))
    checkins.record(session, client_id, Instrument.SRS, [9, 9, 9, 9], taken_on=date(2026, 11, 3))
    checkins.record(session, client_id, Instrument.SRS, [8, 8, 9, 9],
                    taken_on=date(2026, 11, 24))

    with counted() as queries:
        view = load_client_view(session, client_id)
    assert len(queries) == 5

    assert [g.text for g in view.goals] == ["Stay sober through the holidays",
                                            "Get my license back"]
    assert view.cadence == "weekly"
    assert [s.id for s in view.series] == [series_id]
    assert view.series[0].description == "every Tuesday at 10:00"
    future = sum(1 for e in view.timeline if e.kind is EntryKind.APPOINTMENT
                 and e.at is not None and e.at > session.now())
    assert view.series[0].future_count == future == booked - 4
    assert [e.sort_key for e in view.timeline] == sorted(e.sort_key for e in view.timeline)
    kinds = {e.kind for e in view.timeline}
    assert kinds == {EntryKind.APPOINTMENT, EntryKind.COMMITMENT, EntryKind.CHECKIN}
    last_checkin = [e for e in view.timeline if e.kind is EntryKind.CHECKIN][-1]
    assert last_checkin.trend == (36.0, 34.0)
    assert view.alliance_trend == (36.0, 34.0)
    assert view.figures.client_attendance.text("kept") == "kept 1 of 2"
    assert view.next_appointment == datetime(2026, 12, 1, 10, 0, tzinfo=NY)
    assert view.timeline[view.first_upcoming()].day >= session.today()
    assert any(f.code.value == "alliance_below_cutoff" for f in view.flags)


def appointments_of(session: Session, client_id: int):  # type: ignore[no-untyped-def]
    return [e.appointment for e in load_client_view(session, client_id).timeline
            if e.appointment is not None]


def test_a_client_of_another_counselor_is_not_found(session: Session, other_session: Session,
                                                    client_id: int) -> None:
    with pytest.raises(NotFound):
        load_client_view(other_session, client_id)


def test_a_removed_series_is_gone(session: Session, client_id: int) -> None:
    start = session.now() + timedelta(days=3)
    series_id, _ = appointments.schedule_series(session, client_id, start)
    count = appointments.future_occurrences(session, series_id)
    appointments.remove_series(session, series_id, count)
    assert load_client_view(session, client_id).series == ()


def test_a_split_series_shows_only_the_part_with_sessions_ahead(session: Session,
                                                                client_id: int) -> None:
    old_id, _ = appointments.schedule_series(session, client_id,
                                             datetime(2026, 11, 17, 10, 0, tzinfo=NY))
    first_ahead = next(e.appointment for e in load_client_view(session, client_id).timeline
                       if e.appointment is not None and e.appointment.start > session.now())
    new_id, booked = appointments.edit_following(session, first_ahead.id,
                                                 datetime(2026, 12, 1, 14, 0, tzinfo=NY))
    view = load_client_view(session, client_id)
    assert [(s.id, s.description, s.future_count) for s in view.series] == [
        (new_id, "every Tuesday at 14:00", booked)]
    assert old_id != new_id
