"""Appointments as an RFC 5545 calendar, written with the `icalendar` library.

* A recurring series is one VEVENT with its RRULE, DTSTART/DTEND in the series' zone (TZID, with
  a VTIMEZONE for it) and an EXDATE for every occurrence that is not simply "booked as the rule
  says": one with an outcome, one moved or changed, one removed. The RRULE then describes only
  sessions still booked at their usual time, so every calendar shows each session once.
* Every other appointment, including those excluded occurrences, is its own VEVENT with its own
  UID (RFC 5545 forbids overriding an excluded occurrence with RECURRENCE-ID, and calendar
  programs that do not follow RECURRENCE-ID would show it twice). `X-CASELOAD-SERIES` names the
  series it came from.
* The outcome goes in STATUS (CONFIRMED, or CANCELLED for cancellations and reschedules) and in
  `X-CASELOAD-OUTCOME`; who cancelled (or asked to reschedule) in `X-CASELOAD-CANCELLED-BY`,
  since iCalendar has no property for it. A moved appointment names the one it moved to in
  `X-CASELOAD-RESCHEDULED-TO`. SUMMARY is the client's name (initials with `--initials`), with
  the outcome in brackets once there is one.
* A series that was ended (its future removed) is cut after its last booked session.

UIDs are built from database ids, so exporting again gives the same UIDs and a calendar program
updates its events instead of adding copies. Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vRecur

from caseload.domain import recurrence
from caseload.domain.records import Outcome, Party
from caseload.io.rows import AppointmentRow, ExportData, SeriesRow

PRODID = "-//Caseload//Caseload calendar export//EN"
UID_DOMAIN = "caseload"

STATUS: dict[Outcome, str] = {
    Outcome.SCHEDULED: "CONFIRMED",
    Outcome.KEPT: "CONFIRMED",
    Outcome.NO_SHOW: "CONFIRMED",
    Outcome.LATE_CANCEL: "CANCELLED",
    Outcome.CLIENT_CANCELLED: "CANCELLED",
    Outcome.COUNSELOR_CANCELLED: "CANCELLED",
    Outcome.RESCHEDULED: "CANCELLED",
}


def cancelled_by(appointment: AppointmentRow) -> Party | None:
    """Who cancelled the session (or asked to move it); None when it was not cancelled."""
    if appointment.outcome in (Outcome.LATE_CANCEL, Outcome.CLIENT_CANCELLED):
        return Party.CLIENT
    if appointment.outcome is Outcome.COUNSELOR_CANCELLED:
        return Party.COUNSELOR
    if appointment.outcome is Outcome.RESCHEDULED:
        return appointment.requested_by
    return None


def series_uid(series: SeriesRow) -> str:
    return f"caseload-series-{series.id}@{UID_DOMAIN}"


def appointment_uid(appointment: AppointmentRow) -> str:
    return f"caseload-appointment-{appointment.id}@{UID_DOMAIN}"


def _booked_as_ruled(appointment: AppointmentRow, series: SeriesRow) -> bool:
    """Whether the series' RRULE alone describes this occurrence."""
    return (appointment.outcome is Outcome.SCHEDULED and not appointment.detached
            and appointment.recurrence_id is not None
            and appointment.start == appointment.recurrence_id
            and appointment.duration_min == series.duration_min
            and appointment.kind == series.kind and appointment.location == series.location)


def _until(rule: str, last: datetime) -> str:
    """`rule` ending with the occurrence at `last` (COUNT and UNTIL replaced)."""
    parts = [p for p in rule.split(";") if p.split("=", 1)[0] not in ("COUNT", "UNTIL")]
    return ";".join([*parts, f"UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}"])


def _base(uid: str, start: datetime, minutes: int, name: str, location: str,
          stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", name)
    if location:
        event.add("location", location)
    return event


def _series_event(series: SeriesRow, booked: set[datetime], name: str,
                  stamp: datetime) -> Event | None:
    """The VEVENT of a series: its rule, minus every occurrence not in `booked`."""
    rule, horizon = series.rrule, series.materialized_until or series.start
    if series.ended:
        if not booked:
            return None
        last = max(booked)
        rule, horizon = _until(rule, last), last + timedelta(seconds=1)
    zone = ZoneInfo(series.timezone)
    start = series.start.astimezone(zone)
    instances = recurrence.occurrences(rule, start, start, horizon)
    excluded = [i.astimezone(zone) for i in instances if i not in booked]
    event = _base(series_uid(series), start, series.duration_min, name, series.location, stamp)
    event.add("rrule", vRecur.from_ical(rule))
    if excluded:
        event.add("exdate", excluded)
    event.add("status", STATUS[Outcome.SCHEDULED])
    event.add("x-caseload-outcome", Outcome.SCHEDULED.value)
    return event


def _appointment_event(appointment: AppointmentRow, name: str, stamp: datetime,
                       series: SeriesRow | None, moved_to: AppointmentRow | None) -> Event:
    outcome = appointment.outcome
    summary = name if outcome is Outcome.SCHEDULED else f"{name} ({outcome.label})"
    event = _base(appointment_uid(appointment), appointment.start, appointment.duration_min,
                  summary, appointment.location, stamp)
    event.add("status", STATUS[outcome])
    event.add("x-caseload-outcome", outcome.value)
    who = cancelled_by(appointment)
    if who is not None:
        event.add("x-caseload-cancelled-by", who.value)
    if series is not None:
        event.add("x-caseload-series", series_uid(series))
    if moved_to is not None:
        event.add("x-caseload-rescheduled-to", appointment_uid(moved_to))
    return event


def to_ics(data: ExportData) -> bytes:
    """The appointments of `data` as an iCalendar file (bytes, CRLF line ends)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Caseload")
    _add_timezones(calendar, data)
    names = data.client_names()
    stamp = data.exported_at.astimezone(UTC)
    series = {(s.client_ref, s.start): s for s in data.series}
    by_key = {(a.client_ref, a.start): a for a in data.appointments}
    members: dict[tuple[str, datetime], list[AppointmentRow]] = defaultdict(list)
    for appointment in data.appointments:
        if appointment.series_start is not None:
            members[(appointment.client_ref, appointment.series_start)].append(appointment)
    for key, one in series.items():
        booked = {a.start for a in members[key] if _booked_as_ruled(a, one)}
        event = _series_event(one, booked, names.get(one.client_ref, one.client_ref), stamp)
        if event is not None:
            calendar.add_component(event)
    for appointment in data.appointments:
        own = (series.get((appointment.client_ref, appointment.series_start))
               if appointment.series_start is not None else None)
        if own is not None and _booked_as_ruled(appointment, own):
            continue
        moved_to = (by_key.get((appointment.client_ref, appointment.rescheduled_to))
                    if appointment.rescheduled_to is not None else None)
        calendar.add_component(_appointment_event(
            appointment, names.get(appointment.client_ref, appointment.client_ref), stamp,
            own, moved_to))
    return calendar.to_ical()


def _add_timezones(calendar: Calendar, data: ExportData) -> None:
    """A VTIMEZONE for every zone a DTSTART or EXDATE uses, before the events (RFC 5545 §3.6.5).

    They cover the first session to ten years after the export, for open-ended series.
    """
    zones = {data.timezone} | {s.timezone for s in data.series}
    starts = [s.start.date() for s in data.series] + [a.start.date() for a in data.appointments]
    first = min(starts, default=data.exported_at.date()) - timedelta(days=1)
    last = date(max(data.exported_at.year, first.year) + 10, 12, 31)
    for zone in sorted(zones):
        calendar.add_component(Timezone.from_tzinfo(ZoneInfo(zone), zone, first, last))
