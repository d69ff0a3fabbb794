"""Change one session's time: edit it, move it (reschedule, saying who asked), or change it
and every following session of its series. Dismisses a one-line summary, or None on Escape.

The save expects the session as the form shows it (its version): when another session changed
it meanwhile, nothing is saved, the message says so and the form reads the session again (what
is typed stays), so a second Save acts on what is stored now.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, Static

from caseload.domain.records import AppointmentFact, Party
from caseload.services import appointments
from caseload.tui.screens.form import FormScreen
from caseload.tui.screens.modals import datetime_preview, parse_local_datetime
from caseload.tui.widgets.parsed_field import ParsedField
from caseload.tui.widgets.parsers import edit_text, minutes_parser, minutes_preview
from caseload.tui.workers import WorkFailed, db_work, deliver

ASKERS = (Party.CLIENT, Party.COUNSELOR)


class TimeChange(StrEnum):
    """What the form does with the new time."""

    EDIT = "edit"
    MOVE = "move"
    FOLLOWING = "following"


TITLES = {
    TimeChange.EDIT: "Edit this session",
    TimeChange.MOVE: "Move (reschedule) this session",
    TimeChange.FOLLOWING: "Change this and following sessions",
}
EXPLAIN = {
    TimeChange.EDIT: "Corrects this one session; the rest of its series stays as it is.",
    TimeChange.MOVE: "The old time is kept as rescheduled and a new session is booked.",
    TimeChange.FOLLOWING: "Splits the series here: this session and all after it move; earlier "
                          "ones and any with an outcome keep their times.",
}


class AppointmentFormScreen(FormScreen[str]):
    """A new start and length for one session, applied as `mode` says."""

    def __init__(self, appointment: AppointmentFact, mode: TimeChange, *,
                 client_label: str = "", series_words: str = "") -> None:
        super().__init__()
        self.appointment = appointment
        self.mode = TimeChange(mode)
        self.client_label = client_label
        self.series_words = series_words

    def form_title(self) -> str:
        """E.g. "Move (reschedule) this session · Jordan Rivers (CL-1)"."""
        title = TITLES[self.mode]
        return f"{title} · {self.client_label}" if self.client_label else title

    def context_text(self) -> str:
        """Where the session is now (as last read) and what the change does."""
        session = self.session
        start = self.appointment.start.astimezone(session.tz)
        minutes = int((self.appointment.end - self.appointment.start).total_seconds() // 60)
        now = f"Now: {datetime_preview(session)(edit_text(start))}, {minutes} min"
        if self.series_words:
            now += f"\nSeries: {self.series_words}"
        return f"{now}\n{EXPLAIN[self.mode]}"

    def compose_fields(self) -> ComposeResult:
        """Where it is now, the new start and length, and who asked (for a move)."""
        session = self.session
        start = self.appointment.start.astimezone(session.tz)
        minutes = int((self.appointment.end - self.appointment.start).total_seconds() // 60)
        yield Static(self.context_text(), id="appointment-context", classes="form-context",
                     markup=False)
        yield ParsedField("Starts", lambda t: parse_local_datetime(self.session, t),
                          preview=datetime_preview(session), value=edit_text(start),
                          placeholder="tue 10:00", id="start")
        yield ParsedField("Minutes", minutes_parser(), preview=minutes_preview,
                          value=str(minutes), id="duration")
        if self.mode is TimeChange.MOVE:
            yield Label("Who asked for the move?", classes="form-row-label")
            with RadioSet(id="asked"):
                yield RadioButton("The client")
                yield RadioButton("I did (counselor)")

    def on_mount(self) -> None:
        """Start in the date field."""
        self.query_one("#start", ParsedField).focus_input()

    def check(self) -> str | None:
        """A move needs to say who asked: it decides whose reliability it counts against."""
        if self.mode is TimeChange.MOVE and self.query_one("#asked", RadioSet).pressed_index < 0:
            return "Say who asked for the move (client or you)."
        return None

    def save(self) -> None:
        """Apply the change (worker)."""
        start = self.query_one("#start", ParsedField).value
        minutes = self.query_one("#duration", ParsedField).value
        assert isinstance(start, datetime) and isinstance(minutes, int)
        asked = ASKERS[self.radio_index("#asked")] if self.mode is TimeChange.MOVE else None
        self.save_time(start, minutes, asked)

    @db_work("appointment-time-save")
    def save_time(self, start: datetime, minutes: int, asked: Party | None) -> None:
        """Write the new time (worker)."""
        session, appointment_id = self.session, self.appointment.id
        shown = self.appointment.version
        when = datetime_preview(session)(edit_text(start.astimezone(session.tz)))
        if self.mode is TimeChange.EDIT:
            appointments.edit_occurrence(session, appointment_id, start=start,
                                         duration_min=minutes, expected_version=shown)
            summary = f"Session changed to {when}."
        elif self.mode is TimeChange.MOVE:
            assert asked is not None
            appointments.reschedule(session, appointment_id, start, asked, duration_min=minutes,
                                    expected_version=shown)
            summary = f"Session moved to {when}."
        else:
            _series, booked = appointments.edit_following(session, appointment_id, start,
                                                          duration_min=minutes,
                                                          expected_version=shown)
            summary = f"This and following sessions moved: {booked} booked from {when}."
        deliver(self, self.saved, summary)

    @on(WorkFailed)
    def _stale(self, event: WorkFailed) -> None:
        if event.stale:
            self.reload_appointment()

    @db_work("appointment-time-reload", verb="load")
    def reload_appointment(self) -> None:
        """Read the session as another session left it (worker)."""
        deliver(self, self._show_appointment,
                appointments.get(self.session, self.appointment.id))

    def _show_appointment(self, fact: AppointmentFact) -> None:
        self.appointment = fact
        self.query_one("#appointment-context", Static).update(self.context_text())
