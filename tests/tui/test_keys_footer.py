"""The footer builds its keys again only when they change (`widgets.footer.KeysFooter`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from caseload.services import overview
from caseload.services.overview import TodayView
from caseload.tui.app import CaseloadApp
from caseload.tui.widgets.footer import KeysFooter
from tests.tui.conftest import SmallCaseload, settle


def _footer(app: CaseloadApp) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.screen.query(FooterKey)]


async def test_the_footer_is_built_once_and_again_only_when_its_keys_change(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    composed: list[int] = []
    real = KeysFooter.compose

    def counted(self: KeysFooter):  # type: ignore[no-untyped-def]
        keys = list(real(self))
        if keys:
            composed.append(len(keys))
        return iter(keys)

    monkeypatch.setattr(KeysFooter, "compose", counted)
    first: Future[TodayView] = Future()  # as `caseload` starts: the day is there at mount
    first.set_result(overview.today_view(small.session))
    app = CaseloadApp(small.session, None, first)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert len(composed) == 1  # Textual asks for it on mount, on focus and for the rows
        assert ("k", "Kept") in _footer(app)
        app.screen.set_focus(None)  # the bindings are asked for again; the same keys show
        await settle(pilot)
        app.screen.query_one("#today-table").focus()
        await settle(pilot)
        assert len(composed) == 1
        app.set_keymap({"mark_kept": "K"})  # a different key: built again, with it
        await settle(pilot)
        assert len(composed) == 2
        assert ("K", "Kept") in _footer(app) and ("k", "Kept") not in _footer(app)


class _KeysApp(App[None]):
    """Two keys and the palette's, in a footer of the given kind."""

    BINDINGS = [("a", "bell", "Alpha"), ("b", "app.bell", "Beta")]

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield self.footer()


async def _mounted_keys(footer: type[Footer], monkeypatch: pytest.MonkeyPatch
                        ) -> tuple[list[tuple[str, bool, list[str]]], int]:
    """The footer's keys once mounted (key, compact, classes), and how many times the keys
    were styled again after mounting."""
    restyled = 0
    real = App.update_styles

    def counted(self: App[Any], node: DOMNode, animate: bool = True) -> None:
        nonlocal restyled
        restyled += isinstance(node, FooterKey)
        real(self, node, animate)

    with monkeypatch.context() as patch:
        patch.setattr(App, "update_styles", counted)
        app = _KeysApp(footer)
        async with app.run_test(size=(80, 10)) as pilot:
            await pilot.pause()
            keys = [(key.key, key.compact, sorted(key.classes))
                    for key in app.query(FooterKey)]
    return keys, restyled


async def test_keys_mount_in_their_final_style_the_same_as_textuals(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Each key changed its compact style twice as it mounted, each time styling it and its
    # parts again (15 times for Today's footer before the first frame, issue 7).
    textual_keys, _ = await _mounted_keys(Footer, monkeypatch)
    our_keys, restyled = await _mounted_keys(KeysFooter, monkeypatch)
    assert len(textual_keys) == 3 and textual_keys[-1][2] == ["-command-palette", "-compact"]
    assert our_keys == textual_keys
    assert restyled == 0
