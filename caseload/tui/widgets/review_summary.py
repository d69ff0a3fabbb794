"""Review step 4, "Summary", and the read-only view of a past review.

The week's figures beside the previous four weeks, each with a sparkline of the five weeks
(and, in a live review, the last 12), the flagged clients reviewed and their focus lines, and
what was decided. Rendered from a `ReviewSummary`, the same record a finished review is saved as,
so a past review reads exactly as it did when it was finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Static

from caseload.domain.metrics import Figures, Ratio, Window
from caseload.domain.text import initials
from caseload.services.review_record import ReviewSummary, figure_sparkline
from caseload.tui.commands import Command, bindings

FIGURE_ROWS = (
    ("counselor_reliability", "You held"),
    ("counselor_follow_through", "Your promises"),
    ("client_attendance", "Attendance"),
    ("client_follow_through", "Their promises"),
    ("checkin_regularity", "Check-ins"),
)
EXPORT_COMMAND = Command("review_export", "e", "Export",
                        tooltip="Write the Markdown supervision report (initials only) "
                                "to a private file")
SUMMARY_COMMANDS = (
    Command("review_finish", "space", "Finish", key_display="␣",
            tooltip="Save this summary as the week's review record"),
    EXPORT_COMMAND,
)


def notify_exported(node: DOMNode, path: Path) -> None:
    """Say where the supervision report went (the file is the counselor's own, 0600)."""
    node.app.notify(f"Supervision report written (only you can read it): {path}",
                title="Exported", timeout=12)


def _cell(r: Ratio) -> str:
    return f"{r.numerator}/{r.denominator}" if r.denominator else "—"


def figures_table(summary: ReviewSummary,
                  trend: Sequence[tuple[Window, Figures]] = ()) -> Table:
    """This week and the previous four, with a sparkline of those five (and of `trend`)."""
    weeks = [*summary.previous, (summary.week, summary.figures)]
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("", no_wrap=True)
    for window, _ in summary.previous:
        table.add_column(f"{window.start.day} {window.start:%b}", justify="right", no_wrap=True)
    table.add_column("this wk", justify="right", style="bold", no_wrap=True)
    table.add_column("5 wk", no_wrap=True)
    if trend:
        table.add_column(f"{len(trend)} wk", no_wrap=True)
    for key, label in FIGURE_ROWS:
        cells = [_cell(getattr(f, key)) for _, f in weeks]
        sparks = [figure_sparkline(weeks, key)]
        if trend:
            sparks.append(figure_sparkline(trend, key))
        table.add_row(label, *cells, *sparks)
    return table


def _who(name: str, record: str, use_initials: bool) -> str:
    return f"{initials(name) if use_initials else name} ({record})" if name else ""


def summary_renderable(summary: ReviewSummary, trend: Sequence[tuple[Window, Figures]] = (),
                       *, use_initials: bool = False) -> RenderableType:
    """The whole summary, top to bottom."""
    last_day = summary.week.end - timedelta(days=1)
    head = Text(f"Week {summary.week.start.day} {summary.week.start:%b} – "
                f"{last_day.day} {last_day:%b %Y}", style="bold")
    head.append(f" · streak {summary.streak_weeks} week"
                f"{'s' if summary.streak_weeks != 1 else ''}")
    state = "✓ saved" if summary.finished_at is not None else "not saved yet (space saves)"
    head.append(f" · {state}")
    counts = Text(f"Reviewed {summary.reviewed} of {len(summary.clients)} flagged · "
                  f"{summary.outcomes_recorded} outcome"
                  f"{'s' if summary.outcomes_recorded != 1 else ''} recorded")
    if summary.needs_outcome_left:
        counts.append(f" · ? {summary.needs_outcome_left} still need an outcome")
    parts: list[RenderableType] = [head, figures_table(summary, trend), counts]
    decided = Text("Decided", style="bold underline")
    parts.append(decided)
    if not summary.decisions:
        parts.append(Text("  nothing changed during the review"))
    for d in summary.decisions:
        who = _who(d.client_name, d.record_number, use_initials)
        parts.append(Text(f"  • {who + ': ' if who else ''}{d.text}"))
    focus = summary.focus_lines()
    if focus:
        parts.append(Text("Focus for next week", style="bold underline"))
        parts += [Text(f"  • {_who(c.name, c.record_number, use_initials)}: {c.focus}")
                  for c in focus]
    return Group(*parts)


class SummaryView(VerticalScroll):
    """A scrollable summary (the step and the read-only record both use it)."""

    def compose(self) -> ComposeResult:
        """One Static holds the summary."""
        yield Static("Loading…", classes="review-summary")

    def show(self, summary: ReviewSummary, trend: Sequence[tuple[Window, Figures]] = ()
             ) -> None:
        """Render `summary` (and the 12-week trend, when given)."""
        self.query_one(Static).update(summary_renderable(summary, trend))


class SummaryStep(SummaryView):
    """The last step: space saves the review, e exports the supervision report."""

    BINDINGS = bindings(*SUMMARY_COMMANDS)

    class Requested(Message):
        """Finish or export."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def focus_table(self) -> None:
        """Take the keys (the summary scrolls with the arrows)."""
        self.focus()

    def action_review_finish(self) -> None:
        """Save the review."""
        self.post_message(self.Requested("finish"))

    def action_review_export(self) -> None:
        """Export the supervision report."""
        self.post_message(self.Requested("export"))
