"""A long Caseload list is shown lazily: names first, then figures; rows a page at a time."""

from __future__ import annotations

from pathlib import Path

import msgspec.structs
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from caseload import demo
from caseload.services import clients, overview
from caseload.tui.screens import caseload as caseload_screen
from caseload.tui.screens.caseload import PAGE, PENDING, CaseloadScreen
from caseload.tui.widgets.row_table import RowCursorTable
from tests.tui.conftest import SETTINGS, TUI_NOW, make_session, settle


def generate(clients: int, *, weeks: int) -> None:
    """A generated caseload of `clients`, pinned to the tests' Friday."""
    demo.generate(clients=clients, weeks=weeks, seed=5, counselors=1, today=TUI_NOW.date(),
                  login="dana", settings=SETTINGS)


async def to_the_list(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the started app to the Caseload screen, its read done."""
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


async def counted_list(pilot) -> CaseloadScreen:  # type: ignore[no-untyped-def]
    """`to_the_list`, then the screen, its figures counted."""
    await to_the_list(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseloadScreen) and screen.counted
    return screen


async def test_every_row_arrives_and_the_last_can_be_highlighted(tui_db: Path,
                                                                   app_for) -> None:
    generate(PAGE * 2 + 37, weeks=6)
    session = make_session()
    active = [c for c in clients.list_clients(session) if c.status.value == "active"]
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await to_the_list(pilot)
        for _ in range(20):  # the lazy fill adds a chunk after each frame
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = screen.query_one("#caseload-table", DataTable)
        assert table.row_count == len(active) > PAGE
        cells = [str(getattr(c, "plain", c)) for c in table.get_row_at(table.row_count - 1)]
        assert PENDING not in cells  # figures, not placeholders
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert screen.current_client_id() == max(active, key=lambda c: (c.name.lower(), c.id)).id
        count = str(screen.query_one("#caseload-count", Static).render())
        assert f"{len(active)} of {len(active)} clients" in count


async def test_names_show_before_the_figures(tui_db: Path, app_for, monkeypatch) -> None:
    generate(12, weeks=6)
    session = make_session()
    shown: list[list[str]] = []
    original = CaseloadScreen.show_names

    def spy(self: CaseloadScreen, facts: list) -> None:  # type: ignore[type-arg]
        original(self, facts)
        table = self.query_one("#caseload-table", DataTable)
        shown.extend([str(getattr(c, "plain", c)) for c in table.get_row_at(i)]
                     for i in range(table.row_count))

    monkeypatch.setattr(CaseloadScreen, "show_names", spy)
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await counted_list(pilot)
        names = sorted(c.name for c in clients.list_clients(session)
                       if c.status.value == "active")
        assert sorted(row[0] for row in shown) == names
        assert all(row[1:-1] == [PENDING] * (len(row) - 2) for row in shown)
        table = screen.query_one("#caseload-table", DataTable)
        first = [str(getattr(c, "plain", c)) for c in table.get_row_at(0)]
        assert PENDING not in first


def test_pending_cells_keep_name_and_record() -> None:
    from caseload.domain.records import ClientFact, ClientStatus

    fact = ClientFact(7, "Robin Example", "CL-7", ClientStatus.ON_HOLD, TUI_NOW.date())
    cells = caseload_screen.pending_cells(caseload_screen.name_row(fact), TUI_NOW.date())
    assert cells[0].plain.startswith("Robin Example") and cells[-1].plain == "CL-7"
    assert {c.plain for c in cells[1:-1]} == {PENDING}


def test_figures_read_alike_are_one_text_names_and_records_are_not() -> None:
    """Counted cells share a Text where the figure reads the same (memory with a thousand
    clients); each row still shows its own figures, and its own name and record number."""
    from caseload.domain.metrics import Ratio
    from caseload.domain.records import ClientFact, ClientStatus

    rows = [msgspec.structs.replace(
        caseload_screen.name_row(ClientFact(n, f"Client {n}", f"CL-{n}", ClientStatus.ACTIVE,
                                            TUI_NOW.date())),
        attendance=Ratio(n % 2 + 1, 2)) for n in range(1, 5)]
    cells, _widths = caseload_screen.counted_cells(rows, TUI_NOW.date())
    by_row = [cells[row.id] for row in rows]
    assert [c[2].plain for c in by_row] == ["100%", "50%", "100%", "50%"]
    assert by_row[0][2] is by_row[2][2] and by_row[1][2] is by_row[3][2]
    assert by_row[0][2] is not by_row[1][2]
    assert by_row[0][2].justify == "right" and by_row[0][6].justify == "left"
    assert len({id(c[0]) for c in by_row}) == len({id(c[-1]) for c in by_row}) == 4
    pending = [caseload_screen.pending_cells(row, TUI_NOW.date()) for row in rows]
    assert pending[0][2] is pending[1][2] and pending[0][2].plain == PENDING


async def test_figures_are_counted_after_the_names_frame(tui_db: Path, app_for,
                                                          monkeypatch) -> None:
    generate(12, weeks=6)
    events: list[str] = []
    original = overview.caseload_rows

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("count")
        return original(*args, **kwargs)

    def names(self: CaseloadScreen, facts: list) -> None:  # type: ignore[type-arg]
        events.append("names")
        original_names(self, facts)
        self.call_after_refresh(events.append, "frame")

    original_names = CaseloadScreen.show_names
    monkeypatch.setattr(overview, "caseload_rows", counting)
    monkeypatch.setattr(CaseloadScreen, "show_names", names)
    app = app_for(make_session())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await counted_list(pilot)
        assert events[:3] == ["names", "frame", "count"]
        table = screen.query_one("#caseload-table", DataTable)
        assert PENDING not in [str(getattr(c, "plain", c)) for c in table.get_row_at(0)]


async def test_the_cursor_moves_down_across_the_pages(tui_db: Path, app_for) -> None:
    generate(PAGE + 30, weeks=2)
    app = app_for(make_session())
    async with app.run_test(size=(120, 30)) as pilot:
        await to_the_list(pilot)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = screen.query_one("#caseload-table", DataTable)
        for _ in range(10):
            await pilot.pause(0.02)
        presses = min(PAGE + 5, table.row_count - 1)
        for _ in range(presses):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == presses
        assert table.scroll_y > 0
        shown = [str(getattr(c, "plain", c)) for c in table.get_row_at(presses)]
        assert screen.current_client_id() is not None
        assert shown[-1] == next(r.record_number for r in screen.all_rows
                                 if r.id == screen.current_client_id())


class _Tables(App[None]):
    def __init__(self, table: DataTable[str]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def _lines(table: DataTable[str]) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.style) for s in table.render_line(y)] for y in range(table.size.height)]


async def test_the_row_cursor_table_draws_what_a_data_table_draws() -> None:
    drawn: list[list[list[list[tuple[str, object]]]]] = []
    for table in (DataTable[str](cursor_type="row", zebra_stripes=True, header_height=2),
                  RowCursorTable[str](cursor_type="row", zebra_stripes=True, header_height=2)):
        app = _Tables(table)
        frames: list[list[list[tuple[str, object]]]] = []
        async with app.run_test(size=(60, 12)) as pilot:
            table.add_columns("Name\n", "Count\n")
            for n in range(40):
                table.add_row(f"client {n}", str(n * 7), key=str(n))
            await pilot.pause()
            table.focus()
            for key in ["down"] * 14 + ["up"] * 3 + ["pagedown", "end", "home"]:
                await pilot.press(key)
                await pilot.pause()
                frames.append(_lines(table))
            table.update_cell("3", table.ordered_columns[1].key, "changed")
            await pilot.pause()
            frames.append(_lines(table))
        drawn.append(frames)
    assert drawn[0] == drawn[1]


async def test_a_long_list_runs_its_due_collection_once_it_is_all_drawn(
        tui_db: Path, app_for, monkeypatch) -> None:
    """The read and count leave a full garbage collection due; the screen runs it once the
    counted list is all in the table, not at the counselor's next keys (and only once)."""
    generate(PAGE * 2 + 37, weeks=2)
    collected: list[tuple[bool, int]] = []

    def collect() -> None:
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = screen.query_one("#caseload-table", DataTable)
        collected.append((screen.counted, table.row_count))

    monkeypatch.setattr(caseload_screen, "collect_after_load", collect)
    app = app_for(make_session())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await counted_list(pilot)
        for _ in range(20):  # the lazy fill adds a chunk after each frame
            await pilot.pause(0.05)
        table = screen.query_one("#caseload-table", DataTable)
        assert collected == [(True, table.row_count)]
        assert table.row_count > PAGE
        screen.reload()  # read and counted again: no second collection
        await settle(pilot)
        for _ in range(20):
            await pilot.pause(0.05)
        assert len(collected) == 1


async def test_a_short_list_leaves_collection_to_python(tui_db: Path, app_for,
                                                        monkeypatch) -> None:
    generate(12, weeks=2)
    collected: list[str] = []
    monkeypatch.setattr(caseload_screen, "collect_after_load", lambda: collected.append("gc"))
    app = app_for(make_session())
    async with app.run_test(size=(120, 30)) as pilot:
        await counted_list(pilot)
        for _ in range(5):
            await pilot.pause(0.05)
        assert collected == []


async def test_the_names_are_read_at_mount_and_in_the_first_frame(tui_db: Path, app_for,
                                                                  monkeypatch) -> None:
    """No worker and no frame of an empty table before them; a failed read at mount is left to
    the worker's, which shows them (or says why)."""
    generate(12, weeks=2)
    session = make_session()
    workers: list[str] = []
    at_mount: list[int] = []
    original_mount, original_worker = CaseloadScreen.on_mount, CaseloadScreen.load_names

    def mounted(self: CaseloadScreen) -> None:
        original_mount(self)
        at_mount.append(self.query_one("#caseload-table", DataTable).row_count)

    def worker(self: CaseloadScreen):  # type: ignore[no-untyped-def]
        workers.append("names")
        return original_worker(self)

    monkeypatch.setattr(CaseloadScreen, "on_mount", mounted)
    monkeypatch.setattr(CaseloadScreen, "load_names", worker)
    active = sum(1 for c in clients.list_clients(session) if c.status.value == "active")
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await to_the_list(pilot)
    assert at_mount == [active] and workers == []

    failing = [1]
    real = clients.list_clients

    def once_failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if failing:
            failing.pop()
            raise OSError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(clients, "list_clients", once_failing)
    at_mount.clear()
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await to_the_list(pilot)
        table = app.screen.query_one("#caseload-table", DataTable)
        assert table.row_count == active
    assert at_mount == [0] and workers == ["names"]
