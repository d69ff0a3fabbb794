"""Audit completeness: every write service leaves its audit rows, with who, what, before, after.

The walk below calls every public write of caseload.services; a meta-test finds the writes by
their source (a transaction or an audit call) so that a new write without a place here fails.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from datetime import date, datetime

import pytest

import caseload.services
from caseload.domain.records import ClientStatus, Instrument, Outcome, Party
from caseload.domain.recurrence import Cadence
from caseload.services import (
    appointments,
    audit,
    checkins,
    clients,
    clinic,
    commitments,
    weekly_review,
)
from caseload.services.session import Session
from caseload.store.models import AuditEvent
from tests.conftest import NY

# Actions that change an existing record: their audit rows carry the values before.
CHANGES = {"update", "outcome", "edit", "reschedule", "remove_series", "split_series",
           "complete", "renegotiate", "drop", "discussed", "move", "finish", "transfer"}

# Writes that leave no audit row of their own, and why.
NOT_AUDITED = {
    "appointments.ensure_materialized": "books the rows of an audited series up to a horizon",
    "session.ensure_counselor": "the counselor's own row on first use (no client data)",
    "clinic.init": "schema, roles and policies (DDL), printed step by step instead",
    "clinic.add_member": "audited; needs PostgreSQL roles (tests/store/test_postgres_rls.py)",
    "importing.import_tables": "one row per imported record (tests/io)",
}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NY)


def _writes(s: Session, other: Session) -> list[tuple[str, int, Callable[[], object]]]:
    """(service, audit rows expected, call) for every write, in an order that works."""
    state: dict[str, int] = {}

    def remember(key: str, value: int) -> int:
        state[key] = value
        return value

    return [
        ("clients.add_client", 1, lambda: remember(
            "client", clients.add_client(s, "Jordan Rivers", "CL-1", date(2026, 9, 1)).id)),
        ("clients.update_client", 1, lambda: clients.update_client(s, state["client"],
                                                                   cadence_days=14)),
        ("clients.set_status", 1, lambda: clients.set_status(s, state["client"],
                                                             ClientStatus.ACTIVE)),
        ("clients.add_goal", 1, lambda: remember(
            "goal", clients.add_goal(s, state["client"], "Get my license back").id)),
        ("clients.edit_goal", 1, lambda: clients.edit_goal(s, state["goal"], text="Drive")),
        ("appointments.schedule_single", 1, lambda: remember(
            "appt", appointments.schedule_single(s, state["client"], at(23, 9)).id)),
        ("appointments.record_outcome", 1, lambda: appointments.record_outcome(
            s, state["appt"], Outcome.KEPT)),
        ("appointments.edit_occurrence", 1, lambda: appointments.edit_occurrence(
            s, state["appt"], location="Room 2")),
        ("appointments.reschedule", 2, lambda: appointments.reschedule(
            s, appointments.schedule_single(s, state["client"], at(30, 9)).id, at(30, 11),
            Party.CLIENT)),
        ("appointments.schedule_series", 1, lambda: remember(
            "series", appointments.schedule_series(s, state["client"], at(24, 15),
                                                   Cadence.WEEKLY)[0])),
        ("appointments.edit_following", 2, lambda: remember(
            "series", appointments.edit_following(
                s, _occurrence(s, state["series"], 2), at(26, 15).replace(day=8, month=12))[0])),
        ("appointments.remove_series", 1, lambda: appointments.remove_series(
            s, state["series"], appointments.future_occurrences(s, state["series"]))),
        ("commitments.add", 1, lambda: remember("c", commitments.add(
            s, state["client"], Party.COUNSELOR, "Call", date(2026, 12, 1)).id)),
        ("commitments.edit_text", 1, lambda: commitments.edit_text(s, state["c"], "Call PO")),
        ("commitments.renegotiate", 1, lambda: commitments.renegotiate(
            s, state["c"], date(2026, 12, 4), "asked")),
        ("commitments.complete", 1, lambda: commitments.complete(s, state["c"])),
        ("commitments.drop", 1, lambda: commitments.drop(s, commitments.add(
            s, state["client"], Party.CLIENT, "Walk", date(2026, 12, 1)).id, "not now")),
        ("checkins.record", 1, lambda: remember("k", checkins.record(
            s, state["client"], Instrument.SRS, [8, 8, 8, 8], taken_on=date(2026, 11, 23),
            appointment_id=state["appt"]).checkin.id)),
        ("checkins.mark_discussed", 1, lambda: checkins.mark_discussed(s, state["k"])),
        ("weekly_review.start_or_resume", 1, lambda: remember(
            "review", weekly_review.start_or_resume(s).id)),
        ("weekly_review.move", 1, lambda: weekly_review.move(
            s, state["review"], weekly_review.Step.CURRENT)),
        ("weekly_review.set_note", 1, lambda: weekly_review.set_note(
            s, state["review"], state["client"], focus="Start on time", reviewed=True)),
        ("weekly_review.finish", 1, lambda: weekly_review.finish(s, state["review"])),
        ("clinic.transfer", 1, lambda: clinic.transfer(
            dataclasses.replace(s, actor="admin"), "CL-1", other.actor)),
    ]


def _occurrence(s: Session, series_id: int, n: int) -> int:
    from caseload.store.models import Appointment

    rows = (Appointment.select(Appointment.id).where(Appointment.series == series_id)
            .order_by(Appointment.starts_at))
    return int(rows[n].id)


def test_every_write_service_is_walked() -> None:
    found = set()
    for info in pkgutil.iter_modules(caseload.services.__path__):
        module = importlib.import_module(f"caseload.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            source = inspect.getsource(fn)
            if any(mark in source for mark in ("atomic()", "_change(", "audit.record(")):
                found.add(f"{info.name}.{name}")
    walked = {name for name, _, _ in _writes(None, None)}  # type: ignore[arg-type]
    missing = found - walked - set(NOT_AUDITED)
    assert not missing, f"write services missing from the audit walk: {sorted(missing)}"


@pytest.mark.sqlite_only  # clinic.transfer on PostgreSQL needs roles: see test_postgres_rls
def test_every_write_leaves_its_audit_rows(session: Session, other_session: Session) -> None:
    for name, expected, write in _writes(session, other_session):
        before = AuditEvent.select().count()
        last = AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id.desc()).first()
        write()
        extra = 1 if name in ("appointments.reschedule", "commitments.drop") else 0
        new = list(AuditEvent.select().where(AuditEvent.id > (last.id if last else 0))
                   .order_by(AuditEvent.id))
        assert AuditEvent.select().count() == before + expected + extra, name
        for event in new:
            assert event.actor in (session.actor, "admin"), name
            assert event.at is not None and event.action and event.entity, name
            if event.entity != "weekly_review":  # a review is the counselor's, no client's
                assert event.client_id is not None, name
            assert event.after is not None, name
            if event.action in CHANGES:
                assert event.before is not None, (name, event.action)
            if event.before is not None:
                assert json.loads(event.before) != json.loads(event.after), name


def test_a_read_only_session_saves_nothing(session: Session) -> None:
    client = clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    before = AuditEvent.select().count()
    reader = dataclasses.replace(session, read_only=True)
    with pytest.raises(audit.ReadOnlySession):
        clients.add_goal(reader, client.id, "A goal")
    with pytest.raises(audit.ReadOnlySession):
        appointments.schedule_single(reader, client.id, at(24, 9))
    assert AuditEvent.select().count() == before
    assert clients.goals(session, client.id) == []


def test_events_are_scoped_to_the_caseload(session: Session, other_session: Session) -> None:
    mine = clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    theirs = clients.add_client(other_session, "Sam Other", "CL-2", date(2026, 9, 1))
    clients.add_goal(other_session, theirs.id, "Their goal")
    assert {e.client_id for e in audit.events(session)} == {mine.id}
    assert audit.events(session, client_id=theirs.id) == []
    assert len(audit.events(other_session, client_id=theirs.id)) == 2
    assert audit.events(session, since=date(2026, 11, 28)) == []
    assert len(audit.events(session, since=date(2026, 11, 27))) == 1
