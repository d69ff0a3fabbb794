"""SVG snapshots of each review step at 80×24 on the demo caseload, clock pinned (deterministic).

Update after an intended change: pytest tests/tui/test_review_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from textual.pilot import Pilot

from caseload.services.session import Session
from tests.tui.conftest import settle

STEP_KEYS = {
    "clear": ("w",),
    "current": ("w", "k", "k", "k", "k"),
    "current-second": ("w", "k", "k", "k", "k", "f", *"start on time", "enter", "space"),
    "ahead": ("w", "k", "k", "k", "k", *["space"] * 14),
    "summary": ("w", "k", "k", "k", "k", *["space"] * 15),
    "finished": ("w", "k", "k", "k", "k", *["space"] * 16),
    "past-reviews": ("w", "k", "k", "k", "k", *["space"] * 16, "h"),
}


def keys_then_quiet(keys: Sequence[str]) -> Any:
    """Press the keys, wait for every worker, and clear the toasts (they come and go)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("name", sorted(STEP_KEYS))
def test_review_step_snapshot(name: str, demo_session: Session, app_for, snap_compare) -> None:
    assert snap_compare(app_for(demo_session), terminal_size=(80, 24),
                        run_before=keys_then_quiet(STEP_KEYS[name]))
