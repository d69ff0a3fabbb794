"""Every command is declared once and works: ids, actions, clashes, and a visible effect per key.

The structural checks cover every screen and widget class of the app that is loaded, so screens
added later are checked without editing this file.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter

import pytest
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from caseload.tui.app import APP_COMMANDS, OPTIONAL_SCREENS, CaseloadApp
from caseload.tui.commands import action_method_name, binding_list, command_classes
from caseload.tui.screens.caseload import CASELOAD_COMMANDS, CaseloadScreen
from caseload.tui.screens.help import HelpScreen
from caseload.tui.screens.modals import ChoiceScreen, ConfirmScreen, TextPromptScreen
from caseload.tui.screens.today import TODAY_COMMANDS, TodayScreen
from tests.tui.conftest import SmallCaseload, settle

for _module in OPTIONAL_SCREENS:  # the other screens, when they are part of this build
    try:
        importlib.import_module(_module)
    except ImportError:
        pass

CLASSES = command_classes(CaseloadApp)
SCREENS = [c for c in CLASSES if issubclass(c, Screen)]
APP_KEYS = {key for b in binding_list(CaseloadApp) for key in b.key.split(",")}


def merged(cls: type[DOMNode]) -> list[Binding]:
    """A class's bindings including those it inherits from Caseload classes."""
    found: list[Binding] = []
    for base in reversed(cls.__mro__):
        if isinstance(base, type) and issubclass(base, DOMNode) \
                and base.__module__.startswith("caseload."):
            found.extend(binding_list(base))
    return found


def target_of(cls: type[DOMNode], action: str) -> type[DOMNode]:
    """The class whose method a binding's action calls."""
    return CaseloadApp if action.startswith("app.") else cls


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_binding_has_an_id_and_a_method(cls: type[DOMNode]) -> None:
    for binding in binding_list(cls):
        assert binding.id, f"{cls.__name__}: {binding.key} has no id"
        method = action_method_name(binding.action)
        assert hasattr(target_of(cls, binding.action), method), \
            f"{cls.__name__}: {binding.key} → {binding.action} has no {method}"
        assert binding.description, f"{cls.__name__}: {binding.id} has no words"


@pytest.mark.parametrize("cls", SCREENS, ids=lambda c: c.__name__)
def test_ids_unique_and_keys_do_not_clash(cls: type[Screen[object]]) -> None:
    own = merged(cls)
    chain = own if issubclass(cls, ModalScreen) else own + binding_list(CaseloadApp)
    # One id names one command: repeated only for an inherited binding a subclass redeclares.
    actions_by_id: dict[str, set[str]] = {}
    for binding in chain:
        actions_by_id.setdefault(binding.id or "", set()).add(binding.action)
    assert all(len(actions) == 1 for actions in actions_by_id.values()), actions_by_id
    # A key triggers one thing: on the screen (after overrides) and against app-wide keys.
    effective: dict[str, Binding] = {}
    for binding in own:
        for key in binding.key.split(","):
            effective[key] = binding
    if not issubclass(cls, ModalScreen):
        clashes = set(effective) & APP_KEYS
        assert not clashes, f"{cls.__name__} shadows app keys {clashes}"
    counts = Counter(key for b in binding_list(cls) for key in b.key.split(","))
    assert all(n == 1 for n in counts.values()), counts


def test_an_id_means_one_thing_across_the_app() -> None:
    """An id on two screens (a remap moves both) must be the same command to the user."""
    seen: dict[str, str] = {}
    for cls in CLASSES:
        for binding in binding_list(cls):
            words = binding.description.lower()
            assert seen.setdefault(binding.id or "", words) == words, \
                f"id {binding.id} means '{seen[binding.id or '']}' and '{words}' ({cls.__name__})"


def test_app_hides_screenshot_and_keeps_palette() -> None:
    assert CaseloadApp.ENABLE_COMMAND_PALETTE
    assert CaseloadApp.TITLE == "Caseload"
    assert not CaseloadApp.SUB_TITLE


# Visible effect of every key -------------------------------------------------------------------

_SVG_ID = re.compile(r"terminal-[0-9]+")


def picture(app: App[object]) -> str:
    return _SVG_ID.sub("terminal", app.export_screenshot())


TODAY_KEYS = {c.id: c.key for c in TODAY_COMMANDS}
CASELOAD_KEYS = {c.id: c.key for c in CASELOAD_COMMANDS}


def test_every_today_and_caseload_command_is_pressed_below() -> None:
    assert set(TODAY_KEYS) == {"mark_kept", "mark_no_show", "mark_late_cancel",
                               "mark_client_cancelled", "mark_counselor_cancelled",
                               "reschedule", "late_minutes", "open_row_client",
                               "check_in_row", "commit_for_row", "add_client"}
    assert set(CASELOAD_KEYS) == {"focus_filter", "clear_filter", "next_sort",
                                  "reverse_sort", "toggle_inactive", "open_selected_client",
                                  "add_client"}
    assert {c.id for c in APP_COMMANDS} == {"open_today", "open_caseload", "open_commitments",
                                             "open_review", "show_help", "quit"}


@pytest.mark.parametrize("command_id", sorted(TODAY_KEYS))
async def test_each_today_key_visibly_does_something(small: SmallCaseload, app_for,
                                                     command_id: str) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table")
        table.move_cursor(row=table.get_row_index(str(small.casey_today)))  # type: ignore[attr-defined]
        await pilot.pause()
        before = picture(app)
        key = TODAY_KEYS[command_id].split(",")[0]
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.2)
        assert picture(app) != before, f"{key} ({command_id}) changed nothing on screen"


@pytest.mark.parametrize("command_id", sorted(CASELOAD_KEYS))
async def test_each_caseload_key_visibly_does_something(small: SmallCaseload, app_for,
                                                        command_id: str) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        if command_id == "clear_filter":  # clearing needs something to clear
            await pilot.press("slash", "a", "l")
            await pilot.pause(0.3)
        before = picture(app)
        await pilot.press(CASELOAD_KEYS[command_id].split(",")[0])
        await settle(pilot)
        await pilot.pause(0.3)
        assert picture(app) != before, f"{command_id} changed nothing on screen"


@pytest.mark.parametrize(("start", "key"), [("2", "1"), ("1", "2"), ("1", "3"), ("1", "w"),
                                            ("1", "f1"), ("1", "question_mark")])
async def test_each_app_key_visibly_does_something(small: SmallCaseload, app_for,
                                                   start: str, key: str) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(start)
        await settle(pilot)
        before = picture(app)
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.2)
        assert picture(app) != before


async def test_q_quits(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit or not app.is_running  # type: ignore[attr-defined]
    assert app.return_code in (0, None)


@pytest.mark.parametrize("key", ["escape", "f1", "question_mark", "q"])
async def test_help_keys_close_help(small: SmallCaseload, app_for, key: str) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert app.is_running


class DialogHost(App[None]):
    """A bare app to open one dialog on."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []


@pytest.mark.parametrize(("make", "key", "expected"), [
    (lambda: ConfirmScreen("Sure?"), "y", True),
    (lambda: ConfirmScreen("Sure?"), "n", False),
    (lambda: ConfirmScreen("Sure?"), "escape", False),
    (lambda: TextPromptScreen("Name", "e.g. x"), "escape", None),
    (lambda: ChoiceScreen("Who?", []), "escape", None),
], ids=["confirm-y", "confirm-n", "confirm-esc", "prompt-esc", "choice-esc"])
async def test_dialog_keys_dismiss_with_a_value(make, key: str, expected: object) -> None:  # type: ignore[no-untyped-def]
    app = DialogHost()
    async with app.run_test() as pilot:
        app.push_screen(make(), app.results.append)
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert app.results == [expected]


async def test_choice_keys_pick_their_option() -> None:
    from caseload.tui.screens.modals import Choice

    app = DialogHost()
    async with app.run_test() as pilot:
        app.push_screen(ChoiceScreen("Who?", [Choice("c", "Client", "client"),
                                              Choice("m", "Me", "me")]), app.results.append)
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert app.results == ["me"]


def test_known_screens_are_checked() -> None:
    assert {TodayScreen, CaseloadScreen, HelpScreen, ConfirmScreen, TextPromptScreen,
            ChoiceScreen} <= set(SCREENS)
