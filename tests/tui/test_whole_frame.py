"""The first frame after the app starts (or a mode's first switch) is the whole screen.

Textual lays out a mode's screen inside the app's update batch, and its render there is thrown
away; without `tui.whole_frame`, the first frame written after the batch held only the parts
changed since (the table missing), and the whole screen came a tick later.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import LayoutUpdate
from textual.app import App
from textual.screen import Screen

from caseload.tui import app as app_module
from caseload.tui.app import CaseloadApp
from caseload.tui.whole_frame import WholeFrameAfterBatch
from tests.tui.conftest import SmallCaseload, settle


def _record_frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, str]]:
    """Every frame the app hands to its driver, as (made during a batch, kind of update)."""
    frames: list[tuple[bool, str]] = []
    real = App._display

    def display(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None:
            frames.append((bool(self._batch_count), type(renderable).__name__))
        real(self, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    return frames


@pytest.mark.parametrize("mode", ["today", "caseload", "commitments"])
async def test_the_first_frame_written_is_the_whole_screen(
        small: SmallCaseload, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    frames = _record_frames(monkeypatch)

    class StartsThere(CaseloadApp):
        DEFAULT_MODE = mode
        # Textual resolves CSS_PATH next to the module defining the class: the app's.
        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    app = StartsThere(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first_screen = app.screen
    assert frames, "nothing was drawn"
    assert not [f for f in frames if f[0]], "a frame was rendered during the batch, then lost"
    assert frames[0] == (False, LayoutUpdate.__name__)
    assert isinstance(first_screen, WholeFrameAfterBatch)


async def test_switching_to_a_mode_the_first_time_draws_it_whole(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        frames = _record_frames(monkeypatch)
        await pilot.press("2")
        await settle(pilot)
        assert app.current_mode == "caseload"
    assert not [f for f in frames if f[0]]
    assert LayoutUpdate.__name__ in [kind for _, kind in frames]



def _screen_cells(app: CaseloadApp) -> list[list[tuple[str, Any]]]:
    """The whole screen, line by line and cell by cell: each character and its style."""
    return [[(char, segment.style) for segment in line for char in segment.text]
            for line in app.screen._compositor.render_strips()]


async def test_a_modes_first_screen_is_styled_once_and_looks_as_when_styled_again(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Textual styles a resumed screen's widgets again; a mode's first screen is resumed right
    # after its widgets were mounted (and styled): that second styling is skipped.
    restyled: list[str] = []
    real = Screen.update_node_styles

    def update_node_styles(self: Screen[Any], animate: bool = True) -> None:
        restyled.append(type(self).__name__)
        real(self, animate)

    monkeypatch.setattr(Screen, "update_node_styles", update_node_styles)
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        ours = _screen_cells(app)
        await pilot.press("2")  # Caseload's first screen: not styled again either
        await settle(pilot)
        assert restyled == []
        await pilot.press("1")  # Today again: resumed after other screens, styled again
        await settle(pilot)
        assert restyled == ["TodayScreen"]

    # Textual's own resume, which styles the screen again, is called after this one.
    monkeypatch.setattr(WholeFrameAfterBatch, "_on_screen_resume", lambda self, event: None)
    textuals = app_for(small.session)
    async with textuals.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert _screen_cells(textuals) == ours
    assert restyled[1:] == ["TodayScreen"]  # Textual's own resume styled it again
