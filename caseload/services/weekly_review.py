"""The weekly review (DOMAIN.md §5): start or resume it, note each client, finish, look back.

One `weekly_review` row per counselor and week holds the review's progress: its `step` and
`position` are saved on every move, so a review interrupted by a quit, a crash or a lost SSH
connection resumes where it stopped. In step "current" the position is the id of the client on
screen (not an index: the list of flagged clients can grow while the review runs), and the order
of that list is fixed when the step is entered (``summary["order"]``). Each client's line
(reviewed or not, a one-line focus for next week) is a `review_note` row.

Writes (`start_or_resume`, `move`, `set_note`, `finish`) are each one `atomic()` block with an
audit row. Reads return frozen dataclasses: `load_review` issues five queries (the caseload
snapshot's four, and one for the decisions taken so far, read from the audit trail).

The decisions taken during the review come from the audit trail, the focus lines from the notes
(see `services.review_record`). `finish` saves the summary as JSON on the review row: the week's
figures, the previous four weeks, the flagged clients with their focus lines and the decisions,
so a past review opens read-only exactly as it was, whatever has changed since.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import msgspec

from caseload.domain import metrics
from caseload.domain.flags import Flag
from caseload.domain.records import (
    AppointmentFact,
    ClientFact,
    ClientHistory,
    CommitmentFact,
    Instrument,
    NotFound,
    Outcome,
    ValidationError,
)
from caseload.domain.text import clean_line
from caseload.services import audit
from caseload.services.client_view import TimelineEntry
from caseload.services.client_view import _timeline as timeline_entries
from caseload.services.clients import own_client
from caseload.services.overview import Snapshot, load_snapshot
from caseload.services.review import WeekReport, week_report
from caseload.services.review_record import (
    PREVIOUS_WEEKS,
    ClientLine,
    Decision,
    ReviewSummary,
    decisions_since,
    summary_from_json,
    summary_to_json,
)
from caseload.services.session import Session
from caseload.store.models import ReviewNote, WeeklyReview, database, utc_from_db

_CHECKIN_FLAGS = ("alliance_below_cutoff", "alliance_drop", "not_discussed")
TREND_WEEKS = 12
FOCUS_MAX = 120
CHECKINS_SHOWN = 4
ALLIANCE_POINTS = 8


class Step(StrEnum):
    """Where a review stands; the four steps of DOMAIN.md §5, then done."""

    CLEAR = "clear"
    CURRENT = "current"
    AHEAD = "ahead"
    SUMMARY = "summary"
    DONE = "done"

    @property
    def number(self) -> int:
        """1 to 4 (done counts as 4)."""
        return min(STEPS.index(self) + 1, len(STEPS) - 1) if self in STEPS else 4

    @property
    def label(self) -> str:
        """The step's name, as the review screen shows it."""
        return STEP_TITLES[self]

    def following(self) -> Step:
        """The next step (summary is the last one a counselor moves to)."""
        return STEPS[min(STEPS.index(self) + 1, STEPS.index(Step.SUMMARY))]

    def preceding(self) -> Step:
        """The previous step (clear is the first)."""
        return STEPS[max(STEPS.index(self) - 1, 0)]


STEPS = tuple(Step)
STEP_TITLES = {Step.CLEAR: "Get clear", Step.CURRENT: "Get current", Step.AHEAD: "Look ahead",
               Step.SUMMARY: "Summary", Step.DONE: "Summary"}


class NoteView(msgspec.Struct, frozen=True, gc=False):
    """One client's line in a review."""

    client_id: int
    focus: str = ""
    reviewed: bool = False


class ReviewState(msgspec.Struct, frozen=True, gc=False):
    """A review's progress: which week, which step, which client, and the notes so far."""

    id: int
    week: metrics.Window
    started_at: datetime
    finished_at: datetime | None
    step: Step
    position: int
    order: tuple[int, ...]
    notes: tuple[NoteView, ...]

    @property
    def finished(self) -> bool:
        """A finished review only opens read-only."""
        return self.finished_at is not None

    def note(self, client_id: int) -> NoteView:
        """The client's note (an empty one when there is none yet)."""
        return next((n for n in self.notes if n.client_id == client_id), NoteView(client_id))


class PendingSession(msgspec.Struct, frozen=True, gc=False):
    """A past session that still needs an outcome (step 1)."""

    appointment: AppointmentFact
    client: ClientFact


class ClientWeek(msgspec.Struct, frozen=True, gc=False):
    """One flagged client's week on one screen (step 2)."""

    client: ClientFact
    flags: tuple[Flag, ...]
    figures: metrics.Figures
    entries: tuple[TimelineEntry, ...]
    alliance_trend: tuple[float, ...]
    next_session: AppointmentFact | None
    trend: tuple[tuple[metrics.Window, metrics.Figures], ...] = ()

    def refs(self, *codes: str) -> tuple[int, ...]:
        """The ids the client's flags (of `codes`, or all) are about, most severe first."""
        return tuple(r for f in self.flags if not codes or f.code.value in codes for r in f.refs)


class AheadItem(msgspec.Struct, frozen=True, gc=False):
    """A session or a commitment falling due next week (step 3)."""

    day: date
    client: ClientFact
    appointment: AppointmentFact | None = None
    commitment: CommitmentFact | None = None


class ReviewData(msgspec.Struct, frozen=True, gc=False):
    """Everything the review screen shows, read at `now`."""

    state: ReviewState
    report: WeekReport
    now: datetime
    pending: tuple[PendingSession, ...]
    flagged: tuple[ClientWeek, ...]
    ahead_week: metrics.Window
    ahead: tuple[AheadItem, ...]
    trend: tuple[tuple[metrics.Window, metrics.Figures], ...]
    decisions: tuple[Decision, ...]
    outcomes_recorded: int

    def client_index(self, client_id: int) -> int:
        """Where a client is in the flagged list (0 when absent)."""
        return next((i for i, c in enumerate(self.flagged) if c.client.id == client_id), 0)

    def next_unreviewed(self, after: int, state: ReviewState | None = None) -> int | None:
        """The id of the first client after `after` (wrapping) not yet marked reviewed."""
        state = state or self.state
        ids = [c.client.id for c in self.flagged]
        start = ids.index(after) + 1 if after in ids else 0
        for client_id in ids[start:] + ids[:start]:
            if not state.note(client_id).reviewed and client_id != after:
                return client_id
        return None


class ReviewListItem(msgspec.Struct, frozen=True, gc=False):
    """One line of the list of past reviews."""

    id: int
    week: metrics.Window
    started_at: datetime
    finished_at: datetime | None
    step: Step
    flagged: int
    reviewed: int
    decisions: int


# Writes -------------------------------------------------------------------------------------


def _week(session: Session, week_day: date | None) -> metrics.Window:
    return metrics.week_of(week_day or session.today(), session.settings.week_start)


def _own(session: Session, review_id: int) -> WeeklyReview:
    row = WeeklyReview.get_or_none((WeeklyReview.id == review_id)
                                   & (WeeklyReview.counselor == session.counselor_id))
    if row is None:
        raise NotFound(f"No weekly review #{review_id} of yours.")
    return row


def _open(session: Session, review_id: int) -> WeeklyReview:
    row = _own(session, review_id)
    if row.finished_at is not None:
        raise ValidationError("This review is finished; it opens read-only.")
    return row


def _data(row: WeeklyReview) -> dict[str, Any]:
    try:
        data = json.loads(row.summary or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def _state(row: WeeklyReview) -> ReviewState:
    notes = cast(Iterable[tuple[Any, ...]], (
        ReviewNote.select(ReviewNote.client, ReviewNote.focus, ReviewNote.reviewed)
        .where(ReviewNote.review == row.id).order_by(ReviewNote.id).tuples()))
    start = row.week_start if isinstance(row.week_start, date) else date.fromisoformat(
        str(row.week_start))
    return ReviewState(
        id=row.id, week=metrics.Window(start, start + timedelta(days=7)),
        started_at=utc_from_db(row.started_at) or datetime.now(UTC),
        finished_at=utc_from_db(row.finished_at), step=Step(row.step),
        position=int(row.position), order=tuple(int(i) for i in _data(row).get("order", ())),
        notes=tuple(NoteView(int(c), f or "", bool(r)) for c, f, r in notes))


def start_or_resume(session: Session, week_day: date | None = None) -> ReviewState:
    """The review of the week holding `week_day` (this week by default), created on first use."""
    week = _week(session, week_day)
    with database.atomic():
        row = WeeklyReview.get_or_none((WeeklyReview.counselor == session.counselor_id)
                                       & (WeeklyReview.week_start == week.start))
        if row is None:
            row = WeeklyReview.create(counselor=session.counselor_id, week_start=week.start,
                                      started_at=session.clock().astimezone(UTC),
                                      step=Step.CLEAR.value, position=0, summary="{}")
            audit.record(session, "start", "weekly_review", row.id, None, None,
                         audit.snapshot(row))
        return _state(row)


def _position(value: int) -> int:
    """A place in a review (a client's id in step 2, else an index), as the database holds it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValidationError("That is not a place in the review.", field="position")
    return value


def move(session: Session, review_id: int, step: Step, position: int = 0, *,
         order: Sequence[int] | None = None) -> ReviewState:
    """Save where the review stands (every move, so it resumes there)."""
    step = Step(step)
    if step is Step.DONE:
        raise ValidationError("Finish the review to close it.")
    position = _position(position)
    with database.atomic():
        row = _open(session, review_id)
        before = audit.snapshot(row)
        row.step, row.position = step.value, position
        if order is not None:
            data = _data(row)
            data["order"] = [int(i) for i in order]
            row.summary = json.dumps(data)
        row.save()
        audit.record(session, "move", "weekly_review", row.id, None, before,
                     audit.snapshot(row))
        return _state(row)


def set_note(session: Session, review_id: int, client_id: int, *, focus: str | None = None,
             reviewed: bool | None = None, step: Step | None = None,
             position: int | None = None) -> ReviewState:
    """Write a client's focus for next week and/or mark them reviewed; optionally move on.

    Marking reviewed usually moves to the next client in the same transaction, so the review
    resumes on the client after the one just done.
    """
    if focus is not None:
        focus = clean_line(focus, "Focus", max_len=FOCUS_MAX, required=False)
    if position is not None:
        position = _position(position)
    with database.atomic():
        row = _open(session, review_id)
        own_client(session, client_id)
        note = ReviewNote.get_or_none((ReviewNote.review == row.id)
                                      & (ReviewNote.client == client_id))
        before = audit.snapshot(note)
        if note is None:
            note = ReviewNote(review=row.id, client=client_id, focus="", reviewed=False)
        if focus is not None:
            note.focus = focus
        if reviewed is not None:
            note.reviewed = reviewed
        note.at = session.clock().astimezone(UTC)
        note.save()
        after = audit.snapshot(note) or {}
        if step is not None or position is not None:
            row.step = Step(step or row.step).value
            row.position = int(position if position is not None else row.position)
            row.save()
            after.update(step=row.step, position=row.position)
        audit.record(session, "note", "review_note", note.id, client_id, before, after)
        return _state(row)


def finish(session: Session, review_id: int) -> ReviewSummary:
    """Save the summary (figures, previous weeks, clients, decisions) and close the review."""
    state = _state(_open(session, review_id))
    data = load_review(session, state)
    with database.atomic():
        row = _open(session, review_id)
        before = audit.snapshot(row)
        finished = session.clock().astimezone(UTC)
        summary = summarize(data, finished)
        row.finished_at, row.step = finished, Step.DONE.value
        row.summary = summary_to_json(summary, order=state.order)
        row.save()
        audit.record(session, "finish", "weekly_review", row.id, None, before,
                     audit.snapshot(row))
    return summary


# Reads --------------------------------------------------------------------------------------


def list_reviews(session: Session) -> list[ReviewListItem]:
    """The counselor's reviews, the latest week first (one query)."""
    items = []
    for row in (WeeklyReview.select().where(WeeklyReview.counselor == session.counselor_id)
                .order_by(WeeklyReview.week_start.desc())):
        state, data = _state_only(row), _data(row)
        items.append(ReviewListItem(state.id, state.week, state.started_at, state.finished_at,
                                    state.step, len(data.get("clients", state.order)),
                                    sum(1 for c in data.get("clients", ()) if c.get("reviewed")),
                                    len(data.get("decisions", ()))))
    return items


def _state_only(row: WeeklyReview) -> ReviewState:
    """A state without its notes (no query): enough for a list line."""
    start = row.week_start
    return ReviewState(row.id, metrics.Window(start, start + timedelta(days=7)),
                       utc_from_db(row.started_at) or datetime.now(UTC),
                       utc_from_db(row.finished_at), Step(row.step), int(row.position),
                       tuple(int(i) for i in _data(row).get("order", ())), ())


def open_review(session: Session, review_id: int) -> ReviewSummary:
    """A finished review's saved summary, read-only (one query)."""
    row = _own(session, review_id)
    if row.finished_at is None:
        raise ValidationError("This review is not finished yet; resume it instead.")
    return summary_from_json(row.summary)


def review_for_week(session: Session, week_day: date) -> ReviewSummary | None:
    """The saved summary of the week holding `week_day`, if that review was finished."""
    week = _week(session, week_day)
    row = WeeklyReview.get_or_none((WeeklyReview.counselor == session.counselor_id)
                                   & (WeeklyReview.week_start == week.start)
                                   & WeeklyReview.finished_at.is_null(False))
    return summary_from_json(row.summary) if row is not None else None


def load_review(session: Session, state: ReviewState) -> ReviewData:
    """Everything the four steps show, in five queries (snapshot, then the audit trail)."""
    snapshot = load_snapshot(session)
    report = week_report(session, state.week.start, history_weeks=TREND_WEEKS - 1,
                         snapshot=snapshot)
    decisions, outcomes = decisions_since(session, state.id,
                                          (h.client for h in snapshot.histories))
    ahead_week = state.week.following()
    return ReviewData(
        state=state, report=report, now=snapshot.now, pending=_pending(snapshot),
        flagged=_flagged(session, state, report, snapshot),
        ahead_week=ahead_week, ahead=_ahead(session, snapshot, ahead_week),
        trend=(*report.history, (report.week, report.figures)),
        decisions=decisions, outcomes_recorded=outcomes)


def _pending(snapshot: Snapshot) -> tuple[PendingSession, ...]:
    found = [PendingSession(a, h.client) for h in snapshot.histories for a in h.appointments
             if a.outcome is Outcome.SCHEDULED and a.end <= snapshot.now]
    return tuple(sorted(found, key=lambda p: (p.appointment.start, p.appointment.id)))


def _flagged(session: Session, state: ReviewState, report: WeekReport,
             snapshot: Snapshot) -> tuple[ClientWeek, ...]:
    """The clients of the review: in the order fixed when step 2 began, then newly flagged."""
    by_id = {c.client.id: c for c in report.clients}
    ids = [i for i in state.order if i in by_id]
    ids += [c.client.id for c in report.flagged if c.client.id not in ids]
    histories = {h.client.id: h for h in snapshot.histories}
    return tuple(_client_week(session, by_id[i].flags, by_id[i].figures, histories[i],
                              state.week, snapshot.now) for i in ids)


def _client_week(session: Session, flags: tuple[Flag, ...], figures: metrics.Figures,
                 history: ClientHistory, week: metrics.Window, now: datetime) -> ClientWeek:
    """The client's sessions of the week (and the next one), open and weekly commitments, and
    the latest check-ins, as timeline entries."""
    tz = session.tz
    upcoming = [a for a in history.appointments if a.outcome is Outcome.SCHEDULED and a.start > now]
    next_session = min(upcoming, key=lambda a: a.start) if upcoming else None
    sessions = [a for a in history.appointments
                if week.contains(a.start.astimezone(tz).date()) or a is next_session
                or (a.outcome is Outcome.SCHEDULED and a.end <= now)]
    commitments = [c for c in history.commitments
                   if c.status.outstanding or week.contains(c.due)]
    checkins = sorted(history.checkins, key=lambda k: (k.on, k.id))
    part = ClientHistory(history.client, tuple(sessions), tuple(commitments), tuple(checkins))
    entries = timeline_entries(part, session)
    shown = {k.id for k in checkins[-CHECKINS_SHOWN:]}
    shown |= {r for f in flags if f.code.value in _CHECKIN_FLAGS for r in f.refs}
    entries = tuple(e for e in entries if e.checkin is None or e.checkin.id in shown)
    srs = tuple(k.total for k in checkins if k.instrument is Instrument.SRS)
    return ClientWeek(history.client, flags, figures, entries, srs[-ALLIANCE_POINTS:],
                      next_session, client_trend(history, now, session))


def _ahead(session: Session, snapshot: Snapshot, week: metrics.Window) -> tuple[AheadItem, ...]:
    tz = session.tz
    items = []
    for h in snapshot.histories:
        items += [AheadItem(a.start.astimezone(tz).date(), h.client, appointment=a)
                  for a in h.appointments if a.outcome is Outcome.SCHEDULED
                  and week.contains(a.start.astimezone(tz).date())]
        items += [AheadItem(c.due, h.client, commitment=c) for c in h.commitments
                  if c.status.outstanding and week.contains(c.due)]

    def key(item: AheadItem) -> tuple[date, int, datetime, str, int]:
        a, c = item.appointment, item.commitment
        when = a.start if a is not None else datetime.max.replace(tzinfo=UTC)
        return (item.day, 0 if a is not None else 1, when, item.client.name,
                a.id if a is not None else c.id if c is not None else 0)

    return tuple(sorted(items, key=key))


# The summary --------------------------------------------------------------------------------


def summarize(data: ReviewData, finished_at: datetime | None = None) -> ReviewSummary:
    """The review as it would be saved now (pure: from the loaded data)."""
    report, state = data.report, data.state
    clients = tuple(ClientLine(c.client.id, c.client.name, c.client.record_number,
                               tuple(f.code.value for f in c.flags),
                               state.note(c.client.id).reviewed, state.note(c.client.id).focus)
                    for c in data.flagged)
    return ReviewSummary(
        week=report.week, counselor=report.counselor, figures=report.figures,
        streak_weeks=report.streak_weeks, previous=report.history[-PREVIOUS_WEEKS:],
        clients=clients, decisions=data.decisions, outcomes_recorded=data.outcomes_recorded,
        needs_outcome_left=len(data.pending), finished_at=finished_at)


def client_trend(history: ClientHistory, now: datetime, session: Session,
                 weeks: int = TREND_WEEKS) -> tuple[tuple[metrics.Window, metrics.Figures], ...]:
    """One client's weekly figures over the last `weeks` weeks (pure: no query)."""
    this_week = metrics.week_of(now.astimezone(session.tz).date(), session.settings.week_start)
    windows = metrics.weeks_back(this_week, weeks)
    figures = metrics.weekly_figures((history,), windows, now, session.settings)
    return tuple(zip(windows, figures, strict=True))
