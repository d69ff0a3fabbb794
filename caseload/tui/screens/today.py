"""Today: past sessions still needing an outcome, then today's, one key per outcome.

The table's rows are `services.overview.AppointmentRow` values. A key on the highlighted row
starts a save worker, passing the version the row showed; when it succeeds the screen reloads
(rows and the week's header) from a fresh snapshot, so what is shown is always what is stored.
On failure nothing is saved, the one failure handler (`workers.report_failure`) shows why, and
the screen reads the day again (a session changed in another session is refused, then shown as
it now is).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey

from caseload.domain.dates import describe_datetime
from caseload.domain.records import Outcome, Party
from caseload.services import appointments, overview
from caseload.services.overview import AppointmentRow, TodayView, WeekHeader
from caseload.tui.commands import Command, bindings
from caseload.tui.late import describe_late, parse_late
from caseload.tui.whole_frame import WholeFrameAfterBatch
from caseload.tui.widgets.alike import AlikeTexts
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader, share_header
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

OUTREACH_TEXT = "Reach out after the missed session"
RELOAD_SECONDS = 300  # sessions pass their end while the app is open: "needs outcome" moves

OUTCOME_COMMANDS = (
    Command("mark_kept", "k", "Kept", action="record('kept')",
            tooltip="The session happened"),
    Command("mark_no_show", "n", "No show", action="record('no_show')",
            tooltip="The client did not come and gave no notice"),
    Command("mark_late_cancel", "l", "Late cxl", action="record('late_cancel')",
            tooltip="The client cancelled inside the notice window"),
    Command("mark_client_cancelled", "c", "Client cxl", action="record('client_cancelled')",
            tooltip="The client cancelled with notice"),
    Command("mark_counselor_cancelled", "x", "I cxl", action="record('counselor_cancelled')",
            tooltip="You or the clinic cancelled"),
    Command("reschedule", "r", "Move", tooltip="Move the session to a new date and time"),
    Command("late_minutes", "m", "Late min",
            tooltip="Kept, with minutes late: 'client 5', 'counselor 10'"),
)
TODAY_COMMANDS = OUTCOME_COMMANDS + (
    # Priority: the table would otherwise take Enter for itself (and hide it from help).
    Command("open_row_client", "enter", "Client", show=False, priority=True,
            tooltip="Open the highlighted session's client"),
    Command("check_in_row", "i", "Check-in", show=False,
            tooltip="Record the client's check-in scores for the highlighted session"),
    Command("commit_for_row", "o", "Commitment", show=False,
            tooltip="Add a commitment (e.g. an outreach call) for the highlighted client"),
    Command("add_client", "plus", "Add client", action="app.add_client", key_display="+",
            show=False, tooltip="Add a client to your caseload"),
)

GREETING = """\
[b]Welcome to Caseload.[/b] Your caseload is empty.

First, add your first client: press [b]+[/b].
Their sessions, outcomes, commitments and check-ins then show up here.

Just looking? Quit with [b]q[/b] and run [b]caseload --demo[/b] for a caseload of fictional clients.
Keys for every screen: [b]F1[/b] (or [b]?[/b]); every command: [b]Ctrl+P[/b]."""

NO_SESSIONS = "No sessions today, and nothing waiting for an outcome."
COLUMNS = (("When", "when"), ("Client", "client"), ("Record", "record"), ("Outcome", "outcome"))


def column_width(label: str, cells: list[str | Text]) -> int:
    """The width a column needs for its label and every cell."""
    return max([cell_len(label)] + [cell_len(str(getattr(c, "plain", c))) for c in cells])


def when_text(row: AppointmentRow, day: date) -> str:
    """Today's rows show the time; older ones the day as well."""
    if row.start.date() == day:
        return f"{row.start:%H:%M}–{row.end:%H:%M}"
    return f"{row.start:%a} {row.start.day} {row.start:%b} {row.start:%H:%M}"


def outcome_text(row: AppointmentRow) -> Text:
    """Symbol and word, so an outcome never depends on colour."""
    if row.needs_outcome:
        return Text("? needs outcome", style="bold")
    text = Text(f"{row.outcome.symbol} {row.outcome.label}")
    if row.outcome is Outcome.KEPT:
        late = describe_late(row.client_late_min, row.counselor_late_min)
        if late:
            text.append(f" · {late}")
    if row.outcome is Outcome.RESCHEDULED and row.requested_by is not None:
        text.append(" by client" if row.requested_by is Party.CLIENT else " by you")
    return text


class SessionTable(DataTable[str | Text]):
    """Today's sessions; a recorded outcome repaints its own row only.

    `DataTable.update_cell` repaints every visible row (its render caches are all keyed by one
    update counter, and it refreshes the whole widget). Recording an outcome changes one row's
    cells and no column width, so only that row's lines need drawing again (issue 7: key to
    repainted row within 30 ms).
    """

    def replace_row(self, row_key: str, cells: Sequence[str | Text]) -> None:
        """Give the row `row_key` these cells (one per column, the columns' widths unchanged)
        and repaint that row's lines only."""
        key = RowKey(row_key)
        values = self._data[key]
        for column, value in zip(self.ordered_columns, cells, strict=True):
            values[column.key] = value
        # What update_cell does, but for the row's region rather than the whole widget: the
        # bumped counter retires every cached rendering, so any row drawn later is drawn anew;
        # the other rows on screen are unchanged and need no drawing now.
        self._update_count += 1
        self.refresh_row(self.get_row_index(key))


class TodayScreen(WholeFrameAfterBatch[None]):
    """The default screen: what happened today, recorded with one key per session."""

    SUB_TITLE = "Today"
    BINDINGS = bindings(*TODAY_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, AppointmentRow] = {}
        self.day: date | None = None
        self.outreach_suggested: set[int] = set()  # clients just flagged for repeated no-shows
        self.widths: list[int] = []  # the table's column widths as last filled
        self.summary = ""  # the line above the table as last shown
        self.shown_before = False  # set by the first ScreenResume
        self.reads = itertools.count(1)  # numbers each read as it begins (`show_read`)
        self.shown_read = 0  # the number of the read on screen

    def compose(self) -> ComposeResult:
        """Header, the day line, the sessions (or a greeting), footer."""
        yield ConsistencyHeader("Today", id="today-header")
        with Vertical(id="today-body"):
            yield Static("", id="today-summary", classes="summary")
            table = SessionTable(id="today-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static(GREETING, id="today-empty", classes="greeting")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Show the day read before the app started (`cli._read_today`), or read it.

        The start-up read is in the first frame: no frame without the day, no second read
        (issue 7: cold start). Without one (or if it failed) the screen reads the day itself,
        and says why if that fails.
        """
        self.query_one("#today-empty").display = False
        self.set_interval(RELOAD_SECONDS, self.reload)
        first = getattr(self.app, "take_first_view", lambda: None)()
        if first is not None:
            self.show_read(first, next(self.reads))
        else:
            self.reload()

    ROW_ACTIONS = frozenset({"record", "reschedule", "late_minutes", "open_row_client",
                             "check_in_row", "commit_for_row"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Row commands are hidden (footer) and off while there is no session to act on."""
        if action in self.ROW_ACTIONS and not self.rows:
            return False
        return True

    def on_screen_resume(self) -> None:
        """Another screen may have changed things: read again when shown again (the first
        time, right after mount, the day has just been read)."""
        if self.shown_before and self.day is not None:
            self.reload()
        self.shown_before = True

    # Loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the sessions and the week's figures again (in a worker)."""
        self.load_today()

    @db_work("today-load", verb="load")
    def load_today(self) -> None:
        """Worker: one snapshot gives the rows and the header."""
        read_at = next(self.reads)
        deliver(self, self.show_read, overview.today_view(session_of(self)), read_at)

    def show_read(self, view: TodayView, read_at: int) -> None:
        """Show a day read in a worker, unless a read begun after it is already shown.

        Reads (a reload, each save's read back) run in threads and may arrive in any order;
        the one begun last has seen every write committed before it began.
        """
        if read_at > self.shown_read:
            self.shown_read = read_at
            self.show_rows(view)

    def show_rows(self, view: TodayView) -> None:
        """Fill the table, keeping the highlighted session highlighted."""
        rows, empty, day = view.rows, view.empty, view.day
        self.app_header(view.header)
        self.day = day
        table = self.query_one("#today-table", SessionTable)
        current = self.current_row()
        cursor = table.cursor_row
        had_rows = bool(self.rows)
        alike = AlikeTexts()  # times and outcomes repeat: one Text each
        cells = [(alike.text(when_text(row, day)), Text(row.client_name),
                  Text(row.record_number), alike.same(outcome_text(row))) for row in rows]
        # Widths computed here: DataTable's own auto-width can paint stale cells on a refill.
        widths = [column_width(label, [c[index] for c in cells])
                  for index, (label, _key) in enumerate(COLUMNS)]
        keys = [str(r.id) for r in rows]
        if (keys == list(self.rows) and table.row_count == len(keys) and self.widths
                and all(n <= w for n, w in zip(widths, self.widths, strict=True))):
            # The same sessions, and every cell fits the columns as they are (after recording
            # an outcome): only the changed rows are updated and repainted. The columns keep
            # their widths while the same sessions are listed (an outcome narrower than the
            # one it replaces leaves its column as wide), so the table is not laid out and
            # drawn again (issue 7: key to repainted row within 30 ms).
            for row, row_cells in zip(rows, cells, strict=True):
                if self.rows[str(row.id)] != row:
                    table.replace_row(str(row.id), row_cells)
            self.rows = dict(zip(keys, rows, strict=True))
        else:
            self.rows = dict(zip(keys, rows, strict=True))
            self.widths = widths
            table.clear(columns=True)
            for (label, key), width in zip(COLUMNS, widths, strict=True):
                table.add_column(Text(label), key=key, width=width)  # no markup parse
            for row, row_cells in zip(rows, cells, strict=True):
                table.add_row(*row_cells, key=str(row.id))
            if current is not None and str(current.id) in self.rows:
                table.move_cursor(row=table.get_row_index(str(current.id)))
            elif rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        empty_view = self.query_one("#today-empty")
        if empty_view.display != empty:  # setting it at all lays the screen out again
            empty_view.display = empty
        if table.display == empty:
            table.display = not empty
        summary = self.summary_text(rows, day, empty)
        if summary != self.summary:  # Static.update lays the screen out again
            self.summary = summary
            self.query_one("#today-summary", Static).update(summary)
        if bool(self.rows) != had_rows:  # check_action depends on whether there are rows
            self.refresh_bindings()

    def app_header(self, header: WeekHeader) -> None:
        """Share the freshly computed figures with every header."""
        share_header(self.app, header)

    @staticmethod
    def summary_text(rows: list[AppointmentRow], day: date, empty: bool) -> str:
        """The line above the table: the date and what is waiting."""
        heading = f"{day:%A} {day.day} {day:%B} {day.year}"
        if empty:
            return heading
        todays = sum(1 for r in rows if r.start.date() == day)
        waiting = sum(1 for r in rows if r.needs_outcome)
        parts = [heading, f"{todays} session{'s' if todays != 1 else ''} today"]
        if waiting:
            parts.append(f"? {waiting} need{'s' if waiting == 1 else ''} an outcome")
        elif not rows:
            return f"{heading} · {NO_SESSIONS}"
        return " · ".join(parts)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        # A stale record (changed in another session) or a refused write: show what is stored
        # now, with each row's current version, so the next key acts on that.
        if event.group.startswith("today-save"):
            self.reload()

    # The highlighted row ---------------------------------------------------------------------

    def current_row(self) -> AppointmentRow | None:
        """The highlighted session, if any."""
        table = self.query_one("#today-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # an out-of-range cursor while the table refills
            return None
        return self.rows.get(key or "")

    def _row_or_hint(self) -> AppointmentRow | None:
        row = self.current_row()
        if row is None:
            self.notify("No session is highlighted.", severity="warning")
        return row

    # Outcomes --------------------------------------------------------------------------------

    def action_record(self, outcome: str) -> None:
        """Record an outcome on the highlighted session."""
        row = self._row_or_hint()
        if row is not None:
            self.save_outcome(row, Outcome(outcome))

    @db_work("today-save")
    def save_outcome(self, row: AppointmentRow, outcome: Outcome, client_late: int = 0,
                     counselor_late: int = 0) -> None:
        """Worker: write the outcome, then read the day back; suggest outreach after repeated
        no-shows.

        The read back is in this worker, not a second one: the write has just patched the
        cached caseload (store.cache), so the rows and the header come from memory and reach the
        screen with the confirmation in one step (issue 7: key to repainted row within 30 ms).
        """
        session = session_of(self)
        appointments.record_outcome(session, row.id, outcome, client_late_min=client_late,
                                    counselor_late_min=counselor_late,
                                    expected_version=row.version)
        shown: TodayView | None = None
        streak = 0
        read_at = next(self.reads)  # after the commit: this read sees this save
        try:
            snapshot = overview.load_snapshot(session)
            streak = no_show_streak(snapshot, row.client_id) if outcome is Outcome.NO_SHOW else 0
            shown = overview.today_view(session, snapshot)
        except Exception:  # noqa: BLE001 - saved already: never "Not saved"; the screen reads again
            shown = None
        deliver(self, self.outcome_saved, row, outcome, streak, shown, read_at)

    def outcome_saved(self, row: AppointmentRow, outcome: Outcome, streak: int,
                      shown: TodayView | None = None, read_at: int = 0) -> None:
        """Show the day as saved, then confirm; suggest outreach after repeated no-shows.

        With two keys in quick succession, the read back begun last shows the day
        (`show_read`): it has seen both saves, whichever order the workers finish in.
        """
        if shown is None:
            self.reload()
        else:
            self.show_read(shown, read_at)
        session = session_of(self)
        # The toast after the row's frame: the row and the header are what the counselor reads.
        if outcome is Outcome.NO_SHOW and streak >= session.settings.no_show_streak:
            self.outreach_suggested.add(row.client_id)
            self.call_after_refresh(
                self.notify, f"{row.client_name}: {streak} no-shows in a row. Reach out? "
                "Press o to add a commitment for an outreach call.", title="Outreach",
                timeout=12)
        else:
            self.call_after_refresh(self.notify, f"{outcome.symbol} {outcome.label}", timeout=2)

    def action_late_minutes(self) -> None:
        """Ask for late minutes; saves the session as kept with them."""
        row = self._row_or_hint()
        if row is None:
            return
        current = (row.client_late_min, row.counselor_late_min)

        def preview(text: str) -> str:
            client, counselor = parse_late(text, current)
            return f"kept · {describe_late(client, counselor) or 'nobody late'}"

        def typed(text: str | None) -> None:
            if text is not None:
                client, counselor = parse_late(text, current)
                self.save_outcome(row, Outcome.KEPT, client, counselor)

        from caseload.tui.screens.modals import TextPromptScreen  # when asked for: not at start

        self.app.push_screen(TextPromptScreen(
            f"Minutes late — {row.client_name}, {when_text(row, self.day or row.start.date())}",
            "client 5  ·  counselor 10", preview), typed)

    def action_reschedule(self) -> None:
        """Ask for the new date and time and who asked, then move the session."""
        row = self._row_or_hint()
        if row is not None:
            self.reschedule_dialog(row)

    @work(exclusive=True, group="today-dialog")
    async def reschedule_dialog(self, row: AppointmentRow) -> None:
        """The two questions of a reschedule, one after the other."""
        from caseload.tui.screens.modals import (  # when asked for: not at start-up
            Choice,
            ChoiceScreen,
            TextPromptScreen,
            datetime_preview,
            parse_local_datetime,
        )

        session = session_of(self)
        text = await self.app.push_screen_wait(TextPromptScreen(
            f"Move {row.client_name}'s session of {when_text(row, session.today())} to",
            "fri 2pm · tomorrow 9:00 · 2026-12-04 14:30", datetime_preview(session)))
        if text is None:
            return
        who = await self.app.push_screen_wait(ChoiceScreen(
            "Who asked to move it?",
            [Choice("c", "The client", Party.CLIENT),
             Choice("m", "Me (counts against my reliability)", Party.COUNSELOR)]))
        if who is None:
            return
        self.save_reschedule(row, parse_local_datetime(session, text), who)

    @db_work("today-save-move")
    def save_reschedule(self, row: AppointmentRow, new_start: datetime, who: Party) -> None:
        """Worker: move the session."""
        session = session_of(self)
        _old, new = appointments.reschedule(session, row.id, new_start, who,
                                            expected_version=row.version)
        deliver(self, self.rescheduled, new.start)

    def rescheduled(self, start: datetime) -> None:
        """Confirm where the session went and reload."""
        session = session_of(self)
        where = describe_datetime(start.astimezone(session.tz), session.today())
        self.notify(f"→ moved to {where}")
        self.reload()

    # Other screens ---------------------------------------------------------------------------

    async def action_open_row_client(self) -> None:
        """Open the highlighted session's client."""
        row = self._row_or_hint()
        if row is not None:
            await self.app.run_action(f"open_client({row.client_id})")

    @on(DataTable.RowSelected, "#today-table")
    async def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.action_open_row_client()

    async def action_check_in_row(self) -> None:
        """Record the check-in for the highlighted session."""
        row = self._row_or_hint()
        if row is not None:
            await self.app.run_action(f"check_in({row.client_id}, {row.id})")

    async def action_commit_for_row(self) -> None:
        """Add a commitment for the highlighted client."""
        row = self._row_or_hint()
        if row is not None:
            text = OUTREACH_TEXT if row.client_id in self.outreach_suggested else ""
            await self.app.run_action(f"add_commitment({row.client_id}, {text!r})")



def no_show_streak(snapshot: overview.Snapshot, client_id: int) -> int:
    """How many of the client's latest attended-or-missed sessions in a row were no-shows."""
    history = snapshot.history(client_id)
    if history is None:
        return 0
    counted = [a for a in history.appointments
               if a.outcome in (Outcome.KEPT, Outcome.NO_SHOW, Outcome.LATE_CANCEL)]
    counted.sort(key=lambda a: a.start)
    streak = 0
    for appointment in reversed(counted):
        if appointment.outcome is not Outcome.NO_SHOW:
            break
        streak += 1
    return streak
