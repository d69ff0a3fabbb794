"""Every screen and dialog, at every terminal size, with hostile text in every field.

For each stop of the tour (tests/reliability/tour.py) the app starts on a caseload whose free
text is Textual markup, reaches the stop with its keys, then is resized live through sizes from
40x12 to 250x80 (and odd ones) and back. Nothing may raise; the markup must show as the text it
is (a name "Bo [link=…]Link[/link] Lee" never renders as the link "Bo Link Lee"); and on a real
terminal, escape sequences stored in a name never reach the terminal.
"""

from __future__ import annotations

import getpass
from datetime import UTC
from pathlib import Path

import pytest

from caseload.services.session import Session
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.tui.app import CaseloadApp
from tests.reliability import figures
from tests.reliability.terminal import Terminal, plain, private_env
from tests.reliability.tour import ESCAPE_SEQUENCES, STOPS, Stop, hostile_caseload
from tests.tui.conftest import TUI_NOW, make_session, screen_text, settle

# The smallest and the largest, live, then back; the slow variant adds odd shapes in between.
SIZES = ((40, 12), (250, 80), (120, 40))
ALL_SIZES = ((40, 12), (41, 13), (250, 80), (60, 20), (80, 24), (120, 40), (100, 12), (40, 80),
             (250, 12), (120, 40))
# What markup would have made of the hostile text: never on screen.
RENDERED_MARKUP = ("Bo Link Lee", "Cy Quit Fox", "Ana Ruiz", "R-1", "R-2", "R-3",
                   "call the officer")


@pytest.fixture
def tour_session(tui_db: Path) -> Session:
    session = make_session()
    hostile_caseload(session, tui_db)
    return session


@pytest.mark.parametrize("stop", STOPS, ids=[s.name for s in STOPS])
async def test_every_screen_at_every_size_with_hostile_text(tour_session: Session,
                                                            stop: Stop) -> None:
    await _visit(tour_session, stop, SIZES)


@pytest.mark.slow
@pytest.mark.parametrize("stop", STOPS, ids=[s.name for s in STOPS])
async def test_every_screen_at_odd_sizes(tour_session: Session, stop: Stop) -> None:
    await _visit(tour_session, stop, ALL_SIZES)


async def _visit(session: Session, stop: Stop, sizes: tuple[tuple[int, int], ...]) -> None:
    """Reach the stop at 120x40, check the text is shown as text, then resize live."""
    app = CaseloadApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in stop.keys:
            await pilot.press(key)
            await settle(pilot)
        assert type(app.screen).__name__ == stop.screen, (type(app.screen).__name__,
                                                          screen_text(app)[:1500])
        shown = screen_text(app)
        for rendered in RENDERED_MARKUP:
            assert rendered not in shown, f"markup was applied: {rendered!r} on screen"
        for width, height in sizes:
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            app.export_screenshot()  # every visible widget rendered at this size
            figures.add("terminal_sizes")
        assert app.is_running and app.crash_type is None
        assert type(app.screen).__name__ == stop.screen


@pytest.mark.sqlite_only
def test_escape_sequences_in_a_stored_name_never_reach_the_terminal(tmp_path: Path) -> None:
    """On a real pty: the name written by another tool is shown, its escape codes are not sent."""
    path = tmp_path / "data" / "caseload.db"
    migrate(open_database(Location(path=path)))
    hostile_caseload(make_session(getpass.getuser(), "Dana Example"), path)
    close_database()
    config = tmp_path / "caseload.toml"
    config.write_text('timezone = "America/New_York"\nbackup_keep = 0\n')
    terminal = Terminal.start(["--db", str(path), "--now", TUI_NOW.astimezone(UTC).isoformat()],
                              private_env(tmp_path, CASELOAD_CONFIG=str(config)),
                              size=(120, 40))
    try:
        assert terminal.wait_for("Ana [/]Ruiz", 30), plain(terminal.output)[-1500:]
        terminal.type("2", pause=0.8)  # the Caseload list shows every client
        assert terminal.wait_for("Dee", 10)
        terminal.type("q", pause=0.2)
        assert terminal.wait(20) == 0
    finally:
        terminal.close()
    for sequence in ESCAPE_SEQUENCES:
        assert sequence not in terminal.output, sequence
    assert "Bo [link=http://evil.example]Link[/link] Lee" in plain(terminal.output)
