"""Review step 2, "Get current": one flagged client's week on one screen, and what to do.

Shows the client (n of N, reviewed or not, the focus line), the flags with their reasons and
suggested actions, this week's figures and the alliance trend, then the week's sessions, the
open commitments both ways and the latest check-ins (the Client timeline's cells). Each key
asks the review screen for something (`CurrentStep.Requested`) with its target already chosen:
the highlighted row when it fits, else what the flags point at (the check-in not discussed,
the overdue commitment of yours, the next session), so most actions take one key.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from caseload.domain import instruments
from caseload.domain.flags import FlagCode
from caseload.domain.metrics import sparkline
from caseload.domain.records import Instrument, Outcome, Settings
from caseload.services.client_view import EntryKind, TimelineEntry
from caseload.services.review_record import figure_sparkline
from caseload.services.weekly_review import ClientWeek, NoteView
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.client_header import ratio
from caseload.tui.widgets.review_clear import cursor_key
from caseload.tui.widgets.table_fit import fit_last_column
from caseload.tui.widgets.timeline import entry_cells

CURRENT_COMMANDS = (
    Command("review_mark_reviewed", "space", "Reviewed", key_display="␣",
            tooltip="Mark this client reviewed and go to the next one"),
    Command("review_next_client", "n", "Next", tooltip="The next flagged client"),
    Command("review_prev_client", "p", "Prev", tooltip="The previous flagged client"),
    Command("review_focus", "f", "Focus", tooltip="A one-line focus for next week"),
    Command("review_commitment", "c", "Commit",
            tooltip="Add a commitment for this client, yours or theirs"),
    Command("review_book", "s", "Book", tooltip="Book one session: type the date and time"),
    Command("review_discussed", "a", "Discussed",
            tooltip="Mark the highlighted check-in (or the low one not discussed) discussed"),
    Command("review_done", "d", "Done", show=False,
            tooltip="Mark the highlighted commitment (or your overdue one) done today"),
    Command("review_move", "m", "Move", show=False,
            tooltip="Reschedule the highlighted session (or the next one), saying who asked"),
    Command("review_schedule", "S", "Schedule", key_display="S", show=False,
            tooltip="The full schedule form: a single session or a recurring series"),
    Command("review_open_client", "o", "Open client", show=False,
            tooltip="Open this client's screen (back with Esc)"),
    Command("review_handout", "H", "Handout", key_display="H", show=False,
            tooltip="The client's handout: appointments, who will do what by when, ratings"),
)

WHEN_WIDTH, STATUS_WIDTH = 16, 22
_COMMITMENT_FLAGS = (FlagCode.COUNSELOR_COMMITMENT_OVERDUE.value,
                     FlagCode.COUNSELOR_COMMITMENT_DUE.value,
                     FlagCode.CLIENT_COMMITMENT_OVERDUE.value)
_CHECKIN_FLAGS = (FlagCode.NOT_DISCUSSED.value, FlagCode.ALLIANCE_DROP.value,
                  FlagCode.ALLIANCE_BELOW_CUTOFF.value)


def title_line(week: ClientWeek, note: NoteView, index: int, count: int) -> Text:
    """"2 of 8 · Jordan Rivers (CL-1) · ✓ reviewed · focus: start on time"."""
    text = Text(f"{index + 1} of {count} · ")
    text.append(f"{week.client.name} ({week.client.record_number})", style="bold")
    text.append(" · ✓ reviewed" if note.reviewed else " · · not reviewed yet")
    text.append(f" · focus: {note.focus}" if note.focus else "")
    return text


def flag_lines(week: ClientWeek) -> Text:
    """One line per flag: badge, reason, and the suggested action."""
    if not week.flags:
        return Text("✓ Nothing flagged any more.")
    lines = []
    for flag in week.flags:
        line = Text(f"{flag.badge:<6} ", style="bold")
        line.append(f"{flag.reason} ")
        line.append(f"→ {flag.action}", style="italic")
        lines.append(line)
    return Text("\n").join(lines)


def figures_line(week: ClientWeek, settings: Settings) -> Text:
    """This week's figures and the latest session rating; then the 12-week trends."""
    f = week.figures
    text = Text("This week: ", style="bold")
    text.append(" · ".join((f"held {ratio(f.counselor_reliability)}",
                            f"promises {ratio(f.counselor_follow_through)}",
                            f"attended {ratio(f.client_attendance)}",
                            f"theirs {ratio(f.client_follow_through)}")))
    if week.alliance_trend:
        spec = instruments.SPECS[Instrument.SRS]
        text.append(" · SRS ")
        text.append(sparkline(week.alliance_trend, spec.total_low, spec.total_high))
        text.append(f" {instruments.format_score(week.alliance_trend[-1])}")
    if week.trend:
        text.append(f"\n{len(week.trend)} wk: ", style="bold")
        text.append(" · ".join(f"{words} {figure_sparkline(week.trend, key)}" for key, words in (
            ("counselor_reliability", "held"), ("counselor_follow_through", "promises"),
            ("client_attendance", "attended"))))
    return text


class CurrentStep(Vertical):
    """One flagged client at a time; n/p move, space marks reviewed and moves on."""

    BINDINGS = bindings(*CURRENT_COMMANDS)

    class Requested(Message):
        """An action on the client on screen, with its target (a fact) when it has one."""

        def __init__(self, action: str, week: ClientWeek | None,
                     target: object | None = None) -> None:
            super().__init__()
            self.action = action
            self.week = week
            self.target = target

    def __init__(self, settings: Settings, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.settings = settings
        self.week: ClientWeek | None = None
        self.now: datetime | None = None
        self.entries: dict[str, TimelineEntry] = {}

    def compose(self) -> ComposeResult:
        """Title, flags, figures, the week's lines."""
        yield Static("", id="client-title", classes="step-note")
        yield Static("", id="client-flags")
        yield Static("", id="client-figures", classes="summary")
        table: DataTable[str | Text] = DataTable(id="client-week", cursor_type="row",
                                                 zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        """The columns."""
        table = self.query_one(DataTable)
        table.add_column("When", key="when", width=WHEN_WIDTH)
        table.add_column("Status", key="status", width=STATUS_WIDTH)
        table.add_column("What", key="what")

    def show(self, week: ClientWeek | None, note: NoteView, index: int, count: int,
             now: datetime) -> None:
        """Show one client's week once the step has its size (or say nobody is flagged)."""
        self.call_after_refresh(self._fill, week, note, index, count, now)

    def _fill(self, week: ClientWeek | None, note: NoteView, index: int, count: int,
              now: datetime) -> None:
        same = self.week is not None and week is not None and week.client.id == self.week.client.id
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        self.week, self.now = week, now
        table.clear()
        self.entries = {}
        if week is None:
            self.query_one("#client-title", Static).update(
                "✓ No client is flagged this week. Space goes on to next week.")
            self.query_one("#client-flags", Static).update("")
            self.query_one("#client-figures", Static).update("")
            return
        self.query_one("#client-title", Static).update(title_line(week, note, index, count))
        self.query_one("#client-flags", Static).update(flag_lines(week))
        self.query_one("#client-figures", Static).update(figures_line(week, self.settings))
        fit_last_column(table)
        for entry in week.entries:
            key = f"{entry.kind.value}:{entry.id}"
            self.entries[key] = entry
            when, what, status = entry_cells(entry, now, self.settings)
            table.add_row(when, status, what, key=key)
        if not week.entries:
            return
        table.move_cursor(row=min(cursor, len(week.entries) - 1) if same else self._first_row())

    def _first_row(self) -> int:
        """The row the worst flag is about, else the first from today on."""
        week = self.week
        assert week is not None and self.now is not None
        keys = list(self.entries)
        for ref in week.refs():
            for kind in ("appointment", "commitment", "checkin"):
                if f"{kind}:{ref}" in self.entries:
                    return keys.index(f"{kind}:{ref}")
        today = self.now.date()
        return next((i for i, e in enumerate(week.entries) if e.day >= today), 0)

    def focus_table(self) -> None:
        """Put the keys on the table."""
        self.query_one(DataTable).focus()

    def _highlighted(self, kind: EntryKind) -> TimelineEntry | None:
        entry = self.entries.get(cursor_key(self.query_one(DataTable)))
        return entry if entry is not None and entry.kind is kind else None

    def _find(self, kind: EntryKind, ids: tuple[int, ...]) -> TimelineEntry | None:
        return next((self.entries[f"{kind.value}:{i}"] for i in ids
                     if f"{kind.value}:{i}" in self.entries), None)

    # Targets -------------------------------------------------------------------------------

    def checkin_target(self) -> TimelineEntry | None:
        """The highlighted check-in, else the one the flags point at, else the latest."""
        entry = self._highlighted(EntryKind.CHECKIN)
        if entry is not None:
            return entry
        if self.week is not None:
            found = self._find(EntryKind.CHECKIN, self.week.refs(*_CHECKIN_FLAGS))
            if found is not None:
                return found
        return next((e for e in reversed(list(self.entries.values()))
                     if e.checkin is not None and not e.checkin.discussed), None)

    def commitment_target(self) -> TimelineEntry | None:
        """The highlighted outstanding commitment, else the first overdue or due one."""
        entry = self._highlighted(EntryKind.COMMITMENT)
        if entry is not None and entry.commitment is not None \
                and entry.commitment.status.outstanding:
            return entry
        if self.week is None:
            return None
        return self._find(EntryKind.COMMITMENT, self.week.refs(*_COMMITMENT_FLAGS))

    def session_target(self) -> TimelineEntry | None:
        """The highlighted session still to come, else the client's next one."""
        entry = self._highlighted(EntryKind.APPOINTMENT)
        if (entry is not None and entry.appointment is not None
                and entry.appointment.outcome is Outcome.SCHEDULED):
            return entry
        upcoming = self.week.next_session if self.week is not None else None
        return self._find(EntryKind.APPOINTMENT, (upcoming.id,)) if upcoming else None

    # Actions -------------------------------------------------------------------------------

    def _ask(self, action: str, target: object | None = None) -> None:
        self.post_message(self.Requested(action, self.week, target))

    def _ask_client(self, action: str) -> None:
        if self.week is None:
            self.notify("No client on screen.", severity="warning")
        else:
            self._ask(action)

    def action_review_mark_reviewed(self) -> None:
        """Reviewed: on to the next client (or the next step)."""
        self._ask("reviewed")

    def action_review_next_client(self) -> None:
        """The next client."""
        self._ask("next")

    def action_review_prev_client(self) -> None:
        """The previous client."""
        self._ask("prev")

    def action_review_focus(self) -> None:
        """Ask for a focus line."""
        self._ask_client("focus")

    def action_review_commitment(self) -> None:
        """Add a commitment."""
        self._ask_client("commitment")

    def action_review_book(self) -> None:
        """Book one session."""
        self._ask_client("book")

    def action_review_schedule(self) -> None:
        """The full schedule form."""
        self._ask_client("schedule")

    def action_review_handout(self) -> None:
        """Show the client's handout."""
        self._ask_client("handout")

    def action_review_open_client(self) -> None:
        """Open the Client screen."""
        self._ask_client("open")

    def action_review_discussed(self) -> None:
        """Mark a check-in discussed."""
        entry = self.checkin_target()
        if entry is None or entry.checkin is None:
            self.notify("No check-in to mark discussed.", severity="warning")
        else:
            self._ask("discussed", entry.checkin)

    def action_review_done(self) -> None:
        """Mark a commitment done."""
        entry = self.commitment_target()
        if entry is None or entry.commitment is None:
            self.notify("Highlight an open commitment first.", severity="warning")
        else:
            self._ask("done", entry.commitment)

    def action_review_move(self) -> None:
        """Move a session."""
        entry = self.session_target()
        if entry is None or entry.appointment is None:
            self.notify("No session ahead to move: s books one.", severity="warning")
        else:
            self._ask("move", entry.appointment)

