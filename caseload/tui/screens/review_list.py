"""Past weekly reviews: a list, and one finished review opened read-only.

Enter on a finished review opens its saved summary (`ReviewRecordScreen`), exactly as it was
saved; on an unfinished one it goes back to the review screen on that week, to resume it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from caseload.io import report
from caseload.services import review, weekly_review
from caseload.services.weekly_review import ReviewListItem, ReviewSummary
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader
from caseload.tui.widgets.review_clear import cursor_key
from caseload.tui.widgets.review_summary import EXPORT_COMMAND, SummaryView, notify_exported
from caseload.tui.widgets.timeline import day_text
from caseload.tui.workers import db_work, deliver, session_of

LIST_COMMANDS = (
    Command("review_open_past", "enter", "Open",
            tooltip="Open the highlighted review (read-only when finished)"),
    Command("review_list_back", "escape", "Back", tooltip="Back to the review"),
)
RECORD_COMMANDS = (
    EXPORT_COMMAND,
    Command("review_record_back", "escape", "Back", tooltip="Back to the list"),
)


def item_cells(item: ReviewListItem, today: date) -> tuple[str, Text, str]:
    """Week, state, counts."""
    week = f"{day_text(item.week.start, today)} {item.week.start.year}"
    if item.finished_at is not None:
        state = Text("✓ finished")
        counts = (f"reviewed {item.reviewed} of {item.flagged} · "
                  f"{item.decisions} decision{'s' if item.decisions != 1 else ''}")
    else:
        state = Text(f"… at {item.step.number} {item.step.label}", style="bold")
        counts = f"{item.flagged} flagged" if item.flagged else ""
    return week, state, counts


class ReviewListScreen(Screen[date | None]):
    """Every review of this counselor, the latest week first; dismisses a week to resume."""

    SUB_TITLE = "Past reviews"
    BINDINGS = bindings(*LIST_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, ReviewListItem] = {}

    def compose(self) -> ComposeResult:
        """Header, the list, footer."""
        yield ConsistencyHeader("Past reviews")
        yield Static("Enter opens a review: a finished one read-only, an unfinished one to "
                     "resume.", id="review-list-note", classes="summary")
        table: DataTable[str | Text] = DataTable(id="review-list", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        """Columns, then read."""
        table = self.query_one(DataTable)
        for label in ("Week of", "State", "Done"):
            table.add_column(label, key=label.lower())
        table.focus()
        self.load_list()

    @db_work("review-list-load", verb="load")
    def load_list(self) -> None:
        """One query (worker)."""
        session = session_of(self)
        deliver(self, self.show, weekly_review.list_reviews(session), session.today())

    def show(self, items: list[ReviewListItem], today: date) -> None:
        """Fill the table."""
        table = self.query_one(DataTable)
        table.clear()
        self.items = {str(i.id): i for i in items}
        for item in items:
            table.add_row(*item_cells(item, today), key=str(item.id))

    def highlighted(self) -> ReviewListItem | None:
        """The review under the cursor."""
        return self.items.get(cursor_key(self.query_one(DataTable)))

    def action_review_open_past(self) -> None:
        """Open the highlighted review."""
        item = self.highlighted()
        if item is None:
            return
        if item.finished_at is None:
            self.dismiss(item.week.start)
        else:
            self.app.push_screen(ReviewRecordScreen(item.id))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review_open_past()

    def action_review_list_back(self) -> None:
        """Back to the review."""
        self.dismiss(None)


class ReviewRecordScreen(Screen[None]):
    """One finished review, read-only, as it was saved."""

    SUB_TITLE = "Past review"
    BINDINGS = bindings(*RECORD_COMMANDS)

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.summary: ReviewSummary | None = None

    def compose(self) -> ComposeResult:
        """Header, the saved summary, footer."""
        yield ConsistencyHeader("Past review")
        yield Static("Read-only: a finished review is kept as it was saved.",
                     classes="summary")
        yield SummaryView(id="review-record")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Read the saved summary."""
        self.query_one(SummaryView).focus()
        self.load_record()

    @db_work("review-record-load", verb="load")
    def load_record(self) -> None:
        """One query (worker)."""
        deliver(self, self.show, weekly_review.open_review(session_of(self), self.review_id))

    def show(self, summary: ReviewSummary) -> None:
        """Render it."""
        self.summary = summary
        self.query_one(SummaryView).show(summary)

    def action_review_export(self) -> None:
        """Export the supervision report of that week."""
        if self.summary is not None:
            self.save_export(self.summary)

    @db_work("review-record-export", verb="export")
    def save_export(self, summary: ReviewSummary) -> None:
        """The week's report (its flags as they stand now) with the saved decisions (worker)."""
        session = session_of(self)
        week = review.week_report(session, summary.week.start,
                                  history_weeks=weekly_review.TREND_WEEKS - 1)
        text = report.to_markdown(week, use_initials=True, review=summary)
        deliver(self, self._exported, report.export_markdown(text, summary.week))

    def _exported(self, path: Path) -> None:
        notify_exported(self, path)

    def action_review_record_back(self) -> None:
        """Back to the list."""
        self.dismiss(None)
