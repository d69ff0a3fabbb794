"""Schedule for one client: a single session or a recurring series (weekly, every two weeks or
a custom RRULE), with the start typed as a date and time and the plan shown in words as it is
typed ("every Tuesday at 10:00, 10 times"). Dismisses a `Scheduled`, or None on Escape.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, Static

from caseload.domain import recurrence
from caseload.domain.records import ValidationError
from caseload.services import appointments
from caseload.tui.screens.form import FormScreen
from caseload.tui.screens.modals import datetime_preview, parse_local_datetime
from caseload.tui.widgets.parsed_field import ERROR_MARK, OK_MARK, ParsedField
from caseload.tui.widgets.parsers import minutes_parser, minutes_preview, whole_number
from caseload.tui.workers import db_work, deliver

ONCE = "once"
# The default first: a radio set highlights its first button when it gets focus.
REPEATS: tuple[tuple[str, str], ...] = (
    (recurrence.Cadence.WEEKLY, "Weekly"),
    (recurrence.Cadence.BIWEEKLY, "Every 2 weeks"),
    (ONCE, "Once"),
    (recurrence.Cadence.CUSTOM, "Custom rule"),
)
MAX_SESSIONS = 520


class Scheduled(msgspec.Struct, frozen=True):
    """What was booked: a series (its id) or a single session, how many, and the first start."""

    series_id: int | None
    booked: int
    first: datetime

    def text(self) -> str:
        """"Booked 12 sessions." / "Booked one session."."""
        return "Booked one session." if self.booked == 1 else f"Booked {self.booked} sessions."


class Plan(msgspec.Struct, frozen=True):
    """The form's answer, checked: what `save` will book."""

    cadence: str
    start: datetime
    duration: int
    custom: str | None
    count: int | None


class ScheduleFormScreen(FormScreen[Scheduled]):
    """Book a single session or a recurring series for one client."""

    TITLE_TEXT = "Schedule"

    def __init__(self, client_id: int, client_label: str = "", *, start: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.client_label = client_label
        self._initial_start = start

    def form_title(self) -> str:
        """"Schedule · Jordan Rivers (CL-1)"."""
        return f"Schedule · {self.client_label}" if self.client_label else self.TITLE_TEXT

    def compose_fields(self) -> ComposeResult:
        """Repeats, first start, duration, custom rule, number of sessions, the plan in words."""
        yield Label("Repeats", classes="form-row-label")
        with RadioSet(id="repeats"):
            for index, (_value, words) in enumerate(REPEATS):
                yield RadioButton(words, value=index == 0)
        yield ParsedField("Starts", lambda t: parse_local_datetime(self.session, t),
                          preview=datetime_preview(self.session), value=self._initial_start,
                          placeholder="tue 10:00, 2026-12-01 14:30",
                          hint="Date and time of the first session, e.g. tue 10:00", id="start")
        yield ParsedField("Minutes", minutes_parser(), preview=minutes_preview, value="50",
                          id="duration")
        yield ParsedField("Rule", self._parse_rule, preview=self._rule_preview,
                          placeholder="FREQ=WEEKLY;BYDAY=MO,TH",
                          hint="An RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,TH or FREQ=MONTHLY;BYDAY=1TU",
                          id="rule")
        yield ParsedField("Sessions", whole_number("Sessions", 1, MAX_SESSIONS),
                          required=False, placeholder="blank: until you end the series",
                          id="count")
        yield Static("", id="plan", classes="summary", markup=False)

    def on_mount(self) -> None:
        """Show the fields of the default choice and start in the date field."""
        self._show_fields()
        self.query_one("#start", ParsedField).focus_input()

    @property
    def cadence(self) -> str:
        """The chosen repeat: "once", "weekly", "biweekly" or "custom"."""
        return REPEATS[self.radio_index("#repeats")][0]

    def _start(self) -> datetime | None:
        value = self.query_one("#start", ParsedField).value
        return value if isinstance(value, datetime) else None

    def _parse_rule(self, text: str) -> str:
        start = self._start()
        if start is None:
            raise ValidationError("Type the first session's date and time first.")
        return recurrence.validate_rule(text, start)

    def _rule_preview(self, text: str) -> str:
        start = self._start()
        assert start is not None
        return recurrence.describe_rule(self._parse_rule(text), start)

    @on(RadioSet.Changed, "#repeats")
    def _repeats_changed(self) -> None:
        self._show_fields()

    @on(ParsedField.Changed)
    def _field_changed(self, event: ParsedField.Changed) -> None:
        if event.field.id == "start":
            self.query_one("#rule", ParsedField).reparse(announce=False)
        self._show_plan()

    def _show_fields(self) -> None:
        cadence = self.cadence
        self.query_one("#rule", ParsedField).display = cadence == recurrence.Cadence.CUSTOM
        self.query_one("#count", ParsedField).display = cadence != ONCE
        self._show_plan()

    def plan(self) -> Plan:
        """The checked answer; raises ValidationError naming what is missing or wrong."""
        fields = {f.id: f for f in self.visible_fields()}
        for field in fields.values():
            if not field.is_valid:
                raise ValidationError(field.error or "Check the fields.")
        start = fields["start"].value
        assert isinstance(start, datetime)
        cadence = self.cadence
        custom = fields["rule"].value if "rule" in fields else None
        count = fields["count"].value if "count" in fields else None
        return Plan(cadence, start, int(str(fields["duration"].value)),
                    str(custom) if custom is not None else None,
                    int(str(count)) if count is not None else None)

    def describe(self, plan: Plan) -> str:
        """The plan in words."""
        if plan.cadence == ONCE:
            return f"One session, {datetime_preview(self.session)(self._text('start'))}"
        rule = recurrence.make_rule(plan.cadence, plan.start, count=plan.count,
                                    custom=plan.custom)
        return f"Books {recurrence.describe_rule(rule, plan.start)}"

    def _text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", ParsedField).text

    def _show_plan(self) -> None:
        summary = self.query_one("#plan", Static)
        try:
            summary.update(f"{OK_MARK} {self.describe(self.plan())}")
        except ValidationError as error:
            typed = any(f.touched for f in self.visible_fields())
            summary.update(f"{ERROR_MARK} {error.message}" if typed else "")

    def check(self) -> str | None:
        """Refuse a plan the rules refuse (e.g. a custom rule with COUNT and a number)."""
        try:
            self.describe(self.plan())
        except ValidationError as error:
            return error.message
        return None

    def save(self) -> None:
        """Book it (worker)."""
        self.save_schedule(self.plan())

    @db_work("schedule-save")
    def save_schedule(self, plan: Plan) -> None:
        """Write the session or series (worker)."""
        session = self.session
        if plan.cadence == ONCE:
            fact = appointments.schedule_single(session, self.client_id, plan.start,
                                                plan.duration)
            result = Scheduled(None, 1, fact.start)
        else:
            series_id, booked = appointments.schedule_series(
                session, self.client_id, plan.start, recurrence.Cadence(plan.cadence),
                duration_min=plan.duration, count=plan.count, custom=plan.custom)
            result = Scheduled(series_id, booked, plan.start)
        deliver(self, self.saved, result)
