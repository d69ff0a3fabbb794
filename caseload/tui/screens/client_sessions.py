"""The Client screen's session commands: schedule, edit, move, cancel, this-and-following,
and remove a series (after a confirmation that names how many future sessions go).

A mixin for `ClientScreen`, which says what is highlighted (`highlighted_appointment`), which
series the client has (`series_views`) and how to show fresh data (`reload`).
"""

from __future__ import annotations

from functools import partial

from textual.screen import Screen

from caseload.domain.records import AppointmentFact, Outcome
from caseload.services import appointments
from caseload.services.client_view import SeriesView
from caseload.tui.commands import Command
from caseload.tui.screens.appointment_form import AppointmentFormScreen, TimeChange
from caseload.tui.screens.modals import Choice, ChoiceScreen, ConfirmScreen
from caseload.tui.screens.schedule_form import Scheduled, ScheduleFormScreen
from caseload.tui.widgets.header import refresh_header
from caseload.tui.workers import db_work, deliver, session_of

SESSION_COMMANDS = (
    Command("client_schedule", "s", "Schedule",
            tooltip="Book a single session or a recurring series (weekly, every 2 weeks, custom)"),
    Command("client_edit_session", "e", "Edit",
            tooltip="Change the highlighted session's time or length (this one only)"),
    Command("client_move_session", "m", "Move",
            tooltip="Reschedule the highlighted session, saying who asked"),
    Command("client_cancel_session", "x", "Cancel",
            tooltip="Cancel the highlighted session: by you, or by the client"),
    Command("client_edit_following", "f", "This+after", show=False,
            tooltip="Change the highlighted session and every later one of its series"),
    Command("client_remove_series", "X", "Remove series", key_display="X", show=False,
            tooltip="End a series and delete its future sessions (asks first, with the count)"),
)

CANCEL_CHOICES = (
    Choice("i", "I cancelled (or the clinic did)", Outcome.COUNSELOR_CANCELLED),
    Choice("c", "The client cancelled, with notice", Outcome.CLIENT_CANCELLED),
    Choice("l", "The client cancelled late (inside the notice window)", Outcome.LATE_CANCEL),
)


def plural(n: int, word: str) -> str:
    """"1 session", "9 sessions"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


class SessionActions(Screen[object]):
    """Mixin: the session and series commands of the Client screen."""

    client_id: int

    def highlighted_appointment(self) -> AppointmentFact | None:
        """The highlighted session (the screen overrides)."""
        return None

    def series_views(self) -> tuple[SeriesView, ...]:
        """The client's open series (the screen overrides)."""
        return ()

    def client_label(self) -> str:
        """"Jordan Rivers (CL-1)" (the screen overrides)."""
        return ""

    def reload(self) -> None:
        """Read the screen's data again (the screen overrides)."""

    def session_changed(self, summary: str) -> None:
        """A write succeeded: say so, reload, update the week's figures."""
        self.notify(summary, timeout=4)
        self.reload()
        refresh_header(self)

    def _series_words(self, appointment: AppointmentFact) -> str:
        return next((s.description for s in self.series_views()
                     if s.id == appointment.series_id), "")

    def _session_or_hint(self, *, scheduled: bool = True) -> AppointmentFact | None:
        found = self.highlighted_appointment()
        if found is None:
            self.notify("Highlight a session first.", severity="warning")
            return None
        if scheduled and found.outcome is not Outcome.SCHEDULED:
            self.notify(f"This session is already {found.outcome.label}.", severity="warning")
            return None
        return found

    # Schedule, edit, move, this-and-following --------------------------------------------

    def action_client_schedule(self) -> None:
        """Book a session or a series."""
        self.app.push_screen(ScheduleFormScreen(self.client_id, self.client_label()),
                             self._scheduled)

    def _scheduled(self, result: Scheduled | None) -> None:
        if result is not None:
            self.session_changed(result.text())

    def _time_form(self, mode: TimeChange, appointment: AppointmentFact) -> None:
        form = AppointmentFormScreen(appointment, mode, client_label=self.client_label(),
                                     series_words=self._series_words(appointment))
        self.app.push_screen(form, self._time_changed)

    def _time_changed(self, summary: str | None) -> None:
        if summary:
            self.session_changed(summary)

    def action_client_edit_session(self) -> None:
        """Change the highlighted session's time or length."""
        found = self._session_or_hint(scheduled=False)
        if found is not None and found.outcome is Outcome.RESCHEDULED:
            self.notify("This session was moved; edit the new one.", severity="warning")
        elif found is not None:
            self._time_form(TimeChange.EDIT, found)

    def action_client_move_session(self) -> None:
        """Reschedule the highlighted session."""
        found = self._session_or_hint()
        if found is not None:
            self._time_form(TimeChange.MOVE, found)

    def action_client_edit_following(self) -> None:
        """Change this session and all later ones of its series."""
        found = self._session_or_hint()
        if found is not None and found.series_id is None:
            self.notify("This session is not part of a series.", severity="warning")
        elif found is not None:
            self._time_form(TimeChange.FOLLOWING, found)

    # Cancel ------------------------------------------------------------------------------

    def action_client_cancel_session(self) -> None:
        """Ask who cancelled, then record it."""
        found = self._session_or_hint()
        if found is not None:
            self.app.push_screen(ChoiceScreen("Who cancelled this session?", CANCEL_CHOICES),
                                 partial(self._cancel_chosen, found))

    def _cancel_chosen(self, appointment: AppointmentFact, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.save_cancel(appointment, outcome)

    @db_work("client-save-cancel")
    def save_cancel(self, appointment: AppointmentFact, outcome: Outcome) -> None:
        """Record the cancellation (worker)."""
        fact = appointments.record_outcome(session_of(self), appointment.id, outcome,
                                           expected_version=appointment.version)
        deliver(self, self.session_changed, f"{fact.outcome.symbol} {fact.outcome.label}")

    # Remove a series ---------------------------------------------------------------------

    def action_client_remove_series(self) -> None:
        """Pick the series (the highlighted session's, or the only one), then count and ask."""
        series = self.series_views()
        found = self.highlighted_appointment()
        chosen = next((s for s in series if found is not None and s.id == found.series_id),
                      None)
        if chosen is None and len(series) == 1:
            chosen = series[0]
        if chosen is not None:
            self.count_future(chosen)
        elif not series:
            self.notify("This client has no recurring series.", severity="warning")
        else:
            choices = [Choice(str(n), s.description, s) for n, s in enumerate(series[:9], 1)]
            self.app.push_screen(ChoiceScreen("Remove which series?", choices),
                                 self._series_chosen)

    def _series_chosen(self, series: SeriesView | None) -> None:
        if series is not None:
            self.count_future(series)

    @db_work("client-series-count", verb="load")
    def count_future(self, series: SeriesView) -> None:
        """How many future sessions removal would delete, counted now (worker)."""
        count = appointments.future_occurrences(session_of(self), series.id)
        deliver(self, self.confirm_removal, series, count)

    def confirm_removal(self, series: SeriesView, count: int) -> None:
        """Ask, naming the number of future sessions that will go."""
        question = (f"Remove the series “{series.description}”?\n"
                    f"This deletes its {plural(count, 'future session')}. "
                    "Past sessions and their outcomes stay.")
        self.app.push_screen(
            ConfirmScreen(question, yes=f"Remove {plural(count, 'session')}", no="Keep"),
            partial(self._removal_answered, series, count))

    def _removal_answered(self, series: SeriesView, count: int, yes: bool | None) -> None:
        if yes:
            self.save_remove_series(series, count)

    @db_work("client-save-series")
    def save_remove_series(self, series: SeriesView, count: int) -> None:
        """End the series and delete exactly the confirmed future sessions (worker)."""
        removed = appointments.remove_series(session_of(self), series.id, count)
        deliver(self, self.session_changed,
                f"Series removed: {plural(removed, 'future session')} deleted.")
