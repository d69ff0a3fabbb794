"""Commitments: every open promise, both directions, overdue first.

The owner is a word ("You", "Client"), overdue rows say "! overdue N days", so nothing rests on
colour. Keys add, mark done, renegotiate (the old due date stays in the history shown under the
table) and drop with a reason; `o` shows both owners, only yours, or only the clients'.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from caseload.domain.dates import describe_date
from caseload.domain.records import CommitmentFact, Party
from caseload.services import overview
from caseload.services.overview import CommitmentRow
from caseload.tui.commands import Command, bindings
from caseload.tui.screens.commitment_actions import COMMITMENT_ROW_COMMANDS, CommitmentActions
from caseload.tui.screens.commitment_form import CommitmentFormScreen
from caseload.tui.whole_frame import WholeFrameAfterBatch
from caseload.tui.widgets.alike import AlikeTexts
from caseload.tui.widgets.commitment_text import history_text, owner_word, short_day, status_text
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader, refresh_header
from caseload.tui.widgets.table_fit import fit_last_column
from caseload.tui.widgets.timeline import day_text
from caseload.tui.workers import db_work, deliver, session_of

# The owner filter cycles: both → yours → the clients' → both.
FILTERS: tuple[Party | None, ...] = (None, Party.COUNSELOR, Party.CLIENT)
FILTER_WORDS = {None: "both", Party.COUNSELOR: "yours", Party.CLIENT: "clients'"}

COMMITMENTS_COMMANDS = (
    Command("commitment_add", "a", "Add", tooltip="Add a commitment, yours or a client's"),
    *COMMITMENT_ROW_COMMANDS,
    Command("commitment_owner_filter", "o", "Owner",
            tooltip="Show both owners, only yours, or only the clients'"),
    # Priority: the table would otherwise take Enter, and do nothing on an empty list.
    Command("commitment_open_client", "enter", "Client", show=False, priority=True,
            tooltip="Open the highlighted commitment's client"),
)


class CommitmentsScreen(WholeFrameAfterBatch[object], CommitmentActions):
    """All open commitments of the caseload, overdue first."""

    CSS_PATH = Path(__file__).with_name("commitments.tcss")
    SUB_TITLE = "Commitments"
    BINDINGS = bindings(*COMMITMENTS_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[CommitmentRow] = []
        self.rows: dict[str, CommitmentRow] = {}
        self.owner: Party | None = None
        self.today: date | None = None

    def compose(self) -> ComposeResult:
        """Header, summary line, the table, the highlighted commitment's details, footer."""
        yield ConsistencyHeader("Commitments")
        yield Static("Loading…", id="commitments-summary", classes="summary", markup=False)
        table: DataTable[str | Text] = DataTable(id="commitments-table", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield Static("", id="commitment-detail", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        """Columns, then read."""
        table = self.query_one("#commitments-table", DataTable)
        # Status before the free text, so a long promise never pushes it off screen.
        for label, key, width in (("Due", "due", 10), ("Status", "status", 17),
                                  ("Who", "owner", 6), ("Client", "client", 16),
                                  ("Commitment", "text", None)):
            table.add_column(Text(label), key=key, width=width)  # no markup parse
        self.reload()

    def on_resize(self) -> None:
        """Refill, so the commitment text takes the new width."""
        if self.today is not None:
            self.call_after_refresh(self.fill)

    def on_screen_resume(self) -> None:
        """Another screen may have changed commitments: read again when shown."""
        if self.today is not None:
            self.reload()

    # Loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the open commitments again (worker)."""
        self.load_commitments()

    @db_work("commitments-load", verb="load")
    def load_commitments(self) -> None:
        """One snapshot of the caseload; filtering by owner happens on screen."""
        session = session_of(self)
        snapshot = overview.load_snapshot(session)
        deliver(self, self.show_rows, overview.open_commitments(session, snapshot),
                snapshot.now.date())

    def show_rows(self, rows: list[CommitmentRow], today: date) -> None:
        """Keep every row; show the ones the owner filter lets through."""
        self.all_rows, self.today = rows, today
        self.fill()

    def fill(self) -> None:
        """Fill the table from `all_rows`, keeping the highlighted commitment highlighted."""
        table = self.query_one("#commitments-table", DataTable)
        current = self.current_row()
        shown = [r for r in self.all_rows
                 if self.owner is None or r.commitment.owner is self.owner]
        self.rows = {str(r.id): r for r in shown}
        today = self.today or date.today()
        table.clear()
        fit_last_column(table)
        alike = AlikeTexts()  # dates, statuses and owners repeat: one Text each
        for row in shown:
            c = row.commitment
            table.add_row(alike.text(day_text(c.due, today)),
                          alike.same(status_text(c, row.days_overdue)),
                          alike.text(owner_word(c.owner)), Text(row.client_name), Text(c.text),
                          key=str(row.id))
        if current is not None and str(current.id) in self.rows:
            table.move_cursor(row=table.get_row_index(str(current.id)))
        self.query_one("#commitments-summary", Static).update(self.summary_text(shown))
        self.show_detail()

    def summary_text(self, shown: list[CommitmentRow]) -> str:
        """"5 open · ! 2 overdue · showing both (o to change)"."""
        if not self.all_rows:
            return "No open commitments: nothing promised is waiting. a adds one."
        overdue = sum(1 for r in shown if r.overdue)
        words = f"{len(shown)} open" + (f" · ! {overdue} overdue" if overdue else "")
        return f"{words} · showing {FILTER_WORDS[self.owner]} (o to change)"

    # The highlighted row -----------------------------------------------------------------

    def current_row(self) -> CommitmentRow | None:
        """The highlighted commitment row, if any."""
        table = self.query_one("#commitments-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # the cursor is out of range while the table refills
            return None
        return self.rows.get(key or "")

    def highlighted_commitment(self) -> tuple[CommitmentFact, str] | None:
        """For the shared commitment actions."""
        row = self.current_row()
        return None if row is None else (row.commitment, row.client_name)

    @on(DataTable.RowHighlighted, "#commitments-table")
    def show_detail(self) -> None:
        """Under the table: when it was made, its due-date history, its note."""
        row = self.current_row()
        detail = self.query_one("#commitment-detail", Static)
        if row is None:
            detail.update("")
            return
        c, today = row.commitment, self.today or date.today()
        parts = [f"{owner_word(c.owner)} will: {c.text}",
                 f"{row.client_name} ({row.record_number})",
                 f"made {short_day(c.made_on)}", f"due {describe_date(c.due, today)}"]
        if c.history:
            parts.append(history_text(c))
        if c.note:
            parts.append(f"note: {c.note}")
        detail.update(" · ".join(parts))

    # Commands ----------------------------------------------------------------------------

    def action_commitment_add(self) -> None:
        """Add a commitment for any client."""
        self.app.push_screen(CommitmentFormScreen(), self._added)

    def _added(self, fact: CommitmentFact | None) -> None:
        if fact is not None:
            self.notify(f"Added: {owner_word(fact.owner)} will: {fact.text}", timeout=3)
            self.reload()
            refresh_header(self)

    def action_commitment_owner_filter(self) -> None:
        """Both owners → yours → the clients' → both."""
        self.owner = FILTERS[(FILTERS.index(self.owner) + 1) % len(FILTERS)]
        self.fill()

    async def action_commitment_open_client(self) -> None:
        """Open the highlighted commitment's client."""
        row = self.current_row()
        if row is None:
            self.notify("Highlight a commitment first.", severity="warning")
            return
        await self.app.run_action(f"open_client({row.client_id})")

    @on(DataTable.RowSelected, "#commitments-table")
    async def _row_selected(self, event: DataTable.RowSelected) -> None:
        """A click on the highlighted row opens its client, like Enter."""
        event.stop()
        await self.action_commitment_open_client()
