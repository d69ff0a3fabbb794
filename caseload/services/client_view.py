"""Read model for the Client screen: one client's header, series and time-ordered timeline.

`load_client_view` issues five queries whatever the size of the history: the client with their
active goals (one LEFT JOIN), then the store's batched appointment, commitment and check-in
reads (the same functions `load_histories` is built from), then the client's open series.
Everything else (figures, flags, trend, timeline) is computed in memory from those facts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import msgspec
from peewee import JOIN

from caseload.domain import metrics, recurrence
from caseload.domain.flags import Flag, FlagCode, client_flags
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    CommitmentFact,
    Instrument,
    NotFound,
    Outcome,
    ValidationError,
)
from caseload.services.clients import GoalView
from caseload.services.overview import HISTORY_WEEKS
from caseload.services.session import Session
from caseload.store.models import AppointmentSeries, Client, Goal
from caseload.store.queries import (
    appointments_since,
    checkins_since,
    client_fact,
    client_query,
    commitments_since,
    group_histories,
)

FIGURE_WEEKS = 12
TREND_LENGTH = 8


class EntryKind(StrEnum):
    """What a timeline line is about."""

    APPOINTMENT = "appointment"
    COMMITMENT = "commitment"
    CHECKIN = "checkin"


# On one day: sessions first (by time), then the check-in taken there, then commitments.
_KIND_ORDER = {EntryKind.APPOINTMENT: 0, EntryKind.CHECKIN: 1, EntryKind.COMMITMENT: 2}


class TimelineEntry(msgspec.Struct, frozen=True, gc=False):
    """One line of a client's timeline; exactly one of the three facts is set.

    `day` is the local date the line sits on: a session's start, a check-in's date, a
    commitment's due date. `at` is the local start of a session (None for the others).
    `trend` is, for a check-in, the totals of the same instrument up to and including it.
    """

    kind: EntryKind
    id: int
    day: date
    at: datetime | None = None
    appointment: AppointmentFact | None = None
    commitment: CommitmentFact | None = None
    checkin: CheckInFact | None = None
    trend: tuple[float, ...] = ()

    @property
    def sort_key(self) -> tuple[date, time, int, int]:
        """Time order: by day, then time of day, then kind, then id."""
        clock = self.at.time() if self.at is not None else time.max
        return (self.day, clock, _KIND_ORDER[self.kind], self.id)


class SeriesView(msgspec.Struct, frozen=True, gc=False):
    """An open recurring series of this client, described in plain words."""

    id: int
    rule: str
    start: datetime
    duration_min: int
    description: str
    future_count: int


class ClientView(msgspec.Struct, frozen=True, gc=False):
    """Everything the Client screen shows, read at `now`."""

    client: ClientFact
    goals: tuple[GoalView, ...]
    figures: metrics.Figures
    window: metrics.Window
    alliance_trend: tuple[float, ...]
    flags: tuple[Flag, ...]
    series: tuple[SeriesView, ...]
    timeline: tuple[TimelineEntry, ...]
    next_appointment: datetime | None
    now: datetime

    @property
    def undiscussed(self) -> frozenset[int]:
        """Check-ins the review flags as low and not yet discussed (SRS and WAI-SR)."""
        return frozenset(ref for flag in self.flags if flag.code is FlagCode.NOT_DISCUSSED
                         for ref in flag.refs)

    @property
    def cadence(self) -> str:
        """The client's session cadence in words: "weekly", "every 2 weeks", "every 10 days"."""
        days = self.client.cadence_days
        if days == 7:
            return "weekly"
        if days % 7 == 0:
            return f"every {days // 7} weeks"
        return "daily" if days == 1 else f"every {days} days"

    def first_upcoming(self) -> int:
        """Index of the first timeline entry from today on (the end if there is none)."""
        today = self.now.date()
        for index, entry in enumerate(self.timeline):
            if entry.day >= today:
                return index
        return len(self.timeline)


def _client_and_goals(session: Session, client_id: int) -> tuple[ClientFact, tuple[GoalView, ...]]:
    """One query: the client (if on this caseload) LEFT JOIN their active goals, in order."""
    query = (client_query(session.counselor_id, client_ids=[client_id])
             .select_extend(Goal.id.alias("goal_id"), Goal.text.alias("goal_text"),
                            Goal.active.alias("goal_active"),
                            Goal.created_on.alias("goal_created_on"))
             .join(Goal, JOIN.LEFT_OUTER,
                   on=((Goal.client == Client.id) & (Goal.active == True)))  # noqa: E712
             .order_by(Goal.position, Goal.id))
    rows: list[dict[str, Any]] = list(query.dicts())
    if not rows:
        raise NotFound(f"No client #{client_id} on your caseload.")
    goals = tuple(GoalView(r["goal_id"], client_id, r["goal_text"], bool(r["goal_active"]),
                           r["goal_created_on"]) for r in rows if r["goal_id"] is not None)
    return client_fact(rows[0]), goals


def _history(client: ClientFact, now: datetime) -> ClientHistory:
    """Three queries: the client's appointments, commitments and check-ins since the window."""
    since = now - timedelta(weeks=HISTORY_WEEKS)
    ids = [client.id]
    return group_histories([client], appointments_since(None, since, now, ids),
                           commitments_since(None, since.date(), ids),
                           checkins_since(None, since.date(), ids))[0]


def _series(session: Session, client_id: int, appointments: tuple[AppointmentFact, ...],
            now: datetime) -> tuple[SeriesView, ...]:
    """One query: the client's series that have not been removed, described in words."""
    future: dict[int, int] = {}
    for a in appointments:
        if a.series_id is not None and a.outcome is Outcome.SCHEDULED and a.start > now:
            future[a.series_id] = future.get(a.series_id, 0) + 1
    views = []
    query = (AppointmentSeries.select().where((AppointmentSeries.client == client_id)
                                              & (AppointmentSeries.ended == False))  # noqa: E712
             .order_by(AppointmentSeries.dtstart, AppointmentSeries.id))
    for row in query:
        start = row.dtstart.astimezone(session.tz)
        try:
            words = recurrence.describe_rule(row.rrule, start)
        except ValidationError:
            words = row.rrule
        count = future.get(row.id, 0)
        if count == 0 and start <= now:
            continue  # split off or run out: nothing left to act on
        views.append(SeriesView(row.id, row.rrule, start, row.duration_min, words, count))
    return tuple(views)


def _timeline(history: ClientHistory, session: Session) -> tuple[TimelineEntry, ...]:
    tz = session.tz
    entries = [TimelineEntry(EntryKind.APPOINTMENT, a.id, a.start.astimezone(tz).date(),
                             a.start.astimezone(tz), appointment=a)
               for a in history.appointments]
    entries += [TimelineEntry(EntryKind.COMMITMENT, c.id, c.due, commitment=c)
                for c in history.commitments]
    totals: dict[Instrument, list[float]] = {}
    for k in sorted(history.checkins, key=lambda k: (k.on, k.id)):
        seen = totals.setdefault(k.instrument, [])
        seen.append(k.total)
        entries.append(TimelineEntry(EntryKind.CHECKIN, k.id, k.on, checkin=k,
                                     trend=tuple(seen[-TREND_LENGTH:])))
    return tuple(sorted(entries, key=lambda e: e.sort_key))


def load_client_view(session: Session, client_id: int, *,
                     window_weeks: int = FIGURE_WEEKS) -> ClientView:
    """One client's header, figures over the last `window_weeks` weeks, series and timeline."""
    now = session.now()
    client, goals = _client_and_goals(session, client_id)
    history = _history(client, now)
    settings = session.settings
    this_week = metrics.week_of(now.date(), settings.week_start)
    window = metrics.Window(this_week.start - timedelta(weeks=window_weeks - 1), this_week.end)
    srs = tuple(k.total for k in history.checkins if k.instrument is Instrument.SRS)
    upcoming = [a.start for a in history.appointments
                if a.outcome is Outcome.SCHEDULED and a.start > now]
    return ClientView(
        client=client, goals=goals,
        figures=metrics.client_figures(history, window, now, settings), window=window,
        alliance_trend=srs[-TREND_LENGTH:],
        flags=client_flags(history, now, this_week, settings),
        series=_series(session, client_id, history.appointments, now),
        timeline=_timeline(history, session),
        next_appointment=min(upcoming).astimezone(session.tz) if upcoming else None, now=now)
