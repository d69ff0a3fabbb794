"""Check-in: the client's scores on an SRS-style, WAI-SR or ORS-style form, from the keyboard.

Choose the instrument, type each number and Tab to the next. Each value is checked as it is
typed (the message appears under its field); the total, subscales and what they mean are shown
live; Save refuses until every item is valid. After saving, a score below the cutoff or a drop
asks "Discussed with the client?": yes asks for one line and marks it discussed. The screen
dismisses the saved `CheckInResult` (None when left without saving).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec
from msgspec.structs import replace
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, RadioButton, RadioSet, Static

from caseload.domain import instruments
from caseload.domain.records import ClientFact, Instrument, Settings, ValidationError
from caseload.domain.text import clean_line
from caseload.services import checkins, clients
from caseload.services.checkins import CheckInResult
from caseload.tui.commands import Command, bindings
from caseload.tui.screens.modals import ConfirmScreen, TextPromptScreen, date_preview
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader, refresh_header
from caseload.tui.widgets.parsed_field import ERROR_MARK, ParsedField
from caseload.tui.widgets.parsers import date_parser
from caseload.tui.widgets.score_fields import ScoreFields
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

ORDER = (Instrument.SRS, Instrument.WAI_SR, Instrument.ORS)

CHECKIN_COMMANDS = (
    Command("checkin_save", "ctrl+s", "Save",
            tooltip="Save the check-in (refused until every score is valid)"),
    Command("checkin_cancel", "escape", "Cancel", tooltip="Leave without saving"),
)


class CheckInContext(msgspec.Struct, frozen=True):
    """What the form shows about whom it is for: the client and their previous totals."""

    client: ClientFact
    previous: dict[Instrument, float | None]


def total_text(instrument: Instrument, values: list[float | None], previous: float | None,
               settings: Settings) -> str:
    """The live line under the items: the total, subscales, and what they mean."""
    spec = instruments.SPECS[instrument]
    known = [v for v in values if v is not None]
    if len(known) < len(values):
        so_far = instruments.format_score(sum(known)) if known else "—"
        return f"Total so far {so_far} ({len(known)} of {len(values)} items)"
    items = tuple(known)
    total = instruments.total(instrument, items)
    assessment = instruments.assess(instrument, total, previous, settings)
    text = f"Total {assessment.describe()}"
    subscales = instruments.subscales(instrument, items)
    if subscales:
        text += "\n" + " · ".join(f"{name} {value:.2f}" for name, value in subscales.items())
    if assessment.needs_discussion:
        text += f"\n! {spec.name}: worth talking through with the client."
    return text


class CheckInScreen(Screen[CheckInResult | None]):
    """Record one check-in for a client (and the session it belongs to, if given)."""

    CSS_PATH = Path(__file__).with_name("checkin.tcss")
    SUB_TITLE = "Check-in"
    BINDINGS = bindings(*CHECKIN_COMMANDS)

    def __init__(self, client_id: int, appointment_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.appointment_id = appointment_id
        self.context: CheckInContext | None = None
        self.saving = False
        self.saved_result: CheckInResult | None = None  # once the check-in itself is saved

    def compose(self) -> ComposeResult:
        """Who, which instrument, the items, the date, the live total."""
        session = session_of(self)
        yield ConsistencyHeader("Check-in")
        yield Static("Loading…", id="checkin-context", markup=False)
        with RadioSet(id="instrument"):
            for index, instrument in enumerate(ORDER):
                yield RadioButton(instruments.SPECS[instrument].name, value=index == 0)
        yield Static("", id="checkin-hint", markup=False)
        for instrument in ORDER:
            yield ScoreFields(instrument, id=f"items-{instrument.value}")
        yield ParsedField("Date", self._parse_day, preview=date_preview(session), value="today",
                          id="taken-on")
        yield Static("", id="checkin-total", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        """Show the first instrument's items, read the client and their previous totals."""
        self._show_instrument()
        self.items.fields[0].focus_input()
        self.load_context()

    # Loading -----------------------------------------------------------------------------

    @db_work("checkin-load", verb="load")
    def load_context(self) -> None:
        """The client's name and previous total per instrument (worker)."""
        session = session_of(self)
        client = clients.get_client(session, self.client_id)
        previous = {i: checkins.previous_total(self.client_id, i, session.today())
                    for i in ORDER}
        deliver(self, self.show_context, CheckInContext(client, previous))

    def show_context(self, context: CheckInContext) -> None:
        """Name the client, and the last total of the chosen instrument."""
        self.context = context
        self._show_instrument()

    # The instrument ----------------------------------------------------------------------

    @property
    def instrument(self) -> Instrument:
        """The chosen instrument."""
        return ORDER[max(self.query_one("#instrument", RadioSet).pressed_index, 0)]

    @property
    def items(self) -> ScoreFields:
        """The chosen instrument's item fields."""
        return self.query_one(f"#items-{self.instrument.value}", ScoreFields)

    @on(RadioSet.Changed, "#instrument")
    def _instrument_changed(self) -> None:
        self._show_instrument()

    def _show_instrument(self) -> None:
        chosen = self.instrument
        for fields in self.query(ScoreFields):
            fields.display = fields.instrument is chosen
        spec = instruments.SPECS[chosen]
        self.query_one("#checkin-hint", Static).update(
            f"{spec.count} items, {spec.hint} · Tab to the next")
        context = self.query_one("#checkin-context", Static)
        if self.context is not None:
            c = self.context.client
            previous = self.context.previous.get(chosen)
            last = (f" · last {spec.name}: {instruments.format_score(previous)}"
                    if previous is not None else f" · first {spec.name}")
            tied = " · for the highlighted session" if self.appointment_id else ""
            context.update(f"{c.name} ({c.record_number}){tied}{last}")
        self._show_total()

    @on(ParsedField.Changed)
    def _show_total(self) -> None:
        previous = self.context.previous.get(self.instrument) if self.context else None
        self.query_one("#checkin-total", Static).update(
            total_text(self.instrument, self.items.values(), previous,
                       session_of(self).settings))

    def _parse_day(self, text: str) -> date:
        day = date_parser(session_of(self))(text)
        if day > session_of(self).today():
            raise ValidationError("A check-in cannot be dated in the future.")
        return day

    # Saving ------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter saves when everything is valid; otherwise it moves to the next field."""
        event.stop()
        if self.items.complete() is not None and self.query_one("#taken-on",
                                                                 ParsedField).is_valid:
            self.action_checkin_save()
        else:
            self.focus_next()

    def action_checkin_save(self) -> None:
        """Save, unless an item or the date is refused (then go to the first refused one)."""
        refused = self.items.first_refused()
        day_field = self.query_one("#taken-on", ParsedField)
        if refused is None and not day_field.is_valid:
            day_field.show_error()
            refused = day_field
        if refused is not None:
            refused.focus_input()
            self.notify(f"{ERROR_MARK} Not saved: {refused.error}", severity="warning")
            return
        scores, day = self.items.complete(), day_field.value
        if self.saving or scores is None or not isinstance(day, date):
            return
        self.saving = True
        self.save_checkin(self.instrument, scores, day)

    @db_work("checkin-save")
    def save_checkin(self, instrument: Instrument, scores: tuple[float, ...], day: date) -> None:
        """Write the check-in with its items and total (worker)."""
        result = checkins.record(session_of(self), self.client_id, instrument, scores,
                                 taken_on=day, appointment_id=self.appointment_id)
        deliver(self, self.after_save, result)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        if event.group == "checkin-save-discussed" and self.saved_result is not None:
            # The check-in is saved; only "discussed" was not (the message said why, e.g. it
            # was changed in another session). Leave rather than offer to save it twice: the
            # screen below reads it again, and it stays flagged until it is discussed.
            self.dismiss(self.saved_result)
            return
        self.saving = False

    @work(exclusive=True, group="checkin-dialog")
    async def after_save(self, result: CheckInResult) -> None:
        """Ask about a low score or a drop; then close with the result."""
        self.saved_result = result
        refresh_header(self)
        if not result.needs_discussion:
            self.notify(f"Saved: {result.assessment.describe()}", timeout=4)
            self.dismiss(result)
            return
        discussed = await self.app.push_screen_wait(ConfirmScreen(
            f"Saved: {result.assessment.describe()}.\nDiscussed with the client?",
            yes="Yes, we discussed it", no="Not yet"))
        if not discussed:
            self.notify("Saved. It stays flagged until it is discussed.", timeout=5)
            self.dismiss(result)
            return
        comment = await self.app.push_screen_wait(TextPromptScreen(
            "What did you agree? (one line)", "felt rushed; will start on time",
            lambda t: clean_line(t, "Comment", max_len=200)))
        self.save_discussed(result, comment)

    @db_work("checkin-save-discussed")
    def save_discussed(self, result: CheckInResult, comment: str | None) -> None:
        """Mark the saved check-in discussed, with the comment (worker)."""
        fact = checkins.mark_discussed(session_of(self), result.checkin.id, comment,
                                       expected_version=result.checkin.version)
        deliver(self, self.discussed, replace(result, checkin=fact))

    def discussed(self, result: CheckInResult) -> None:
        """Close with the check-in, now marked discussed."""
        self.notify("✓ Saved and marked discussed.", timeout=4)
        self.dismiss(result)

    def action_checkin_cancel(self) -> None:
        """Leave; ask first when scores were typed."""
        if not any(fields.typed() for fields in self.query(ScoreFields)):
            self.dismiss(None)
            return
        self.app.push_screen(ConfirmScreen("Leave without saving? The scores typed are lost.",
                                           yes="Leave", no="Stay"), self._leave_answered)

    def _leave_answered(self, leave: bool | None) -> None:
        if leave:
            self.dismiss(None)
