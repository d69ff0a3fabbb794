"""Caseload: every client with attendance, follow-through both ways, alliance trend and flags.

One worker reads a snapshot and computes every client's row (`services.overview.ClientRow`),
active or not; filtering, sorting and showing inactive clients then happen in memory, and the
table is only rebuilt when what it shows actually changes.

Long lists are shown lazily (issue 7: a thousand clients to the first frame within 1.5 × a bare
Textual app): the first read shows the names at once (one query) while the figures are counted,
and the table takes the first `PAGE` rows at once and the rest after the frame is drawn
(DataTable measures every row it is given). Only the names are read before the first frame: the
figures are counted once it is on screen (the count would compete with it for the GIL), their
cells made in the worker too, and a row's placeholder cells only when the table takes the row.
The table re-renders only the rows a cursor move touches (`widgets.row_table`).

Reading and counting a long caseload leaves hundreds of thousands of new long-lived objects,
which owe the cyclic garbage collector a full pass; it runs at the next allocation past its
threshold, which on an idle screen is the counselor's next keys (≈ 0.1 s on the 1,000-client
list, issue 7, goal 10). Once the first counted list is all in the table and drawn, the screen
runs that pass itself (`collect_after_load`), once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import msgspec
from rich.cells import cell_len
from rich.console import JustifyMethod
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from caseload.domain.flags import flag_rank
from caseload.domain.metrics import Ratio, sparkline
from caseload.domain.records import ClientFact, ClientStatus
from caseload.services import clients, overview
from caseload.services.overview import ClientRow, WeekHeader
from caseload.tui.commands import Command, bindings
from caseload.tui.whole_frame import WholeFrameAfterBatch
from caseload.tui.widgets.alike import AlikeTexts
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader
from caseload.tui.widgets.row_table import RowCursorTable
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

FILTER_DELAY = 0.15  # seconds of typing pause before the table is filtered
SRS_TOP = 40.0
SRS_FLOOR = 32.0  # trends are drawn from here up (or from the client's lowest score, if lower)
TREND_POINTS = 6
FLAGS_WIDTH = 13

CASELOAD_COMMANDS = (
    Command("focus_filter", "slash", "Filter", key_display="/",
            tooltip="Filter by name, record number or flag"),
    Command("clear_filter", "escape", "Clear", show=False,
            tooltip="Clear the filter and go back to the list"),
    Command("next_sort", "s", "Sort", tooltip="Sort by the next column"),
    Command("reverse_sort", "S", "Reverse", show=False, tooltip="Reverse the sort order"),
    Command("toggle_inactive", "a", "All/active",
            tooltip="Show or hide on-hold and discharged clients"),
    # Priority: the table and the filter would otherwise take Enter (and hide it from help).
    Command("open_selected_client", "enter", "Open", priority=True,
            tooltip="Open the highlighted client (in the filter: go to the list)"),
    Command("add_client", "plus", "Add client", action="app.add_client", key_display="+",
            show=False, tooltip="Add a client to your caseload"),
)


def _ratio_key(r: Ratio) -> tuple[int, float]:
    return (0, r.value) if r.value is not None else (1, 0.0)


def _percent(r: Ratio) -> str:
    return r.percent.replace(" %", "%")


class Column(msgspec.Struct, frozen=True):
    """One table column: its key, two-line heading, width, and how to show and sort a row."""

    key: str
    label: str
    sublabel: str
    show: Callable[[ClientRow, date], str | Text]
    sort: Callable[[ClientRow], Any]
    width: int | None = None
    right: bool = False


def _name(row: ClientRow, _today: date) -> Text:
    text = Text(row.name, no_wrap=True, overflow="ellipsis")
    if row.status is not ClientStatus.ACTIVE:
        text.append(f" ({row.status.label})", style="italic")
    return text


def _alliance(row: ClientRow, _today: date) -> str:
    if row.latest_alliance is None:
        return "—"
    trend = row.alliance_trend[-TREND_POINTS:]
    low = min(min(trend), SRS_FLOOR)
    return f"{row.latest_alliance:4.1f} {sparkline(trend, low, SRS_TOP)}"


def _next(row: ClientRow, today: date) -> str:
    if row.next_appointment is None:
        return "none"
    when = row.next_appointment
    if when.date() == today:
        return f"today {when:%H:%M}"
    return f"{when:%a} {when.day} {when:%b}"


def _flags(row: ClientRow, _today: date) -> str:
    """Badges, worst first, as many as fit in the column; "+2" says how many more."""
    if not row.flags:
        return "·"
    badges = [f.badge for f in row.flags]
    shown = badges[0]
    for index, badge in enumerate(badges[1:], start=1):
        rest = len(badges) - index - 1
        candidate = f"{shown} {badge}"
        if len(candidate) + (len(f" +{rest}") if rest else 0) > FLAGS_WIDTH:
            return f"{shown} +{len(badges) - index}"
        shown = candidate
    return shown


COLUMNS = (
    Column("name", "Client", "", _name, lambda r: (r.name.lower(), r.id), width=16),
    Column("flags", "Flags", "", _flags, lambda r: flag_rank(r.flags) + (r.name.lower(),),
           width=FLAGS_WIDTH),
    Column("attendance", "Att", "12wk", lambda r, _t: _percent(r.attendance),
           lambda r: _ratio_key(r.attendance), right=True),
    Column("you", "You", "f/t", lambda r, _t: _percent(r.counselor_follow_through),
           lambda r: _ratio_key(r.counselor_follow_through), right=True),
    Column("them", "Cli", "f/t", lambda r, _t: _percent(r.client_follow_through),
           lambda r: _ratio_key(r.client_follow_through), right=True),
    Column("alliance", "SRS", "trend", _alliance,
           lambda r: (r.latest_alliance is None, r.latest_alliance or 0.0)),
    Column("next", "Next", "session", _next,
           lambda r: (r.next_appointment is None,
                      r.next_appointment.timestamp() if r.next_appointment else 0.0)),
    Column("record", "Record", "number", lambda r, _t: r.record_number,
           lambda r: r.record_number),
)


PAGE = 40  # rows given to the table before the first frame, at the least; more than a
# screenful (on a taller terminal, its height and a few more): each row is measured
CHUNK = 250  # rows added after each frame until the table holds them all
PENDING = "…"  # a figure still being counted
COUNT_DELAY = 0.05  # seconds after the names' frame before the figures are counted
# Seconds after a frame before the next chunk of rows: a frame is handed to Textual's writer
# thread, which needs the GIL to put it on the terminal; a chunk added at once (and the table
# drawn again) kept it waiting: the list's first frame reached the terminal ≈ 45 ms late.
FILL_DELAY = 0.03
START_POLL = 0.01  # seconds between looks for the end of the app's start-up
COUNT_WAIT = 2.0  # the longest the count waits for the names' frame


def collect_after_load() -> None:
    """The full garbage collection a long caseload's read and count made due."""
    gc.collect()


def name_row(client: ClientFact) -> ClientRow:
    """A client's row before their figures are counted."""
    return ClientRow(client.id, client.name, client.record_number, client.status, Ratio(),
                     Ratio(), Ratio(), None, (), None, None, ())


# Cells shown alike are one Text (`widgets.alike`): "…" while counting, and the figures many
# rows share ("100%", "·", "none", "Mon 7 Dec"). A thousand clients' eight cells were 2 MiB of
# Text. Names and record numbers are each a client's own.
_PENDING = AlikeTexts()
UNSHARED = frozenset({"name", "record"})


def pending_cells(row: ClientRow, today: date) -> list[Text]:
    """The name and record number now, every figure as "…"."""
    return [value if isinstance(value := column.show(row, today), Text)
            else Text(value) if column.key in UNSHARED
            else _PENDING.text(PENDING, "right" if column.right else "left")
            for column in COLUMNS]


def row_cells(row: ClientRow, today: date, alike: AlikeTexts | None = None) -> list[Text]:
    """A client's cells, as Text (numbers right-aligned); a figure reading as one in another
    row is the same Text (`alike`)."""
    cells: list[Text] = []
    for column in COLUMNS:
        value = column.show(row, today)
        if isinstance(value, str):
            justify: JustifyMethod = "right" if column.right else "left"
            if alike is None or column.key in UNSHARED:
                value = Text(value, justify=justify)
            else:
                value = alike.text(value, justify)
        cells.append(value)
    return cells


def column_widths(cells: list[list[Text]]) -> list[int]:
    """Each column's width: its fixed width, else its widest cell or heading."""
    return [column.width or max(
        [cell_len(column.label) + 1, cell_len(column.sublabel)]  # + 1: the sort mark
        + [cell_len(row[index].plain) for row in cells])
        for index, column in enumerate(COLUMNS)]


def pending_widths(rows: list[ClientRow]) -> list[int]:
    """`column_widths` of every row's `pending_cells`, without making them."""
    record = max((cell_len(row.record_number) for row in rows), default=0)
    return [column.width or max(cell_len(column.label) + 1, cell_len(column.sublabel),
                                record if column.key == "record" else cell_len(PENDING))
            for column in COLUMNS]


def counted_cells(rows: list[ClientRow], today: date
                  ) -> tuple[dict[int, list[Text]], list[int]]:
    """Every row's cells and the columns' widths (in the worker, off the UI thread)."""
    alike = AlikeTexts()
    cells = {row.id: row_cells(row, today, alike) for row in rows}
    return cells, column_widths(list(cells.values()))


def matches(row: ClientRow, words: list[str]) -> bool:
    """Whether every typed word is in the name, the record number or a flag badge/label."""
    haystack = " ".join([row.name, row.record_number]
                        + [f"{f.badge} {f.code.label}" for f in row.flags]).lower()
    return all(word in haystack for word in words)


class CaseloadScreen(WholeFrameAfterBatch[None]):
    """Every client at a glance; filter as you type, sort from the keyboard."""

    SUB_TITLE = "Caseload"
    BINDINGS = bindings(*CASELOAD_COMMANDS)
    HELP = ("Columns: Flags, worst first (+2: two more; see the legend below) · Att 12wk: "
            "attendance over 12 weeks · You f/t: your follow-through on commitments to this "
            "client · Cli f/t: the client's · SRS trend: the latest session rating and the last "
            "six · Next session. Percentages are '—' when nothing fell due.")

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[ClientRow] = []
        self.shown_ids: tuple[int, ...] | None = None
        self.sort_index = 0
        self.sort_reverse = False
        self.include_inactive = False
        self.today: date | None = None
        self._filter_timer: Any = None
        self.cells: dict[int, list[Text]] = {}  # made lazily for names (`_cells`)
        self.widths: list[int] = [len(column.label) + 1 for column in COLUMNS]
        self.counted = False  # the figures are in (not only the names)
        self._fill = 0  # bumped when the table is rebuilt: stops a lazy fill of the old rows
        self._names_shown = threading.Event()  # the count waits for the names' frame
        self._collected = False  # the collection due after the first long count has run

    def compose(self) -> ComposeResult:
        """Header, the filter, the table, a count line, footer."""
        yield ConsistencyHeader("Caseload", id="caseload-header")
        yield Input(placeholder="/ filter: name, record number or flag", id="caseload-filter")
        table: DataTable[str | Text] = RowCursorTable(id="caseload-table", cursor_type="row",
                                                      zebra_stripes=True, header_height=2)
        yield table
        yield Static("", id="caseload-count", classes="summary")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Read the caseload; the table starts focused (the filter only on request).

        The names are read here, before the first frame (one query: ≈ 4 ms for a thousand
        clients), so that frame lists them: read in a worker, they came after a first layout
        and render of an empty table. Should that read fail, the worker reads them again and
        says why.
        """
        self.query_one("#caseload-table", DataTable).focus()
        try:
            names = clients.list_clients(session_of(self))
        except Exception:  # noqa: BLE001 - the worker's read reports it
            self.load_names()
        else:
            self.show_names(names)
        # Started now (so it counts as running work), counting once the names are on screen.
        self.load_caseload(self._names_shown)

    def on_unmount(self) -> None:
        """Let a count still waiting for the names' frame go."""
        self._names_shown.set()

    def on_screen_resume(self) -> None:
        """Read again when shown: other screens may have changed figures or flags."""
        if self.today is not None:
            self.reload()

    # Loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every client's row again (in a worker)."""
        self.load_caseload()

    @db_work("caseload-names", verb="load")
    def load_names(self) -> None:
        """Worker: the clients' names (one query); the figures are counted after they show."""
        deliver(self, self.show_names, clients.list_clients(session_of(self)))

    @db_work("caseload-load", verb="load")
    def load_caseload(self, after: threading.Event | None = None) -> None:
        """Worker: one snapshot, every client's row (active or not), cells and the header.

        With `after`, first wait (without holding the GIL) until it is set: the first read waits
        for the names' frame, which the count would otherwise slow down.
        """
        if after is not None:
            after.wait(COUNT_WAIT)
        session = session_of(self)
        snapshot = overview.load_snapshot(session)
        rows = overview.caseload_rows(session, snapshot, include_inactive=True)
        header = overview.week_header(session, snapshot)
        today = snapshot.now.date()
        cells, widths = counted_cells(rows, today)
        deliver(self, self.show_loaded, rows, header, today, cells, widths)

    def show_names(self, facts: list[ClientFact]) -> None:
        """Show the clients before their figures, then count those once the frame is drawn."""
        if not self.counted:
            self.all_rows = [name_row(fact) for fact in facts]
            # Widths from every client, not only the visible ones: columns stay put while
            # filtering (and DataTable's auto-width can paint stale cells on a refill).
            self._show({}, pending_widths(self.all_rows))
        self._once_drawn(self.set_timer, COUNT_DELAY, self._names_shown.set)

    def _once_drawn(self, callback: Callable[..., object], *args: Any) -> None:
        """Run `callback(*args)` after the next frame that reaches the terminal.

        While the app starts, Textual composes frames inside a batch and writes none of them, so
        "after the next refresh" alone can come before anything is on screen.
        """
        app = self.app
        if getattr(app, "_running", True) and not getattr(app, "_batch_count", 0):
            self.call_after_refresh(callback, *args)
        else:
            self.set_timer(START_POLL, partial(self._once_drawn, callback, *args))

    @on(WorkFailed)
    def _names_failed(self, event: WorkFailed) -> None:
        if event.group == "caseload-names":  # count at once: the figures bring the names too
            self._names_shown.set()

    def show_loaded(self, rows: list[ClientRow], header: WeekHeader, today: date,
                    cells: dict[int, list[Text]], widths: list[int]) -> None:
        """Keep the rows and redraw."""
        if hasattr(self.app, "week_header"):
            self.app.week_header = header  # type: ignore[attr-defined]
        self.all_rows = rows
        self.today = today
        self.counted = True
        self._show(cells, widths)

    def _show(self, cells: dict[int, list[Text]], widths: list[int]) -> None:
        self.cells = cells
        self.widths = widths
        self.shown_ids = None  # the rows' contents changed: redraw even if the same clients
        self.refresh_table()

    def _cells(self, row: ClientRow) -> list[Text]:
        """The row's cells: counted ones, or (names only so far) made now, figures "…"."""
        cells = self.cells.get(row.id)
        if cells is None:
            cells = self.cells[row.id] = pending_cells(row, date.today())
        return cells

    # Showing ---------------------------------------------------------------------------------

    def visible_rows(self) -> list[ClientRow]:
        """The rows passing the status toggle and the filter, in the chosen order."""
        words = self.query_one("#caseload-filter", Input).value.lower().split()
        rows = [r for r in self.all_rows
                if (self.include_inactive or r.status is ClientStatus.ACTIVE)
                and matches(r, words)]
        column = COLUMNS[self.sort_index]
        rows.sort(key=column.sort, reverse=self.sort_reverse)
        return rows

    def refresh_table(self) -> None:
        """Rebuild the table if the visible clients or their order changed."""
        rows = self.visible_rows()
        ids = tuple(r.id for r in rows)
        self.update_count(len(rows))
        if ids == self.shown_ids:
            return
        self.shown_ids = ids
        table = self.query_one("#caseload-table", DataTable)
        highlighted = self.current_client_id()
        table.clear(columns=True)
        for index, column in enumerate(COLUMNS):
            mark = ""
            if index == self.sort_index:
                mark = "▼" if self.sort_reverse else "▲"
            label = Text(f"{column.label}{mark}\n{column.sublabel}",
                         justify="right" if column.right else "left")
            table.add_column(label, key=column.key, width=self.widths[index])
        self._fill += 1
        cursor = ids.index(highlighted) if highlighted is not None and highlighted in ids else -1
        page = max(PAGE, self.app.size.height + 8)
        first = max(page, cursor + page)
        self._add_rows(rows, 0, first, self._fill)
        if cursor >= 0:
            table.move_cursor(row=cursor)

    def _add_rows(self, rows: list[ClientRow], start: int, end: int, fill: int) -> None:
        """Give the table rows[start:end], then the next chunk once the frame is drawn."""
        if fill != self._fill:  # the table was rebuilt meanwhile
            return
        table = self.query_one("#caseload-table", DataTable)
        for row in rows[start:end]:
            table.add_row(*self._cells(row), key=str(row.id))
        if end < len(rows):
            self._once_drawn(self.set_timer, FILL_DELAY,
                             partial(self._add_rows, rows, end, end + CHUNK, fill))
        elif self.counted and not self._collected and len(rows) > PAGE:
            self._collected = True
            self._once_drawn(collect_after_load)

    def update_count(self, shown: int) -> None:
        """The line under the table: how many clients, sorted how, what is hidden."""
        active = sum(1 for r in self.all_rows if r.status is ClientStatus.ACTIVE)
        inactive = len(self.all_rows) - active
        column = COLUMNS[self.sort_index]
        order = "descending" if self.sort_reverse else "ascending"
        parts = [f"{shown} of {active + inactive if self.include_inactive else active} clients",
                 f"sorted by {column.label.lower()} ({order})"]
        if inactive and not self.include_inactive:
            parts.append(f"{inactive} on hold/discharged hidden (a)")
        if not self.all_rows and self.today is not None:
            parts = ["No clients yet: press + to add one, or run caseload --demo."]
        self.query_one("#caseload-count", Static).update(" · ".join(parts))

    def current_client_id(self) -> int | None:
        """The highlighted client's id."""
        table = self.query_one("#caseload-table", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # the cursor is outside the refilled table
            return None
        return int(key) if key else None

    # Filter ----------------------------------------------------------------------------------

    @on(Input.Changed, "#caseload-filter")
    def _filter_changed(self, _event: Input.Changed) -> None:
        # Wait for a pause in typing, so the table is not rebuilt on every keystroke.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self.refresh_table)

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter."""
        self.query_one("#caseload-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and return to the list."""
        field = self.query_one("#caseload-filter", Input)
        field.value = ""
        self.refresh_table()
        self.query_one("#caseload-table", DataTable).focus()

    # Sorting and the toggle ------------------------------------------------------------------

    def action_next_sort(self) -> None:
        """Sort by the next column."""
        self.sort_index = (self.sort_index + 1) % len(COLUMNS)
        self.sort_reverse = False
        self.refresh_table()

    def action_reverse_sort(self) -> None:
        """Reverse the order."""
        self.sort_reverse = not self.sort_reverse
        self.refresh_table()

    def action_toggle_inactive(self) -> None:
        """Show or hide on-hold and discharged clients."""
        self.include_inactive = not self.include_inactive
        self.refresh_table()

    # Opening a client ------------------------------------------------------------------------

    async def action_open_selected_client(self) -> None:
        """Open the highlighted client's screen (from the filter: go to the list first)."""
        if isinstance(self.focused, Input):
            self.refresh_table()
            self.query_one("#caseload-table", DataTable).focus()
            return
        client_id = self.current_client_id()
        if client_id is None:
            self.notify("No client is highlighted.", severity="warning")
            return
        await self.app.run_action(f"open_client({client_id})")

    @on(DataTable.RowSelected, "#caseload-table")
    async def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.action_open_selected_client()
