"""After a recorded outcome, Today shows exactly what a fresh load shows.

The save updates the changed row's cells in place (the columns keep their widths while the same
sessions are listed) and hands the header its figures without repainting the whole screen
(`widgets.header.share_header`); these tests compare what is on screen after each save with a
fresh app on the same database.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from caseload.domain.records import Outcome
from caseload.services import appointments, overview
from caseload.store import cache
from caseload.tui.widgets.header import ConsistencyHeader
from tests.tui.conftest import SmallCaseload, settle


def cells(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#today-table", DataTable)
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)]
            for i in range(table.row_count)]


def shown(app) -> tuple[list[list[str]], str, str]:  # type: ignore[no-untyped-def]
    header = app.screen.query_one(ConsistencyHeader).render().plain.splitlines()[0]
    summary = str(app.screen.query_one("#today-summary").render())
    return cells(app), header, summary


async def fresh_view(app_for, session) -> tuple[list[list[str]], str, str]:  # type: ignore[no-untyped-def]
    cache.clear()
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        return shown(app)


@pytest.mark.parametrize("keys", [
    "k", "x", "xk", "kx", "nlc", "xkxk"])  # widths that shrink back, every outcome
async def test_rows_header_and_summary_after_saves_equal_a_fresh_load(
        small: SmallCaseload, app_for, keys: str) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(small.casey_today)))
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        after = shown(app)
        assert app.week_header == overview.week_header(  # type: ignore[attr-defined]
            small.session, overview.load_snapshot(small.session))
    assert after == await fresh_view(app_for, small.session)


async def test_a_past_session_needing_its_outcome_leaves_and_the_header_follows(
        small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(small.alex_yesterday)))
        await pilot.pause()
        await pilot.press("k")
        await settle(pilot)
        after = shown(app)
        assert str(small.alex_yesterday) not in [
            k.value for k in app.screen.query_one("#today-table", DataTable).rows]
    assert after == await fresh_view(app_for, small.session)


async def test_headers_on_other_screens_follow_a_save(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the Caseload screen (another mode), then back to Today
        await settle(pilot)
        caseload_header = app.screen.query_one(ConsistencyHeader)
        await pilot.press("1")
        await settle(pilot)
        table = app.screen.query_one("#today-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(small.casey_today)))
        await pilot.pause()
        await pilot.press("k")
        await settle(pilot)
        expected = overview.week_header(small.session, overview.load_snapshot(small.session))
        assert caseload_header.summary == expected
        assert app.screen.query_one(ConsistencyHeader).summary == expected
        assert "Outcome" in [str(c.label) for c in table.ordered_columns]


async def test_two_saves_started_at_once_are_both_kept(small: SmallCaseload, app_for) -> None:
    """Two outcomes asked for in one tick (keys faster than a worker starts): a later save never
    cancels an earlier one, and the day shown is the day stored."""
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = {row.id: row for row in app.screen.rows.values()}  # type: ignore[attr-defined]
        first, second = sorted(rows)[:2]
        app.screen.save_outcome(rows[first], Outcome.KEPT)  # type: ignore[attr-defined]
        app.screen.save_outcome(rows[second], Outcome.NO_SHOW)  # type: ignore[attr-defined]
        await settle(pilot)
        stored = {a.id: a.outcome for a in (appointments.get(small.session, first),
                                            appointments.get(small.session, second))}
        assert stored == {first: Outcome.KEPT, second: Outcome.NO_SHOW}
        after = shown(app)
    assert after == await fresh_view(app_for, small.session)


async def test_a_read_begun_earlier_never_replaces_one_begun_later(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    """Reads run in threads and may arrive out of order: the day begun last stays shown."""
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        older = overview.today_view(small.session)
        appointments.record_outcome(small.session, small.casey_today, Outcome.KEPT)
        cache.clear()
        newer = overview.today_view(small.session)
        base = screen.shown_read
        screen.show_read(newer, base + 2)
        await pilot.pause()
        after_newer = shown(app)
        screen.show_read(older, base + 1)  # arrives last, begun first
        await pilot.pause()
        assert shown(app) == after_newer
        assert any("kept" in " ".join(row) for row in after_newer[0])
