"""Read models for the screens: a caseload snapshot and the views built from it.

`load_snapshot` reads the counselor's caseload in four queries (clients, appointments,
commitments, check-ins; see store.queries.load_histories); every view here is computed from that
snapshot in memory, so no screen issues per-row queries and the query count does not grow with
the caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from caseload.domain import metrics
from caseload.domain.flags import Flag, client_flags
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    Instrument,
    Outcome,
    Party,
)
from caseload.services.session import Session
from caseload.store.queries import load_histories

HISTORY_WEEKS = 53


def window_start(now: datetime, weeks: int = HISTORY_WEEKS) -> datetime:
    """Local midnight `weeks` weeks before today (`now` is in the clinic's zone)."""
    return datetime.combine(now.date() - timedelta(weeks=weeks), time(), tzinfo=now.tzinfo)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A caseload's recent history, read at `now`."""

    now: datetime
    histories: tuple[ClientHistory, ...]

    def history(self, client_id: int) -> ClientHistory | None:
        for h in self.histories:
            if h.client.id == client_id:
                return h
        return None


def load_snapshot(session: Session, *, weeks: int = HISTORY_WEEKS,
                  client_ids: list[int] | None = None) -> Snapshot:
    """Read the counselor's caseload history for the last `weeks` weeks (four queries).

    The window starts at local midnight, so it stays the same all day and a read can be
    answered again from `store.cache` until the database changes.
    """
    now = session.now()
    since = window_start(now, weeks)
    histories = load_histories(session.counselor_id, since, now, client_ids=client_ids)
    return Snapshot(now=now, histories=tuple(histories))


@dataclass(frozen=True, slots=True)
class WeekHeader:
    """The counselor's own consistency this week, shown first on every screen."""

    week: metrics.Window
    reliability: metrics.Ratio
    follow_through: metrics.Ratio
    streak_weeks: int
    needs_outcome: int

    def text(self) -> str:
        parts = [self.reliability.text("kept"), self.follow_through.text("followed through"),
                 f"streak {self.streak_weeks} week{'s' if self.streak_weeks != 1 else ''}"]
        return " · ".join(parts)


def week_header(session: Session, snapshot: Snapshot) -> WeekHeader:
    week = metrics.week_of(snapshot.now.date(), session.settings.week_start)
    active = snapshot.histories
    counted = metrics.review_figures(active, week, (), snapshot.now, session.settings,
                                     per_client=False)  # the week and the streak in one pass
    figures, streak = counted.of(week), counted.streak_weeks
    needs = sum(1 for h in active for a in h.appointments
                if a.outcome is Outcome.SCHEDULED and a.end <= snapshot.now)
    return WeekHeader(week, figures.counselor_reliability, figures.counselor_follow_through,
                      streak, needs)


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """One line of the Today screen or a client's timeline."""

    id: int
    client_id: int
    client_name: str
    record_number: str
    start: datetime
    end: datetime
    outcome: Outcome
    needs_outcome: bool
    client_late_min: int = 0
    counselor_late_min: int = 0
    requested_by: Party | None = None
    series_id: int | None = None
    version: int = 1  # the appointment's version as read: what a change expects to find


def _row(a: AppointmentFact, client: ClientFact, now: datetime, tz) -> AppointmentRow:  # type: ignore[no-untyped-def]
    return AppointmentRow(a.id, client.id, client.name, client.record_number,
                          a.start.astimezone(tz), a.end.astimezone(tz), a.outcome,
                          a.outcome is Outcome.SCHEDULED and a.end <= now, a.client_late_min,
                          a.counselor_late_min, a.requested_by, a.series_id, a.version)


def today_rows(session: Session, snapshot: Snapshot, day: date | None = None
               ) -> list[AppointmentRow]:
    """Past appointments still needing an outcome (oldest first), then the day's, by time."""
    tz = session.tz
    day = day or snapshot.now.date()
    overdue: list[AppointmentRow] = []
    todays: list[AppointmentRow] = []
    for h in snapshot.histories:
        for a in h.appointments:
            local_day = a.start.astimezone(tz).date()
            row = None
            if local_day == day:
                row = _row(a, h.client, snapshot.now, tz)
                todays.append(row)
            elif a.outcome is Outcome.SCHEDULED and a.end <= snapshot.now and local_day < day:
                overdue.append(_row(a, h.client, snapshot.now, tz))
    overdue.sort(key=lambda r: (r.start, r.id))
    todays.sort(key=lambda r: (r.start, r.id))
    return overdue + todays


@dataclass(frozen=True, slots=True)
class ClientRow:
    """One line of the Caseload screen."""

    id: int
    name: str
    record_number: str
    status: ClientStatus
    attendance: metrics.Ratio
    counselor_follow_through: metrics.Ratio
    client_follow_through: metrics.Ratio
    latest_alliance: float | None
    alliance_trend: tuple[float, ...]
    next_appointment: datetime | None
    last_kept: date | None
    flags: tuple[Flag, ...]


def _srs_totals(checkins: tuple[CheckInFact, ...], limit: int = 8) -> tuple[float, ...]:
    return tuple(c.total for c in checkins if c.instrument is Instrument.SRS)[-limit:]


def caseload_rows(session: Session, snapshot: Snapshot, *, include_inactive: bool = False,
                  window_weeks: int = 12) -> list[ClientRow]:
    """Every client with figures over the last `window_weeks` weeks, trend and flags."""
    settings = session.settings
    today = snapshot.now.date()
    this_week = metrics.week_of(today, settings.week_start)
    window = metrics.Window(this_week.start - timedelta(weeks=window_weeks - 1), this_week.end)
    rows: list[ClientRow] = []
    for h in snapshot.histories:
        if not include_inactive and h.client.status is not ClientStatus.ACTIVE:
            continue
        fig = metrics.client_figures(h, window, snapshot.now, settings)
        future = [a.start for a in h.appointments
                  if a.outcome is Outcome.SCHEDULED and a.start > snapshot.now]
        kept = [a.start for a in h.appointments if a.outcome is Outcome.KEPT]
        trend = _srs_totals(h.checkins)
        rows.append(ClientRow(
            h.client.id, h.client.name, h.client.record_number, h.client.status,
            fig.client_attendance, fig.counselor_follow_through, fig.client_follow_through,
            trend[-1] if trend else None, trend,
            min(future).astimezone(session.tz) if future else None,
            max(kept).astimezone(session.tz).date() if kept else None,
            client_flags(h, snapshot.now, this_week, settings)))
    return rows


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """One line of the Commitments screen."""

    id: int
    client_id: int
    client_name: str
    record_number: str
    commitment: CommitmentFact
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def open_commitments(session: Session, snapshot: Snapshot,
                     owner: Party | None = None) -> list[CommitmentRow]:
    """Outstanding commitments both ways (or one owner's), overdue first, then by due date."""
    today = snapshot.now.date()
    rows = [CommitmentRow(c.id, h.client.id, h.client.name, h.client.record_number, c,
                          max(0, (today - c.due).days))
            for h in snapshot.histories for c in h.commitments
            if c.status.outstanding and (owner is None or c.owner is owner)]
    rows.sort(key=lambda r: (not r.overdue, r.commitment.due, r.client_name, r.id))
    return rows
