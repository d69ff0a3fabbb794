"""Today updates the changed row in place after an outcome; it refills only when rows change."""

from __future__ import annotations

from textual.widgets import DataTable

from caseload.domain.records import Outcome
from caseload.tui.screens.today import TodayScreen
from tests.tui.conftest import SmallCaseload, settle
from tests.tui.test_today import go_to, header_text, row_texts, table


async def test_an_outcome_changes_its_row_without_a_refill(small: SmallCaseload,
                                                           app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        before = row_texts(app)
        refills: list[int] = []
        t = table(app)
        original = t.clear
        t.clear = lambda *a, **k: (refills.append(1), original(*a, **k))[1]  # type: ignore[method-assign]
        await go_to(pilot, app, small.casey_today)
        cursor = t.cursor_row
        await pilot.press("k")
        await settle(pilot)
        after = row_texts(app)
        assert refills == []
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert changed == [cursor] and after[cursor].endswith(f"{Outcome.KEPT.symbol} kept")
        assert t.cursor_row == cursor
        assert "kept 2 of 2" in header_text(app)


async def test_a_session_leaving_the_list_refills_it(small: SmallCaseload, app_for) -> None:
    """Yesterday's session needing an outcome leaves Today once recorded: a full refill."""
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = len(row_texts(app))
        t = app.screen.query_one("#today-table", DataTable)
        t.move_cursor(row=0)  # Thursday's session, still waiting for its outcome
        await pilot.pause()
        await pilot.press("k")
        await settle(pilot)
        assert len(row_texts(app)) == rows - 1
        assert not row_texts(app)[0].startswith("Thu 26 Nov")
