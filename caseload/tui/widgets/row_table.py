"""A DataTable with a row cursor that keeps its rendered rows across cursor moves.

Textual's DataTable keys its rendered rows and lines by the cursor's coordinate, so every cursor
move (and every scroll step of a long list) renders every visible row again. With a row cursor a
row only looks different when the cursor (or the mouse's hover) arrives on it or leaves it: this
table keys rows and lines by "is the cursor on this row" instead, so a move renders the rows the
cursor left and reached, and a scroll step the row that came into view (issue 7, goal 10).

A scroll step also shifts every visible line, and Textual's `StylesCache` wraps each line it
draws in a new `Strip`, so the app's line filters, the compositor's cuts and the terminal's
escape codes were all made again for lines drawn before. The table (and its vertical scrollbar)
draw through `PlainLines` instead: a widget with no border, padding, outline, hatch, tint or
opacity is drawn as its content's lines, the same `Strip` objects each time a line is drawn again
(the scrollbar's are looked up by their segments), so those caches are kept across frames.

The two rows a scroll step draws again (the one the cursor left, the one it reached) are drawn
in a style they were not drawn in before. DataTable renders each cell through Rich once per
style; this table keeps each cell's unstyled segments (by content, for plain `Text` cells, so
equal cells share them) and only applies the row's style to them, as Textual's `Styled` does.

What is drawn is unchanged (tests/tui/test_row_table.py and tests/tui/test_caseload_long.py
compare it with a plain DataTable, cell by cell and segment by segment, in several cursor modes
and with hover, focus, fixed rows and columns, labels, tall rows, markup and wide characters).
`PlainLines` overrides a private Textual class and `_render_cell` stands in for DataTable's
(Textual pinned at 8.2.8 in requirements.lock): the same tests compare them with Textual's own,
and `tests/tui/test_textual_pins.py` fails when the Textual code they stand in for changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import islice
from typing import Any

from rich.console import ConsoleOptions, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from rich.text import Text
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._styles_cache import RenderLineCallback, StylesCache
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.color import Color
from textual.content import Content
from textual.coordinate import Coordinate
from textual.css.styles import StylesBase
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey

# A cursor location on no row (-1 is the header's row): rows render as without the cursor.
NOWHERE = Coordinate(-2, 0)
INTERNED = 512  # the most lines `PlainLines(intern=True)` remembers (then it starts again)
CELLS = 4096  # cells' unstyled segments kept (`RowCursorTable._cell_segments`)

Label = tuple[Content, Color, Color, Any] | None


def is_plain(styles: StylesBase, size: Size, content_size: Size | None, padding: Spacing | None,
             opacity: float) -> bool:
    """Whether `StylesCache.render_line` would draw each line as the content's line as it is:
    no border, outline, padding, hatch, tint, text opacity or opacity."""
    return (opacity == 1.0
            and (content_size is None or content_size == size)
            and not any(padding if padding is not None else styles.padding)
            and not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and styles.text_opacity == 1.0
            and not styles.tint.a)


class PlainLines(StylesCache):
    """A widget's `StylesCache` that, when its styles add nothing to the content (`is_plain`),
    hands back the content's own lines (Textual's makes a new, equal `Strip` of each).

    Strips are immutable and cache their filtered, divided and rendered forms, so the same
    object drawn again costs lookups only. With `intern`, lines are also looked up by their
    segments (for content made anew each time it is drawn, like a scrollbar's).
    """

    def __init__(self, intern: bool = False) -> None:
        super().__init__()
        self._plain = False
        self._interned: dict[tuple[Any, ...], Strip] | None = {} if intern else None

    def render(self, styles: StylesBase, size: Size, base_background: Color, background: Color,
               render_content_line: RenderLineCallback, filters: Sequence[LineFilter],
               border_title: Label, border_subtitle: Label, content_size: Size | None = None,
               padding: Spacing | None = None, crop: Region | None = None,
               opacity: float = 1.0, ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
               native_ansi: bool = False) -> list[Strip]:
        self._plain = is_plain(styles, size, content_size, padding, opacity)
        try:
            return super().render(styles, size, base_background, background,
                                  render_content_line, filters, border_title, border_subtitle,
                                  content_size, padding, crop, opacity, ansi_theme, native_ansi)
        finally:
            self._plain = False

    def render_line(self, styles: StylesBase, y: int, size: Size, content_size: Size,
                    padding: Spacing, base_background: Color, background: Color,
                    render_content_line: RenderLineCallback, border_title: Label,
                    border_subtitle: Label, opacity: float, ansi_theme: TerminalTheme,
                    native_ansi: bool) -> Strip:
        if not self._plain or not 0 <= y < size.height:
            return super().render_line(styles, y, size, content_size, padding, base_background,
                                       background, render_content_line, border_title,
                                       border_subtitle, opacity, ansi_theme, native_ansi)
        inner, _ = self.get_inner_outer(base_background, background)
        line = render_content_line(y).adjust_cell_length(size.width, inner.rich_style)
        if self._interned is not None:
            key = tuple(line)
            known = self._interned.get(key)
            if known is not None:
                return known
            if len(self._interned) >= INTERNED:
                self._interned.clear()
            self._interned[key] = line
        return line


def options_key(options: ConsoleOptions) -> tuple[Any, ...]:
    """Everything in Rich's console options (a cell renders the same under equal keys)."""
    return (options.size, options.legacy_windows, options.min_width, options.max_width,
            options.is_terminal, options.encoding, options.max_height, options.justify,
            options.overflow, options.no_wrap, options.highlight, options.markup,
            options.height)


def _plain_style(style: object) -> bool:
    return isinstance(style, str) or (isinstance(style, Style) and not style.link
                                      and not style.meta)


def text_key(cell: object) -> Hashable | None:
    """What a `Text` cell's rendering depends on, or None when it is not a plain `Text` (a
    subclass, or styles carrying links or meta, which are told apart by more than equality)."""
    if type(cell) is not Text:
        return None
    spans = tuple(cell.spans)
    if not _plain_style(cell.style) or not all(_plain_style(span.style) for span in spans):
        return None
    return (cell.plain, cell.style, cell.justify, cell.overflow, cell.no_wrap, cell.end,
            cell.tab_size, spans)


def styled_lines(segments: list[Segment], pre_style: Style, post_style: Style,
                 options: ConsoleOptions) -> SegmentLines:
    """What `console.render_lines(Styled(r, pre_style, post_style), options)` returns, from
    `segments`, the output of `console.render(r, options)`: Textual's `Styled` applies the two
    styles to them; `render_lines` then cuts them into lines, padded to the width and height."""
    styled = Segment.apply_style(segments, style=pre_style, post_style=post_style)
    height = options.height
    lines = list(islice(Segment.split_and_crop_lines(styled, options.max_width,
                                                     include_new_lines=False, pad=True,
                                                     style=None),
                        None, None if height is None else max(0, height)))
    if height is not None and height > len(lines):
        lines.extend([[Segment(" " * options.max_width, None)]] * (height - len(lines)))
    return lines


class RowCursorTable(DataTable[CellType]):
    """`DataTable` whose row cursor moves re-render only the rows it touches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._styles_cache = PlainLines()
        self._frame_style: Style | None = None
        # A cell's segments before the cursor's, zebra's or header's styles are applied.
        self._cell_segments: LRUCache[Hashable, list[Segment]] = LRUCache(CELLS)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's scrollbar, drawn through `PlainLines` (interned: it is drawn anew on each
        scroll step, mostly as it was)."""
        bar = super().vertical_scrollbar
        if not isinstance(bar._styles_cache, PlainLines):
            bar._styles_cache = PlainLines(intern=True)
        return bar

    @property
    def rich_style(self) -> Style:
        """The widget's style; worked out once per frame (DataTable asks for it every line)."""
        style = self._frame_style
        return super().rich_style if style is None else style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

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

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> SegmentLines:
        """DataTable's `_render_cell` (Textual 8.2.8), except that the cell is rendered once
        for every style it is drawn in (cursor on or off, zebra, hover): its unstyled segments
        are kept, by its content for plain `Text` cells (shared by equal cells), and the
        styles applied to them as Textual's `Styled` would."""
        is_header_cell = row_index == -1
        is_row_label_cell = column_index == -1
        is_fixed_style_cell = (not is_header_cell and not is_row_label_cell
                               and (row_index < self.fixed_rows
                                    or column_index < self.fixed_columns))
        row_key = (self._header_row_key if is_header_cell
                   else self._row_locations.get_key(row_index))
        column_key = self._column_locations.get_key(column_index)
        cell_cache_key: Any = (row_key, column_key, base_style, cursor, hover,
                               self._show_hover_cursor, self._update_count,
                               self._pseudo_class_state)
        if cell_cache_key in self._cell_render_cache:
            return self._cell_render_cache[cell_cache_key]

        base_style += Style.from_meta({"row": row_index, "column": column_index})
        row_label, row_cells = self._get_row_renderables(row_index)
        cell: RenderableType
        if is_row_label_cell:
            cell = row_label if row_label is not None else ""
        else:
            cell = row_cells[column_index]
        component_style, post_style = self._get_styles_to_render_cell(
            is_header_cell, is_row_label_cell, is_fixed_style_cell, hover, cursor,
            self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css")
        if is_header_cell:
            row_height = self.header_height
            options = self.app.console_options.update_dimensions(width, row_height)
        else:
            assert row_key is not None
            row = self.rows[row_key]
            if row.auto_height and row.height == 0:
                row_height = 0
                options = self.app.console_options.update_width(width)
            else:
                row_height = row.height
                options = self.app.console_options.update_dimensions(width, row_height)
        if row_height == 1:
            options = options.update(no_wrap=True)

        content = text_key(cell)
        key: Hashable = (("text", content) if content is not None
                         else ("cell", row_key, column_key, self._update_count),
                         self.cell_padding, options_key(options))
        segments = self._cell_segments.get(key)
        if segments is None:
            segments = list(self.app.console.render(Padding(cell, (0, self.cell_padding)),
                                                    options))
            self._cell_segments[key] = segments
        lines = styled_lines(segments, base_style + component_style, post_style, options)
        self._cell_render_cache[cell_cache_key] = lines
        return lines
