"""Commitments both ways: add, mark done, renegotiate (history kept), drop with a reason."""

from __future__ import annotations

import json
from datetime import date

from caseload.domain.records import (
    CommitmentFact,
    CommitmentStatus,
    NotFound,
    Party,
    ValidationError,
)
from caseload.domain.text import clean_line
from caseload.services import audit
from caseload.services.clients import own_client
from caseload.services.session import Session
from caseload.services.versions import StaleRecord, check_version
from caseload.store.models import Appointment, Client, Commitment, Goal, database
from caseload.store.queries import COMMITMENT_COLUMNS, commitment_fact


def _fact(row: Commitment) -> CommitmentFact:
    return commitment_fact(tuple(getattr(row, f.name if f.name != "client" else "client_id")
                                 for f in COMMITMENT_COLUMNS))


def _own(session: Session, commitment_id: int) -> Commitment:
    row = (Commitment.select().join(Client)
           .where((Commitment.id == commitment_id)
                  & (Client.counselor == session.counselor_id)).first())
    if row is None:
        raise NotFound(f"No commitment #{commitment_id} on your caseload.")
    return row


def add(session: Session, client_id: int, owner: Party, text: str, due: date, *,
        made_on: date | None = None, goal_id: int | None = None,
        appointment_id: int | None = None, note: str = "") -> CommitmentFact:
    """Record a new promise, the counselor's or the client's."""
    text = clean_line(text, "Commitment", max_len=200)
    note = clean_line(note, "Note", max_len=200, required=False)
    made_on = made_on or session.today()
    if due < made_on:
        raise ValidationError(f"The due date {due.isoformat()} is before the day it was made "
                              f"({made_on.isoformat()}).", field="due")
    with database.atomic():
        own_client(session, client_id)
        # What it is tied to must be this client's (the database would refuse a missing one
        # with a bare "FOREIGN KEY constraint failed", and accept another client's).
        if goal_id is not None and not Goal.select().where(
                (Goal.id == goal_id) & (Goal.client == client_id)).exists():
            raise ValidationError("That goal is not this client's.", field="goal")
        if appointment_id is not None and not Appointment.select().where(
                (Appointment.id == appointment_id) & (Appointment.client == client_id)).exists():
            raise ValidationError("That appointment is not this client's.", field="appointment")
        row = Commitment.create(client=client_id, owner=Party(owner).value, text=text,
                                made_on=made_on, due=due, goal=goal_id,
                                appointment=appointment_id, note=note)
        audit.record(session, "add", "commitment", row.id, client_id, None,
                     audit.snapshot(row))
    return _fact(row)


def _change(session: Session, commitment_id: int, action: str, expected_version: int | None,
            mutate) -> CommitmentFact:  # type: ignore[no-untyped-def]
    with database.atomic():
        row = _own(session, commitment_id)
        check_version(row, expected_version)
        before = audit.snapshot(row)
        mutate(row)
        row.version += 1
        updated = (Commitment.update(**{k: getattr(row, k) for k in (
            "text", "due", "status", "done_on", "note", "due_history")},
            version=row.version)
            .where((Commitment.id == row.id) & (Commitment.version == row.version - 1))
            .execute())
        if updated != 1:
            raise StaleRecord("This commitment was changed in another session; "
                              "nothing was saved.")
        audit.record(session, action, "commitment", row.id, row.client_id, before,
                     audit.snapshot(row))
    return _fact(row)


def complete(session: Session, commitment_id: int, done_on: date | None = None, *,
             note: str | None = None, expected_version: int | None = None) -> CommitmentFact:
    """Mark a commitment done (on `done_on`, today by default)."""
    done = done_on or session.today()
    if done > session.today():
        raise ValidationError("A commitment cannot be done in the future.", field="done_on")

    def mutate(row: Commitment) -> None:
        if row.status == CommitmentStatus.DONE.value:
            raise ValidationError("This commitment is already done.")
        if done < row.made_on:
            raise ValidationError("It cannot be done before it was made.", field="done_on")
        row.status = CommitmentStatus.DONE.value
        row.done_on = done
        if note is not None:
            row.note = clean_line(note, "Note", max_len=200, required=False)

    return _change(session, commitment_id, "complete", expected_version, mutate)


def renegotiate(session: Session, commitment_id: int, new_due: date, reason: str = "", *,
                expected_version: int | None = None) -> CommitmentFact:
    """Move the due date, keeping the old one in the history (DOMAIN.md §2)."""
    reason = clean_line(reason, "Reason", max_len=200, required=False)
    today = session.today()

    def mutate(row: Commitment) -> None:
        if not CommitmentStatus(row.status).outstanding:
            raise ValidationError("Only an open commitment can be renegotiated.")
        if new_due < today:
            raise ValidationError("The new due date is in the past.", field="due")
        if new_due == row.due:
            raise ValidationError("That is the same due date.", field="due")
        if new_due < row.made_on:
            raise ValidationError(f"The new due date is before the day it was made "
                                  f"({row.made_on.isoformat()}).", field="due")
        history = json.loads(row.due_history or "[]")
        history.append({"old_due": row.due.isoformat(), "new_due": new_due.isoformat(),
                        "changed_on": today.isoformat(), "reason": reason})
        row.due_history = json.dumps(history)
        row.due = new_due
        row.status = CommitmentStatus.RENEGOTIATED.value

    return _change(session, commitment_id, "renegotiate", expected_version, mutate)


def drop(session: Session, commitment_id: int, reason: str, *,
         expected_version: int | None = None) -> CommitmentFact:
    """Drop a commitment; a reason is required and kept in the note."""
    reason = clean_line(reason, "Reason for dropping", max_len=200)

    def mutate(row: Commitment) -> None:
        if row.status in (CommitmentStatus.DONE.value, CommitmentStatus.DROPPED.value):
            raise ValidationError(f"This commitment is already {row.status}.")
        row.status = CommitmentStatus.DROPPED.value
        row.note = reason

    return _change(session, commitment_id, "drop", expected_version, mutate)


def edit_text(session: Session, commitment_id: int, text: str, *,
              expected_version: int | None = None) -> CommitmentFact:
    cleaned = clean_line(text, "Commitment", max_len=200)

    def mutate(row: Commitment) -> None:
        row.text = cleaned

    return _change(session, commitment_id, "edit", expected_version, mutate)


def get(session: Session, commitment_id: int) -> CommitmentFact:
    return _fact(_own(session, commitment_id))


def version_of(session: Session, commitment_id: int) -> int:
    return int(_own(session, commitment_id).version)
