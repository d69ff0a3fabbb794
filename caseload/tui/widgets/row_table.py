"""A DataTable with a row cursor that keeps its rendered rows across cursor moves.

Textual's DataTable keys its rendered rows and lines by the cursor's coordinate, so every cursor
move (and every scroll step of a long list) renders every visible row again. With a row cursor a
row only looks different when the cursor (or the mouse's hover) arrives on it or leaves it: this
table keys rows and lines by "is the cursor on this row" instead, so a move renders the rows the
cursor left and reached, and a scroll step the row that came into view (issue 7, goal 10).

What is drawn is unchanged (tests/tui/test_caseload_long.py compares it with a plain DataTable).
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey

# A cursor location on no row (-1 is the header's row): rows render as without the cursor.
NOWHERE = Coordinate(-2, 0)


class RowCursorTable(DataTable[CellType]):
    """`DataTable` whose row cursor moves re-render only the rows it touches."""

    def _row_of(self, row_key: RowKey) -> int:
        """The row's index (-1: the header)."""
        row = self._row_locations.get(row_key)
        return -1 if row is None else row

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style,
                            cursor_location: Coordinate, hover_location: Coordinate
                            ) -> Any:
        if self.cursor_type == "row":
            row = self._row_of(row_key)
            if cursor_location.row != row:
                cursor_location = NOWHERE
            if hover_location.row != row:
                hover_location = NOWHERE
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location,
                                           hover_location)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        row = self._row_of(row_key)
        # Kept in DataTable's own line cache (cleared whenever it clears it), under keys of
        # another shape than its own.
        key: Any = ("row-cursor", y, x1, x2, self.size.width, row == self.cursor_row,
                    row == self.hover_row, self.show_cursor, base_style,
                    self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._line_cache[key] = super()._render_line(y, x1, x2, base_style)
        return strip
