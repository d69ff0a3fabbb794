"""Review step 1, "Get clear": every past session without an outcome, one key each.

The outcome keys are Today's (`today.OUTCOME_COMMANDS`, the same ids, so a remapped key is
remapped here too). The widget only says what was asked (`ClearStep.Requested`); the review
screen saves it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from caseload.domain.records import Outcome
from caseload.services.weekly_review import PendingSession
from caseload.tui.commands import Command, bindings
from caseload.tui.screens.today import OUTCOME_COMMANDS
from caseload.tui.widgets.timeline import day_text

CLEAR_COMMANDS = (
    *OUTCOME_COMMANDS,
    Command("review_skip_clear", "space", "Next step", key_display="␣",
            tooltip="Go on to the flagged clients (outcomes left can wait)"),
)


def cursor_key(table: DataTable[Any]) -> str:
    """The key of the row under a table's cursor ("" when there is none)."""
    if table.row_count == 0:
        return ""
    try:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or "")
    except Exception:  # the cursor is out of range while the table refills
        return ""


class ClearStep(Vertical):
    """The sessions waiting for an outcome, oldest first."""

    BINDINGS = bindings(*CLEAR_COMMANDS)

    class Requested(Message):
        """The counselor asked for something: an outcome, late minutes, a move, the next step."""

        def __init__(self, action: str, pending: PendingSession | None = None,
                     outcome: Outcome | None = None) -> None:
            super().__init__()
            self.action = action
            self.pending = pending
            self.outcome = outcome

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pending: dict[str, PendingSession] = {}

    def compose(self) -> ComposeResult:
        """A line saying what is left, and the sessions."""
        yield Static("", classes="summary step-note")
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        """The columns."""
        table = self.query_one(DataTable)
        for label in ("When", "Client", "Record"):
            table.add_column(label, key=label.lower())

    def show(self, pending: tuple[PendingSession, ...], now: datetime) -> None:
        """Fill the table (local times), keeping the cursor on the same row number."""
        today = now.date()
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        self.pending = {str(p.appointment.id): p for p in pending}
        table.clear()
        for p in pending:
            start = p.appointment.start.astimezone(now.tzinfo)
            table.add_row(f"{day_text(start.date(), today)} {start:%H:%M}",
                          Text(p.client.name), Text(p.client.record_number),
                          key=str(p.appointment.id))
        if pending:
            table.move_cursor(row=min(cursor, len(pending) - 1))
        note = (f"? {len(pending)} session{'s need' if len(pending) != 1 else ' needs'} an "
                "outcome: k kept · n no show · l late · c client cxl · x I cxl"
                if pending else "✓ Every past session has an outcome.")
        self.query_one(Static).update(note)

    def focus_table(self) -> None:
        """Put the keys on the table."""
        self.query_one(DataTable).focus()

    def highlighted(self) -> PendingSession | None:
        """The session under the cursor."""
        return self.pending.get(cursor_key(self.query_one(DataTable)))

    def _ask(self, action: str, outcome: Outcome | None = None) -> None:
        pending = self.highlighted()
        if pending is None:
            self.notify("No session is waiting for an outcome.", severity="warning")
            return
        self.post_message(self.Requested(action, pending, outcome))

    def action_record(self, outcome: str) -> None:
        """Record an outcome on the highlighted session."""
        self._ask("outcome", Outcome(outcome))

    def action_reschedule(self) -> None:
        """Move the highlighted session to a new time."""
        self._ask("move")

    def action_late_minutes(self) -> None:
        """Kept, with minutes late."""
        self._ask("late")

    def action_review_skip_clear(self) -> None:
        """On to step 2."""
        self.post_message(self.Requested("next"))
