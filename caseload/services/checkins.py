"""Alliance and outcome check-ins: record scores, assess them, mark them discussed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date

import msgspec

from caseload.domain import instruments
from caseload.domain.records import CheckInFact, Instrument, NotFound, ValidationError
from caseload.domain.text import clean_line
from caseload.services import audit
from caseload.services.clients import own_client
from caseload.services.session import Session
from caseload.services.versions import check_version
from caseload.store.db import locked
from caseload.store.models import Appointment, CheckIn, CheckInItem, Client, database
from caseload.store.queries import checkin_fact


class CheckInResult(msgspec.Struct, frozen=True, gc=False):
    """A saved check-in and what it means: below the cutoff, a drop, subscales."""

    checkin: CheckInFact
    assessment: instruments.Assessment
    subscales: dict[str, float]

    @property
    def needs_discussion(self) -> bool:
        return self.assessment.needs_discussion


def _fact(row: CheckIn, items: Sequence[float] = ()) -> CheckInFact:
    fact = checkin_fact((row.id, row.client_id, row.instrument, row.taken_on, row.total,
                         row.discussed, row.appointment_id, row.comment, row.version))
    if items:
        from msgspec.structs import replace

        fact = replace(fact, items=tuple(items))
    return fact


def previous_total(client_id: int, instrument: Instrument, before: date,
                   exclude_id: int | None = None) -> float | None:
    query = (CheckIn.select(CheckIn.total)
             .where((CheckIn.client == client_id) & (CheckIn.instrument == instrument.value)
                    & (CheckIn.taken_on <= before))
             .order_by(CheckIn.taken_on.desc(), CheckIn.id.desc()))
    if exclude_id is not None:
        query = query.where(CheckIn.id != exclude_id)
    row = query.first()
    return float(row.total) if row else None


def record(session: Session, client_id: int, instrument: Instrument, items: Sequence[float], *,
           taken_on: date | None = None, appointment_id: int | None = None,
           comment: str = "", discussed: bool = False) -> CheckInResult:
    """Save a check-in with its item scores and total, in one transaction with its audit row."""
    instrument = Instrument(instrument)
    scores = instruments.validate_items(instrument, items)
    comment = clean_line(comment, "Comment", max_len=200, required=False)
    taken_on = taken_on or session.today()
    if taken_on > session.today():
        raise ValidationError("A check-in cannot be dated in the future.", field="taken_on")
    total = instruments.total(instrument, scores)
    with database.atomic():
        own_client(session, client_id)
        if appointment_id is not None and not Appointment.select().where(
                (Appointment.id == appointment_id)
                & (Appointment.client == client_id)).exists():
            raise ValidationError("That appointment is not this client's.")
        prev = previous_total(client_id, instrument, taken_on)
        row = CheckIn.create(client=client_id, instrument=instrument.value, taken_on=taken_on,
                             total=total, appointment=appointment_id, discussed=discussed,
                             comment=comment, created_at=session.clock().astimezone(UTC))
        CheckInItem.insert_many(
            [{"checkin": row.id, "position": i + 1, "score": s} for i, s in enumerate(scores)]
        ).execute()
        after = audit.snapshot(row) or {}
        after["items"] = list(scores)
        audit.record(session, "add", "checkin", row.id, client_id, None, after)
    assessment = instruments.assess(instrument, total, prev, session.settings)
    return CheckInResult(_fact(row, scores), assessment,
                         instruments.subscales(instrument, scores))


def _own(session: Session, checkin_id: int, *, lock: bool = False) -> CheckIn:
    """The check-in, if on this counselor's caseload; `lock` to change it (see db.locked)."""
    query = (CheckIn.select().join(Client)
             .where((CheckIn.id == checkin_id) & (Client.counselor == session.counselor_id)))
    row = (locked(query, CheckIn) if lock else query).first()
    if row is None:
        raise NotFound(f"No check-in #{checkin_id} on your caseload.")
    return row


def mark_discussed(session: Session, checkin_id: int, comment: str | None = None,
                   discussed: bool = True, *,
                   expected_version: int | None = None) -> CheckInFact:
    """Record that a low score or a drop was discussed with the client (and what was said).

    `expected_version` is the version the screen showed; a check-in changed since in another
    session is refused (`StaleRecord`) and nothing is saved.
    """
    with database.atomic():
        row = _own(session, checkin_id, lock=True)
        check_version(row, expected_version, "check-in")
        before = audit.snapshot(row)
        row.discussed = discussed
        if comment is not None:
            row.comment = clean_line(comment, "Comment", max_len=200, required=False)
        row.version += 1
        row.save()
        audit.record(session, "discussed" if discussed else "undiscussed", "checkin", row.id,
                     row.client_id, before, audit.snapshot(row))
    return _fact(row)


def get(session: Session, checkin_id: int) -> CheckInResult:
    row = _own(session, checkin_id)
    items = [i.score for i in CheckInItem.select(CheckInItem.score)
             .where(CheckInItem.checkin == row.id).order_by(CheckInItem.position)]
    instrument = Instrument(row.instrument)
    prev = previous_total(row.client_id, instrument, row.taken_on, exclude_id=row.id)
    return CheckInResult(_fact(row, items),
                         instruments.assess(instrument, row.total, prev, session.settings),
                         instruments.subscales(instrument, items))
