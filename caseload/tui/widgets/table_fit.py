"""Give a table's last column (the free text) whatever width the terminal has left.

Long promises and notes are then cut at the screen's edge instead of widening the table and
hiding the columns before them behind a horizontal scrollbar. Call before adding rows (a screen
refills its table when the terminal is resized).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

MIN_TEXT_WIDTH = 12
SCROLLBAR = 1  # room for the vertical scrollbar, shown when the rows do not fit


def fit_last_column(table: DataTable[Any], minimum: int = MIN_TEXT_WIDTH) -> None:
    """Size the last column to the table's remaining width (at least `minimum`)."""
    columns = list(table.columns.values())
    if not columns or table.size.width == 0:
        return
    used = sum(column.get_render_width(table) for column in columns[:-1])
    last = columns[-1]
    last.auto_width = False
    last.width = max(minimum, table.size.width - used - 2 * table.cell_padding - SCROLLBAR)
