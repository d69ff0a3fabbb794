"""SVG snapshots of the Client, Commitments and Check-in screens and their dialogs, on the demo
caseload pinned to Friday 27 Nov 2026, 15:00, at 80×24 and 120×40.

Update after an intended change with ``--snapshot-update``, then look at the pictures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from caseload.services.session import Session
from tests.tui.conftest import settle

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
# Demo slot 10 (client #11): a low SRS not yet discussed, a weekly series, commitments.
CLIENT = 11

Step = str | Callable[[Pilot[Any]], Awaitable[None]]


def action(name: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A step that runs an app action (how other screens open these ones)."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action(name)

    return run


SCENES: dict[str, tuple[Step, ...]] = {
    "client": (action(f"open_client({CLIENT})"),),
    "commitments": ("3",),
    "checkin": (action(f"check_in({CLIENT})"), "8", "tab", *"11", "tab", *"7.5"),
    "checkin-wai": (action(f"check_in({CLIENT})"), "shift+tab", "right", "enter", "tab",
                    *"4", "tab", "5", "tab", "3"),
    "schedule-form": (action(f"open_client({CLIENT})"), "s", *"tue 10:00"),
    "remove-series": (action(f"open_client({CLIENT})"), "X"),
    "commitment-form": ("3", "a", *"CL-10011", "tab", "tab", *"Call about Thursday", "tab",
                        *"fri"),
}


def scene(steps: tuple[Step, ...]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the data, take the steps, wait again; no toasts (they come and go)."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                await step(pilot)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("name", ["client", "commitments", "checkin"])
def test_screen_b(snap_compare, demo_session: Session, app_for, name: str,  # type: ignore[no-untyped-def]
                  size: str) -> None:
    assert snap_compare(app_for(demo_session), terminal_size=SIZES[size],
                        run_before=scene(SCENES[name]))


@pytest.mark.parametrize("name", ["checkin-wai", "schedule-form", "remove-series",
                                  "commitment-form"])
def test_dialog_b(snap_compare, demo_session: Session, app_for, name: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(demo_session), terminal_size=(80, 24),
                        run_before=scene(SCENES[name]))
