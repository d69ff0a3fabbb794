"""The weekly review (DOMAIN.md §5): four steps on one screen, resumable, started with `w`.

1. Get clear (`ClearStep`): every past session without an outcome, one key each; when none is
   left the review moves on by itself.
2. Get current (`CurrentStep`): the flagged clients, worst first, one at a time, with actions
   that never leave the review (commitment, booking, move, discussed, done, focus); space marks
   the client reviewed and shows the next one not yet reviewed.
3. Look ahead (`AheadStep`): next week's sessions and commitments falling due.
4. Summary (`SummaryStep`): the figures beside the previous four weeks with sparklines and what
   was decided; space saves it as the week's review record, e exports the supervision report.

The step widgets only say what was asked (their `Requested` messages); this screen owns the
state and the workers. Every move is saved (`weekly_review.move`), so quitting, a crash or a
lost connection resumes on the same step and client. A finished review opens read-only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from caseload.domain.dates import describe_datetime
from caseload.domain.records import AppointmentFact, CheckInFact, CommitmentFact, Outcome
from caseload.domain.text import clean_line
from caseload.io import report
from caseload.services import appointments, checkins, commitments, weekly_review
from caseload.services.weekly_review import ReviewData, ReviewState, Step
from caseload.tui.commands import Command, bindings
from caseload.tui.late import describe_late, parse_late
from caseload.tui.screens.appointment_form import AppointmentFormScreen, TimeChange
from caseload.tui.screens.commitment_form import CommitmentFormScreen
from caseload.tui.screens.modals import TextPromptScreen, datetime_preview, parse_local_datetime
from caseload.tui.screens.schedule_form import ScheduleFormScreen
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader, refresh_header
from caseload.tui.widgets.review_ahead import AheadStep
from caseload.tui.widgets.review_clear import ClearStep
from caseload.tui.widgets.review_client import CurrentStep
from caseload.tui.widgets.review_summary import SummaryStep, notify_exported
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

REVIEW_COMMANDS = (
    Command("review_back", "b", "Back a step", show=False,
            tooltip="The previous step of the review"),
    Command("review_history", "h", "Past reviews", show=False,
            tooltip="Earlier reviews; a finished one opens read-only"),
    Command("review_leave", "escape", "Leave",
            tooltip="Leave the review; w resumes it where you stopped"),
)
SHORT_LABELS = {Step.CLEAR: "Clear", Step.CURRENT: "Current", Step.AHEAD: "Ahead",
                Step.SUMMARY: "Summary", Step.DONE: "Summary"}
STEP_IDS = {Step.CLEAR: "review-clear", Step.CURRENT: "review-current",
            Step.AHEAD: "review-ahead", Step.SUMMARY: "review-summary",
            Step.DONE: "review-summary"}


def steps_text(state: ReviewState, data: ReviewData) -> str:
    """"Week 23 Nov · 1 Clear · [2 Current 3/8] · 3 Ahead · 4 Summary"."""
    parts = [f"Week of {state.week.start.day} {state.week.start:%b}"]
    for step in weekly_review.STEPS[:-1]:
        label = f"{step.number} {SHORT_LABELS[step]}"
        if step is Step.CURRENT and data.flagged:
            done = sum(1 for c in data.flagged if state.note(c.client.id).reviewed)
            label += f" {done}/{len(data.flagged)}"
        current = step is state.step or (state.step is Step.DONE and step is Step.SUMMARY)
        parts.append(f"[{label}]" if current else label)
    if state.finished:
        parts.append("read-only")
    return " · ".join(parts)


class ReviewScreen(Screen[None]):
    """The four steps of the weekly review, one at a time."""

    CSS_PATH = Path(__file__).with_name("review.tcss")
    SUB_TITLE = "Weekly review"
    BINDINGS = bindings(*REVIEW_COMMANDS)

    def __init__(self, week_day: date | None = None) -> None:
        super().__init__()
        self.week_day = week_day
        self.state: ReviewState | None = None
        self.data: ReviewData | None = None
        self.auto_advance = True  # step 1 moves on by itself once nothing is left

    def compose(self) -> ComposeResult:
        """Header, the steps line, the current step, footer."""
        yield ConsistencyHeader("Review")
        yield Static("Loading the review…", id="review-steps", classes="summary")
        settings = session_of(self).settings
        with ContentSwitcher(id="review-switcher"):
            yield ClearStep(id="review-clear")
            yield CurrentStep(settings, id="review-current")
            yield AheadStep(id="review-ahead")
            yield SummaryStep(id="review-summary")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Start or resume this week's review."""
        self.start_review()

    def on_screen_resume(self) -> None:
        """Back from a client's screen or a dialog: read again."""
        if self.state is not None:
            self.reload()

    # Loading and moving --------------------------------------------------------------------

    @db_work("review-load", verb="load")
    def start_review(self) -> None:
        """Start or resume the review of the week, then read it (worker)."""
        session = session_of(self)
        state = weekly_review.start_or_resume(session, self.week_day)
        deliver(self, self.show, weekly_review.load_review(session, state))

    def reload(self) -> None:
        """Read the review again with the state as it is."""
        if self.state is not None:
            self.load_review(self.state)

    @db_work("review-load", verb="load")
    def load_review(self, state: ReviewState) -> None:
        """Five queries: the caseload snapshot and the decisions so far (worker)."""
        deliver(self, self.show, weekly_review.load_review(session_of(self), state))

    def go(self, step: Step, position: int = 0) -> None:
        """Move to a step (and client), saving where the review stands."""
        data = self.data
        if data is None or data.state.finished:
            return
        order = None
        if step is Step.CURRENT and not data.state.order:
            order = [c.client.id for c in data.flagged]
        self.save_move(data.state, step, position, order)

    @db_work("review-save-move", exclusive=True)  # a position: only the latest move matters
    def save_move(self, state: ReviewState, step: Step, position: int,
                  order: list[int] | None) -> None:
        """Save the step and position, then read (worker)."""
        session = session_of(self)
        moved = weekly_review.move(session, state.id, step, position, order=order)
        deliver(self, self.show, weekly_review.load_review(session, moved))

    def show(self, data: ReviewData) -> None:
        """Show the step the review stands at."""
        self.data, self.state = data, data.state
        state = data.state
        if not state.finished and state.step is Step.CLEAR and not data.pending \
                and self.auto_advance:
            self.auto_advance = False
            self.go(Step.CURRENT, self._first_client(data))
            return
        if not state.finished and state.step is Step.CURRENT and data.flagged \
                and not state.order:
            self.go(Step.CURRENT, self._first_client(data))
            return
        self.query_one("#review-steps", Static).update(steps_text(state, data))
        switcher = self.query_one(ContentSwitcher)
        switcher.current = STEP_IDS[state.step]
        if state.step is Step.CLEAR:
            self.query_one(ClearStep).show(data.pending, data.now)
        elif state.step is Step.CURRENT:
            index = data.client_index(state.position)
            week = data.flagged[index] if data.flagged else None
            note = state.note(week.client.id) if week else weekly_review.NoteView(0)
            self.query_one(CurrentStep).show(week, note, index, len(data.flagged), data.now)
        elif state.step is Step.AHEAD:
            self.query_one(AheadStep).show(data.ahead_week, data.ahead, data.now)
        else:
            self.show_summary(data)
        step_widget = switcher.visible_content
        focus = getattr(step_widget, "focus_table", None)
        if callable(focus):
            focus()

    def show_summary(self, data: ReviewData) -> None:
        """The summary: saved (read-only) or as it would be saved now."""
        summary = weekly_review.summarize(data, data.state.finished_at)
        self.query_one(SummaryStep).show(summary, data.trend)

    @staticmethod
    def _first_client(data: ReviewData) -> int:
        """Where step 2 starts: the client saved, else the first not yet reviewed."""
        ids = [c.client.id for c in data.flagged]
        if data.state.position in ids:
            return data.state.position
        first = data.next_unreviewed(-1)
        return first if first is not None else (ids[0] if ids else 0)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        # A refused write (or a row changed in another session): show what is stored now.
        if event.group.startswith("review-save"):
            self.reload()

    # Screen-wide keys ----------------------------------------------------------------------

    def action_review_back(self) -> None:
        """The previous step."""
        if self.state is None or self.state.finished or self.state.step is Step.CLEAR:
            return
        self.auto_advance = False
        previous = self.state.step.preceding()
        self.go(previous, self.state.position if previous is Step.CURRENT else 0)

    def action_review_leave(self) -> None:
        """Leave; everything is saved and the review resumes where it stopped."""
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)

    def action_review_history(self) -> None:
        """The list of past reviews."""
        from caseload.tui.screens.review_list import ReviewListScreen

        self.app.push_screen(ReviewListScreen(), self._history_closed)

    def _history_closed(self, week: date | None) -> None:
        if week is not None and (self.state is None or week != self.state.week.start):
            self.week_day, self.auto_advance = week, True
            self.start_review()

    # Step 1 --------------------------------------------------------------------------------

    @on(ClearStep.Requested)
    def _clear_requested(self, event: ClearStep.Requested) -> None:
        event.stop()
        pending = event.pending
        if event.action == "next":
            self.auto_advance = False
            self.go(Step.CURRENT, self._first_client(self.data) if self.data else 0)
        elif pending is None:
            return
        elif event.action == "outcome" and event.outcome is not None:
            self.save_outcome(pending.appointment, event.outcome)
        elif event.action == "late":
            self.app.push_screen(TextPromptScreen(
                f"Minutes late — {pending.client.name}", "client 5  ·  counselor 10",
                lambda text: f"kept · {describe_late(*parse_late(text, (0, 0))) or 'nobody late'}"),
                lambda text: self._late_typed(pending.appointment, text))
        elif event.action == "move":
            self.app.push_screen(AppointmentFormScreen(
                pending.appointment, TimeChange.MOVE,
                client_label=f"{pending.client.name} ({pending.client.record_number})"),
                self._changed)

    def _late_typed(self, appointment: AppointmentFact, text: str | None) -> None:
        if text is not None:
            client, counselor = parse_late(text, (0, 0))
            self.save_outcome(appointment, Outcome.KEPT, client, counselor)

    @db_work("review-save-outcome")
    def save_outcome(self, appointment: AppointmentFact, outcome: Outcome, client_late: int = 0,
                     counselor_late: int = 0) -> None:
        """Record the outcome on the session as shown, then read (worker)."""
        session = session_of(self)
        appointments.record_outcome(session, appointment.id, outcome,
                                    client_late_min=client_late,
                                    counselor_late_min=counselor_late,
                                    expected_version=appointment.version)
        deliver(self, self._outcome_saved, outcome)

    def _outcome_saved(self, outcome: Outcome) -> None:
        self.notify(f"{outcome.symbol} {outcome.label}", timeout=2)
        self.auto_advance = True
        self.reload()
        refresh_header(self)

    def _changed(self, result: object | None) -> None:
        """A form saved something: say so and read again."""
        if result is None:
            return
        if isinstance(result, str):
            self.notify(result, timeout=3)
        elif hasattr(result, "text") and callable(result.text):
            self.notify(str(result.text()), timeout=3)
        else:
            self.notify("Saved.", timeout=2)
        self.reload()
        refresh_header(self)

    # Step 2 --------------------------------------------------------------------------------

    @on(CurrentStep.Requested)
    def _current_requested(self, event: CurrentStep.Requested) -> None:
        event.stop()
        data, state, week = self.data, self.state, event.week
        if data is None or state is None:
            return
        if state.finished:
            self.notify("This review is finished; it is read-only.", severity="warning")
            return
        if event.action in ("next", "prev", "reviewed"):
            self._step_client(event.action, data, state)
            return
        if week is None:
            return
        client = week.client
        label = f"{client.name} ({client.record_number})"
        if event.action == "focus":
            self.app.push_screen(TextPromptScreen(
                f"Focus for next week — {label} (one line)", "start on time; ask about work",
                lambda text: clean_line(text, "Focus", max_len=weekly_review.FOCUS_MAX),
                value=state.note(client.id).focus),
                lambda text: self._focus_typed(client.id, text))
        elif event.action == "commitment":
            self.app.push_screen(CommitmentFormScreen(client.id), self._changed)
        elif event.action == "book":
            self.app.push_screen(TextPromptScreen(
                f"Book one session — {label}", "mon 10:00 · next tue 2pm",
                datetime_preview(session_of(self))),
                lambda text: self._book_typed(client.id, text))
        elif event.action == "schedule":
            self.app.push_screen(ScheduleFormScreen(client.id, label), self._changed)
        elif event.action == "move" and isinstance(event.target, AppointmentFact):
            self.app.push_screen(AppointmentFormScreen(event.target, TimeChange.MOVE,
                                                       client_label=label), self._changed)
        elif event.action == "discussed" and isinstance(event.target, CheckInFact):
            checkin = event.target
            self.app.push_screen(TextPromptScreen(
                "Discussed with the client — what did you agree? (one line)",
                "felt rushed; will start on time",
                lambda text: clean_line(text, "Comment", max_len=200), value=checkin.comment),
                lambda text: self._discussed_typed(checkin, text))
        elif event.action == "done" and isinstance(event.target, CommitmentFact):
            self.save_done(event.target)
        elif event.action == "handout":
            from caseload.tui.screens.handout import HandoutScreen

            self.app.push_screen(HandoutScreen(client.id))
        elif event.action == "open":
            self.call_later(self.app.run_action, f"open_client({client.id})")

    def _step_client(self, action: str, data: ReviewData, state: ReviewState) -> None:
        """Next, previous, or reviewed-and-next (the next step after the last one)."""
        ids = [c.client.id for c in data.flagged]
        if not ids:
            if action == "reviewed":
                self.go(Step.AHEAD)
            return
        index = data.client_index(state.position)
        current = ids[index]
        if action == "next":
            self.go(Step.CURRENT, ids[(index + 1) % len(ids)])
        elif action == "prev":
            self.go(Step.CURRENT, ids[(index - 1) % len(ids)])
        else:
            following = data.next_unreviewed(current)
            step = Step.CURRENT if following is not None else Step.AHEAD
            self.save_note(state, current, reviewed=True, step=step,
                           position=following if following is not None else 0)

    def _focus_typed(self, client_id: int, text: str | None) -> None:
        if text is not None and self.state is not None:
            self.save_note(self.state, client_id, focus=text)

    @db_work("review-save-note")
    def save_note(self, state: ReviewState, client_id: int, *, focus: str | None = None,
                  reviewed: bool | None = None, step: Step | None = None,
                  position: int | None = None) -> None:
        """Write the note (and move on), then read (worker)."""
        session = session_of(self)
        saved = weekly_review.set_note(session, state.id, client_id, focus=focus,
                                       reviewed=reviewed, step=step, position=position)
        deliver(self, self.show, weekly_review.load_review(session, saved))

    def _book_typed(self, client_id: int, text: str | None) -> None:
        if text is not None:
            self.save_booking(client_id, parse_local_datetime(session_of(self), text))

    @db_work("review-save-book")
    def save_booking(self, client_id: int, start: datetime) -> None:
        """Book one session (worker)."""
        session = session_of(self)
        fact = appointments.schedule_single(session, client_id, start)
        deliver(self, self._changed, f"Booked {describe_datetime(fact.start, session.today())}.")

    def _discussed_typed(self, checkin: CheckInFact, text: str | None) -> None:
        if text is not None:
            self.save_discussed(checkin, text)

    @db_work("review-save-discussed")
    def save_discussed(self, checkin: CheckInFact, comment: str) -> None:
        """Mark the check-in discussed, as shown (worker)."""
        checkins.mark_discussed(session_of(self), checkin.id, comment,
                                expected_version=checkin.version)
        deliver(self, self._changed, "✓ Marked discussed")

    @db_work("review-save-done")
    def save_done(self, commitment: CommitmentFact) -> None:
        """Mark the commitment done today, as shown (worker)."""
        fact = commitments.complete(session_of(self), commitment.id,
                                    expected_version=commitment.version)
        deliver(self, self._changed, f"✓ Done: {fact.text}")

    # Steps 3 and 4 -------------------------------------------------------------------------

    @on(AheadStep.Requested)
    def _ahead_requested(self, event: AheadStep.Requested) -> None:
        event.stop()
        self.go(Step.SUMMARY)

    @on(SummaryStep.Requested)
    def _summary_requested(self, event: SummaryStep.Requested) -> None:
        event.stop()
        if self.state is None:
            return
        if event.action == "export":
            self.save_export(self.state)
        elif self.state.finished:
            self.action_review_leave()
        else:
            self.save_finish(self.state)

    @db_work("review-save-finish")
    def save_finish(self, state: ReviewState) -> None:
        """Save the summary as the week's review record, then read (worker)."""
        session = session_of(self)
        weekly_review.finish(session, state.id)
        done = weekly_review.start_or_resume(session, state.week.start)
        deliver(self, self._finished, weekly_review.load_review(session, done))

    def _finished(self, data: ReviewData) -> None:
        self.notify("✓ Review saved. e exports the supervision report; Esc leaves.",
                    title="Weekly review", timeout=6)
        self.show(data)

    @db_work("review-save-export", verb="export")
    def save_export(self, state: ReviewState) -> None:
        """Write the Markdown supervision report, initials only, to a private file (worker)."""
        session = session_of(self)
        data = weekly_review.load_review(session, state)
        summary = weekly_review.summarize(data, state.finished_at)
        text = report.to_markdown(data.report, use_initials=True, review=summary)
        path = report.export_markdown(text, state.week)
        deliver(self, self._exported, path)

    def _exported(self, path: Path) -> None:
        notify_exported(self, path)
