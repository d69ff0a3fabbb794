"""How one client's timeline reads: a line per session, commitment and check-in.

Pure functions from `services.client_view.TimelineEntry` to the table's cells: when, what, and
where it stands. Every status starts with a symbol and says it in words (✓ kept, ! overdue 3
days, ? needs outcome), so nothing depends on colour.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text

from caseload.domain import instruments
from caseload.domain.metrics import sparkline
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    CommitmentFact,
    Instrument,
    Outcome,
    Party,
    Settings,
)
from caseload.services.client_view import EntryKind, TimelineEntry
from caseload.tui.widgets.commitment_text import owner_word, status_text

INSTRUMENT_SHORT = {Instrument.SRS: "SRS", Instrument.WAI_SR: "WAI-SR", Instrument.ORS: "ORS"}


YEAR_SHOWN_AFTER_DAYS = 180


def day_text(day: date, today: date) -> str:
    """"Tue 1 Dec"; the year too when the day is more than about six months away."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if abs((day - today).days) <= YEAR_SHOWN_AFTER_DAYS else f"{text} {day.year}"


def when_text(entry: TimelineEntry, today: date) -> str:
    """The day, and the time for a session."""
    text = day_text(entry.day, today)
    return f"{text} {entry.at:%H:%M}" if entry.at is not None else text


def _minutes(a: AppointmentFact) -> int:
    return int((a.end - a.start).total_seconds() // 60)


def appointment_cells(a: AppointmentFact, now: datetime) -> tuple[Text, Text]:
    """What ("Session 50 min · series") and status ("✓ kept", "? needs outcome")."""
    what = Text(f"Session {_minutes(a)} min")
    if a.series_id is not None:
        what.append(" · series", style="dim")
    if a.outcome is Outcome.SCHEDULED and a.end <= now:
        return what, Text("? needs outcome", style="bold")
    status = Text(f"{a.outcome.symbol} {a.outcome.label}")
    if a.outcome is Outcome.KEPT:
        late = [f"{who} {m} min late" for who, m in (("client", a.client_late_min),
                                                      ("you", a.counselor_late_min)) if m]
        if late:
            status.append(" · " + ", ".join(late))
    if a.outcome is Outcome.RESCHEDULED and a.requested_by is not None:
        status.append(" by client" if a.requested_by is Party.CLIENT else " by you")
    return what, status


def commitment_cells(c: CommitmentFact, today: date) -> tuple[Text, Text]:
    """What ("You: call the probation officer") and status ("! overdue 2 days")."""
    what = Text(f"{owner_word(c.owner)}: {c.text}")
    overdue = (today - c.due).days if c.status.outstanding else 0
    return what, status_text(c, max(overdue, 0))


def checkin_cells(k: CheckInFact, trend: tuple[float, ...], needs_talk: bool
                  ) -> tuple[Text, Text]:
    """What ("SRS 34 ▆▇▅") and status ("! not discussed", "✓ discussed")."""
    spec = instruments.SPECS[k.instrument]
    what = Text(f"{INSTRUMENT_SHORT[k.instrument]} {instruments.format_score(k.total)}")
    if len(trend) > 1:
        what.append(" " + sparkline(trend, spec.total_low, spec.total_high))
    if k.discussed:
        status = Text("✓ discussed")
        if k.comment:
            status.append(f": {k.comment}")
    elif needs_talk:
        status = Text("! low, not discussed", style="bold")
    else:
        status = Text("· recorded")
    return what, status


def entry_cells(entry: TimelineEntry, now: datetime, settings: Settings,
                undiscussed: frozenset[int] = frozenset()) -> tuple[str, Text, Text]:
    """The three cells of one timeline line; `undiscussed`: check-ins flagged as low."""
    today = now.date()
    if entry.kind is EntryKind.APPOINTMENT and entry.appointment is not None:
        return (when_text(entry, today), *appointment_cells(entry.appointment, now))
    if entry.kind is EntryKind.COMMITMENT and entry.commitment is not None:
        return (when_text(entry, today), *commitment_cells(entry.commitment, today))
    assert entry.checkin is not None
    talk = entry.checkin.id in undiscussed or needs_discussion(entry, settings)
    return (when_text(entry, today), *checkin_cells(entry.checkin, entry.trend, talk))


def needs_discussion(entry: TimelineEntry, settings: Settings) -> bool:
    """A check-in the check-in service would ask about (below the cutoff, a drop), not discussed.

    The review's flags add WAI-SR scores lower than the one before (see `entry_cells`).
    """
    k = entry.checkin
    if k is None or k.discussed:
        return False
    previous = entry.trend[-2] if len(entry.trend) > 1 else None
    return instruments.assess(k.instrument, k.total, previous, settings).needs_discussion
