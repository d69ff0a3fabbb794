"""The footer of Today and Caseload (`widgets.footer.KeysFooter`): one widget that draws what
Textual's Footer draws, acts on clicks as it does, and draws again only when its keys change."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, Static

from caseload.services import overview
from caseload.services.overview import TodayView
from caseload.tui import app as app_module
from caseload.tui.app import CaseloadApp
from caseload.tui.widgets.footer import KeysFooter
from tests.tui.conftest import SmallCaseload, settle

SIZE = (72, 6)


class _KeysApp(App[None]):
    """Keys of every kind, in a footer of the given type, styled by Caseload's stylesheet (and
    Textual's footer as Caseload styled it when it used it)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    # How Caseload styled Textual's footer before it had its own: keys and descriptions each
    # after a space, and no palette key (it is on the header's tab line).
    CSS = """
    Footer FooterKey .footer-key--key { padding: 0 0 0 1; }
    Footer FooterKey .footer-key--description { padding: 0 0 0 1; }
    Footer FooterKey.-command-palette { display: none; }
    """
    BINDINGS = [
        Binding("k", "kept", "Kept"),
        Binding("n", "no_show", "No show", tooltip="Record a no-show"),
        Binding("z", "off", "Off"),  # shown, but disabled (check_action says None)
        Binding("h", "kept", "Hidden", show=False),
        Binding("K", "kept", "Kept again"),  # the same action: only the first is shown
    ]

    def __init__(self, footer: type[Widget]) -> None:
        super().__init__()
        self.footer = footer
        self.pressed: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Static("The screen's body")
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "off" else True

    def action_kept(self) -> None:
        self.pressed.append("kept")

    def action_no_show(self) -> None:
        self.pressed.append("no show")

    def bell(self) -> None:
        self.bells += 1


def _footer_line(app: App[object]) -> list[tuple[str, Style]]:
    """The screen's last line, cell by cell: each character and its style."""
    line = app.screen._compositor.render_strips()[-1]
    return [(char, segment.style.clear_meta_and_links() if segment.style else Style())
            for segment in line for char in segment.text]


def _text(line: list[tuple[str, Style]]) -> str:
    return "".join(char for char, _ in line).rstrip()


async def _drawn(footer: type[Widget], then: Callable[[Pilot[None]], object] | None = None
                 ) -> tuple[list[tuple[str, Style]], object]:
    """The footer line of `_KeysApp` with `footer`, after `then` (whose result is returned)."""
    app = _KeysApp(footer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        result = await then(pilot) if then is not None else None  # type: ignore[misc]
        await pilot.pause()
        return _footer_line(app), result


async def test_the_footer_draws_what_textuals_footer_draws() -> None:
    textual, _ = await _drawn(Footer)
    ours, _ = await _drawn(KeysFooter)
    assert _text(ours) == " k Kept n No show z Off"
    assert ours == textual
    off = _text(ours).index("z")
    assert ours[off][1].color != ours[1][1].color  # the disabled key is dimmed


async def test_the_key_under_the_mouse_is_highlighted_as_textuals_and_shows_its_tooltip(
        ) -> None:
    async def hover_no_show(pilot: Pilot[None]) -> object:
        await pilot.hover(offset=(10, SIZE[1] - 1))  # on "No show"
        await pilot.pause()
        return [widget.tooltip for widget in pilot.app.screen.query("*")
                if widget.tooltip and widget.display]  # (the palette's key is hidden)

    textual, textual_tips = await _drawn(Footer, hover_no_show)
    ours, our_tips = await _drawn(KeysFooter, hover_no_show)
    plain, _ = await _drawn(KeysFooter)
    assert ours == textual
    assert ours != plain  # the highlight shows
    assert our_tips == textual_tips == ["Record a no-show"]


async def test_a_click_presses_the_key_and_a_disabled_key_rings_the_bell() -> None:
    app = _KeysApp(KeysFooter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = _text(_footer_line(app))
        for label in ("Kept", "No show", "Off"):
            await pilot.click(offset=(text.index(label), SIZE[1] - 1))
            await pilot.pause()
        await pilot.click(offset=(SIZE[0] - 2, SIZE[1] - 1))  # past the keys: nothing
        await pilot.pause()
    assert app.pressed == ["kept", "no show"]
    assert app.bells == 1


async def test_the_footer_is_drawn_again_only_when_its_keys_change(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    real = KeysFooter.render

    def counted(self: KeysFooter):  # type: ignore[no-untyped-def]
        line = real(self)
        drawn.append(line.plain)
        return line

    monkeypatch.setattr(KeysFooter, "render", counted)
    first: Future[TodayView] = Future()  # as `caseload` starts: the day is there at mount
    first.set_result(overview.today_view(small.session))
    app = CaseloadApp(small.session, None, first)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert len(drawn) == 1 and " k Kept" in drawn[0]
        app.screen.set_focus(None)  # the bindings are asked for again; the same keys show
        await settle(pilot)
        app.screen.query_one("#today-table").focus()
        await settle(pilot)
        assert len(drawn) == 1
        app.set_keymap({"mark_kept": "K"})  # a different key: drawn again, with it
        await settle(pilot)
        assert len(drawn) == 2
        assert " K Kept" in drawn[1] and " k Kept" not in drawn[1]


class _WideKeysApp(App[None]):
    """A key shown in wide characters (two columns each), then a plain one."""

    BINDINGS = [Binding("a", "wide", "全角", key_display="ＡＢ"), Binding("b", "next", "Next")]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def action_wide(self) -> None:
        self.pressed.append("wide")

    def action_next(self) -> None:
        self.pressed.append("next")


async def test_a_click_finds_its_key_by_screen_column_after_wide_characters() -> None:
    app = _WideKeysApp()
    async with app.run_test(size=(40, 4)) as pilot:
        await pilot.pause()
        assert _text(_footer_line(app)).startswith(" ＡＢ 全角 b Next")
        # " ＡＢ 全角" is 10 columns but 6 characters: "Next" starts at column 13.
        await pilot.click(offset=(13, 3))
        await pilot.pause()
        await pilot.click(offset=(2, 3))
        await pilot.pause()
    assert app.pressed == ["next", "wide"]
