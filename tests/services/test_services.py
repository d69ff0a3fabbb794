"""Services: every write is one audited transaction; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    Instrument,
    NotFound,
    Outcome,
    Party,
    ValidationError,
)
from caseload.domain.recurrence import Cadence
from caseload.services import appointments, checkins, clients, commitments, overview
from caseload.services.session import Session
from caseload.services.versions import StaleRecord
from caseload.store.models import Appointment, AuditEvent, CheckInItem, Client
from tests.conftest import NOW, NY


def audit_count() -> int:
    return AuditEvent.select().count()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


@pytest.fixture
def client(session: Session):  # type: ignore[no-untyped-def]
    return clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))


def test_add_client_writes_one_audit_row_with_the_actor(session: Session) -> None:
    fact = clients.add_client(session, "  Jordan Rivers ", "CL-1")
    assert fact.name == "Jordan Rivers" and fact.status is ClientStatus.ACTIVE
    event = AuditEvent.get()
    assert (event.actor, event.action, event.entity, event.entity_id) == (
        "dana", "add", "client", fact.id)
    assert json.loads(event.after)["display_name"] == "Jordan Rivers"


@pytest.mark.parametrize("name,message", [
    ("", "Name cannot be empty."),
    ("Evil\x1b[2J", "control characters"),
    ("Two\nlines", "control characters"),
    ("x" * 121, "too long"),
])
def test_bad_client_names_are_refused_and_nothing_saved(session: Session, name: str,
                                                        message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace(".", r"\.")):
        clients.add_client(session, name, "CL-9")
    assert Client.select().count() == 0 and audit_count() == 0


def test_duplicate_record_number_is_refused(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Record number CL-1 is already in use."):
        clients.add_client(session, "Other Person", "CL-1")
    assert Client.select().count() == 1


def test_other_counselors_clients_are_invisible(session: Session, other_session: Session,
                                                client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        clients.get_client(other_session, client.id)
    with pytest.raises(NotFound):
        appointments.schedule_single(other_session, client.id, at(30, 10))


def test_record_outcome_kept_and_audit(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, at(25, 10))
    before = audit_count()
    fact = appointments.record_outcome(session, appt.id, Outcome.KEPT, counselor_late_min=7)
    assert fact.outcome is Outcome.KEPT and fact.counselor_late_min == 7
    assert audit_count() == before + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert json.loads(event.before)["outcome"] == "scheduled"
    assert json.loads(event.after)["outcome"] == "kept"


def test_future_session_cannot_be_kept_but_can_be_cancelled(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, at(30, 10))
    with pytest.raises(ValidationError, match="not started yet"):
        appointments.record_outcome(session, appt.id, Outcome.KEPT)
    fact = appointments.record_outcome(session, appt.id, Outcome.CLIENT_CANCELLED)
    assert fact.outcome is Outcome.CLIENT_CANCELLED and fact.cancelled_at == NOW


def test_late_minutes_only_for_kept(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, at(25, 10))
    with pytest.raises(ValidationError, match="only to a kept session"):
        appointments.record_outcome(session, appt.id, Outcome.NO_SHOW, client_late_min=5)
    assert Appointment.get_by_id(appt.id).outcome == "scheduled"


def test_reschedule_links_old_to_new(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, at(30, 10))
    old, new = appointments.reschedule(session, appt.id, at(30, 14), Party.COUNSELOR)
    assert old.outcome is Outcome.RESCHEDULED and old.requested_by is Party.COUNSELOR
    assert new.start == at(30, 14) and new.outcome is Outcome.SCHEDULED
    assert Appointment.get_by_id(appt.id).rescheduled_to_id == new.id


def test_stale_version_is_refused(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, at(25, 10))
    appointments.record_outcome(session, appt.id, Outcome.KEPT)
    with pytest.raises(StaleRecord):
        appointments.record_outcome(session, appt.id, Outcome.NO_SHOW, expected_version=1)
    assert Appointment.get_by_id(appt.id).outcome == "kept"


def test_facts_carry_the_version_a_change_expects(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    """What the screens read (the snapshot and the single reads) holds each row's version."""
    appt = appointments.schedule_single(session, client.id, at(25, 10))
    kept = appointments.record_outcome(session, appt.id, Outcome.KEPT, expected_version=1)
    promise = commitments.add(session, client.id, Party.COUNSELOR, "Call", date(2026, 11, 30))
    moved = commitments.renegotiate(session, promise.id, date(2026, 12, 2),
                                    expected_version=promise.version)
    score = checkins.record(session, client.id, Instrument.SRS, (9, 9, 9, 9)).checkin
    talked = checkins.mark_discussed(session, score.id, "fine", expected_version=1)
    assert (appt.version, kept.version, promise.version, moved.version, score.version,
            talked.version) == (1, 2, 1, 2, 1, 2)
    snapshot = overview.load_snapshot(session)
    history = snapshot.history(client.id)
    assert history is not None
    assert [a.version for a in history.appointments] == [2]
    assert [c.version for c in history.commitments] == [2]
    assert [k.version for k in history.checkins] == [2]
    assert [r.version for r in overview.today_rows(session, snapshot, date(2026, 11, 25))] == [2]


def test_stale_discussed_and_stale_split_are_refused(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    score = checkins.record(session, client.id, Instrument.SRS, (5, 5, 5, 5)).checkin
    checkins.mark_discussed(session, score.id, "first", expected_version=1)
    before = audit_count()
    with pytest.raises(StaleRecord, match="check-in was changed in another session"):
        checkins.mark_discussed(session, score.id, "second", expected_version=1)
    assert checkins.get(session, score.id).checkin.comment == "first"
    series_id, _booked = appointments.schedule_series(session, client.id, at(3, 10),
                                                      Cadence.WEEKLY)
    first_dec = Appointment.get(Appointment.starts_at == at(1, 10).replace(month=12))
    appointments.edit_occurrence(session, first_dec.id, location="Room 2", expected_version=1)
    rows = Appointment.select().count()
    with pytest.raises(StaleRecord, match="appointment was changed in another session"):
        appointments.edit_following(session, first_dec.id, datetime(2026, 12, 3, 15, tzinfo=NY),
                                    expected_version=1)
    assert Appointment.select().count() == rows
    assert audit_count() == before + 2  # the series and the edit; nothing from the refusals
    appointments.edit_following(session, first_dec.id, datetime(2026, 12, 3, 15, tzinfo=NY),
                                expected_version=2)


def test_weekly_series_is_materialised_and_split(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    series_id, booked = appointments.schedule_series(session, client.id, at(3, 10),
                                                     Cadence.WEEKLY)
    # Tuesdays from 3 Nov to 12 weeks after now (27 Nov): 3 Nov … 16 Feb.
    assert booked == 16
    starts = [a.starts_at.astimezone(NY) for a in Appointment.select().order_by(
        Appointment.starts_at)]
    assert all(s.hour == 10 and s.weekday() == 1 for s in starts)  # 10:00 across DST
    first_dec = Appointment.get(Appointment.starts_at == at(1, 10).replace(month=12))
    new_id, new_booked = appointments.edit_following(
        session, first_dec.id, datetime(2026, 12, 3, 15, tzinfo=NY))
    kept_old = Appointment.select().where(Appointment.series == series_id).count()
    assert kept_old == 4  # 3, 10, 17, 24 Nov stay on Tuesdays at 10:00
    new_rows = list(Appointment.select().where(Appointment.series == new_id))
    assert new_rows and all(r.starts_at.astimezone(NY).weekday() == 3 for r in new_rows)
    assert new_booked == len(new_rows)


def test_remove_series_needs_the_confirmed_count(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    series_id, _ = appointments.schedule_series(session, client.id, at(3, 10), Cadence.WEEKLY)
    past = Appointment.select().where(Appointment.starts_at < NOW).first()
    appointments.record_outcome(session, past.id, Outcome.KEPT)
    future = appointments.future_occurrences(session, series_id)
    assert future == 12
    with pytest.raises(StaleRecord, match="now has 12 future occurrences, not 3"):
        appointments.remove_series(session, series_id, 3)
    assert appointments.remove_series(session, series_id, future) == 12
    remaining = list(Appointment.select())
    assert len(remaining) == 4 and all(r.starts_at < NOW for r in remaining)
    assert Appointment.get_by_id(past.id).outcome == "kept"
    assert appointments.ensure_materialized(session) == 0


def test_a_deleted_occurrence_id_is_never_given_again(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    """Audit events name appointments by id: a new booking never inherits a deleted one's."""
    series_id, _ = appointments.schedule_series(session, client.id, at(3, 10), Cadence.WEEKLY)
    last = Appointment.select().order_by(Appointment.id.desc()).first()
    appointments.edit_occurrence(session, last.id, location="Room 2", expected_version=1)
    assert [e.entity_id for e in AuditEvent.select().where(
        AuditEvent.entity == "appointment")] == [last.id]
    appointments.remove_series(session, series_id,
                               appointments.future_occurrences(session, series_id))
    assert Appointment.get_or_none(Appointment.id == last.id) is None
    new = appointments.schedule_single(session, client.id, at(30, 14))
    assert new.id > last.id
    assert AuditEvent.select().where((AuditEvent.entity == "appointment")
                                     & (AuditEvent.entity_id == new.id)).count() == 1


def test_commitment_lifecycle_keeps_history(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    c = commitments.add(session, client.id, Party.COUNSELOR, "Call probation officer",
                        date(2026, 11, 30))
    r = commitments.renegotiate(session, c.id, date(2026, 12, 2), "client asked")
    assert r.status is CommitmentStatus.RENEGOTIATED and r.due == date(2026, 12, 2)
    assert [(h.old_due, h.new_due, h.changed_on) for h in r.history] == [
        (date(2026, 11, 30), date(2026, 12, 2), date(2026, 11, 27))]
    done = commitments.complete(session, c.id)
    assert done.status is CommitmentStatus.DONE and done.done_on == date(2026, 11, 27)
    with pytest.raises(ValidationError, match="already done"):
        commitments.complete(session, c.id)
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "commitment")]
    assert actions == ["add", "renegotiate", "complete"]


def test_drop_needs_a_reason(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    c = commitments.add(session, client.id, Party.CLIENT, "Attend two meetings",
                        date(2026, 11, 30))
    with pytest.raises(ValidationError, match="Reason for dropping cannot be empty"):
        commitments.drop(session, c.id, "  ")
    dropped = commitments.drop(session, c.id, "no longer relevant")
    assert dropped.status is CommitmentStatus.DROPPED and dropped.note == "no longer relevant"


def test_commitment_due_before_made_is_refused(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="before the day it was made"):
        commitments.add(session, client.id, Party.CLIENT, "x", date(2026, 11, 1))


def test_two_sessions_editing_one_commitment_second_is_told(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    c = commitments.add(session, client.id, Party.CLIENT, "Attend meetings", date(2026, 12, 4))
    seen = commitments.version_of(session, c.id)
    commitments.edit_text(session, c.id, "Attend two meetings", expected_version=seen)
    with pytest.raises(StaleRecord, match="changed in another session"):
        commitments.complete(session, c.id, expected_version=seen)
    assert commitments.get(session, c.id).status is CommitmentStatus.OPEN


def test_checkin_saves_items_total_and_assessment(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    first = checkins.record(session, client.id, Instrument.SRS, [9.5, 9.0, 9.5, 9.0],
                            taken_on=date(2026, 11, 20))
    assert first.checkin.total == 37.0 and not first.needs_discussion
    second = checkins.record(session, client.id, Instrument.SRS, [8.5, 8.0, 9.0, 8.5])
    assert second.checkin.total == 34.0
    assert second.assessment.below_cutoff and second.assessment.dropped
    assert [i.score for i in CheckInItem.select().where(
        CheckInItem.checkin == second.checkin.id).order_by(CheckInItem.position)] == [
        8.5, 8.0, 9.0, 8.5]
    discussed = checkins.mark_discussed(session, second.checkin.id, "felt rushed")
    assert discussed.discussed and discussed.comment == "felt rushed"


def test_out_of_range_checkin_saves_nothing(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    before = audit_count()
    with pytest.raises(ValidationError, match="Item 2"):
        checkins.record(session, client.id, Instrument.SRS, [9.0, 11.0, 9.0, 9.0])
    assert CheckInItem.select().count() == 0 and audit_count() == before


def test_wai_subscales(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    items = [5, 5, 1, 4, 1, 4, 1, 4, 1, 5, 4, 5]
    result = checkins.record(session, client.id, Instrument.WAI_SR, items)
    assert result.checkin.total == 40
    assert result.subscales == {"Task": 5.0, "Bond": 1.0, "Goal": 4.0}


def test_every_write_leaves_exactly_one_audit_row_each(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    writes = [
        lambda: clients.update_client(session, client.id, cadence_days=14),
        lambda: clients.add_goal(session, client.id, "Get my license back"),
        lambda: appointments.schedule_single(session, client.id, at(24, 9)),
        lambda: commitments.add(session, client.id, Party.CLIENT, "x", date(2026, 12, 1)),
        lambda: checkins.record(session, client.id, Instrument.ORS, [5, 5, 5, 5]),
    ]
    for write in writes:
        before = audit_count()
        write()
        assert audit_count() == before + 1


def test_schedule_in_the_past_week_then_review_window(session: Session, client) -> None:  # type: ignore[no-untyped-def]
    appt = appointments.schedule_single(session, client.id, NOW - timedelta(days=1))
    assert appt.start == NOW - timedelta(days=1)
