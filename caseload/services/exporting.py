"""Reading a whole caseload out as export rows, in a fixed number of queries.

`load_export` returns every row of the counselor's own caseload (or of some clients) as the frozen
records of `caseload.io.rows`, with other records named by natural keys (record number, start
times, goal text) instead of ids. The CSV, JSON and calendar exports format it; the importer
compares incoming rows with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from peewee import ModelSelect

from caseload.domain.records import Instrument, Party
from caseload.io.rows import (
    AppointmentRow,
    CheckInRow,
    ClientRow,
    CommitmentRow,
    ExportData,
    GoalRow,
    SeriesRow,
)
from caseload.services.session import Session
from caseload.store.models import (
    Appointment,
    AppointmentSeries,
    CheckIn,
    CheckInItem,
    Client,
    Commitment,
    Goal,
)
from caseload.store.queries import (
    APPOINTMENT_COLUMNS,
    CHECKIN_COLUMNS,
    COMMITMENT_COLUMNS,
    appointment_fact,
    checkin_fact,
    client_fact,
    commitment_fact,
)


def _own_clients(session: Session, client_ids: Sequence[int] | None) -> ModelSelect[Any]:
    query = Client.select(Client.id).where(Client.counselor == session.counselor_id)
    if client_ids is not None:
        query = query.where(Client.id.in_(list(client_ids)))
    return query


def _clients(session: Session, client_ids: Sequence[int] | None) -> list[ClientRow]:
    query = Client.select(Client.id, Client.display_name, Client.record_number, Client.status,
                          Client.intake_date, Client.counselor, Client.cadence_days,
                          Client.focus).where(Client.id.in_(_own_clients(session, client_ids)))
    rows = []
    for row in query.dicts().iterator():
        fact = client_fact(row)
        rows.append(ClientRow(record_number=fact.record_number, name=fact.name,
                              intake_date=fact.intake, status=fact.status,
                              cadence_days=fact.cadence_days, focus=row["focus"] or "",
                              id=fact.id))
    return sorted(rows, key=lambda r: r.record_number)


def _series(own: ModelSelect[Any], refs: dict[int, str]) -> list[SeriesRow]:
    query = AppointmentSeries.select().where(AppointmentSeries.client.in_(own))
    rows = []
    for s in query.iterator():
        zone = ZoneInfo(s.tzname)
        rows.append(SeriesRow(
            client_ref=refs[s.client_id], start=s.dtstart.astimezone(zone), rrule=s.rrule,
            duration_min=s.duration_min, timezone=s.tzname, kind=s.kind, location=s.location,
            ended=bool(s.ended), materialized_until=s.materialized_until.astimezone(zone),
            id=s.id))
    return sorted(rows, key=lambda r: (r.client_ref, r.start))


def _appointments(own: ModelSelect[Any], refs: dict[int, str], zone: ZoneInfo,
                  series_starts: dict[int, datetime]) -> list[AppointmentRow]:
    extra = (Appointment.kind, Appointment.location, Appointment.recurrence_id,
             Appointment.detached, Appointment.rescheduled_to)
    query = Appointment.select(*APPOINTMENT_COLUMNS, *extra).where(Appointment.client.in_(own))
    raw = list(query.tuples().iterator())
    starts = {row[0]: row[2] for row in raw}
    rows = []
    for row in raw:
        fact = appointment_fact(row[:len(APPOINTMENT_COLUMNS)])
        kind, location, recurrence_id, detached, moved_to = row[len(APPOINTMENT_COLUMNS):]
        rows.append(AppointmentRow(
            client_ref=refs[fact.client_id], start=fact.start.astimezone(zone),
            duration_min=int((fact.end - fact.start).total_seconds() // 60),
            outcome=fact.outcome, client_late_min=fact.client_late_min,
            counselor_late_min=fact.counselor_late_min,
            cancelled_at=fact.cancelled_at.astimezone(zone) if fact.cancelled_at else None,
            requested_by=fact.requested_by, kind=kind, location=location,
            series_start=series_starts.get(fact.series_id) if fact.series_id else None,
            recurrence_id=recurrence_id.astimezone(zone) if recurrence_id else None,
            detached=bool(detached),
            rescheduled_to=starts[moved_to].astimezone(zone) if moved_to in starts else None,
            id=fact.id))
    return sorted(rows, key=lambda r: (r.start, r.client_ref, r.id or 0))


def _goals(own: ModelSelect[Any], refs: dict[int, str]) -> list[GoalRow]:
    query = Goal.select().where(Goal.client.in_(own))
    rows = [GoalRow(client_ref=refs[g.client_id], text=g.text, created_on=g.created_on,
                    active=bool(g.active), position=g.position, id=g.id)
            for g in query.iterator()]
    return sorted(rows, key=lambda r: (r.client_ref, r.position or 0, r.id or 0))


def _commitments(own: ModelSelect[Any], refs: dict[int, str], goals: dict[int, str],
                 starts: dict[int, datetime]) -> list[CommitmentRow]:
    query = Commitment.select(*COMMITMENT_COLUMNS, Commitment.goal,
                              Commitment.appointment).where(Commitment.client.in_(own))
    rows = []
    for row in query.tuples().iterator():
        fact = commitment_fact(row[:len(COMMITMENT_COLUMNS)])
        goal_id, appointment_id = row[len(COMMITMENT_COLUMNS):]
        rows.append(CommitmentRow(
            client_ref=refs[fact.client_id], owner=Party(fact.owner), text=fact.text,
            made_on=fact.made_on, due=fact.due, status=fact.status, done_on=fact.done_on,
            note=fact.note, due_history=fact.history,
            appointment_start=starts.get(appointment_id), goal=goals.get(goal_id, ""),
            id=fact.id))
    return sorted(rows, key=lambda r: (r.made_on, r.client_ref, r.id or 0))


def _checkins(own: ModelSelect[Any], refs: dict[int, str],
              starts: dict[int, datetime]) -> list[CheckInRow]:
    items: dict[int, list[float]] = defaultdict(list)
    item_query = (CheckInItem.select(CheckInItem.checkin, CheckInItem.score)
                  .join(CheckIn).where(CheckIn.client.in_(own))
                  .order_by(CheckInItem.checkin, CheckInItem.position))
    for checkin_id, score in item_query.tuples().iterator():
        items[checkin_id].append(float(score))
    query = CheckIn.select(*CHECKIN_COLUMNS).where(CheckIn.client.in_(own))
    rows = []
    for row in query.tuples().iterator():
        fact = checkin_fact(row)
        rows.append(CheckInRow(
            client_ref=refs[fact.client_id], taken_on=fact.on,
            instrument=Instrument(fact.instrument), items=tuple(items.get(fact.id, ())),
            discussed=fact.discussed, comment=fact.comment,
            appointment_start=starts.get(fact.appointment_id)
            if fact.appointment_id else None, id=fact.id))
    return sorted(rows, key=lambda r: (r.taken_on, r.client_ref, r.id or 0))


def load_export(session: Session, client_ids: Sequence[int] | None = None) -> ExportData:
    """Every row of this counselor's caseload (or of `client_ids`), in eight queries."""
    zone = session.tz
    clients = _clients(session, client_ids)
    refs = {c.id: c.record_number for c in clients if c.id is not None}
    own = _own_clients(session, client_ids)
    series = _series(own, refs)
    series_starts = {s.id: s.start for s in series if s.id is not None}
    appointments = _appointments(own, refs, zone, series_starts)
    starts = {a.id: a.start for a in appointments if a.id is not None}
    goals = _goals(own, refs)
    goal_texts = {g.id: g.text for g in goals if g.id is not None}
    return ExportData(
        timezone=zone.key, exported_at=session.now(), clients=tuple(clients),
        goals=tuple(goals), series=tuple(series), appointments=tuple(appointments),
        commitments=tuple(_commitments(own, refs, goal_texts, starts)),
        checkins=tuple(_checkins(own, refs, starts)))

