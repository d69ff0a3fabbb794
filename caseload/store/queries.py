"""Batched reads: a whole caseload's history in a fixed number of queries.

Each function issues one query whatever the number of clients, and returns domain records
(frozen dataclasses), never live rows. `load_histories` is what every screen and the review
build on: four queries (clients, appointments, commitments, check-ins).

Rows are read straight from the driver's cursor and turned into records here (enum members by
dict lookup, timestamps parsed once): Peewee's per-field conversion cost more than the reading.
The window queries are shaped for the indexes of `models.SNAPSHOT_INDEXES` (see
`tests/store/test_query_plans.py`): a UNION ALL rather than an OR, so each half is one index
range, and the partial indexes' conditions written as the same literals.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from peewee import SQL, ModelSelect, SelectBase

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
from caseload.store import cache
from caseload.store.models import (
    Appointment,
    CheckIn,
    Client,
    Commitment,
    database,
    utc_from_db,
)

# Enum members by value: a dict lookup instead of a call per row (a member finds itself too).
_OUTCOMES: dict[str, Outcome] = {o.value: o for o in Outcome}
_PARTIES: dict[str, Party] = {p.value: p for p in Party}
_STATUSES: dict[str, CommitmentStatus] = {s.value: s for s in CommitmentStatus}
_INSTRUMENTS: dict[str, Instrument] = {i.value: i for i in Instrument}
_SCHEDULED = SQL("'scheduled'")  # as in models.PENDING, so the partial index applies
_FALSE = SQL("false")  # as in models.UNDISCUSSED


def _as_date(value: object) -> date:
    if type(value) is str:  # SQLite's text: the common case first
        return date.fromisoformat(value)
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


def _rows(query: SelectBase) -> Iterable[tuple[Any, ...]]:
    """The query's rows as the driver returns them."""
    return database.execute(query)  # type: ignore[no-any-return]


def appointment_fact(row: tuple) -> AppointmentFact:  # type: ignore[type-arg]
    (id_, client_id, starts, ends, outcome, client_late, counselor_late, requested,
     cancelled, series_id, version) = row
    return AppointmentFact(
        id_, client_id, utc_from_db(starts), utc_from_db(ends),  # type: ignore[arg-type]
        _OUTCOMES[outcome], client_late or 0, counselor_late or 0,
        _PARTIES[requested] if requested else None,
        None if cancelled is None else utc_from_db(cancelled), series_id, version)


APPOINTMENT_COLUMNS = (
    Appointment.id, Appointment.client, Appointment.starts_at, Appointment.ends_at,
    Appointment.outcome, Appointment.client_late_min, Appointment.counselor_late_min,
    Appointment.requested_by, Appointment.cancelled_at, Appointment.series,
    Appointment.version,
)


def appointment_query(counselor_id: int | None, since: datetime, now: datetime,
                      client_ids: Sequence[int] | None = None) -> SelectBase:
    """Occurrences starting at or after `since`, then older ones still needing an outcome.

    (Those from `since` to `now` needing one are in the first half already.)
    """
    def select() -> ModelSelect[Any]:
        return _scope(Appointment.select(*APPOINTMENT_COLUMNS), counselor_id, client_ids)

    recent = select().where(Appointment.starts_at >= since)
    pending = select().where((Appointment.outcome == _SCHEDULED)
                             & (Appointment.starts_at < min(since, now)))
    return (recent + pending).order_by(SQL("3"), SQL("1"))  # starts_at, id


def appointments_since(counselor_id: int | None, since: datetime, now: datetime,
                       client_ids: Sequence[int] | None = None) -> list[AppointmentFact]:
    """Occurrences starting at or after `since`, plus older ones still needing an outcome."""
    return [appointment_fact(r)
            for r in _rows(appointment_query(counselor_id, since, now, client_ids))]


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
    Commitment.note, Commitment.version,
)


def commitment_fact(row: tuple) -> CommitmentFact:  # type: ignore[type-arg]
    id_, client_id, owner, text, made_on, due, status, done_on, history, note, version = row
    return CommitmentFact(
        id_, client_id, _PARTIES[owner], text, _as_date(made_on), _as_date(due),
        _STATUSES[status], _opt_date(done_on), _history(history), note or "", version)


def commitment_query(counselor_id: int | None, since: date,
                     client_ids: Sequence[int] | None = None) -> SelectBase:
    """Outstanding commitments, and any due or done since `since`.

    "Made since" needs no test of its own: a commitment is never due before it was made (a
    CHECK), so one made since is due since.
    """
    query = _scope(Commitment.select(*COMMITMENT_COLUMNS), counselor_id, client_ids)
    outstanding = [CommitmentStatus.OPEN.value, CommitmentStatus.RENEGOTIATED.value]
    query = query.where((Commitment.due >= since) | Commitment.status.in_(outstanding)
                        | (Commitment.done_on >= since))
    return query.order_by(Commitment.due, Commitment.id)


def commitments_since(counselor_id: int | None, since: date,
                      client_ids: Sequence[int] | None = None) -> list[CommitmentFact]:
    """Outstanding commitments, and any due, done or made since `since`."""
    return [commitment_fact(r) for r in _rows(commitment_query(counselor_id, since, client_ids))]


CHECKIN_COLUMNS = (
    CheckIn.id, CheckIn.client, CheckIn.instrument, CheckIn.taken_on, CheckIn.total,
    CheckIn.discussed, CheckIn.appointment, CheckIn.comment, CheckIn.version,
)


def checkin_fact(row: tuple) -> CheckInFact:  # type: ignore[type-arg]
    id_, client_id, instrument, taken_on, total, discussed, appointment_id, comment, version = row
    return CheckInFact(id_, client_id, _INSTRUMENTS[instrument], _as_date(taken_on),
                       float(total), (), bool(discussed), appointment_id, comment or "",
                       version)


def checkin_query(counselor_id: int | None, since: date,
                  client_ids: Sequence[int] | None = None) -> SelectBase:
    """Check-ins taken since `since`, then older ones never discussed."""
    def select() -> ModelSelect[Any]:
        return _scope(CheckIn.select(*CHECKIN_COLUMNS), counselor_id, client_ids)

    recent = select().where(CheckIn.taken_on >= since)
    undiscussed = select().where((CheckIn.discussed == _FALSE) & (CheckIn.taken_on < since))
    return (recent + undiscussed).order_by(SQL("4"), SQL("1"))  # taken_on, id


def checkins_since(counselor_id: int | None, since: date,
                   client_ids: Sequence[int] | None = None) -> list[CheckInFact]:
    """Check-ins taken since `since`, plus any never discussed (they stay flagged)."""
    return [checkin_fact(r) for r in _rows(checkin_query(counselor_id, since, client_ids))]


def snapshot_sql(counselor_id: int | None, since: datetime, now: datetime
                 ) -> dict[str, tuple[str, list[Any]]]:
    """The SQL and parameters of `load_histories`' window queries (for EXPLAIN)."""
    return {"appointments": appointment_query(counselor_id, since, now).sql(),
            "commitments": commitment_query(counselor_id, since.date()).sql(),
            "checkins": checkin_query(counselor_id, since.date()).sql()}


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


def replacing_appointment(fact: AppointmentFact
                          ) -> Callable[[tuple[ClientHistory, ...]], tuple[ClientHistory, ...]]:
    """A `cache.Change.patch` for cached histories: `fact` in place of its earlier version."""
    def patch(histories: tuple[ClientHistory, ...]) -> tuple[ClientHistory, ...]:
        out = list(histories)
        for i, history in enumerate(out):
            if history.client.id != fact.client_id:
                continue
            found = [j for j, a in enumerate(history.appointments) if a.id == fact.id]
            if found:
                appointments = list(history.appointments)
                appointments[found[0]] = fact
                out[i] = replace(history, appointments=tuple(appointments))
        return tuple(out)

    return patch


def load_histories(counselor_id: int | None, since: datetime, now: datetime, *,
                   statuses: Sequence[ClientStatus] | None = None,
                   client_ids: Sequence[int] | None = None) -> list[ClientHistory]:
    """Every client's history since `since`, in four queries whatever the caseload's size.

    Read again only when the database has changed since the same read (`store.cache`; what is
    read depends on `since`, not on `now`, as long as `since` is before `now`).
    """
    def read() -> tuple[ClientHistory, ...]:
        return tuple(_load_histories(counselor_id, since, now, statuses, client_ids))

    if since >= now:
        return list(read())
    key = ("histories", counselor_id, since, tuple(statuses or ()),
           None if client_ids is None else tuple(client_ids))
    return list(cache.cached(key, read))


def _load_histories(counselor_id: int | None, since: datetime, now: datetime,
                    statuses: Sequence[ClientStatus] | None,
                    client_ids: Sequence[int] | None) -> list[ClientHistory]:
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
