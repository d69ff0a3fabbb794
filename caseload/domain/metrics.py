"""Consistency figures: the counselor's own reliability first, then the client's engagement.

Everything here is pure: facts in, figures out. Date logic takes ``now`` (an aware datetime) as a
parameter; "today" is ``now`` in the clinic's zone (``Settings.timezone``).

The rules (DOMAIN.md §1, §2, §4):

* A :class:`Window` is a half-open range of the clinic's *local* dates, ``[start, end)``. An
  appointment belongs to the window holding ``start.astimezone(clinic zone).date()``, never its
  UTC date: a session at 23:30 on a Sunday in New York belongs to that Sunday's week.
* An occurrence is **due** in a window when its local start date is in the window, its ``end`` is
  at or before ``now`` and its outcome is not ``scheduled``. A past ``scheduled`` occurrence "needs
  an outcome": it is in no figure, only counted in ``Figures.needs_outcome``.
* **Counselor reliability** = held / due. Not held: ``counselor_cancelled``, ``rescheduled`` at the
  counselor's request, and ``kept`` with ``counselor_late_min`` above
  ``Settings.counselor_late_minutes`` (5 minutes late is on time, 6 is late). Everything else due
  was held: the counselor was there as scheduled (kept on time, no-show, late cancel, client
  cancelled, rescheduled at the client's request or with no requester recorded).
* **Follow-through** (counselor's and client's alike, split by owner): a commitment falls due at
  its current ``due`` date when that date is in the window and it is either past (``due < today``)
  or already done; an open commitment due today is not a miss yet. On time = ``done`` with
  ``done_on <= due``. ``renegotiated`` is outstanding, like ``open``, with the new due date.
  Each renegotiation in ``history`` made on or before the old due date is transparency, not a
  miss; one made after the old due date (the date passed silently) adds a missed fall-due
  (denominator +1, numerator +0) in the window holding the old due date. Dropped commitments are
  left out of both sides and their ids listed in ``Figures.dropped`` (for the window holding their
  current due date).
* **Client attendance** = kept / (kept + no_show + late_cancel), over due occurrences.
* **Check-in regularity** = due kept sessions with a check-in / due kept sessions. A session has a
  check-in when a check-in names its appointment id, or names no appointment and was taken by the
  same client on the session's local date.
* Caseload figures are plain sums of numerators and denominators, so per-client figures add up to
  the caseload figure exactly, and adjacent windows add up to the window spanning them.
* **Streak** (:func:`streak_weeks`): consecutive weeks, counting back from the last complete week,
  in which counselor reliability and counselor follow-through were both 100 %. A week with nothing
  of the counselor's due neither breaks nor extends it (a vacation). The current week adds one when
  it already has something due and is perfect so far; while in progress it never breaks the streak.

Cost is linear: one pass over each client's facts, each fact dropped into its window through a
dict keyed by local date (:func:`weekly_figures`), never one scan per week. The weekly review
needs the streak's weeks, its own week and the weeks before it, and each client's figures for
its week: :func:`review_figures` counts them all in that one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from zoneinfo import ZoneInfo

import msgspec

from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientHistory,
    CommitmentStatus,
    Outcome,
    Party,
    Settings,
)

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"

_ATTENDANCE = frozenset({Outcome.KEPT, Outcome.NO_SHOW, Outcome.LATE_CANCEL})


class Ratio(msgspec.Struct, frozen=True, gc=False):
    """A count of successes out of a count of chances; adds by summing both parts."""

    numerator: int = 0
    denominator: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(f"bad ratio {self.numerator}/{self.denominator}")

    @property
    def value(self) -> float | None:
        """The rate in 0–1, or None when nothing was due."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def perfect(self) -> bool:
        """True when something was due and all of it succeeded."""
        return self.denominator > 0 and self.numerator == self.denominator

    @property
    def percent(self) -> str:
        """Whole percent, e.g. "95 %"; "—" when nothing was due.

        Rounds half up, but never shows "100 %" for a miss nor "0 %" for a partial success.
        """
        if not self.denominator:
            return "—"
        pct = (200 * self.numerator + self.denominator) // (2 * self.denominator)
        if pct == 100 and not self.perfect:
            pct = 99
        elif pct == 0 and self.numerator:
            pct = 1
        return f"{pct} %"

    def text(self, verb: str) -> str:
        """Plain words: ``Ratio(18, 19).text("kept") == "kept 18 of 19"``."""
        return f"{verb} {self.numerator} of {self.denominator}"

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)


class Window(msgspec.Struct, frozen=True, order=True, gc=False):
    """A half-open range of the clinic's local dates, ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        """The window's length in days."""
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the window."""
        return self.start <= day < self.end

    def previous(self, n: int = 1) -> Window:
        """The window of the same length ``n`` lengths earlier (negative ``n`` goes forward)."""
        shift = (self.end - self.start) * n
        return Window(self.start - shift, self.end - shift)

    def following(self, n: int = 1) -> Window:
        """The window of the same length ``n`` lengths later."""
        return self.previous(-n)


def week_of(day: date, week_start: int = 0) -> Window:
    """The week holding ``day``; weeks start on ``week_start`` (Monday = 0 … Sunday = 6)."""
    start = day - timedelta(days=(day.weekday() - week_start) % 7)
    return Window(start, start + timedelta(days=7))


def weeks_back(window: Window, n: int) -> tuple[Window, ...]:
    """The ``n`` windows ending with ``window``, oldest first (``window`` itself is last)."""
    return tuple(window.previous(k) for k in range(n - 1, -1, -1))


def spanning(windows: Iterable[Window]) -> Window:
    """The smallest window covering all of ``windows``, e.g. "the last 4 weeks"."""
    items = list(windows)
    if not items:
        raise ValueError("no windows to span")
    return Window(min(w.start for w in items), max(w.end for w in items))


def clinic_zone(settings: Settings) -> ZoneInfo:
    """The clinic's time zone."""
    return ZoneInfo(settings.timezone)


_LOCAL_DAYS: dict[ZoneInfo, dict[datetime, date]] = {}
_LOCAL_DAYS_KEPT = 200_000  # instants remembered per zone before starting afresh


def local_days(zone: ZoneInfo) -> Callable[[datetime], date]:
    """A function from an aware instant to its date in `zone`, remembering what it found.

    Sessions start on the hour, so a whole clinic's five years hold a few thousand distinct
    instants: a dict lookup is a third of converting each one (`astimezone`) every time a rule
    asks, and the review asks several times per session.
    """
    known = _LOCAL_DAYS.setdefault(zone, {})
    if len(known) > _LOCAL_DAYS_KEPT:
        known.clear()

    def day_of(moment: datetime) -> date:
        day = known.get(moment)
        if day is None:
            day = known[moment] = moment.astimezone(zone).date()
        return day

    return day_of


def clinic_today(now: datetime, settings: Settings) -> date:
    """Today's date in the clinic's zone."""
    return now.astimezone(clinic_zone(settings)).date()


class CheckInIndex:
    """Answers "did this kept session have a check-in?" in constant time.

    A session has one when a check-in names its appointment id, or names no appointment and was
    taken by the same client on the session's local date.
    """

    __slots__ = ("_appointment_ids", "_client_days")

    def __init__(self, checkins: Iterable[CheckInFact]) -> None:
        self._appointment_ids, self._client_days = _checked(checkins)

    def covers(self, appointment: AppointmentFact, local_day: date) -> bool:
        """Whether ``appointment`` (held on ``local_day``, clinic time) had a check-in."""
        return (
            appointment.id in self._appointment_ids
            or (appointment.client_id, local_day) in self._client_days
        )


class Figures(msgspec.Struct, frozen=True, gc=False):
    """The consistency figures of one window, for one client or a whole caseload."""

    counselor_reliability: Ratio = Ratio()
    counselor_follow_through: Ratio = Ratio()
    client_attendance: Ratio = Ratio()
    client_follow_through: Ratio = Ratio()
    checkin_regularity: Ratio = Ratio()
    needs_outcome: int = 0
    dropped: tuple[int, ...] = ()

    @property
    def counselor_perfect(self) -> bool | None:
        """Whether the counselor kept everything due; None when nothing of theirs was due."""
        rel, ft = self.counselor_reliability, self.counselor_follow_through
        if rel.denominator + ft.denominator == 0:
            return None
        return rel.numerator == rel.denominator and ft.numerator == ft.denominator

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.counselor_reliability + other.counselor_reliability,
            self.counselor_follow_through + other.counselor_follow_through,
            self.client_attendance + other.client_attendance,
            self.client_follow_through + other.client_follow_through,
            self.checkin_regularity + other.checkin_regularity,
            self.needs_outcome + other.needs_outcome,
            tuple(sorted(set(self.dropped) | set(other.dropped))),
        )


# What one fact adds to a window, as an index into `_Tally.counts`. A due occurrence's index is a
# bit set (held, attended, kept, covered by a check-in); the rest follow it.
_HELD, _ATTENDED, _KEPT, _COVERED = 1, 2, 4, 8
_NEEDS_OUTCOME = 16
_COUNSELOR_ON_TIME, _COUNSELOR_MISSED, _CLIENT_ON_TIME, _CLIENT_MISSED = 17, 18, 19, 20
_KINDS = 21
# Due occurrences other than kept: held and attended by outcome (a reschedule at the counselor's
# request is not held: see `_tally`).
_DUE_KIND: dict[Outcome, int] = {
    Outcome.NO_SHOW: _HELD | _ATTENDED,
    Outcome.LATE_CANCEL: _HELD | _ATTENDED,
    Outcome.CLIENT_CANCELLED: _HELD,
    Outcome.COUNSELOR_CANCELLED: 0,
    Outcome.RESCHEDULED: _HELD,
}
# A commitment fallen due, by (owner, on time).
_FELL_DUE = {(Party.COUNSELOR, True): _COUNSELOR_ON_TIME,
             (Party.COUNSELOR, False): _COUNSELOR_MISSED,
             (Party.CLIENT, True): _CLIENT_ON_TIME, (Party.CLIENT, False): _CLIENT_MISSED}


# The due occurrences' kinds with a bit set, to sum their counts.
_WITH: dict[int, Callable[[list[int]], tuple[int, ...]]] = {
    bit: itemgetter(*(kind for kind in range(_NEEDS_OUTCOME) if kind & bit))
    for bit in (_HELD, _ATTENDED, _KEPT, _COVERED)}


def _summed(counts: list[int], bit: int) -> int:
    return sum(_WITH[bit](counts))


class _Tally:
    """Counters for one window while the pass runs: how many facts of each kind (`_KINDS`)."""

    __slots__ = ("counts", "dropped")

    def __init__(self) -> None:
        self.counts = [0] * _KINDS
        self.dropped: set[int] = set()

    def figures(self) -> Figures:
        counts = self.counts
        kept = _summed(counts, _KEPT)
        return Figures(
            counselor_reliability=Ratio(_summed(counts, _HELD), sum(counts[:_NEEDS_OUTCOME])),
            counselor_follow_through=Ratio(counts[_COUNSELOR_ON_TIME],
                                           counts[_COUNSELOR_ON_TIME] + counts[_COUNSELOR_MISSED]),
            client_attendance=Ratio(kept, _summed(counts, _ATTENDED)),
            client_follow_through=Ratio(counts[_CLIENT_ON_TIME],
                                        counts[_CLIENT_ON_TIME] + counts[_CLIENT_MISSED]),
            checkin_regularity=Ratio(_summed(counts, _COVERED), kept),
            needs_outcome=counts[_NEEDS_OUTCOME],
            dropped=tuple(sorted(self.dropped)),
        )


_Locator = Callable[[date], tuple[int, ...]]
_NOWHERE: tuple[int, ...] = ()


_DAYS_INDEXED = 20_000  # windows covering at most this many days in all get a dict by date


def _locator(windows: Sequence[Window]) -> _Locator:
    """A function from a local date to the indexes of the windows holding it.

    A single window is a range test; windows covering a few thousand days in all (the streak's
    105 weeks are 735 days) are found through a dict keyed by local date; anything larger is
    scanned.
    """
    if not windows:
        return lambda day: _NOWHERE
    if len(windows) == 1:
        only, hit = windows[0], (0,)
        return lambda day: hit if only.start <= day < only.end else _NOWHERE
    if sum(w.days for w in windows) <= _DAYS_INDEXED:
        get = _by_day(tuple(windows)).get
        return lambda day: get(day, _NOWHERE)
    return lambda day: tuple(i for i, w in enumerate(windows) if w.start <= day < w.end)


@lru_cache(maxsize=16)
def _by_day(windows: tuple[Window, ...]) -> dict[date, tuple[int, ...]]:
    """Each local date of `windows` to the indexes of the windows holding it (kept: the header
    and the review ask for the same 105 weeks after every save). Read only, never changed."""
    by_day: dict[date, tuple[int, ...]] = {}
    one_day = timedelta(days=1)
    for i, w in enumerate(windows):
        day = w.start
        while day < w.end:
            by_day[day] = by_day.get(day, ()) + (i,)
            day += one_day
    return by_day


def _tally(
    histories: Iterable[ClientHistory],
    windows: Sequence[Window],
    now: datetime,
    settings: Settings,
    clients: dict[int, _Tally] | None = None,
    client_window: int = -1,
) -> list[_Tally]:
    """One pass over every fact of every history, each fact counted in its window(s).

    With `clients`, each client's own tally of window `client_window` is kept there as well
    (what `client_figures` would count for that window, in the same pass).
    """
    zone = clinic_zone(settings)
    today = now.astimezone(zone).date()
    day_of = local_days(zone)
    locate = _locator(windows)
    tallies = [_Tally() for _ in windows]
    counts = [t.counts for t in tallies]
    late_limit = settings.counselor_late_minutes
    # Stored instants are UTC: compared with `now` in UTC they compare field by field (the same
    # instants either way).
    now = now.astimezone(UTC)
    # Where each start instant falls (local date, windows): sessions start on the hour, so a
    # caseload's facts share a few thousand instants.
    placed: dict[datetime, tuple[date, tuple[int, ...]]] = {}
    scheduled, kept_outcome, rescheduled = Outcome.SCHEDULED, Outcome.KEPT, Outcome.RESCHEDULED
    counselor, dropped_status, done_status = (Party.COUNSELOR, CommitmentStatus.DROPPED,
                                              CommitmentStatus.DONE)
    due_kind, fell_due = _DUE_KIND, _FELL_DUE
    for history in histories:
        own = None if clients is None else clients.setdefault(history.client.id, _Tally())
        own_counts = None if own is None else own.counts
        checked: tuple[set[int], set[tuple[int, date]]] | None = None
        for appt in history.appointments:
            if appt.end > now:
                continue
            start = appt.start
            spot = placed.get(start)
            if spot is None:
                day = day_of(start)
                spot = placed[start] = (day, locate(day))
            day, where = spot
            if not where:
                continue
            outcome = appt.outcome
            if outcome is kept_outcome:
                kind = _ATTENDED | _KEPT
                if appt.counselor_late_min <= late_limit:
                    kind |= _HELD
                if checked is None:
                    checked = _checked(history.checkins)
                if appt.id in checked[0] or (appt.client_id, day) in checked[1]:
                    kind |= _COVERED
            elif outcome is scheduled:
                kind = _NEEDS_OUTCOME
            elif outcome is rescheduled and appt.requested_by is counselor:
                kind = 0
            else:
                kind = due_kind[outcome]
            for i in where:
                counts[i][kind] += 1
            if own_counts is not None and client_window in where:
                own_counts[kind] += 1
        for commitment in history.commitments:
            where = locate(commitment.due)
            mine = own is not None and client_window in where
            status = commitment.status
            if status is dropped_status:
                for i in where:
                    tallies[i].dropped.add(commitment.id)
                if mine:
                    own.dropped.add(commitment.id)  # type: ignore[union-attr]
                continue
            done = status is done_status
            owner = commitment.owner
            if done or commitment.due < today:
                done_on = commitment.done_on
                kind = fell_due[owner, done and done_on is not None and done_on <= commitment.due]
                for i in where:
                    counts[i][kind] += 1
                if mine:
                    own_counts[kind] += 1  # type: ignore[index]
            for change in commitment.history:
                if change.changed_on > change.old_due:  # the old date passed silently
                    where = locate(change.old_due)
                    kind = fell_due[owner, False]
                    for i in where:
                        counts[i][kind] += 1
                    if own_counts is not None and client_window in where:
                        own_counts[kind] += 1
    return tallies


def _checked(checkins: Iterable[CheckInFact]) -> tuple[set[int], set[tuple[int, date]]]:
    """What `CheckInIndex` holds: appointment ids named, (client, day) of the others."""
    checkins = tuple(checkins)
    return ({c.appointment_id for c in checkins if c.appointment_id is not None},
            {(c.client_id, c.on) for c in checkins if c.appointment_id is None})


def caseload_figures(
    histories: Iterable[ClientHistory], window: Window, now: datetime, settings: Settings
) -> Figures:
    """The figures of a whole caseload over ``window``: the sum of every client's figures."""
    return _tally(histories, [window], now, settings)[0].figures()


def client_figures(
    history: ClientHistory, window: Window, now: datetime, settings: Settings
) -> Figures:
    """One client's figures over ``window``."""
    return caseload_figures((history,), window, now, settings)


def weekly_figures(
    histories: Iterable[ClientHistory],
    weeks: Sequence[Window],
    now: datetime,
    settings: Settings,
) -> list[Figures]:
    """The caseload's figures for each of ``weeks``, in their order, from a single pass."""
    return [tally.figures() for tally in _tally(histories, weeks, now, settings)]


def streak_windows(now: datetime, settings: Settings, max_weeks: int = 104) -> tuple[Window, ...]:
    """The weeks :func:`streak_weeks` looks at: ``max_weeks`` complete ones, then this week."""
    current = week_of(clinic_today(now, settings), settings.week_start)
    return weeks_back(current, max(max_weeks, 0) + 1)


class ReviewFigures(msgspec.Struct, frozen=True, gc=False):
    """What the weekly review counts: figures per week, the streak, each client's week."""

    weeks: tuple[Window, ...]
    weekly: tuple[Figures, ...]
    streak_weeks: int
    clients: dict[int, Figures]

    def of(self, week: Window) -> Figures:
        """The caseload's figures of one of `weeks`."""
        return self.weekly[self.weeks.index(week)]


def review_figures(
    histories: Sequence[ClientHistory],
    week: Window,
    earlier: Sequence[Window],
    now: datetime,
    settings: Settings,
    max_weeks: int = 104,
    per_client: bool = True,
) -> ReviewFigures:
    """The streak's weeks, ``week``, the ``earlier`` weeks and each client's ``week``, in one pass.

    Equal to :func:`streak_weeks`, :func:`caseload_figures`, :func:`weekly_figures` and
    :func:`client_figures` called one by one (the tests check it), at the cost of one of them.
    Without `per_client`, `clients` is left empty.
    """
    streak = streak_windows(now, settings, max_weeks)
    windows = list(streak)
    for w in (*earlier, week):
        if w not in windows:
            windows.append(w)
    clients: dict[int, _Tally] | None = {} if per_client else None
    tallies = _tally(histories, windows, now, settings, clients, windows.index(week))
    weekly = tuple(t.figures() for t in tallies)
    return ReviewFigures(tuple(windows), weekly, _streak(weekly[:len(streak)]),
                         {client_id: t.figures() for client_id, t in (clients or {}).items()})


def _streak(figures: Sequence[Figures]) -> int:
    """The streak of weekly figures ending with the current week (see module doc)."""
    streak = 0
    for week in reversed(figures[:-1]):
        perfect = week.counselor_perfect
        if perfect is None:  # nothing due: a vacation neither breaks nor extends the streak
            continue
        if not perfect:
            break
        streak += 1
    if figures[-1].counselor_perfect:
        streak += 1
    return streak


def streak_weeks(
    histories: Iterable[ClientHistory],
    now: datetime,
    settings: Settings,
    max_weeks: int = 104,
) -> int:
    """Consecutive weeks of perfect counselor reliability and follow-through (see module doc).

    Looks back at most ``max_weeks`` complete weeks; the current week may add one more.
    """
    weeks = streak_windows(now, settings, max_weeks)
    return _streak(weekly_figures(histories, weeks, now, settings))


def sparkline(
    values: Sequence[float | None], low: float | None = None, high: float | None = None
) -> str:
    """A one-line bar chart, one block per value; None (nothing due) is a blank.

    ``low``/``high`` default to the smallest/largest value given; values outside are clamped.
    When every value is the same (no range), each shows as a middle block.
    """
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    lo = min(present) if low is None else low
    hi = max(present) if high is None else high
    top = len(SPARK_BLOCKS) - 1
    chars = []
    for v in values:
        if v is None:
            chars.append(" ")
        elif hi <= lo:
            chars.append(SPARK_BLOCKS[top // 2])
        else:
            share = (min(max(v, lo), hi) - lo) / (hi - lo)
            chars.append(SPARK_BLOCKS[int(share * top + 0.5)])
    return "".join(chars)
