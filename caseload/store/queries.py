"""Batched reads: a whole caseload's history in a fixed number of queries.

Each function issues one query whatever the number of clients, and returns domain records
(frozen dataclasses), never live rows. `load_histories` is what every screen and the review
build on: four queries (clients, appointments, commitments, check-ins).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from peewee import ModelSelect

from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
    DueChange,
    Instrument,
    Outcome,
    Party,
)
from caseload.store.models import Appointment, CheckIn, Client, Commitment, utc_from_db


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _opt_date(value: object) -> date | None:
    return None if value is None else _as_date(value)


def client_query(counselor_id: int | None, statuses: Sequence[ClientStatus] | None = None,
                 client_ids: Sequence[int] | None = None) -> ModelSelect[Any]:
    """Clients of one counselor (or of everyone when counselor_id is None)."""
    query = Client.select(Client.id, Client.display_name, Client.record_number,
                          Client.status, Client.intake_date, Client.counselor,
                          Client.cadence_days)
    if counselor_id is not None:
        query = query.where(Client.counselor == counselor_id)
    if statuses:
        query = query.where(Client.status.in_([s.value for s in statuses]))
    if client_ids is not None:
        query = query.where(Client.id.in_(list(client_ids)))
    return query.order_by(Client.display_name, Client.id)


def client_fact(row: dict[str, Any]) -> ClientFact:
    return ClientFact(
        id=int(row["id"]),
        name=str(row["display_name"]),
        record_number=str(row["record_number"]),
        status=ClientStatus(row["status"]),
        intake=_as_date(row["intake_date"]),
        counselor_id=row["counselor"],
        cadence_days=int(row["cadence_days"]),
    )


def _scope(query: ModelSelect[Any], counselor_id: int | None,
           client_ids: Sequence[int] | None) -> ModelSelect[Any]:
    model: Any = query.model
    if client_ids is not None:
        return query.where(model.client.in_(list(client_ids)))
    if counselor_id is not None:
        return query.join(Client, on=(model.client == Client.id)).where(
            Client.counselor == counselor_id)
    return query


def appointment_fact(row: tuple) -> AppointmentFact:  # type: ignore[type-arg]
    (id_, client_id, starts, ends, outcome, client_late, counselor_late, requested,
     cancelled, series_id) = row
    return AppointmentFact(
        id=id_, client_id=client_id, start=utc_from_db(starts),  # type: ignore[arg-type]
        end=utc_from_db(ends),  # type: ignore[arg-type]
        outcome=Outcome(outcome), client_late_min=client_late or 0,
        counselor_late_min=counselor_late or 0,
        requested_by=Party(requested) if requested else None,
        cancelled_at=utc_from_db(cancelled), series_id=series_id)


APPOINTMENT_COLUMNS = (
    Appointment.id, Appointment.client, Appointment.starts_at, Appointment.ends_at,
    Appointment.outcome, Appointment.client_late_min, Appointment.counselor_late_min,
    Appointment.requested_by, Appointment.cancelled_at, Appointment.series,
)


def appointments_since(counselor_id: int | None, since: datetime, now: datetime,
                       client_ids: Sequence[int] | None = None) -> list[AppointmentFact]:
    """Occurrences starting at or after `since`, plus older ones still needing an outcome."""
    query = _scope(Appointment.select(*APPOINTMENT_COLUMNS), counselor_id, client_ids)
    query = query.where(
        (Appointment.starts_at >= since)
        | ((Appointment.outcome == Outcome.SCHEDULED.value) & (Appointment.starts_at < now)))
    query = query.order_by(Appointment.starts_at, Appointment.id)
    return [appointment_fact(r) for r in query.tuples().iterator()]


def _history(raw: object) -> tuple[DueChange, ...]:
    if not raw or raw == "[]":
        return ()
    return tuple(
        DueChange(old_due=date.fromisoformat(h["old_due"]), new_due=date.fromisoformat(
            h["new_due"]), changed_on=date.fromisoformat(h["changed_on"]),
            reason=h.get("reason", ""))
        for h in json.loads(str(raw)))


COMMITMENT_COLUMNS = (
    Commitment.id, Commitment.client, Commitment.owner, Commitment.text, Commitment.made_on,
    Commitment.due, Commitment.status, Commitment.done_on, Commitment.due_history,
    Commitment.note,
)


def commitment_fact(row: tuple) -> CommitmentFact:  # type: ignore[type-arg]
    id_, client_id, owner, text, made_on, due, status, done_on, history, note = row
    return CommitmentFact(
        id=id_, client_id=client_id, owner=Party(owner), text=text,
        made_on=_as_date(made_on), due=_as_date(due), status=CommitmentStatus(status),
        done_on=_opt_date(done_on), history=_history(history), note=note or "")


def commitments_since(counselor_id: int | None, since: date,
                      client_ids: Sequence[int] | None = None) -> list[CommitmentFact]:
    """Outstanding commitments, and any due, done or made since `since`."""
    query = _scope(Commitment.select(*COMMITMENT_COLUMNS), counselor_id, client_ids)
    outstanding = [CommitmentStatus.OPEN.value, CommitmentStatus.RENEGOTIATED.value]
    query = query.where(Commitment.status.in_(outstanding) | (Commitment.due >= since)
                        | (Commitment.done_on >= since) | (Commitment.made_on >= since))
    query = query.order_by(Commitment.due, Commitment.id)
    return [commitment_fact(r) for r in query.tuples().iterator()]


CHECKIN_COLUMNS = (
    CheckIn.id, CheckIn.client, CheckIn.instrument, CheckIn.taken_on, CheckIn.total,
    CheckIn.discussed, CheckIn.appointment, CheckIn.comment,
)


def checkin_fact(row: tuple) -> CheckInFact:  # type: ignore[type-arg]
    id_, client_id, instrument, taken_on, total, discussed, appointment_id, comment = row
    return CheckInFact(
        id=id_, client_id=client_id, instrument=Instrument(instrument),
        on=_as_date(taken_on), total=float(total), discussed=bool(discussed),
        appointment_id=appointment_id, comment=comment or "")


def checkins_since(counselor_id: int | None, since: date,
                   client_ids: Sequence[int] | None = None) -> list[CheckInFact]:
    """Check-ins taken since `since`, plus any never discussed (they stay flagged)."""
    query = _scope(CheckIn.select(*CHECKIN_COLUMNS), counselor_id, client_ids)
    query = query.where((CheckIn.taken_on >= since) | (CheckIn.discussed == False))  # noqa: E712
    query = query.order_by(CheckIn.taken_on, CheckIn.id)
    return [checkin_fact(r) for r in query.tuples().iterator()]


def group_histories(clients: Iterable[ClientFact], appointments: Iterable[AppointmentFact],
                    commitments: Iterable[CommitmentFact],
                    checkins: Iterable[CheckInFact]) -> list[ClientHistory]:
    """Assemble per-client histories from flat, time-ordered lists."""
    appts: dict[int, list[AppointmentFact]] = defaultdict(list)
    comms: dict[int, list[CommitmentFact]] = defaultdict(list)
    checks: dict[int, list[CheckInFact]] = defaultdict(list)
    for a in appointments:
        appts[a.client_id].append(a)
    for c in commitments:
        comms[c.client_id].append(c)
    for k in checkins:
        checks[k.client_id].append(k)
    return [ClientHistory(client=c, appointments=tuple(appts.get(c.id, ())),
                          commitments=tuple(comms.get(c.id, ())),
                          checkins=tuple(checks.get(c.id, ())))
            for c in clients]


def load_histories(counselor_id: int | None, since: datetime, now: datetime, *,
                   statuses: Sequence[ClientStatus] | None = None,
                   client_ids: Sequence[int] | None = None) -> list[ClientHistory]:
    """Every client's history since `since`, in four queries whatever the caseload's size."""
    clients = [client_fact(r) for r in
               client_query(counselor_id, statuses, client_ids).dicts().iterator()]
    if not clients:
        return []
    scope_ids = client_ids
    if statuses:
        scope_ids = [c.id for c in clients] if client_ids is None else client_ids
        wanted = {c.id for c in clients}
    else:
        wanted = None
    since_day = since.date()
    appointments = appointments_since(counselor_id, since, now, scope_ids
                                      if scope_ids is not None and len(scope_ids) < 500 else None)
    commitments = commitments_since(counselor_id, since_day, scope_ids
                                    if scope_ids is not None and len(scope_ids) < 500 else None)
    checkins = checkins_since(counselor_id, since_day, scope_ids
                              if scope_ids is not None and len(scope_ids) < 500 else None)
    if wanted is not None:
        appointments = [a for a in appointments if a.client_id in wanted]
        commitments = [c for c in commitments if c.client_id in wanted]
        checkins = [k for k in checkins if k.client_id in wanted]
    return group_histories(clients, appointments, commitments, checkins)
