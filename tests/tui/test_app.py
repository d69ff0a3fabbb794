"""The app as a whole: sizes, help, palette, keymaps, titles, and what must never happen."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from caseload.domain.records import Outcome
from caseload.services import appointments
from caseload.tui import app as app_module
from caseload.tui.app import CaseloadApp, run_app
from caseload.tui.screens.help import HelpScreen
from caseload.tui.screens.modals import TextPromptScreen
from caseload.tui.screens.today import TodayScreen
from caseload.tui.widgets.header import ConsistencyHeader
from tests.tui.conftest import SmallCaseload, screen_text, settle


@pytest.mark.parametrize("keys", [(), ("2",), ("f1",), ("r",), ("2", "slash", "a")],
                         ids=["today", "caseload", "help", "prompt", "filter"])
@pytest.mark.parametrize("size", [(40, 12), (250, 80), (20, 5)])
async def test_resize_never_crashes(small: SmallCaseload, app_for, keys: tuple[str, ...],
                                    size: tuple[int, int]) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table")
        table.move_cursor(row=table.get_row_index(str(small.blair_later)))  # type: ignore[attr-defined]
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.resize_terminal(*size)
        await settle(pilot)
        app.export_screenshot()  # renders every visible widget at the new size
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.is_running


async def test_header_first_on_every_screen(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, title in (("1", "Today"), ("2", "Caseload")):
            await pilot.press(key)
            await settle(pilot)
            first = app.screen.children[0]
            assert isinstance(first, ConsistencyHeader)
            text = first.render().plain
            assert text.startswith("This week: kept 1 of 1 · followed through 0 of 1 · streak")
            assert f"[{key} {title}]" in text


async def test_f1_shows_the_keys_of_the_current_screen(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("On this screen", "Kept", "mark_kept", "Move", "Everywhere", "Caseload",
                      "open_caseload", "Quit", "Outcomes", "no show", "Flags", "?out"):
            assert words in text, words
        await pilot.press("escape", "2")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        assert "[toggle_inactive]" in text and "[mark_kept]" not in text


async def test_keymap_from_config_remaps_a_command(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session, {"mark_kept": "K", "no_such_command": "z"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("no_such_command" in n.message for n in app._notifications)
        table = app.screen.query_one("#today-table")
        table.move_cursor(row=table.get_row_index(str(small.casey_today)))  # type: ignore[attr-defined]
        await pilot.press("k")
        await settle(pilot)
        assert appointments.get(small.session, small.casey_today).outcome is Outcome.SCHEDULED
        await pilot.press("K")
        await settle(pilot)
        assert appointments.get(small.session, small.casey_today).outcome is Outcome.KEPT
        await pilot.press("f1")
        await pilot.pause()
        assert any(r.id == "mark_kept" and r.key == "K"
                   for r in app.screen.rows)  # type: ignore[attr-defined]


async def test_palette_lists_screen_commands_but_no_screenshot(small: SmallCaseload,
                                                               app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Theme" in titles
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"kept")
        await pilot.pause(0.5)
        shown = app.screen.query_one("CommandList").render_lines  # the list exists
        assert shown is not None
        text = app.export_screenshot()
        assert "Kept" in text and "Screenshot" not in text


async def test_palette_lists_the_screens_commands_then_the_apps_in_one_order(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    """One provider: the order never depends on which of two answered first."""
    seen: list[list[str]] = []
    for _ in range(3):
        app = app_for(small.session)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause(0.5)
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            options = palette.query_one("CommandList")
            seen.append([str(options.get_option_at_index(i).prompt).splitlines()[0]  # type: ignore[attr-defined]
                         for i in range(options.option_count)])  # type: ignore[attr-defined]
    first = seen[0]
    assert seen == [first] * 3
    kept, theme = first.index("Kept (k)"), first.index("Theme")
    assert kept < theme  # the screen's commands before Textual's
    assert "Screenshot" not in first


async def test_palette_runs_the_command(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table")
        table.move_cursor(row=table.get_row_index(str(small.casey_today)))  # type: ignore[attr-defined]
        await pilot.press("ctrl+p", *"client cxl")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        stored = appointments.get(small.session, small.casey_today)
        assert stored.outcome is Outcome.CLIENT_CANCELLED


async def test_screenshots_are_refused(small: SmallCaseload, app_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shots = tmp_path / "shots"
        shots.mkdir()
        app.save_screenshot(path=str(shots))
        app.action_screenshot(path=str(shots))
        await pilot.pause()
        assert list(shots.iterdir()) == []


async def test_titles_never_carry_client_names(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("2", "enter", "1", "r"):
            await pilot.press(key)
            await settle(pilot)
            assert app.title == "Caseload"
            for name in ("Alex", "Blair", "Casey", "Drew"):
                assert name not in (app.sub_title or "")
                assert name not in (app.screen.sub_title or "")
                assert name not in (app.screen.title or "")


def test_devtools_and_debug_are_off(small: SmallCaseload, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEXTUAL", "devtools,debug")
    app = CaseloadApp(small.session)
    assert "devtools" not in app.features and "debug" not in app.features


async def test_a_crash_shows_the_type_only(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)

    def explode() -> None:
        raise ValueError("Alex Rivera R-1001")

    with pytest.raises(ValueError):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.call_later(explode)
            await pilot.pause()
    assert app.crash_type == "ValueError"
    rendered = " ".join(str(r) for r in app._exit_renderables)
    assert "Alex" not in rendered


def test_run_app_returns_exit_codes(small: SmallCaseload, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(CaseloadApp, "run", lambda self: None)
    assert run_app(small.session) == 0
    assert run_app(small.session, keys={"mark_kept": "K"}) == 0

    def crash(self: CaseloadApp) -> None:
        self.crash_type = "ValueError"

    monkeypatch.setattr(CaseloadApp, "run", crash)
    assert run_app(small.session) == 1


async def test_today_is_the_default_and_modals_stack(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press("2")   # typed into the prompt, not a screen switch
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)


def test_optional_screens_are_looked_up_lazily() -> None:
    assert app_module._optional("caseload.tui.screens.no_such_screen", "X") is None
