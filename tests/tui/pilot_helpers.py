"""Small helpers for the Client, Commitments and Check-in Pilot tests."""

from __future__ import annotations

import re
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.tui.conftest import settle

_SVG_ID = re.compile(r"terminal-[0-9]+")


def picture(app: Any) -> str:
    """What the screen shows, as SVG without the per-run ids."""
    return _SVG_ID.sub("terminal", app.export_screenshot())


def cell_text(cell: object) -> str:
    """A table cell as plain text."""
    return str(getattr(cell, "plain", cell))


def rows(app: Any, selector: str) -> list[str]:
    """Every row of a table, cells joined with " | "."""
    table = app.screen.query_one(selector, DataTable)
    return [" | ".join(cell_text(c) for c in table.get_row_at(i))
            for i in range(table.row_count)]


def row(app: Any, selector: str, key: str) -> str:
    """One row of a table, by its key."""
    table = app.screen.query_one(selector, DataTable)
    return " | ".join(cell_text(c) for c in table.get_row(key))


async def move_to(pilot: Pilot[Any], selector: str, key: str) -> None:
    """Put the table's cursor on the row with `key`."""
    table = pilot.app.screen.query_one(selector, DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type text as keys (replacing a field's selected default)."""
    await pilot.press(*text)


async def replace_text(pilot: Pilot[Any], text: str) -> None:
    """Clear the focused input with keys (End, Ctrl+U), then type."""
    assert isinstance(pilot.app.screen.focused, Input)
    await pilot.press("end", "ctrl+u", *text)


def static(app: Any, selector: str) -> str:
    """The text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


def messages(app: Any) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in app._notifications]


async def open_client(pilot: Pilot[Any], client_id: int) -> None:
    """Open a client's screen the way other screens do, and wait for it to load."""
    await settle(pilot)
    await pilot.app.run_action(f"open_client({client_id})")
    await settle(pilot)
