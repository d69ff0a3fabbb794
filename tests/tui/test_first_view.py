"""Today's first frame shows the day read while the app started (`cli._read_today`).

The read is done before Textual is imported; the Today screen shows its result at mount, so
the first frame has the day in it and nothing is read a second time. A read that failed (or
is not done) is left to the screen's own read, which shows the day (or says why).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from caseload.services import overview
from caseload.services.overview import TodayView
from caseload.store import cache
from caseload.tui.app import CaseloadApp
from caseload.tui.widgets.footer import KeysFooter
from tests.tui.conftest import SmallCaseload, settle
from tests.tui.test_today_saved_view import fresh_view, shown


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the caseload reads from here on."""
    calls: list[int] = []
    real = overview.load_snapshot

    def counted(*args: Any, **kwargs: Any) -> overview.Snapshot:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(overview, "load_snapshot", counted)
    return calls


async def test_the_day_read_at_start_is_in_the_first_frame_and_not_read_again(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first: Future[TodayView] = Future()
    first.set_result(overview.today_view(small.session))
    reads = _reads(monkeypatch)
    app = CaseloadApp(small.session, None, first)
    async with app.run_test(size=(100, 30)) as pilot:
        on_mount = shown(app)  # before any worker could have delivered anything
        await settle(pilot)
        assert reads == []  # neither the screen nor the app's header read it again
        assert app.take_first_view() is None  # handed over once
        after = shown(app)
        # The footer was drawn after the rows were in: the row keys are there.
        footer = app.screen.query_one(KeysFooter).shown or ()
        assert {"Kept", "No show"} <= {key.description for key in footer}
    monkeypatch.undo()
    assert on_mount == after == await fresh_view(app_for, small.session)
    assert any(row for row in after[0])


@pytest.mark.parametrize("state", ["failed", "not done"])
async def test_a_first_read_that_failed_or_is_not_done_is_left_to_the_screen(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp], state: str) -> None:
    first: Future[TodayView] = Future()
    if state == "failed":
        first.set_exception(OSError("disk I/O error"))
    cache.clear()
    app = CaseloadApp(small.session, None, first)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        after = shown(app)
        notices = [n.message for n in app._notifications]
    assert after == await fresh_view(app_for, small.session)
    assert not [n for n in notices if "Could not" in n]  # the screen's own read succeeded


async def test_the_app_switches_the_collector_back_on_once_it_has_drawn(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp]) -> None:
    """`cli.main` pauses it while starting (caseload/startup.py); the app ends the pause."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        app = app_for(small.session)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert gc.isenabled()
    finally:
        gc.unfreeze()
        if not was_on:
            gc.disable()
        else:
            gc.enable()
