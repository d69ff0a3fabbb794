"""Review flags: what needs the counselor's attention for one client, and in what order.

Each flag says whose consistency it concerns (``side``), the facts in plain words (``reason``), a
suggested next step (``action``) and the ids it is about (``refs``: appointments, commitments or
check-ins). Rules (DOMAIN.md §5; numbers from :class:`Settings`):

* ``needs_outcome``: past occurrences (end at or before ``now``) still ``scheduled``, any date.
* ``counselor_cancelled``: in the review week (local dates), occurrences ``counselor_cancelled``
  or rescheduled at the counselor's request, whether or not they have ended yet.
  ``counselor_late``: kept in the review week with the counselor more than
  ``counselor_late_minutes`` late.
* ``counselor_commitment_overdue``: the counselor's outstanding (open or renegotiated) commitment
  due before today. ``counselor_commitment_due``: due today up to ``commitment_due_soon_days``
  ahead. ``client_commitment_overdue``: the client's outstanding commitment due before today. One
  flag per commitment, so each reason names its promise.
* ``no_show_streak``: among attended-or-missed sessions (kept, no_show, late_cancel), the latest
  ``no_show_streak`` or more are all no-shows.
* ``no_contact``: no kept session on a local date after ``today - no_contact_days``, for a client
  whose intake is more than ``no_contact_days`` ago.
* ``not_scheduled``: no ``scheduled`` occurrence starting after ``now``.
* ``alliance_below_cutoff``: the latest SRS total is below ``srs_cutoff``. ``alliance_drop``: the
  latest SRS total is at least ``srs_drop`` below the previous one.
* ``not_discussed``: check-ins not marked discussed that were low (SRS below the cutoff, SRS drop,
  or a WAI-SR total lower than the client's previous WAI-SR), any date.
* ``checkin_lapsed``: none of the last ``checkin_lapse_sessions`` kept sessions (and there are at
  least that many) had a check-in (matched as in :class:`~caseload.domain.metrics.CheckInIndex`).
* Clients who are not active (on hold, discharged) only get ``needs_outcome`` and
  ``counselor_commitment_overdue``: loose ends of the counselor's own.

:func:`review_order` puts the worst first: clients with any counselor-side flag, then by their
most severe flag (:data:`SEVERITY`), then by number of flags (more first), then name and id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice, pairwise
from operator import attrgetter, lt

import msgspec

from caseload.domain.metrics import Window, clinic_zone, local_days
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
    Settings,
)


class FlagCode(StrEnum):
    """What a flag is about. Declaration order is not severity order: see :data:`SEVERITY`."""

    NEEDS_OUTCOME = "needs_outcome"
    COUNSELOR_CANCELLED = "counselor_cancelled"
    COUNSELOR_LATE = "counselor_late"
    COUNSELOR_COMMITMENT_OVERDUE = "counselor_commitment_overdue"
    COUNSELOR_COMMITMENT_DUE = "counselor_commitment_due"
    NO_SHOW_STREAK = "no_show_streak"
    NO_CONTACT = "no_contact"
    NOT_SCHEDULED = "not_scheduled"
    ALLIANCE_BELOW_CUTOFF = "alliance_below_cutoff"
    ALLIANCE_DROP = "alliance_drop"
    NOT_DISCUSSED = "not_discussed"
    CHECKIN_LAPSED = "checkin_lapsed"
    CLIENT_COMMITMENT_OVERDUE = "client_commitment_overdue"

    @property
    def side(self) -> Party:
        """Whose consistency the flag concerns."""
        return FLAG_SIDES[self]

    @property
    def badge(self) -> str:
        """A short text badge (at most 6 characters), so the flag reads without colour."""
        return FLAG_BADGES[self]

    @property
    def label(self) -> str:
        """A few words naming the flag."""
        return FLAG_LABELS[self]

    @property
    def severity(self) -> int:
        """Position in :data:`SEVERITY`; 0 is the most severe."""
        return _SEVERITY_INDEX[self]


_ME, _THEM = Party.COUNSELOR, Party.CLIENT
# Most severe first. Counselor-side badges start with "!" or "?", client-side ones with a letter.
_SPEC: dict[FlagCode, tuple[Party, str, str]] = {
    FlagCode.NEEDS_OUTCOME: (_ME, "?out", "needs outcome"),
    FlagCode.COUNSELOR_CANCELLED: (_ME, "!canc", "you cancelled"),
    FlagCode.COUNSELOR_LATE: (_ME, "!late", "you were late"),
    FlagCode.COUNSELOR_COMMITMENT_OVERDUE: (_ME, "!ovrd", "your commitment overdue"),
    FlagCode.COUNSELOR_COMMITMENT_DUE: (_ME, "!soon", "your commitment due soon"),
    FlagCode.NOT_SCHEDULED: (_ME, "!sched", "nothing scheduled"),
    FlagCode.NOT_DISCUSSED: (_ME, "!talk", "low score not discussed"),
    FlagCode.CHECKIN_LAPSED: (_ME, "!chk", "feedback loop lapsed"),
    FlagCode.ALLIANCE_BELOW_CUTOFF: (_THEM, "srs<", "alliance below cutoff"),
    FlagCode.ALLIANCE_DROP: (_THEM, "srs↓", "alliance drop"),
    FlagCode.NO_SHOW_STREAK: (_THEM, "noshow", "no-shows in a row"),
    FlagCode.NO_CONTACT: (_THEM, "nocont", "no recent contact"),
    FlagCode.CLIENT_COMMITMENT_OVERDUE: (_THEM, "c-ovrd", "client commitment overdue"),
}
SEVERITY: tuple[FlagCode, ...] = tuple(_SPEC)
_SEVERITY_INDEX = {code: i for i, code in enumerate(SEVERITY)}
FLAG_SIDES: dict[FlagCode, Party] = {code: spec[0] for code, spec in _SPEC.items()}
FLAG_BADGES: dict[FlagCode, str] = {code: spec[1] for code, spec in _SPEC.items()}
FLAG_LABELS: dict[FlagCode, str] = {code: spec[2] for code, spec in _SPEC.items()}

# The usual suggested action per code; a rule may say something more specific.
FLAG_ACTIONS: dict[FlagCode, str] = {
    FlagCode.NEEDS_OUTCOME: "Record what happened.",
    FlagCode.COUNSELOR_CANCELLED: "Offer a make-up session this week.",
    FlagCode.COUNSELOR_LATE: "Acknowledge it with the client, and start on time next session.",
    FlagCode.COUNSELOR_COMMITMENT_OVERDUE: "Do it or renegotiate the date with the client.",
    FlagCode.COUNSELOR_COMMITMENT_DUE: "Do it, or renegotiate with the client before the date.",
    FlagCode.NOT_SCHEDULED: "Schedule the next session.",
    FlagCode.NOT_DISCUSSED: "Ask about it and mark it discussed.",
    FlagCode.CHECKIN_LAPSED: "Do a check-in at the next session.",
    FlagCode.ALLIANCE_BELOW_CUTOFF: "Ask what would make the sessions work better for them.",
    FlagCode.ALLIANCE_DROP: "Ask what changed, and mark it discussed.",
    FlagCode.NO_SHOW_STREAK: "Reach out: call or send a letter.",
    FlagCode.NO_CONTACT: "Reach out: call or send a letter.",
    FlagCode.CLIENT_COMMITMENT_OVERDUE: "Ask how it went; do it, renegotiate or drop it together.",
}


class Flag(msgspec.Struct, frozen=True, gc=False):
    """One thing to look at, with the facts and a suggested next step."""

    code: FlagCode
    side: Party
    reason: str
    action: str
    refs: tuple[int, ...] = ()

    @property
    def badge(self) -> str:
        """The code's short badge."""
        return FLAG_BADGES[self.code]


def _flag(code: FlagCode, reason: str, refs: Iterable[int] = (), action: str = "") -> Flag:
    return Flag(code, FLAG_SIDES[code], reason, action or FLAG_ACTIONS[code], tuple(refs))


_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


def _count(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


# English names fixed here, not strftime's, so the text never depends on the process locale.
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short(day: date, today: date) -> str:
    """ "25 Nov", with the year when it is not this year."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def _day(day: date, today: date) -> str:
    """ "Wed 25 Nov", with the year when it is not this year."""
    return f"{_DAY_NAMES[day.weekday()]} {_short(day, today)}"


def _days(days: Sequence[date], today: date, limit: int = 5) -> str:
    """ "18 Nov, 25 Nov": short dates, the latest ``limit`` of them."""
    shown = [_short(d, today) for d in days[-limit:]]
    return ", ".join(["…", *shown] if len(days) > limit else shown)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _overdue(c: CommitmentFact, today: date) -> str:
    late = _plural((today - c.due).days, "day")
    return f"{c.text} — due {_day(c.due, today)}, {late} overdue."


def _due_soon(c: CommitmentFact, today: date) -> str:
    ahead = (c.due - today).days
    if ahead == 0:
        return f"{c.text} — due today."
    if ahead == 1:
        return f"{c.text} — due tomorrow, {_day(c.due, today)}."
    return f"{c.text} — due {_day(c.due, today)}, in {ahead} days."


def _week_flags(
    week: Sequence[tuple[AppointmentFact, date]], today: date, s: Settings
) -> list[Flag]:
    """The counselor's cancellations and late starts in the review week."""
    flags = []
    moved = [
        (a, d)
        for a, d in week
        if a.outcome is Outcome.COUNSELOR_CANCELLED
        or (a.outcome is Outcome.RESCHEDULED and a.requested_by is Party.COUNSELOR)
    ]
    if moved:
        cancelled = [a.outcome is Outcome.COUNSELOR_CANCELLED for a, _ in moved]
        words = [
            ("cancelled " if c else "rescheduled ") + _day(d, today)
            for c, (_, d) in zip(cancelled, moved, strict=True)
        ]
        action = "" if any(cancelled) else "Keep the new time, and acknowledge the change."
        flags.append(
            _flag(
                FlagCode.COUNSELOR_CANCELLED,
                f"You {_and(words)}.",
                (a.id for a, _ in moved),
                action,
            )
        )
    late = [
        (a, d)
        for a, d in week
        if a.outcome is Outcome.KEPT and a.counselor_late_min > s.counselor_late_minutes
    ]
    if late:
        words = [f"{a.counselor_late_min} min late on {_day(d, today)}" for a, d in late]
        flags.append(
            _flag(FlagCode.COUNSELOR_LATE, f"You were {_and(words)}.", (a.id for a, _ in late))
        )
    return flags


def _alliance_flags(checkins: Sequence[CheckInFact], today: date, s: Settings) -> list[Flag]:
    """Alliance below cutoff, alliance drop and low scores not discussed (SRS and WAI-SR)."""
    flags = []
    srs = [c for c in checkins if c.instrument is Instrument.SRS]
    drop, cutoff = s.srs_drop, s.srs_cutoff

    def fell(i: int) -> bool:
        """Whether SRS `i` is at least `srs_drop` below the one before it. Rounded so
        one-decimal scores compare as written: 32.3 - 31.3 is 0.99999… in floats."""
        return i > 0 and round(srs[i - 1].total - srs[i].total, 6) >= drop

    low = [c for i, c in enumerate(srs) if not c.discussed and (c.total < cutoff or fell(i))]
    wai = [c for c in checkins if c.instrument is Instrument.WAI_SR]
    low += [a for b, a in pairwise(wai) if not a.discussed and a.total < b.total]
    if srs and srs[-1].total < cutoff:
        last = srs[-1]
        on, cutoff_text = _day(last.on, today), f"{cutoff:g}"
        reason = f"Latest session rating {last.total:.1f} of 40 on {on} (cutoff {cutoff_text})."
        flags.append(_flag(FlagCode.ALLIANCE_BELOW_CUTOFF, reason, (last.id,)))
    if srs and fell(len(srs) - 1):
        before, last = srs[-2], srs[-1]
        reason = (
            f"Session rating fell from {before.total:.1f} to {last.total:.1f}"
            f" ({_day(before.on, today)} → {_day(last.on, today)})."
        )
        flags.append(_flag(FlagCode.ALLIANCE_DROP, reason, (last.id,)))
    if low:
        low.sort(key=lambda c: (c.on, c.id))
        if len(low) == 1:
            reason = f"A low score on {_day(low[0].on, today)} was not discussed."
        else:
            days = _days([c.on for c in low], today)
            reason = f"{_count(len(low))} low scores not discussed ({days})."
        flags.append(_flag(FlagCode.NOT_DISCUSSED, reason, (c.id for c in low)))
    return flags


def _attendance_flags(
    appts: Sequence[AppointmentFact], day_of: Callable[[datetime], date], client: ClientFact,
    today: date, s: Settings
) -> list[Flag]:
    """No-shows in a row, and no kept session for too long (`appts` in time order)."""
    flags = []
    run: list[AppointmentFact] = []
    for a in reversed(appts):  # the trailing run only: stop at the latest attended session
        if a.outcome is Outcome.NO_SHOW:
            run.append(a)
        elif a.outcome is Outcome.KEPT or a.outcome is Outcome.LATE_CANCEL:
            break
    run.reverse()
    if s.no_show_streak > 0 and len(run) >= s.no_show_streak:
        days = _days([day_of(a.start) for a in run], today)
        reason = f"{_count(len(run))} no-shows in a row ({days})."
        flags.append(_flag(FlagCode.NO_SHOW_STREAK, reason, (a.id for a in run)))
    last_kept = None
    for a in reversed(appts):
        if a.outcome is Outcome.KEPT and (day := day_of(a.start)) <= today:
            last_kept = day
            break
    horizon = today - timedelta(days=s.no_contact_days)
    seen_lately = last_kept is not None and last_kept > horizon
    if (today - client.intake).days > s.no_contact_days and not seen_lately:
        since = client.intake if last_kept is None else last_kept
        what = "No kept session since intake on" if last_kept is None else "No kept session since"
        reason = f"{what} {_day(since, today)} ({_plural((today - since).days, 'day')})."
        flags.append(_flag(FlagCode.NO_CONTACT, reason))
    return flags


_START_ID = attrgetter("start", "id")
_ON_ID = attrgetter("on", "id")
_OUTSTANDING = tuple(status for status in CommitmentStatus if status.outstanding)
_MARGIN = timedelta(days=2)  # more than any zone's offsets ever differ by


def _in_time_order(appointments: tuple[AppointmentFact, ...]) -> Sequence[AppointmentFact]:
    """Appointments by (start, id): as the store reads them, so most often already in order
    (strictly later starts say so without building a key per session)."""
    starts = [a.start for a in appointments]
    if all(map(lt, starts, islice(starts, 1, None))):
        return appointments
    return sorted(appointments, key=_START_ID)


def client_flags(
    history: ClientHistory, now: datetime, week: Window, settings: Settings
) -> tuple[Flag, ...]:
    """Every flag for one client, most severe first (:data:`SEVERITY`; see the module doc)."""
    zone = clinic_zone(settings)
    today = now.astimezone(zone).date()
    day_of = local_days(zone)  # remembered across clients: sessions share their hours
    appts = _in_time_order(history.appointments)
    flags: list[Flag] = []
    # Stored instants are UTC: compared with UTC bounds they compare field by field (the same
    # instants either way).
    utc_now = now.astimezone(UTC)

    scheduled = Outcome.SCHEDULED
    pending = [a for a in appts if a.outcome is scheduled and a.end <= utc_now]
    if pending:
        days = _days([day_of(a.start) for a in pending], today)
        verb = "has" if len(pending) == 1 else "have"
        reason = f"{_plural(len(pending), 'past session')} {verb} no outcome recorded ({days})."
        flags.append(_flag(FlagCode.NEEDS_OUTCOME, reason, (a.id for a in pending)))

    outstanding = [c for c in history.commitments if c.status in _OUTSTANDING]
    outstanding.sort(key=lambda c: (c.due, c.id))
    mine = [c for c in outstanding if c.owner is Party.COUNSELOR]
    flags += [
        _flag(FlagCode.COUNSELOR_COMMITMENT_OVERDUE, _overdue(c, today), (c.id,))
        for c in mine
        if c.due < today
    ]
    if history.client.status is not ClientStatus.ACTIVE:
        return tuple(flags)

    # The week's sessions: those starting within two days of it, then by their local date.
    low = (datetime.combine(week.start, time(), zone) - _MARGIN).astimezone(UTC)
    high = (datetime.combine(week.end, time(), zone) + _MARGIN).astimezone(UTC)
    dated = [(a, day_of(a.start)) for a in appts if low <= a.start < high]
    flags += _week_flags([(a, d) for a, d in dated if week.contains(d)], today, settings)
    soon = today + timedelta(days=settings.commitment_due_soon_days)
    flags += [
        _flag(FlagCode.COUNSELOR_COMMITMENT_DUE, _due_soon(c, today), (c.id,))
        for c in mine
        if today <= c.due <= soon
    ]
    if not any(a.outcome is scheduled and a.start > utc_now for a in appts):
        flags.append(_flag(FlagCode.NOT_SCHEDULED, "No upcoming session is booked."))

    checkins = sorted(history.checkins, key=_ON_ID)
    flags += _alliance_flags(checkins, today, settings)
    lapse = settings.checkin_lapse_sessions
    latest_kept = (a for a in reversed(appts) if a.outcome is Outcome.KEPT)
    recent = [(a, day_of(a.start)) for a in islice(latest_kept, max(lapse, 0))][::-1]
    if len(recent) == lapse > 0 and not _any_checkin(recent, checkins):
        days = _days([d for _, d in recent], today)
        reason = f"No check-in in the last {_plural(lapse, 'kept session')} ({days})."
        flags.append(_flag(FlagCode.CHECKIN_LAPSED, reason, (a.id for a, _ in recent)))

    flags += _attendance_flags(appts, day_of, history.client, today, settings)
    flags += [
        _flag(FlagCode.CLIENT_COMMITMENT_OVERDUE, _overdue(c, today), (c.id,))
        for c in outstanding
        if c.owner is Party.CLIENT and c.due < today
    ]
    return tuple(sorted(flags, key=lambda f: f.code.severity))


def _any_checkin(sessions: Sequence[tuple[AppointmentFact, date]],
                 checkins: Sequence[CheckInFact]) -> bool:
    """Whether any of `sessions` (held on the local dates given) had a check-in, as
    :class:`~caseload.domain.metrics.CheckInIndex` matches them; the latest check-ins first,
    as they are the likeliest to match."""
    ids = {a.id for a, _ in sessions}
    days = {(a.client_id, d) for a, d in sessions}
    return any(c.appointment_id in ids if c.appointment_id is not None
               else (c.client_id, c.on) in days for c in reversed(checkins))


def flag_rank(flags: Sequence[Flag]) -> tuple[int, int, int]:
    """A sort key, smaller is worse: any counselor-side flag, most severe flag, more flags."""
    if not flags:
        return (2, len(SEVERITY), 0)
    counselor = any(f.side is Party.COUNSELOR for f in flags)
    return (0 if counselor else 1, min(f.code.severity for f in flags), -len(flags))


def review_order(
    items: Iterable[tuple[ClientFact, tuple[Flag, ...]]],
) -> list[tuple[ClientFact, tuple[Flag, ...]]]:
    """Clients with flags, worst first (:func:`flag_rank`, then name, then id); others dropped."""
    flagged = [(client, flags) for client, flags in items if flags]
    flagged.sort(key=lambda it: (*flag_rank(it[1]), it[0].name.casefold(), it[0].name, it[0].id))
    return flagged
