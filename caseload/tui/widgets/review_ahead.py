"""Review step 3, "Look ahead": next week's sessions and the commitments falling due, both ways."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from caseload.domain.metrics import Window
from caseload.services.weekly_review import AheadItem
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.commitment_text import owner_word
from caseload.tui.widgets.table_fit import fit_last_column
from caseload.tui.widgets.timeline import day_text

AHEAD_COMMANDS = (
    Command("review_ahead_done", "space", "Summary", key_display="␣",
            tooltip="Go on to the summary"),
)


def ahead_cells(item: AheadItem, now: datetime) -> tuple[str, Text, Text]:
    """When, client, what: "Mon 30 Nov 10:00 | Jordan Rivers | Session" (local times)."""
    when = day_text(item.day, now.date())
    if item.appointment is not None:
        when += f" {item.appointment.start.astimezone(now.tzinfo):%H:%M}"
        what = Text("Session")
    else:
        assert item.commitment is not None
        c = item.commitment
        what = Text(f"due · {owner_word(c.owner)} will: {c.text}")
    return when, Text(item.client.name), what


class AheadStep(Vertical):
    """Next week at a glance."""

    BINDINGS = bindings(*AHEAD_COMMANDS)

    class Requested(Message):
        """The counselor asked to go on."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def compose(self) -> ComposeResult:
        """A line with the counts, and the table."""
        yield Static("", classes="summary step-note")
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        """The columns."""
        table = self.query_one(DataTable)
        table.add_column("When", key="when", width=16)
        table.add_column("Client", key="client", width=20)
        table.add_column("What", key="what")

    def show(self, week: Window, items: tuple[AheadItem, ...], now: datetime) -> None:
        """Fill the table once the step has its size (the free text takes what is left)."""
        self.call_after_refresh(self._fill, week, items, now)

    def _fill(self, week: Window, items: tuple[AheadItem, ...], now: datetime) -> None:
        today = now.date()
        table = self.query_one(DataTable)
        table.clear()
        fit_last_column(table)
        for item in items:
            table.add_row(*ahead_cells(item, now))
        sessions = sum(1 for i in items if i.appointment is not None)
        last = week.end.toordinal() - 1
        self.query_one(Static).update(
            f"Week of {day_text(week.start, today)} – {day_text(date.fromordinal(last), today)}:"
            f" {sessions} session{'s' if sessions != 1 else ''},"
            f" {len(items) - sessions} commitment{'s' if len(items) - sessions != 1 else ''}"
            " falling due")

    def focus_table(self) -> None:
        """Put the keys on the table."""
        self.query_one(DataTable).focus()

    def action_review_ahead_done(self) -> None:
        """On to the summary."""
        self.post_message(self.Requested("next"))
