"""RowCursorTable draws exactly what Textual's DataTable draws, with less work per scroll step.

`widgets.row_table` overrides private parts of Textual (pinned at 8.2.8 in requirements.lock):
these tests draw the same tables and widgets both ways and compare every segment, and the last
one fails when the Textual code it stands in for changes at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.panel import Panel
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable, Input, Static

from caseload.tui.widgets.row_table import PlainLines, RowCursorTable

Drawn = list[list[tuple[str, Any, bool]]]


class _Table(App[None]):
    CSS = "DataTable { height: 1fr; scrollbar-size-vertical: 1; }"

    def __init__(self, table: DataTable[Any]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield Input(id="elsewhere")
        yield self.table


def _segments(strips: list[Any]) -> Drawn:
    return [[(s.text, s.style, s.control) for s in strip] for strip in strips]


def _drawn(table: DataTable[Any]) -> Drawn:
    """The table's lines as the compositor gets them (styles and line filters applied), then
    its vertical scrollbar's."""
    width, height = table.size
    lines = _segments(table.render_lines(Region(0, 0, width, height)))
    if table.show_vertical_scrollbar:
        bar = table.vertical_scrollbar
        lines += _segments(bar.render_lines(Region(0, 0, *bar.size)))
    return lines


def _fill(table: DataTable[Any]) -> None:
    table.add_column(Text("Client\n", justify="left"), key="name", width=12)
    table.add_column("Flags", key="flags")
    table.add_column(Text("Att\n12wk", justify="right"), key="att", width=6)
    table.add_column("Next", key="next")
    table.add_column("Was", key="was", width=6)  # equal text to Att's, other justify or style
    for n in range(60):
        name = Text(f"Client number {n} with a long name", no_wrap=True, overflow="ellipsis")
        if n % 7 == 3:
            name.append(" (On hold)", style="italic")
        if n % 11 == 5:
            name.stylize(Style(color="red", bgcolor="green"), 0, 6)
        flags: Any = ["·", "[b]NS[/b] LA", "漢字テスト", "⚑ +2", None, 3.25][n % 6]
        attendance = Text(f"{n % 100}%", justify="right")
        later: Any = Panel(f"box {n}") if n % 13 == 4 else Text("Tue 3 Dec")
        height = 2 if n % 17 == 8 else None if n % 19 == 9 or n % 13 == 4 else 1
        was = Text(f"{n % 5}%", style="bold" if n % 4 == 1 else "")
        table.add_row(name, flags, attendance, later, was, key=str(n), height=height,
                      label=f"r{n}" if n % 23 == 1 else None)


STEPS = (["down"] * 30 + ["up"] * 4 + ["pagedown", "end", "pageup", "home"]
         + ["hover", "down", "blur", "down", "focus", "update", "down", "sort", "down"])


async def _frames(table: DataTable[Any], fixed_rows: int = 0) -> list[Drawn]:
    app = _Table(table)
    frames: list[Drawn] = []
    async with app.run_test(size=(50, 14)) as pilot:
        _fill(table)
        table.fixed_rows = fixed_rows  # (Textual's DataTable fails on fixed rows it lacks)
        table.focus()
        await pilot.pause()
        frames.append(_drawn(table))
        for step in STEPS:
            if step == "hover":
                await pilot.hover(table, offset=(4, 5))
            elif step == "blur":
                app.query_one("#elsewhere", Input).focus()
            elif step == "focus":
                table.focus()
            elif step == "update":
                table.update_cell("3", "flags", Text("changed", style="bold"))
            elif step == "sort":
                table.sort("att", key=lambda cell: cell.plain, reverse=True)
            else:
                await pilot.press(step)
            await pilot.pause()
            frames.append(_drawn(table))
    return frames


@pytest.mark.parametrize("options", [
    {"cursor_type": "row", "zebra_stripes": True, "header_height": 2},
    {"cursor_type": "row", "fixed_columns": 1, "fixed_rows": 1},
    {"cursor_type": "cell", "zebra_stripes": True, "cursor_foreground_priority": "renderable",
     "cursor_background_priority": "css"},
    {"cursor_type": "column", "show_header": False, "cell_padding": 0},
])
async def test_the_table_draws_what_a_data_table_draws(options: dict[str, Any]) -> None:
    options = dict(options)
    fixed_rows = options.pop("fixed_rows", 0)
    plain = await _frames(DataTable(**options), fixed_rows)
    ours = await _frames(RowCursorTable(**options), fixed_rows)
    assert len(ours) == len(plain) == len(STEPS) + 1
    for step, (expected, drawn) in enumerate(zip(plain, ours, strict=True)):
        assert drawn == expected, f"after step {step}"


async def test_a_scroll_step_draws_the_lines_it_drew_before_as_the_same_strips() -> None:
    """What makes a scroll step cheap: lines already drawn come back as the same objects, so
    their filtered, cut and encoded forms are kept."""
    table = RowCursorTable[Any](cursor_type="row", zebra_stripes=True, header_height=2)
    app = _Table(table)
    async with app.run_test(size=(50, 14)) as pilot:
        table.add_columns("Client\n", "Count\n")
        for n in range(40):
            table.add_row(Text(f"client {n}", style="italic" if n % 3 else ""), str(n * 7),
                          key=str(n))
        table.focus()
        await pilot.pause()
        height = table.size.height
        while table.scroll_y == 0:
            await pilot.press("down")
            await pilot.pause()
        region = Region(0, 0, *table.size)
        before = table.render_lines(region)
        await pilot.press("down")
        await pilot.pause()
        after = table.render_lines(region)
        assert table.scroll_y > 0
        # Header (2 lines) in place; the body moved up one line; the last two rows changed.
        assert all(after[y] is before[y] for y in range(2))
        assert all(after[y] is before[y + 1] for y in range(2, height - 2))


class _Styled(App[None]):
    def __init__(self, css: str) -> None:
        super().__init__()
        self.css = css

    def compose(self) -> ComposeResult:
        yield Static(Text("A line of text\nand another, longer line"), id="textual")
        yield Static(Text("A line of text\nand another, longer line"), id="plain")

    def on_mount(self) -> None:
        for widget in self.query(Static):
            widget.styles.height = 6
            widget.styles.width = 30
            if self.css:
                widget.set_styles(self.css)
        self.query_one("#plain", Static)._styles_cache = PlainLines()


@pytest.mark.parametrize("css", [
    "", "padding: 1 2;", "border: solid red;", "border-left: wide blue;", "outline: solid green;",
    "tint: red 40%;", "opacity: 50%;", "text-opacity: 60%;", "hatch: right yellow;",
    "background: blue 50%; color: white;", "border-title-align: center; border: round white;",
])
async def test_plain_lines_draw_what_textuals_styles_cache_draws(css: str) -> None:
    app = _Styled(css)
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        textual, plain = app.query_one("#textual", Static), app.query_one("#plain", Static)
        assert isinstance(plain._styles_cache, PlainLines)
        assert not isinstance(textual._styles_cache, PlainLines)
        textual.border_title = plain.border_title = "Title"
        for crop in (Region(0, 0, 30, 6), Region(0, 2, 30, 3), Region(3, 1, 20, 4)):
            textual.refresh()
            plain.refresh()
            assert _segments(plain.render_lines(crop)) == _segments(textual.render_lines(crop))


async def test_an_interning_cache_hands_back_equal_lines_as_one_strip() -> None:
    app = _Styled("")
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        widget = app.query_one("#plain", Static)
        widget._styles_cache = PlainLines(intern=True)
        first = widget.render_lines(Region(0, 0, 30, 6))
        widget.update(Text("A line of text\nand another, longer line"))  # equal, made anew
        await pilot.pause()
        widget.refresh()
        again = widget.render_lines(Region(0, 0, 30, 6))
        assert all(a is b for a, b in zip(again, first, strict=True))
        widget.update(Text("Something else"))
        await pilot.pause()
        widget.refresh()
        other = widget.render_lines(Region(0, 0, 30, 6))
        assert other[0] is not first[0]
        assert other[0].text.startswith("Something else")

