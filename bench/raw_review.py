"""R: the weekly review's figures computed with plain `sqlite3`, as a hand-written report would.

This is the benchmark's yardstick for `caseload.services.review.week_report`: the same numbers
(the week's five figures, needs-outcome, dropped commitments, each client's figures for the week,
the previous weeks' figures and the streak), read with raw SQL and counted in plain loops over
tuples, with no ORM, no records and no rules engine. `tests/bench/test_raw_review.py` checks that
it agrees with the real code on a demo database, so the ratio `week_report / R` measures only
what Caseload's layers cost.

It follows the rules of `caseload.domain.metrics` (DOMAIN.md §4) and reads what
`store.queries.load_histories` would have read for the snapshot (`HISTORY_WEEKS` back from now):

* the review weeks (the week and `history_weeks` before it) in full detail, one row per
  appointment, plus sessions still waiting for an outcome;
* the older weeks for the streak as counts grouped by start time (sessions start on the hour,
  so there are a few thousand groups even for a whole clinic);
* commitments and their due-date history; check-ins of the review weeks only.

Local dates come from bisecting each stored UTC timestamp in a list of the clinic's local
midnights (as stored strings), so no timestamp is parsed.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HISTORY_WEEKS = 53  # caseload.services.overview.HISTORY_WEEKS
STREAK_WEEKS = 104  # caseload.domain.metrics.streak_weeks(max_weeks=...)

# Counselor-side "held" (DOMAIN.md §4): everything due except the counselor's misses.
_HELD = ("NOT (a.outcome = 'counselor_cancelled' "
         "OR (a.outcome = 'rescheduled' AND a.requested_by = 'counselor') "
         "OR (a.outcome = 'kept' AND a.counselor_late_min > ?))")


@dataclass
class Tally:
    """The counts behind one window's figures (one client or the whole caseload)."""

    held: int = 0
    due: int = 0
    counselor_on_time: int = 0
    counselor_fell_due: int = 0
    kept: int = 0
    attendance_due: int = 0
    client_on_time: int = 0
    client_fell_due: int = 0
    with_checkin: int = 0
    needs_outcome: int = 0
    dropped: set[int] = field(default_factory=set)

    def as_tuple(self) -> tuple[object, ...]:
        """(reliability, counselor f/t, attendance, client f/t, check-ins) as (num, den) pairs,
        then needs_outcome and the sorted dropped ids: the shape the test compares."""
        return ((self.held, self.due), (self.counselor_on_time, self.counselor_fell_due),
                (self.kept, self.attendance_due), (self.client_on_time, self.client_fell_due),
                (self.with_checkin, self.kept), self.needs_outcome, tuple(sorted(self.dropped)))

    @property
    def counselor_perfect(self) -> bool | None:
        if self.due + self.counselor_fell_due == 0:
            return None
        return self.held == self.due and self.counselor_on_time == self.counselor_fell_due


@dataclass
class RawReview:
    """What R computes: the week's tally, each client's, the earlier weeks', and the streak."""

    week_start: date
    week: Tally
    clients: dict[int, Tally]
    history: list[tuple[date, Tally]]
    streak_weeks: int


def _stored(moment: datetime) -> str:
    """A UTC instant as Caseload stores it (naive UTC, sqlite3's default adapter format)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _week_start(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


class _Days:
    """Maps stored UTC timestamps to the clinic's local date by bisecting local midnights."""

    def __init__(self, first: date, last: date, zone: ZoneInfo) -> None:
        self.first = first
        count = (last - first).days + 2
        self.bounds = [_stored(datetime.combine(first + timedelta(days=i), time(), zone))
                       for i in range(count)]

    def day(self, stored: str) -> date | None:
        i = bisect_right(self.bounds, stored) - 1
        if i < 0 or i >= len(self.bounds) - 1:
            return None
        return self.first + timedelta(days=i)


def raw_review(con: sqlite3.Connection, counselor_id: int | None, now: datetime, *,
               timezone: str = "America/New_York", week_start: int = 0,
               late_minutes: int = 5, history_weeks: int = 4,
               week_day: date | None = None) -> RawReview:
    """The review's figures for one counselor's clients (or every client when None)."""
    zone = ZoneInfo(timezone)
    now = now.astimezone(zone)
    today = now.date()
    since = datetime.combine(today - timedelta(weeks=HISTORY_WEEKS), time(), zone)
    now_s, since_s, since_day = _stored(now), _stored(since), since.date().isoformat()
    week = _week_start(week_day or today, week_start)
    review_starts = [week - timedelta(weeks=n) for n in range(history_weeks, -1, -1)]
    current = _week_start(today, week_start)
    streak_starts = [current - timedelta(weeks=n) for n in range(STREAK_WEEKS, -1, -1)]
    first_day = min(review_starts[0], streak_starts[0])
    last_day = max(week, current) + timedelta(days=7)
    days = _Days(first_day, last_day, zone)
    detail_from = _stored(datetime.combine(review_starts[0], time(), zone))

    scope, args = ("", ()) if counselor_id is None else (
        " AND a.client_id IN (SELECT id FROM client WHERE counselor_id = ?)", (counselor_id,))

    review = {start: Tally() for start in review_starts}
    weekly = {start: Tally() for start in streak_starts}
    clients: dict[int, Tally] = {}

    def week_of(day: date) -> date:
        return day - timedelta(days=(day.weekday() - week_start) % 7)

    def tallies(start: date, client_id: int) -> list[Tally]:
        """Where a fact of the week starting `start` counts: review week, streak week, client."""
        found = [t for t in (review.get(start), weekly.get(start)) if t is not None]
        if start == week:
            client = clients.get(client_id)
            if client is None:
                client = clients[client_id] = Tally()
            found.append(client)
        return found

    # The review weeks (and any later ones) in detail, one row per session.
    rows = con.execute(
        "SELECT a.id, a.client_id, a.starts_at, a.outcome, " + _HELD + " FROM appointment a "
        "WHERE a.starts_at >= ? AND a.ends_at <= ?" + scope,
        (late_minutes, max(since_s, detail_from), now_s, *args)).fetchall()
    kept_rows: list[tuple[int, int, date, date]] = []
    for appt_id, client_id, starts, outcome, held in rows:
        day = days.day(starts)
        if day is None:
            continue
        start = week_of(day)
        targets = tallies(start, client_id)
        if not targets:
            continue
        if outcome == "scheduled":
            for t in targets:
                t.needs_outcome += 1
            continue
        kept = outcome == "kept"
        attended = kept or outcome in ("no_show", "late_cancel")
        for t in targets:
            t.due += 1
            t.held += held
            t.attendance_due += attended
            t.kept += kept
        if kept and start in review:
            kept_rows.append((appt_id, client_id, day, start))

    # Older weeks, for the streak only: counts per start time.
    grouped = con.execute(
        "SELECT a.starts_at, count(*), sum(" + _HELD + ") FROM appointment a "
        "WHERE a.starts_at >= ? AND a.starts_at < ? AND a.ends_at <= ? "
        "AND a.outcome <> 'scheduled'" + scope + " GROUP BY a.starts_at",
        (late_minutes, since_s, min(detail_from, now_s), now_s, *args)).fetchall()
    for starts, due, held in grouped:
        day = days.day(starts)
        t = weekly.get(week_of(day)) if day is not None else None
        if t is not None:
            t.due += due
            t.held += held

    # Check-ins covering the review weeks' kept sessions.
    if kept_rows:
        checkins = con.execute(
            "SELECT a.appointment_id, a.client_id, a.taken_on FROM checkin a "
            "WHERE a.taken_on >= ? AND (a.taken_on >= ? OR a.discussed = 0)" + scope,
            ((review_starts[0] - timedelta(days=7)).isoformat(), since_day, *args)).fetchall()
        by_appointment = {c[0] for c in checkins if c[0] is not None}
        by_day = {(c[1], c[2]) for c in checkins if c[0] is None}
        for appt_id, client_id, day, start in kept_rows:
            if appt_id in by_appointment or (client_id, day.isoformat()) in by_day:
                review[start].with_checkin += 1
                if start == week:
                    clients[client_id].with_checkin += 1
                if start in weekly:
                    weekly[start].with_checkin += 1

    # Commitments: what fell due when, and renegotiations after the date had passed.
    commitments = con.execute(
        "SELECT a.id, a.client_id, a.owner, a.due, a.status, a.done_on, a.due_history "
        "FROM commitment a WHERE (a.status IN ('open', 'renegotiated') OR a.due >= ? "
        "OR a.done_on >= ? OR a.made_on >= ?)" + scope,
        (since_day, since_day, since_day, *args)).fetchall()
    today_s = today.isoformat()

    def on(day_s: str) -> date:
        return week_of(date.fromisoformat(day_s))

    for cid, client_id, owner, due, status, done_on, history in commitments:
        if status == "dropped":
            for t in tallies(on(due), client_id):
                t.dropped.add(cid)
            continue
        counselor = owner == "counselor"
        done = status == "done"
        if done or due < today_s:
            on_time = done and done_on is not None and done_on <= due
            for t in tallies(on(due), client_id):
                if counselor:
                    t.counselor_fell_due += 1
                    t.counselor_on_time += on_time
                else:
                    t.client_fell_due += 1
                    t.client_on_time += on_time
        if history and history != "[]":
            for change in json.loads(history):
                if change["changed_on"] > change["old_due"]:
                    for t in tallies(on(change["old_due"]), client_id):
                        if counselor:
                            t.counselor_fell_due += 1
                        else:
                            t.client_fell_due += 1

    streak = 0
    for start in reversed(streak_starts[:-1]):
        perfect = weekly[start].counselor_perfect
        if perfect is None:
            continue
        if not perfect:
            break
        streak += 1
    if weekly[streak_starts[-1]].counselor_perfect:
        streak += 1
    return RawReview(week, review[week], clients,
                     [(start, review[start]) for start in review_starts[:-1]], streak)
