"""Read models for the screens: a caseload snapshot and the views built from it.

`load_snapshot` reads the counselor's caseload in four queries (clients, appointments,
commitments, check-ins; see store.queries.load_histories); every view here is computed from that
snapshot in memory, so no screen issues per-row queries and the query count does not grow with
the caseload.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

import msgspec

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
    Settings,
)
from caseload.services.session import Session
from caseload.store.queries import load_histories

HISTORY_WEEKS = 53


def window_start(now: datetime, weeks: int = HISTORY_WEEKS) -> datetime:
    """Local midnight `weeks` weeks before today (`now` is in the clinic's zone)."""
    return datetime.combine(now.date() - timedelta(weeks=weeks), time(), tzinfo=now.tzinfo)


class Snapshot(msgspec.Struct, frozen=True, gc=False):
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


class WeekHeader(msgspec.Struct, frozen=True, gc=False):
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
    """This week's counselor reliability and follow-through, the streak, what needs an outcome.

    The same as `week_header_from_scratch`. The header is asked for again after every save,
    and a save changes one client's history: the figures of the streak's 105 weeks are kept
    (`_HeaderMemo`) and only the weeks holding a changed fact of a changed client are counted
    again (issue 7: key to repainted row within 30 ms).
    """
    settings = session.settings
    now = snapshot.now
    week = metrics.week_of(now.date(), settings.week_start)
    windows = metrics.streak_windows(now, settings)
    if windows[-1] != week:  # `now` not in the clinic's zone: counted the general way
        return week_header_from_scratch(session, snapshot)
    global _memo
    with _memo_lock:
        memo, _memo = _memo, None  # an update that fails half-way is never kept
        if memo is None or not memo.update(snapshot, settings, windows):
            memo = _HeaderMemo.count(snapshot, settings, windows)
        _memo = memo
        return memo.header()


def week_header_from_scratch(session: Session, snapshot: Snapshot) -> WeekHeader:
    """`week_header`, every week counted from the snapshot (one pass)."""
    week = metrics.week_of(snapshot.now.date(), session.settings.week_start)
    active = snapshot.histories
    counted = metrics.review_figures(active, week, (), snapshot.now, session.settings,
                                     per_client=False)  # the week and the streak in one pass
    figures, streak = counted.of(week), counted.streak_weeks
    needs = sum(1 for h in active for a in h.appointments
                if a.outcome is Outcome.SCHEDULED and a.end <= snapshot.now)
    return WeekHeader(week, figures.counselor_reliability, figures.counselor_follow_through,
                      streak, needs)


_CHANGED_CLIENTS = 4  # more changed clients than this at once: count everything again


def _standing(history: ClientHistory, now: datetime) -> tuple[int, datetime | None]:
    """How many of the client's sessions need an outcome at `now`, and the first end of one of
    their sessions after `now` (until then, none of their facts changes standing)."""
    needs = 0
    horizon: datetime | None = None
    scheduled = Outcome.SCHEDULED
    for a in history.appointments:
        end = a.end
        if end > now:
            if horizon is None or end < horizon:
                horizon = end
        elif a.outcome is scheduled:
            needs += 1
    return needs, horizon


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def _counselor_part(figures: metrics.Figures) -> metrics.Figures:
    """What the header and the streak use of a week's figures."""
    return metrics.Figures(figures.counselor_reliability, figures.counselor_follow_through)


def _ratio(total: metrics.Ratio, old: metrics.Ratio, new: metrics.Ratio) -> metrics.Ratio:
    return metrics.Ratio(total.numerator - old.numerator + new.numerator,
                         total.denominator - old.denominator + new.denominator)


class _HeaderMemo:
    """The streak's weekly figures (counselor reliability and follow-through) for the histories
    they were counted from, kept between calls of `week_header`.

    Exact, never approximate: a caseload's figures are plain sums of its clients' (metrics'
    module doc), so a changed client's weeks are the kept totals less its old figures plus its
    new ones. Only weeks holding a fact that differs between its old and new history can
    differ: a session (the week of its local start) or a commitment (its due date and the old
    due dates of its renegotiations); check-ins count towards neither figure. Histories are
    frozen, so one that is the same object as before is unchanged. The figures also depend on
    the clock (a session counts once it has ended, a commitment once its date has passed), so
    they are kept only while the clinic's date is the same and no session has ended since they
    were counted; otherwise, and when clients come or go, everything is counted again.
    """

    __slots__ = ("settings", "windows", "today", "now", "horizon", "histories", "weekly",
                 "needs")

    def __init__(self, settings: Settings, windows: tuple[metrics.Window, ...], today: date,
                 now: datetime, horizon: datetime | None, histories: dict[int, ClientHistory],
                 weekly: list[metrics.Figures], needs: dict[int, int]) -> None:
        self.settings, self.windows, self.today = settings, windows, today
        self.now, self.horizon, self.histories = now, horizon, histories
        self.weekly, self.needs = weekly, needs

    @classmethod
    def count(cls, snapshot: Snapshot, settings: Settings,
              windows: tuple[metrics.Window, ...]) -> _HeaderMemo:
        """Every week counted from the snapshot (one pass)."""
        now = snapshot.now
        histories = snapshot.histories
        weekly = [_counselor_part(f)
                  for f in metrics.weekly_figures(histories, windows, now, settings)]
        standing = {h.client.id: _standing(h, now) for h in histories}
        return cls(settings, windows, metrics.clinic_today(now, settings), now,
                   _earliest(end for _needs, end in standing.values()),
                   {h.client.id: h for h in histories}, weekly,
                   {client_id: needs for client_id, (needs, _end) in standing.items()})

    def update(self, snapshot: Snapshot, settings: Settings,
               windows: tuple[metrics.Window, ...]) -> bool:
        """Bring the figures to `snapshot`; False when they must be counted again."""
        now = snapshot.now
        if (settings != self.settings or windows != self.windows or now < self.now
                or (self.horizon is not None and now >= self.horizon)
                or metrics.clinic_today(now, settings) != self.today
                or len(snapshot.histories) != len(self.histories)):
            return False
        kept = self.histories
        changed: list[tuple[ClientHistory, ClientHistory]] = []
        for history in snapshot.histories:
            before = kept.get(history.client.id)
            if before is None:
                return False
            if before is not history:
                changed.append((before, history))
                if len(changed) > _CHANGED_CLIENTS:
                    return False
        if changed:
            day_of = metrics.local_days(metrics.clinic_zone(settings))
            first = windows[0].start
            for before, after in changed:
                for index in sorted({(day - first).days // 7 for day in
                                     _changed_days(before, after, day_of)}):
                    if 0 <= index < len(windows):
                        self._recount(index, before, after, now)
                kept[after.client.id] = after
                self.needs[after.client.id], end = _standing(after, now)
                self.horizon = _earliest((self.horizon, end))
        self.now = now
        return True

    def _recount(self, index: int, before: ClientHistory, after: ClientHistory,
                 now: datetime) -> None:
        window = self.windows[index]
        old = metrics.client_figures(before, window, now, self.settings)
        new = metrics.client_figures(after, window, now, self.settings)
        total = self.weekly[index]
        self.weekly[index] = metrics.Figures(
            _ratio(total.counselor_reliability, old.counselor_reliability,
                   new.counselor_reliability),
            _ratio(total.counselor_follow_through, old.counselor_follow_through,
                   new.counselor_follow_through))

    def header(self) -> WeekHeader:
        week = self.weekly[-1]
        return WeekHeader(self.windows[-1], week.counselor_reliability,
                          week.counselor_follow_through, metrics._streak(self.weekly),
                          sum(self.needs.values()))


def _changed_days(before: ClientHistory, after: ClientHistory,
                  day_of: Callable[[datetime], date]) -> set[date]:
    """The local dates where `after`'s sessions and commitments differ from `before`'s."""
    days: set[date] = set()
    if before.appointments is not after.appointments:
        if len(before.appointments) == len(after.appointments):
            pairs = zip(before.appointments, after.appointments, strict=True)
            differ = [fact for a, b in pairs if a is not b and a != b for fact in (a, b)]
        else:
            differ = list(set(before.appointments) ^ set(after.appointments))
        days.update(day_of(a.start) for a in differ)
    if before.commitments is not after.commitments:
        for c in set(before.commitments) ^ set(after.commitments):
            days.add(c.due)
            days.update(change.old_due for change in c.history)
    return days


_memo: _HeaderMemo | None = None
_memo_lock = threading.Lock()


def forget_header() -> None:
    """Drop the kept weekly figures (tests; a database closed)."""
    global _memo
    with _memo_lock:
        _memo = None


class AppointmentRow(msgspec.Struct, frozen=True, gc=False):
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
    now = snapshot.now.astimezone(UTC)
    # Only sessions starting within two days of the day have their local date looked up: a
    # zone's offset moves by hours (a day at the very most), so one starting before local
    # midnight two days earlier is on an earlier day, one from two days after on a later one.
    # (Stored instants are UTC: compared with UTC bounds, they compare field by field.)
    before = datetime.combine(day - timedelta(days=2), time(), tzinfo=tz).astimezone(UTC)
    after = datetime.combine(day + timedelta(days=3), time(), tzinfo=tz).astimezone(UTC)
    scheduled = Outcome.SCHEDULED
    overdue: list[AppointmentRow] = []
    todays: list[AppointmentRow] = []
    for h in snapshot.histories:
        for a in h.appointments:
            start = a.start
            if start < before:
                if a.outcome is scheduled and a.end <= now:
                    overdue.append(_row(a, h.client, snapshot.now, tz))
                continue
            if start >= after:
                continue
            local_day = start.astimezone(tz).date()
            if local_day == day:
                todays.append(_row(a, h.client, snapshot.now, tz))
            elif a.outcome is scheduled and a.end <= now and local_day < day:
                overdue.append(_row(a, h.client, snapshot.now, tz))
    overdue.sort(key=lambda r: (r.start, r.id))
    todays.sort(key=lambda r: (r.start, r.id))
    return overdue + todays


class TodayView(msgspec.Struct, frozen=True, gc=False):
    """What the Today screen shows: its rows, the week's header, whether the caseload is empty
    (the greeting), and the day."""

    rows: list[AppointmentRow]
    header: WeekHeader
    empty: bool
    day: date


def today_view(session: Session, snapshot: Snapshot | None = None) -> TodayView:
    """Today's rows and the week's header from one snapshot (read now when not given)."""
    snapshot = snapshot or load_snapshot(session)
    return TodayView(today_rows(session, snapshot), week_header(session, snapshot),
                     not snapshot.histories, snapshot.now.date())


class ClientRow(msgspec.Struct, frozen=True, gc=False):
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


class CommitmentRow(msgspec.Struct, frozen=True, gc=False):
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
