"""Caseload: filter as you type, sort from the keyboard, show inactive clients, open a client."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from caseload.tui.screens.caseload import COLUMNS, CaseloadScreen, matches
from tests.tui.conftest import SmallCaseload, settle


def names(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#caseload-table", DataTable)
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


async def open_caseload(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(app.screen, CaseloadScreen)


async def test_lists_active_clients_with_figures_and_flags(small: SmallCaseload,
                                                           app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        assert names(app) == ["Alex Rivera", "Blair Chen", "Casey Diaz"]
        table = app.screen.query_one("#caseload-table", DataTable)
        alex = [getattr(c, "plain", c) for c in table.get_row(str(small.alex))]
        assert alex[1].startswith("?out")          # worst flag first, as a word badge
        assert alex[2] == "50%"                    # kept 1 of 2 in 12 weeks
        assert alex[5].startswith("33.0 ")         # latest SRS total and its trend
        assert alex[6] == "Fri 4 Dec"
        assert alex[7] == "R-1001"
        count = str(app.screen.query_one("#caseload-count", Static).render())
        assert "3 of 3 clients" in count and "1 on hold/discharged hidden" in count


async def test_filter_as_you_type_and_escape_clears(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"bla")
        await pilot.pause(0.3)
        assert names(app) == ["Blair Chen"]
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert names(app) == ["Alex Rivera", "Blair Chen", "Casey Diaz"]
        assert isinstance(app.focused, DataTable)
        assert app.screen.query_one("#caseload-filter", Input).value == ""


async def test_filter_by_record_number_and_flag(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        await pilot.press("slash", *"r-1003", "enter")
        await pilot.pause(0.3)
        assert names(app) == ["Casey Diaz"]
        assert isinstance(app.focused, DataTable)   # Enter goes back to the list
        await pilot.press("escape", "slash", *"ovrd")
        await pilot.pause(0.3)
        assert names(app) == ["Alex Rivera"]        # his counselor commitment is overdue


async def test_filter_does_not_rebuild_table_when_nothing_changes(small: SmallCaseload,
                                                                 app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        calls: list[int] = []
        table = screen.query_one("#caseload-table", DataTable)
        original = table.clear
        table.clear = lambda *a, **k: (calls.append(1), original(*a, **k))[1]  # type: ignore[method-assign]
        await pilot.press("slash", *"r-100")   # every client still matches
        await pilot.pause(0.3)
        assert calls == []
        await pilot.press("3")
        await pilot.pause(0.3)
        assert calls == [1]


async def test_sort_cycles_columns_and_reverses(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        await pilot.press("S")
        await pilot.pause()
        assert names(app) == ["Casey Diaz", "Blair Chen", "Alex Rivera"]
        await pilot.press("s")   # flags, worst first
        await pilot.pause()
        assert COLUMNS[screen.sort_index].key == "flags"
        assert names(app)[0] == "Alex Rivera"
        await pilot.press("s")   # attendance, lowest first
        await pilot.pause()
        assert names(app)[0] == "Alex Rivera"
        await pilot.press("S")
        await pilot.pause()
        assert names(app)[-1] == "Alex Rivera"
        heading = str(screen.query_one("#caseload-table", DataTable)
                      .columns[COLUMNS[screen.sort_index].key].label)  # type: ignore[index]
        assert "▼" in heading
        count = str(screen.query_one("#caseload-count", Static).render())
        assert "sorted by att (descending)" in count


async def test_a_shows_on_hold_clients(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        assert "Drew Ellis (on hold)" in names(app)
        await pilot.press("a")
        await pilot.pause()
        assert "Drew Ellis (on hold)" not in names(app)


async def test_enter_opens_the_client(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_caseload(pilot, app)
        await pilot.press("down", "enter")
        await settle(pilot)
        try:
            from caseload.tui.screens.client import ClientScreen
        except ImportError:
            assert any("not available" in n.message for n in app._notifications)
        else:
            assert isinstance(app.screen, ClientScreen)
            assert app.screen.client_id == small.blair  # type: ignore[attr-defined]


def test_matches_every_word_anywhere() -> None:
    from datetime import date

    from caseload.domain.metrics import Ratio
    from caseload.domain.records import ClientStatus
    from caseload.services.overview import ClientRow

    row = ClientRow(1, "Alex Rivera", "R-1001", ClientStatus.ACTIVE, Ratio(), Ratio(), Ratio(),
                    None, (), None, date(2026, 11, 1), ())
    assert matches(row, ["alex", "1001"])
    assert not matches(row, ["alex", "chen"])
    assert matches(row, [])
