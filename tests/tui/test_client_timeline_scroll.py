"""The Client screen's timeline opens at today and stays where it is when it is filled again.

A refill (a read again, a resize) used to move it: the cursor move scrolled the table, and the
first fill's deferred scroll could land before or after a refill's, depending on timing.
"""

from __future__ import annotations

from textual.widgets import DataTable

from caseload.services.session import Session
from caseload.tui.screens.client import PAST_LINES_SHOWN, ClientScreen
from tests.tui.conftest import settle

CLIENT = 11


def _top_and_cursor(app) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#client-timeline", DataTable)
    return table.scroll_y, table.cursor_row


async def test_the_timeline_opens_at_today_and_keeps_its_place_when_filled_again(
        demo_session: Session, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.run_action(f"open_client({CLIENT})")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClientScreen) and screen.view is not None
        upcoming = min(screen.view.first_upcoming(), len(screen.view.timeline) - 1)
        top, cursor = _top_and_cursor(app)
        table = screen.query_one("#client-timeline", DataTable)
        assert cursor == upcoming  # today near the top, or as near as the table scrolls
        assert top == min(max(0, upcoming - PAST_LINES_SHOWN), table.max_scroll_y) > 2
        screen.reload()  # read again: same place
        await settle(pilot)
        assert _top_and_cursor(app) == (top, cursor)
        await pilot.resize_terminal(110, 30)  # a refill for the new width: same place
        await settle(pilot)
        await pilot.pause()
        assert _top_and_cursor(app) == (top, cursor)
        table.scroll_to(y=top - 2, animate=False)  # the counselor scrolled: kept too
        await pilot.pause()
        screen.reload()
        await settle(pilot)
        assert _top_and_cursor(app)[0] == top - 2
