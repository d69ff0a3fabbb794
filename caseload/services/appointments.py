"""Appointments: single sessions, recurring series, outcomes, reschedules, series edits.

A series is an RRULE anchored at a local start in the clinic's zone. Its occurrences are kept
as appointment rows up to a horizon (materialised), so each can carry its own outcome; a row
keeps its original start as `recurrence_id`, so editing or moving one occurrence never touches
the others and re-materialising never duplicates it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import ModelSelect, chunked

from caseload.domain import dates, recurrence
from caseload.domain.records import (
    AppointmentFact,
    NotFound,
    Outcome,
    Party,
    ValidationError,
)
from caseload.domain.text import clean_line
from caseload.services import audit
from caseload.services.clients import own_client
from caseload.services.session import Session
from caseload.services.versions import StaleRecord, check_version
from caseload.store import cache
from caseload.store.db import locked
from caseload.store.models import Appointment, AppointmentSeries, Client, database
from caseload.store.queries import APPOINTMENT_COLUMNS, appointment_fact, replacing_appointment

HORIZON_WEEKS = 12
CANCELLED = {Outcome.CLIENT_CANCELLED, Outcome.COUNSELOR_CANCELLED, Outcome.LATE_CANCEL}


def _fact(row: Appointment) -> AppointmentFact:
    return appointment_fact(tuple(
        getattr(row, f.name + "_id") if f.name in ("client", "series") else getattr(row, f.name)
        for f in APPOINTMENT_COLUMNS))


def _own(session: Session, appointment_id: int, *, lock: bool = False) -> Appointment:
    """The appointment, if on this counselor's caseload; `lock` to change it (see db.locked)."""
    query = (Appointment.select().join(Client)
             .where((Appointment.id == appointment_id)
                    & (Client.counselor == session.counselor_id)))
    row = (locked(query, Appointment) if lock else query).first()
    if row is None:
        raise NotFound(f"No appointment #{appointment_id} on your caseload.")
    return row


def _own_series(session: Session, series_id: int) -> AppointmentSeries:
    row = (AppointmentSeries.select().join(Client)
           .where((AppointmentSeries.id == series_id)
                  & (Client.counselor == session.counselor_id)).first())
    if row is None:
        raise NotFound(f"No series #{series_id} on your caseload.")
    return row


def _duration(minutes: int) -> timedelta:
    if not isinstance(minutes, int) or not 5 <= minutes <= 480:
        raise ValidationError("Duration must be between 5 and 480 minutes.", field="duration")
    return timedelta(minutes=minutes)


def _aware(when: datetime, session: Session) -> datetime:
    """The moment `when` stands for, on the clinic's clock.

    Through UTC, so that a wall time inside a spring-forward gap (which Python reads with the
    offset before the change) becomes the moment it stands for, never an impossible time.
    """
    if when.tzinfo is None:
        raise ValidationError("Internal error: a time without a zone.")
    if not dates.MIN_YEAR <= when.year <= dates.MAX_YEAR:  # as typed dates: no overflow later
        raise ValidationError(f"{when:%Y-%m-%d} is out of range; dates must be between "
                              f"{dates.MIN_YEAR} and {dates.MAX_YEAR}.", field="start")
    return when.astimezone(UTC).astimezone(session.tz)


def _end(start: datetime, length: timedelta) -> datetime:
    """`length` after `start` in elapsed time (aware arithmetic is wall-clock arithmetic: across
    a daylight-saving change it would make a 50-minute session 110 or -10 minutes long)."""
    return start.astimezone(UTC) + length


def schedule_single(session: Session, client_id: int, start: datetime, duration_min: int = 50,
                    *, kind: str = "individual", location: str = "") -> AppointmentFact:
    """Book one appointment (not part of a series)."""
    start = _aware(start, session)
    length = _duration(duration_min)
    location = clean_line(location, "Location", max_len=80, required=False)
    kind = clean_line(kind, "Kind", max_len=40)
    with database.atomic():
        own_client(session, client_id)
        row = Appointment.create(client=client_id, starts_at=start, ends_at=_end(start, length),
                                 kind=kind, location=location)
        audit.record(session, "schedule", "appointment", row.id, client_id, None,
                     audit.snapshot(row))
    return _fact(row)


def _series_start(series: AppointmentSeries) -> datetime:
    return series.dtstart.astimezone(ZoneInfo(series.tzname))


def _materialize(series: AppointmentSeries, until: datetime) -> int:
    """Create the series' missing occurrence rows up to `until`; return how many."""
    start_local = _series_start(series)
    since = max(series.materialized_until, series.dtstart)
    if series.ended or since >= until:
        return 0
    starts = recurrence.occurrences(series.rrule, start_local, since, until)
    existing = {r.recurrence_id for r in Appointment.select(Appointment.recurrence_id).where(
        (Appointment.series == series.id) & (Appointment.recurrence_id >= since))}
    length = timedelta(minutes=series.duration_min)
    rows = [{"client": series.client_id, "series": series.id, "recurrence_id": s,
             "starts_at": s, "ends_at": _end(s, length), "kind": series.kind,
             "location": series.location}
            for s in starts if s.astimezone(UTC) not in existing]
    for batch in chunked(rows, 500):  # one statement may bind only so many values
        Appointment.insert_many(batch).execute()
    series.materialized_until = until
    series.save(only=[AppointmentSeries.materialized_until])
    return len(rows)


def schedule_series(session: Session, client_id: int, start: datetime,
                    cadence: recurrence.Cadence = recurrence.Cadence.WEEKLY, *,
                    duration_min: int = 50, until: date | None = None, count: int | None = None,
                    custom: str | None = None, kind: str = "individual",
                    location: str = "") -> tuple[int, int]:
    """Start a recurring series; returns (series id, occurrences booked up to the horizon)."""
    start = _aware(start, session)
    length = _duration(duration_min)
    rule = recurrence.make_rule(cadence, start, until=until, count=count, custom=custom)
    location = clean_line(location, "Location", max_len=80, required=False)
    kind = clean_line(kind, "Kind", max_len=40)
    horizon = max(session.now(), start) + timedelta(weeks=HORIZON_WEEKS)
    with database.atomic():
        own_client(session, client_id)
        series = AppointmentSeries.create(
            client=client_id, rrule=rule, dtstart=start, tzname=session.settings.timezone,
            duration_min=int(length.total_seconds() // 60), kind=kind, location=location,
            materialized_until=start, created_at=session.clock().astimezone(UTC))
        booked = _materialize(series, horizon)
        if booked == 0:
            raise ValidationError("That rule gives no occurrence in the next "
                                  f"{HORIZON_WEEKS} weeks.")
        after = audit.snapshot(series) or {}
        after["booked"] = booked
        audit.record(session, "schedule_series", "appointment_series", series.id, client_id,
                     None, after)
    return series.id, booked


def materialize_horizon(session: Session) -> datetime:
    """How far ahead series are booked at start-up: local midnight, twelve weeks from today.

    A day's boundary rather than the minute: every start after the day's first finds every series
    booked already (one query), where a horizon moving with the clock made each start expand
    every series' rule again (most of the start-up time of a clinic-sized caseload).
    """
    day = session.today() + timedelta(weeks=HORIZON_WEEKS)
    return datetime.combine(day, time(), tzinfo=session.tz)


def ensure_materialized(session: Session, horizon: datetime | None = None) -> int:
    """Book every open series of this counselor up to the horizon (run at start-up)."""
    horizon = horizon or materialize_horizon(session)

    def due(*columns: object) -> ModelSelect[AppointmentSeries]:
        return (AppointmentSeries.select(*columns).join(Client)
                .where((Client.counselor == session.counselor_id)
                       & (AppointmentSeries.ended == False)  # noqa: E712
                       & (AppointmentSeries.materialized_until < horizon)))

    # Most starts find every series booked already: asked first in a plain read, so such a
    # start takes no write lock (and builds a smaller query: issue 7, cold start).
    if not due(AppointmentSeries.id).exists():
        return 0
    total = 0
    with database.atomic():
        for series in due():  # asked again under the write lock: another session may have
            total += _materialize(series, horizon)  # booked them meanwhile
    return total


def record_outcome(session: Session, appointment_id: int, outcome: Outcome, *,
                   client_late_min: int = 0, counselor_late_min: int = 0,
                   expected_version: int | None = None) -> AppointmentFact:
    """Record (or correct) what happened to one occurrence."""
    outcome = Outcome(outcome)
    if outcome is Outcome.RESCHEDULED:
        raise ValidationError("Use reschedule to move an appointment to a new time.")
    for label, minutes in (("Client", client_late_min), ("Counselor", counselor_late_min)):
        if not isinstance(minutes, int) or not 0 <= minutes <= 600:
            raise ValidationError(f"{label} late minutes must be between 0 and 600.")
        if minutes and outcome is not Outcome.KEPT:
            raise ValidationError("Late minutes apply only to a kept session.")
    now = session.now()
    # The screens re-read the caseload after this: the cached read is patched with the new
    # outcome instead of read again (store.cache.patching says when that is safe).
    with cache.patching() as change, database.atomic():
        row = _own(session, appointment_id, lock=True)
        check_version(row, expected_version, "appointment")
        if outcome in (Outcome.KEPT, Outcome.NO_SHOW) and row.starts_at > now:
            raise ValidationError(f"This session has not started yet; it cannot be "
                                  f"{outcome.label}.")
        if row.outcome == Outcome.RESCHEDULED.value and row.rescheduled_to_id is not None:
            raise ValidationError("This appointment was rescheduled; record the outcome on "
                                  "the new appointment.")
        before = audit.snapshot(row)
        row.outcome = outcome.value
        row.client_late_min = client_late_min
        row.counselor_late_min = counselor_late_min
        row.cancelled_at = now if outcome in CANCELLED else None
        row.requested_by = None
        row.version += 1
        row.save()
        audit.record(session, "outcome", "appointment", row.id, row.client_id, before,
                     audit.snapshot(row))
        fact = _fact(row)
        change.patch = replacing_appointment(fact)
    return fact


def reschedule(session: Session, appointment_id: int, new_start: datetime,
               requested_by: Party, *, duration_min: int | None = None,
               expected_version: int | None = None) -> tuple[AppointmentFact, AppointmentFact]:
    """Move an occurrence: the old one becomes `rescheduled`, linked to a new appointment."""
    new_start = _aware(new_start, session)
    requested_by = Party(requested_by)
    with database.atomic():
        row = _own(session, appointment_id, lock=True)
        check_version(row, expected_version, "appointment")
        if row.outcome != Outcome.SCHEDULED.value:
            raise ValidationError(f"Only a scheduled appointment can be rescheduled; this one "
                                  f"is {Outcome(row.outcome).label}.")
        length = (_duration(duration_min) if duration_min is not None
                  else row.ends_at - row.starts_at)
        before = audit.snapshot(row)
        new = Appointment.create(client=row.client_id, starts_at=new_start,
                                 ends_at=_end(new_start, length), kind=row.kind,
                                 location=row.location)
        row.outcome = Outcome.RESCHEDULED.value
        row.requested_by = requested_by.value
        row.rescheduled_to = new.id
        row.cancelled_at = session.now()
        row.version += 1
        row.save()
        audit.record(session, "reschedule", "appointment", row.id, row.client_id, before,
                     audit.snapshot(row))
        audit.record(session, "schedule", "appointment", new.id, row.client_id, None,
                     audit.snapshot(new))
    return _fact(row), _fact(new)


def edit_occurrence(session: Session, appointment_id: int, *, start: datetime | None = None,
                    duration_min: int | None = None, location: str | None = None,
                    expected_version: int | None = None) -> AppointmentFact:
    """Correct one occurrence's time, length or place; the rest of its series is untouched."""
    with database.atomic():
        row = _own(session, appointment_id, lock=True)
        check_version(row, expected_version, "appointment")
        before = audit.snapshot(row)
        length = (_duration(duration_min) if duration_min is not None
                  else row.ends_at - row.starts_at)
        if start is not None:
            row.starts_at = _aware(start, session)
        row.ends_at = _end(row.starts_at, length)
        if location is not None:
            row.location = clean_line(location, "Location", max_len=80, required=False)
        row.detached = row.series_id is not None
        row.version += 1
        row.save()
        audit.record(session, "edit", "appointment", row.id, row.client_id, before,
                     audit.snapshot(row))
    return _fact(row)


def future_occurrences(session: Session, series_id: int) -> int:
    """How many booked occurrences of a series are still ahead (what removal would delete)."""
    _own_series(session, series_id)
    return (Appointment.select().where(
        (Appointment.series == series_id) & (Appointment.starts_at > session.now())
        & (Appointment.outcome == Outcome.SCHEDULED.value)).count())


def remove_series(session: Session, series_id: int, expected_count: int) -> int:
    """End a series and delete its future booked occurrences; past ones and outcomes stay.

    `expected_count` is the number the counselor confirmed; if it no longer matches, nothing
    is removed (someone changed the series meanwhile).
    """
    now = session.now()
    with database.atomic():
        series = _own_series(session, series_id)
        doomed = Appointment.select().where(
            (Appointment.series == series_id) & (Appointment.starts_at > now)
            & (Appointment.outcome == Outcome.SCHEDULED.value))
        count = doomed.count()
        if count != expected_count:
            raise StaleRecord(f"The series now has {count} future occurrences, not "
                              f"{expected_count}; nothing was removed.")
        before = audit.snapshot(series) or {}
        before["future_occurrences"] = [a.id for a in doomed]
        Appointment.delete().where(Appointment.id.in_([a.id for a in doomed])).execute()
        series.ended = True
        series.save()
        audit.record(session, "remove_series", "appointment_series", series.id,
                     series.client_id, before, audit.snapshot(series))
    return count


def edit_following(session: Session, appointment_id: int, new_start: datetime, *,
                   duration_min: int | None = None,
                   cadence: recurrence.Cadence | None = None,
                   expected_version: int | None = None) -> tuple[int, int]:
    """Change this occurrence and all following ones: the series is split at this occurrence.

    Returns (new series id, occurrences booked). Occurrences before this one, and any
    occurrence already given an outcome, keep their times. `expected_version` is this
    occurrence's version as shown: if it changed since, nothing is split (`StaleRecord`).
    """
    new_start = _aware(new_start, session)
    with database.atomic():
        row = _own(session, appointment_id, lock=True)
        check_version(row, expected_version, "appointment")
        if row.series_id is None or row.recurrence_id is None:
            raise ValidationError("This appointment is not part of a series.")
        series = _own_series(session, row.series_id)
        local_start = _series_start(series)
        at = row.recurrence_id.astimezone(local_start.tzinfo)
        old_rule, new_rule = recurrence.split_rule(series.rrule, local_start, at)
        if cadence is not None or new_start.weekday() != at.weekday():
            until = _rule_until(new_rule)
            new_rule = recurrence.make_rule(cadence or _cadence_of(new_rule), new_start,
                                            until=until)
        length = (_duration(duration_min) if duration_min is not None
                  else timedelta(minutes=series.duration_min))
        before = audit.snapshot(series)
        series.rrule = old_rule
        series.materialized_until = min(series.materialized_until, row.recurrence_id)
        series.save()
        Appointment.delete().where(
            (Appointment.series == series.id) & (Appointment.recurrence_id >= row.recurrence_id)
            & (Appointment.outcome == Outcome.SCHEDULED.value)
            & (Appointment.detached == False)).execute()  # noqa: E712
        new_series = AppointmentSeries.create(
            client=series.client_id, rrule=new_rule, dtstart=new_start, tzname=series.tzname,
            duration_min=int(length.total_seconds() // 60), kind=series.kind,
            location=series.location, materialized_until=new_start,
            created_at=session.clock().astimezone(UTC))
        booked = _materialize(new_series,
                              max(session.now(), new_start) + timedelta(weeks=HORIZON_WEEKS))
        audit.record(session, "split_series", "appointment_series", series.id,
                     series.client_id, before, audit.snapshot(series))
        audit.record(session, "schedule_series", "appointment_series", new_series.id,
                     series.client_id, None, audit.snapshot(new_series))
    return new_series.id, booked


def _rule_until(rule: str) -> date | None:
    for part in rule.split(";"):
        if part.upper().startswith("UNTIL="):
            value = part.split("=", 1)[1]
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    return None


def _cadence_of(rule: str) -> recurrence.Cadence:
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if parts.get("FREQ") == "WEEKLY" and parts.get("INTERVAL", "1") == "2":
        return recurrence.Cadence.BIWEEKLY
    return recurrence.Cadence.WEEKLY


def get(session: Session, appointment_id: int) -> AppointmentFact:
    return _fact(_own(session, appointment_id))


def version_of(session: Session, appointment_id: int) -> int:
    return int(_own(session, appointment_id).version)
