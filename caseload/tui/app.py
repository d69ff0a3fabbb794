"""The Caseload terminal app: the session, the screens as modes, app-wide keys, safe defaults.

Screens are the controllers; this module only wires them together:

* modes: ``today`` (the default), ``caseload``, ``commitments``; each keeps its own stack, so a
  client opened from Caseload is still there after a look at Today;
* app-wide commands (`APP_COMMANDS`), remappable through ``[keys]`` in the config file;
* `week_header`, the counselor's figures that every `ConsistencyHeader` shows;
* hooks other screens call by action name (``app.open_client(3)``, ``app.add_commitment(3)``),
  which import their screens lazily so each part works before the other lands.

Nothing here writes screen content anywhere: Textual's screenshot command is left out of the
palette and saving screenshots is refused; the devtools console is switched off; a crash shows
the exception's type only, never a traceback with local values (client data).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from rich.text import Text
from textual.app import SystemCommand
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from caseload.services import overview
from caseload.services.overview import TodayView, WeekHeader
from caseload.services.session import Session
from caseload.startup import collect_again
from caseload.tui import hangup
from caseload.tui.commands import BindingCommands, Command, all_command_ids, bindings
from caseload.tui.privacy import PrivacyApp
from caseload.tui.safe_text import ControlFilter
from caseload.tui.screens.today import TodayScreen
from caseload.tui.styles import KeptStylesheet
from caseload.tui.workers import db_work, deliver

APP_COMMANDS = (
    # The screens' keys are shown in every screen's tab line, not in the footer.
    Command("open_today", "1", "Today", show=False,
            tooltip="Today's sessions and the outcomes to record"),
    Command("open_caseload", "2", "Caseload", show=False,
            tooltip="Every client: attendance, follow-through, alliance trend, flags"),
    Command("open_commitments", "3", "Commitments", show=False,
            tooltip="Open commitments, both directions, overdue first"),
    Command("open_review", "w", "Review", show=False,
            tooltip="The weekly review: get clear, get current, look ahead, summary "
                    "(resumes where you stopped)"),
    # Help and Quit are shown at the right of the tab line.
    Command("show_help", "f1,question_mark", "Help", key_display="F1", show=False,
            tooltip="The keys of this screen"),
    Command("quit", "q", "Quit", show=False,
            tooltip="Leave Caseload (everything is already saved)"),
)
# Screenshot writes screen content to a file; "Keys" is Textual's own key panel, which F1 (the
# Help screen, built from the same bindings) replaces; Quit is Caseload's own q command; a
# maximized widget hides the header and footer.
CONTROL_FILTER = ControlFilter()
HIDDEN_SYSTEM_COMMANDS = frozenset({"Screenshot", "Keys", "Quit", "Maximize", "Minimize"})
# Modes whose screen reads the week's header with its own first read (and shares it): the app
# reads it only for the others, rather than a second time alongside the screen's first read.
MODES_READING_HEADER = frozenset({"today", "caseload"})
OPTIONAL_SCREENS = ("caseload.tui.screens.client", "caseload.tui.screens.client_form",
                    "caseload.tui.screens.commitments", "caseload.tui.screens.commitment_form",
                    "caseload.tui.screens.checkin", "caseload.tui.screens.review")


def _optional(module: str, name: str) -> Any | None:
    """A class from a screen module that may not exist yet (another part of the app)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _caseload_screen() -> Screen[Any]:
    """The client list, imported when first shown: the first frame is Today's."""
    from caseload.tui.screens.caseload import CaseloadScreen

    return CaseloadScreen()


def _commitments_screen() -> Screen[Any]:
    screen_class = _optional("caseload.tui.screens.commitments", "CommitmentsScreen")
    if screen_class is None:
        raise LookupError("no commitments screen")
    screen: Screen[Any] = screen_class()
    return screen


class CaseloadApp(PrivacyApp):  # logoff, blank key, initials, team view: tui/privacy.py
    """Caseload for one counselor's session."""

    TITLE = "Caseload"
    SUB_TITLE = ""
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {BindingCommands}  # the screen's commands, then the system ones (commands.py)
    MODES = {"today": TodayScreen, "caseload": _caseload_screen,
             "commitments": _commitments_screen}
    DEFAULT_MODE = "today"
    BINDINGS = bindings(*APP_COMMANDS)

    # The headers watch it and repaint their own two lines; the app itself is not repainted
    # (a whole-screen repaint per save: ≈ 10 ms and 5 KB for Today, issue 7).
    week_header: reactive[WeekHeader | None] = reactive(None, repaint=False)

    def __init__(self, session: Session, config_keys: Mapping[str, str] | None = None,
                 first_view: Future[TodayView] | None = None) -> None:
        super().__init__()
        # Parsed again only when the CSS variables change (tui/styles.py); nothing is in it yet.
        self.stylesheet = KeptStylesheet(variables=self.stylesheet._variables)
        self.session = session
        self.config_keys = dict(config_keys or {})
        # Today's rows and header, read while the app was being imported (cli.open_app).
        self.first_view = first_view
        # No devtools console or debug output: they would carry screen content elsewhere.
        self.features = frozenset(f for f in self.features if f not in {"devtools", "debug"})
        self.crash_type: str | None = None
        self.hangup_code: int | None = None  # set on SIGHUP or SIGTERM (tui/hangup.py)

    def on_mount(self) -> None:
        """Apply the user's key remaps and load this week's figures; a lost terminal saves."""
        self.apply_keys(self.config_keys)
        self.call_after_refresh(collect_again)  # paused while starting: caseload/startup.py
        if self.current_mode not in MODES_READING_HEADER:
            self.refresh_header()
        if not self.is_headless:
            hangup.install(self)

    def take_first_view(self) -> TodayView | None:
        """Today as read before the app started, once (then None): when that read is done and
        succeeded. Otherwise the screen reads the day itself (and reports any failure)."""
        first, self.first_view = self.first_view, None
        if first is None or not first.done() or first.exception() is not None:
            return None
        return first.result()

    def apply_keys(self, keys: Mapping[str, str]) -> None:
        """Remap commands by id (``[keys]`` in the config); unknown ids are reported, not fatal."""
        if not keys:
            return
        for module in OPTIONAL_SCREENS:
            _optional(module, "")  # import what exists, so its commands are known
        known = all_command_ids(type(self))
        unknown = sorted(set(keys) - known)
        if unknown:
            self.notify(f"Unknown command ids in [keys]: {', '.join(unknown)}",
                        title="Config", severity="warning")
        self.set_keymap({k: v for k, v in keys.items() if k in known})

    # The consistency header ------------------------------------------------------------------

    def refresh_header(self) -> None:
        """Reload this week's figures for every `ConsistencyHeader`."""
        self.load_header()

    @db_work("app-header", verb="load")
    def load_header(self) -> None:
        """Read the snapshot and compute the week's header (worker thread)."""
        snapshot = overview.load_snapshot(self.session)
        deliver(self, self.show_header, overview.week_header(self.session, snapshot))

    def show_header(self, header: WeekHeader) -> None:
        """Set the figures every header shows (UI thread)."""
        self.week_header = header

    # Navigation ------------------------------------------------------------------------------

    def action_open_today(self) -> None:
        """Show Today."""
        self.switch_mode("today")

    def action_open_caseload(self) -> None:
        """Show the Caseload list."""
        self.switch_mode("caseload")

    def action_open_commitments(self) -> None:
        """Show the Commitments screen (when it is part of this build)."""
        if _optional("caseload.tui.screens.commitments", "CommitmentsScreen") is None:
            self.notify("The Commitments screen is not available yet.", severity="warning")
            return
        self.switch_mode("commitments")

    def action_open_review(self) -> None:
        """Start or resume this week's review (one key from anywhere)."""
        review_screen = _optional("caseload.tui.screens.review", "ReviewScreen")
        if review_screen is None:
            self.notify("The weekly review is not available yet.", severity="warning")
            return
        if not any(isinstance(s, review_screen) for s in self.screen_stack):
            self.push_screen(review_screen())

    def action_show_help(self) -> None:
        """Show the keys of the current screen."""
        from caseload.tui.screens.help import HelpScreen  # when asked for: not at start-up

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_open_client(self, client_id: int) -> None:
        """Open one client's screen."""
        screen_class = _optional("caseload.tui.screens.client", "ClientScreen")
        if screen_class is None:
            self.notify("The Client screen is not available yet.", severity="warning")
            return
        self.push_screen(screen_class(client_id))

    def action_check_in(self, client_id: int, appointment_id: int | None = None) -> None:
        """Open the check-in form for a client (and the session it belongs to)."""
        screen_class = _optional("caseload.tui.screens.checkin", "CheckInScreen")
        if screen_class is None:
            self.notify("The Check-in screen is not available yet.", severity="warning")
            return
        self.push_screen(screen_class(client_id, appointment_id))

    def action_add_client(self) -> None:
        """Open the new-client form."""
        form = _optional("caseload.tui.screens.client_form", "ClientFormScreen")
        if form is None:
            self.notify("Adding a client is not available yet in this build; "
                        "`caseload --demo` opens a demo caseload.", severity="warning")
            return
        self.push_screen(form(), self._client_added)

    def _client_added(self, result: object) -> None:
        if result:
            self.refresh_header()
            reload = getattr(self.screen, "reload", None)
            if callable(reload):
                reload()

    def action_add_commitment(self, client_id: int, text: str = "") -> None:
        """Add a commitment for a client (the form belongs to the Commitments part)."""
        form = _optional("caseload.tui.screens.commitment_form", "CommitmentFormScreen")
        if form is None:
            self.notify("Adding a commitment is not available yet.", severity="warning")
            return
        self.push_screen(form(client_id, text=text), self._commitment_added)

    def _commitment_added(self, result: object) -> None:
        if result:
            self.refresh_header()

    # Safety ----------------------------------------------------------------------------------

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Every line without control characters (tui/safe_text.py), then the privacy filters."""
        return [CONTROL_FILTER, *super().get_line_filters()]

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Notifications show their text as it is: a client's name is never read as markup
        (a name with "[/]" in it would stop the app; one with "[link=…]" would make a link)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands without the screenshot (it writes client data to a file)
        and without Textual's key panel (F1 shows Caseload's help)."""
        for command in super().get_system_commands(screen):
            if command.title not in HIDDEN_SYSTEM_COMMANDS:
                yield command

    def save_screenshot(self, filename: str | None = None, path: str | None = None,
                        time_format: str | None = None) -> str:
        """Refused: a screenshot file would hold client data where others may read it."""
        self.notify("Screenshots are switched off in Caseload.", severity="warning")
        return ""

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Refused, like `save_screenshot`."""
        self.save_screenshot()
        return None

    def _fatal_error(self) -> None:
        """Exit after an unexpected error showing only its type.

        Textual's default prints a traceback with local variables, which would put client data
        on the terminal (and in any scrollback or session log).
        """
        error = self._exception
        self.crash_type = type(error).__name__ if error is not None else "error"
        self.bell()
        self._exit_renderables.append(
            Text(f"caseload: stopped after an unexpected error ({self.crash_type}). "
                 "Everything saved before it is in the database."))
        self._close_messages_no_wait()


def run_app(session: Session, keys: Mapping[str, str] | None = None,
            first_view: Future[TodayView] | None = None) -> int:
    """Run the app until the counselor quits; returns the process exit code."""
    app = CaseloadApp(session, keys, first_view)
    app.run()
    if app.crash_type is not None:
        return 1
    if app.hangup_code is not None:
        return app.hangup_code
    return app.return_code or 0
