"""The weekly review service on the small hand-computed caseload (tests/cli/test_review_cli.py)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from caseload.domain.records import Outcome, Party, ValidationError
from caseload.services import appointments, audit, checkins, commitments, weekly_review
from caseload.services.review_record import summary_from_json, summary_to_json
from caseload.services.session import Session
from caseload.services.weekly_review import Step
from tests.cli.test_review_cli import build_small_caseload, when
from tests.services.test_query_counts import counting


@pytest.fixture
def small(session: Session) -> Session:
    build_small_caseload(session)
    return session


def later(session: Session, minutes: int) -> Session:
    """The same session, `minutes` after the tests' now (audit rows after the review began)."""
    moment = session.now() + timedelta(minutes=minutes)
    return dataclasses.replace(session, clock=lambda: moment)


def test_start_once_per_week_and_resume(small: Session) -> None:
    first = weekly_review.start_or_resume(small)
    again = weekly_review.start_or_resume(small, date(2026, 11, 29))
    assert again.id == first.id and first.step is Step.CLEAR
    assert first.week.start == date(2026, 11, 23)
    moved = weekly_review.move(small, first.id, Step.CURRENT, 42, order=[2, 1])
    resumed = weekly_review.start_or_resume(small)
    assert (resumed.step, resumed.position, resumed.order) == (Step.CURRENT, 42, (2, 1))
    assert moved == resumed
    actions = [(e.entity, e.action) for e in audit.events(small)
               if e.entity == "weekly_review"]
    assert actions == [("weekly_review", "start"), ("weekly_review", "move")]


def test_load_review_in_five_queries_with_each_step(small: Session) -> None:
    state = weekly_review.start_or_resume(small)
    with counting() as statements:
        data = weekly_review.load_review(small, state)
    assert len(statements) == 5
    assert [p.appointment.start for p in data.pending] == [when(27, 16)]
    assert [c.client.name for c in data.flagged] == ["Alex Moreno", "Blake Chen"]
    alex = data.flagged[0]
    kinds = {e.kind.value for e in alex.entries}
    assert kinds == {"appointment", "commitment", "checkin"}
    assert alex.next_session is not None and alex.next_session.start == when(1, 10, month=12)
    assert alex.alliance_trend == (38.0,)
    assert data.ahead_week.start == date(2026, 11, 30)
    assert [(i.day, i.client.name) for i in data.ahead] == [
        (date(2026, 11, 30), "Blake Chen"), (date(2026, 12, 1), "Alex Moreno")]
    assert len(data.trend) == 12 and data.trend[-1][0] == state.week
    assert data.decisions == () and data.outcomes_recorded == 0


def test_notes_focus_and_reviewed_move_on_in_one_write(small: Session) -> None:
    state = weekly_review.start_or_resume(small)
    alex = weekly_review.load_review(small, state).flagged[0].client.id
    state = weekly_review.set_note(small, state.id, alex, focus="start on time")
    state = weekly_review.set_note(small, state.id, alex, reviewed=True, step=Step.CURRENT,
                                   position=99)
    note = state.note(alex)
    assert (note.focus, note.reviewed, state.position, state.step) == (
        "start on time", True, 99, Step.CURRENT)
    with pytest.raises(ValidationError):
        weekly_review.set_note(small, state.id, alex, focus="line\nbreak")
    events = [e for e in audit.events(small) if e.entity == "review_note"]
    assert len(events) == 2 and events[0].client_id == alex


def test_decisions_come_from_the_audit_trail(small: Session) -> None:
    state = weekly_review.start_or_resume(small)
    s = later(small, 5)
    data = weekly_review.load_review(s, state)
    alex = data.flagged[0].client
    commitments.add(s, alex.id, Party.COUNSELOR, "Call about Thursday", date(2026, 11, 30))
    overdue = next(c for c in data.flagged[0].entries if c.commitment is not None
                   and c.commitment.text == "Call probation officer")
    commitments.complete(s, overdue.id)
    appointments.record_outcome(s, data.pending[0].appointment.id, Outcome.KEPT)
    appointments.schedule_single(s, alex.id, when(3, 9, month=12))
    upcoming = data.flagged[0].next_session
    assert upcoming is not None
    appointments.reschedule(s, upcoming.id, when(2, 11, month=12), Party.CLIENT)
    srs = next(e for e in data.flagged[0].entries if e.checkin is not None)
    checkins.mark_discussed(s, srs.id, "felt heard")
    data = weekly_review.load_review(s, state)
    assert data.outcomes_recorded == 1
    assert [d.text for d in data.decisions] == [
        "New commitment — You will: Call about Thursday (by Mon 30 Nov)",
        "Done — You will: Call probation officer",
        "Booked a session for Thu 3 Dec 09:00",
        "Moved a session to Wed 2 Dec 11:00",
        "Discussed the check-in of Mon 23 Nov: felt heard",
    ]
    assert {d.client_name for d in data.decisions} == {"Alex Moreno"}
    assert all("Alex" not in d.text for d in data.decisions)


def test_finish_saves_the_summary_and_closes_the_review(small: Session) -> None:
    state = weekly_review.start_or_resume(small)
    data = weekly_review.load_review(small, state)
    blake = data.flagged[1].client.id
    state = weekly_review.move(small, state.id, Step.CURRENT, blake,
                               order=[c.client.id for c in data.flagged])
    weekly_review.set_note(small, state.id, blake, focus="outreach call", reviewed=True)
    summary = weekly_review.finish(small, state.id)
    assert summary.week.start == date(2026, 11, 23)
    assert summary.figures.counselor_reliability.numerator == 2
    assert summary.figures.counselor_reliability.denominator == 4
    assert [w.start for w, _ in summary.previous] == [
        date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert [(c.name, c.reviewed, c.focus) for c in summary.clients] == [
        ("Alex Moreno", False, ""), ("Blake Chen", True, "outreach call")]
    assert summary.needs_outcome_left == 1 and summary.finished_at is not None
    assert weekly_review.open_review(small, state.id) == summary
    assert weekly_review.review_for_week(small, date(2026, 11, 25)) == summary
    assert weekly_review.review_for_week(small, date(2026, 11, 16)) is None
    with pytest.raises(ValidationError):
        weekly_review.move(small, state.id, Step.AHEAD)
    with pytest.raises(ValidationError):
        weekly_review.set_note(small, state.id, blake, focus="too late")
    [item] = weekly_review.list_reviews(small)
    assert (item.step, item.flagged, item.reviewed) == (Step.DONE, 2, 1)
    assert summary_from_json(summary_to_json(summary)) == summary


def test_reviews_are_the_counselor_own(small: Session, other_session: Session) -> None:
    state = weekly_review.start_or_resume(small)
    with pytest.raises(LookupError):
        weekly_review.move(other_session, state.id, Step.AHEAD)
    assert weekly_review.list_reviews(other_session) == []
    assert isinstance(weekly_review.start_or_resume(other_session).started_at, datetime)
