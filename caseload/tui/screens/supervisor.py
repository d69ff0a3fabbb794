"""The team view: each counselor's figures side by side over 12 weeks, read-only.

    Team · last 12 weeks (31 Aug – 22 Nov 2026) · read-only
    Counselor        Clients  Reliability      Follow-through   Attendance       Check-ins
    Dana Whitfield        14  95 % ▇▇█▇██▇█…  88 % ▅▇█▆…        91 % …           80 % …

Enter opens the counselor's latest weekly review summary, exactly as it was saved. Nothing here
writes: a supervisor's session is read-only, and on a clinic database the server refuses a
supervisor's writes anyway.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from caseload.domain.metrics import Ratio
from caseload.services import team
from caseload.services.review_record import ReviewSummary
from caseload.services.team import CounselorRow, TeamView
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader
from caseload.tui.widgets.review_summary import SummaryView
from caseload.tui.workers import db_work, deliver, session_of

TEAM_COMMANDS = (
    Command("team_open_review", "enter", "Review summary",
            tooltip="The highlighted counselor's latest weekly review, read-only"),
    Command("team_back", "escape", "Back", tooltip="Back to the previous screen"),
)
SUMMARY_COMMANDS = (
    Command("team_summary_back", "escape", "Back", tooltip="Back to the team"),
)
FIGURES = (
    ("counselor_reliability", "Reliability"),
    ("counselor_follow_through", "Follow-through"),
    ("client_attendance", "Attendance"),
    ("checkin_regularity", "Check-ins"),
)


def figure_cell(row: CounselorRow, key: str) -> Text:
    """'95 % ▇▇█▇' : the 12-week figure, then its week-by-week trend."""
    ratio: Ratio = getattr(row.figures, key)
    text = Text(f"{ratio.percent:>5} ")
    text.append(row.trend(key))
    return text


def period_text(view: TeamView) -> str:
    last = view.weeks[-1]
    first = view.weeks[0]
    return (f"Team · last {len(view.weeks)} weeks ({first.start:%d %b} – "
            f"{last.start:%d %b %Y}) · read-only")


class SupervisorScreen(Screen[None]):
    """The team's figures; Enter drills into a counselor's review summary."""

    SUB_TITLE = "Team"
    BINDINGS = bindings(*TEAM_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.view: TeamView | None = None

    def compose(self) -> ComposeResult:
        """Header, the period, the table, footer."""
        yield ConsistencyHeader("Team")
        yield Static("Team · loading…", id="team-period", classes="summary")
        table: DataTable[object] = DataTable(id="team-table", cursor_type="row",
                                             zebra_stripes=True)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        """Columns, then the figures (worker)."""
        table = self.query_one(DataTable)
        table.add_column("Counselor", key="name", width=20)
        table.add_column("Clients", key="clients")
        for key, label in FIGURES:
            table.add_column(label, key=key)
        table.add_column("Last review", key="review")
        table.focus()
        self.load_team()

    @db_work("team-load", verb="load")
    def load_team(self) -> None:
        """Every counselor's figures (worker thread; six queries)."""
        deliver(self, self.show_team, team.team_view(session_of(self)))

    def show_team(self, view: TeamView) -> None:
        """Fill the table (UI thread)."""
        self.view = view
        self.query_one("#team-period", Static).update(period_text(view))
        table = self.query_one(DataTable)
        table.clear()
        for row in view.counselors:
            review = (f"week of {row.last_review.start:%d %b}" if row.last_review else "none")
            table.add_row(Text(row.name, no_wrap=True, overflow="ellipsis"),
                          str(row.active_clients),
                          *[figure_cell(row, key) for key, _ in FIGURES], review,
                          key=str(row.counselor_id))

    def _highlighted(self) -> CounselorRow | None:
        if self.view is None or not self.view.counselors:
            return None
        table = self.query_one(DataTable)
        index = min(max(table.cursor_row, 0), len(self.view.counselors) - 1)
        return self.view.counselors[index]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table takes Enter first)."""
        event.stop()
        self.action_team_open_review()

    def action_team_open_review(self) -> None:
        """Open the highlighted counselor's latest review summary."""
        row = self._highlighted()
        if row is not None:
            self.app.push_screen(TeamReviewScreen(row.counselor_id, row.name))

    def action_team_back(self) -> None:
        """Back to where the team view was opened from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class TeamReviewScreen(Screen[None]):
    """One counselor's latest finished review, read-only, as it was saved."""

    SUB_TITLE = "Review summary"
    BINDINGS = bindings(*SUMMARY_COMMANDS)

    def __init__(self, counselor_id: int, name: str) -> None:
        super().__init__()
        self.counselor_id = counselor_id
        self.counselor_name = name

    def compose(self) -> ComposeResult:
        """Header, whose review this is, the summary, footer."""
        yield ConsistencyHeader("Team › review")
        yield Static(f"{self.counselor_name}: latest weekly review · read-only",
                     id="team-review-title", classes="summary")
        yield SummaryView(id="team-review")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Read the saved summary (worker)."""
        self.query_one(SummaryView).focus()
        self.load_summary()

    @db_work("team-review-load", verb="load")
    def load_summary(self) -> None:
        """One counselor's latest finished review (worker thread)."""
        deliver(self, self.show_summary,
                team.latest_review(session_of(self), self.counselor_id))

    def show_summary(self, summary: ReviewSummary | None) -> None:
        """Render it, or say there is none yet (UI thread)."""
        if summary is None:
            self.query_one(SummaryView).query_one(Static).update(
                f"{self.counselor_name} has not finished a weekly review yet.")
            return
        self.query_one(SummaryView).show(summary)

    def action_team_summary_back(self) -> None:
        """Back to the team."""
        self.app.pop_screen()
