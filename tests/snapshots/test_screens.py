"""SVG snapshots of each screen on the demo caseload, pinned to Friday 27 Nov 2026, 15:00.

Update after an intended change with ``--snapshot-update``, then look at the pictures
(``snapshot_report.html``, or ``scripts/screenshots.py`` for PNGs).
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from caseload.services.session import Session
from tests.tui.conftest import settle

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SCREENS = {
    "today": (),
    "caseload": ("2",),
    "help": ("f1",),
    "caseload-filtered": ("2", "slash", *"ovrd", "enter"),
    "today-bad-date": ("down", "down", "down", "down", "r", *"12/01 2pm"),
}


def steps(keys: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """Wait for the data, press the keys, wait again (workers, the filter's pause)."""

    async def run(pilot: Pilot[object]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("screen", ["today", "caseload", "help"])
def test_screen(snap_compare, demo_session: Session, app_for, screen: str, size: str) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_session)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=steps(SCREENS[screen]))


@pytest.mark.parametrize("screen", ["caseload-filtered", "today-bad-date"])
def test_interaction(snap_compare, demo_session: Session, app_for, screen: str) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_session)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(SCREENS[screen]))


def test_empty_caseload_greeting(snap_compare, empty_session: Session, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(empty_session)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(()))
