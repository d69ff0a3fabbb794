"""Privacy on a shared screen: automatic logoff, the blank key, initials mode, no serving.

`PrivacyApp` is the base of `CaseloadApp`; everything here works on the whole app, whatever
screen is open, without the screens knowing:

* **Automatic logoff**: after `idle_logoff_minutes` (Settings; 0 turns it off) without a key,
  click or paste, the screen is blanked at once, database work still running is allowed to
  finish (every change is its own transaction, so all of it is saved), and the app exits.
  Textual leaves the terminal as it was before the app started: nothing of it stays on screen.
  A form that was never submitted is discarded.
* **Blank** (``privacy``, Ctrl+B, from anywhere, even a form): every line of the screen becomes
  empty at once (a line filter, so dialogs, notifications and the footer go blank as well) and
  every key but **Unblank** (``unblank``, Ctrl+R) is ignored.
* **Initials mode** (``initials``, Ctrl+N): every client name on screen is shown as initials
  (``Alex Moreno`` → ``A.M.``), whichever screen, table, dialog or notification shows it; record
  numbers stay. It is a line filter over the rendered text, fed with the names of the clients
  this login may see, so no screen has to take part; a name cut short (``Alex Mor…``) is
  covered too.
* Served over the web (`textual serve`, textual-web) the app refuses to start: client data would
  leave the server.

Tests replace `idle_clock` with a fake clock and call `check_inactivity`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import constants, events
from textual.app import App
from textual.color import Color
from textual.driver import Driver
from textual.filter import LineFilter
from textual.timer import Timer

from caseload.domain.records import ValidationError
from caseload.domain.text import initials
from caseload.tui.commands import Command, bindings
from caseload.tui.workers import db_work, deliver, session_of

PRIVACY_COMMANDS = (
    Command("privacy", "ctrl+b", "Blank", priority=True, show=False,
            tooltip="Blank the screen at once (Ctrl+R brings it back)"),
    Command("unblank", "ctrl+r", "Unblank", show=False,
            tooltip="Bring the blanked screen back"),
    Command("initials", "ctrl+n", "Initials", show=False,
            tooltip="Show clients as initials and record numbers (screen sharing)"),
    Command("open_team", "4", "Team", show=False,
            tooltip="The team's figures side by side, read-only (supervisors)"),
)
SAVE_GRACE_SECONDS = 10.0
NAME_REFRESH_SECONDS = 30.0
_WORD = r"[^\W\d_]"


class ServedRefused(ValidationError):
    """The app was started under a web driver (`textual serve`)."""


# Line filters ------------------------------------------------------------------------------


class BlankFilter(LineFilter):
    """Every cell becomes a plain space: nothing of the screen remains."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        width = sum(cell_len(s.text) for s in segments if not s.control)
        return [Segment(" " * width, Style.null())] if width else []


class InitialsFilter(LineFilter):
    """Client names, whole, word by word or cut short with '…', shown as initials."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__()
        self.pattern, self.prefixes = name_pattern(names)

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if self.pattern is None:
            return segments
        text = "".join(s.text for s in segments if not s.control)
        edits = mask_edits(text, self.pattern, self.prefixes)
        return rewrite(segments, edits) if edits else segments


def name_pattern(names: Iterable[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """A regex of the whole names and their words (longest first), and the words for '…'."""
    wholes = {" ".join(n.split()) for n in names if n and n.strip()}
    words = {w for n in wholes for w in re.findall(rf"{_WORD}[\w'’.-]*", n) if len(w) >= 2}
    parts = sorted(wholes | words, key=len, reverse=True)
    if not parts:
        return None, frozenset()
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return pattern, frozenset(p.casefold() for p in wholes | words)


def _mask(span: str) -> str:
    """Initials for `span`, padded (or cut) to exactly its width on screen."""
    width = cell_len(span)
    shown = initials(span) if len(span) > 1 else span[:1].upper()
    while cell_len(shown) > width:
        shown = shown[:-1]
    return shown + " " * (width - cell_len(shown))


def mask_edits(text: str, pattern: re.Pattern[str], prefixes: frozenset[str]
               ) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every name in `text`; replacements keep the width."""
    edits = []
    for ellipsis in [m.start() for m in re.finditer("…", text)]:
        start = _cut_name_start(text, ellipsis, prefixes)
        if start is not None:  # a name cut short: masked as one, before its words are
            edits.append((start, ellipsis, _mask(text[start:ellipsis])))
    for m in pattern.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e, _ in edits):
            edits.append((m.start(), m.end(), _mask(m.group())))
    return sorted(edits)


def _cut_name_start(text: str, ellipsis: int, prefixes: frozenset[str]) -> int | None:
    """Where a name cut short by '…' at `ellipsis` begins, if it is a name's beginning."""
    lowest = max(0, ellipsis - 60)
    for start in range(lowest, ellipsis):
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        candidate = text[start:ellipsis].casefold()
        if candidate.strip() and any(p.startswith(candidate) for p in prefixes):
            return start
    return None


def rewrite(segments: Sequence[Segment], edits: Sequence[tuple[int, int, str]]
            ) -> list[Segment]:
    """The segments with text spans replaced; each replacement takes its first segment's style.

    Positions count characters of the visible text (control segments are kept as they are).
    """
    out: list[Segment] = []
    pos = 0
    queue = list(edits)
    for seg in segments:
        if seg.control:
            out.append(seg)
            continue
        text, style = seg.text, seg.style
        seg_start, seg_end = pos, pos + len(text)
        pos = seg_end
        pieces: list[str] = []
        cursor = seg_start
        while queue and queue[0][0] < seg_end:
            start, end, replacement = queue[0]
            if start >= cursor:
                pieces.append(text[cursor - seg_start:start - seg_start])
                pieces.append(replacement)
            cursor = max(cursor, min(end, seg_end))
            if end <= seg_end:
                queue.pop(0)
            else:
                break
        pieces.append(text[cursor - seg_start:])
        joined = "".join(pieces)
        if joined:
            out.append(Segment(joined, style))
    return out


# The app base ------------------------------------------------------------------------------


class PrivacyApp(App[int]):
    """Automatic logoff, the blank and unblank keys, initials mode, no web serving."""

    BINDINGS = bindings(*PRIVACY_COMMANDS)
    IDLE_CHECK_SECONDS: ClassVar[float] = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idle_clock: Callable[[], float] = time.monotonic
        self.last_activity = self.idle_clock()
        self.blanked = False
        self.logged_off = False
        self.initials_mode = False
        self._blank_filter = BlankFilter()
        self._initials_filter: InitialsFilter | None = None
        self._idle_timer: Timer | None = None
        self._names_timer: Timer | None = None

    def get_driver_class(self) -> type[Driver]:
        """Refuse web drivers: `textual serve` would send the screen off this server."""
        if constants.DRIVER and "web" in constants.DRIVER.lower():
            raise ServedRefused("Caseload does not run under `textual serve` or textual-web: "
                                "client data must not leave the server. Use ssh.")
        return super().get_driver_class()

    def on_mount(self) -> None:
        """Start the inactivity timer; a supervisor starts on the team view."""
        self.last_activity = self.idle_clock()
        self._idle_timer = self.set_interval(self.IDLE_CHECK_SECONDS, self.check_inactivity,
                                             name="idle-logoff")
        session = getattr(self, "session", None)
        if session is not None and session.read_only and not session.read_only_reason:  # role
            self.call_later(self.action_open_team)

    # Inactivity ------------------------------------------------------------------------------

    @property
    def idle_limit_seconds(self) -> float | None:
        """The configured inactivity limit, or None when automatic logoff is off."""
        session = getattr(self, "session", None)
        minutes = session.settings.idle_logoff_minutes if session is not None else 15
        return minutes * 60.0 if minutes > 0 else None

    def note_activity(self) -> None:
        """Someone is at the keyboard: the inactivity clock starts again."""
        self.last_activity = self.idle_clock()

    async def check_inactivity(self) -> None:
        """Log off when nobody has touched the app for the configured time."""
        limit = self.idle_limit_seconds
        if limit is None or self.logged_off:
            return
        if self.idle_clock() - self.last_activity >= limit:
            await self.log_off()

    async def log_off(self) -> None:
        """Blank at once, let running database work finish (it saves), then exit quietly."""
        self.logged_off = True
        self.blank()
        busy = [w for w in self.workers
                if w.is_running and not w.group.endswith("-dialog")]
        if busy:
            try:
                await asyncio.wait_for(self.workers.wait_for_complete(busy),
                                       SAVE_GRACE_SECONDS)
            except Exception:  # a failed or slow save was already reported; leave anyway
                pass
        self.exit(0)

    async def on_event(self, event: events.Event) -> None:
        """Input keeps the session alive; while blank, only the unblank key gets through."""
        if isinstance(event, events.InputEvent | events.Paste) and not getattr(
                event, "is_forwarded", False):
            self.note_activity()
            if self.blanked:
                if isinstance(event, events.Key) and event.key in self._unblank_keys():
                    self.action_unblank()
                return
        await super().on_event(event)

    # Blank -----------------------------------------------------------------------------------

    def _unblank_keys(self) -> set[str]:
        keys = self._keymap.get("unblank") or PRIVACY_COMMANDS[1].key
        return {k.strip() for k in keys.split(",") if k.strip()}

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then initials, then blank (which hides everything)."""
        filters = list(super().get_line_filters())
        if self.initials_mode and self._initials_filter is not None:
            filters.append(self._initials_filter)
        if self.blanked:
            filters.append(self._blank_filter)
        return filters

    def repaint_all(self) -> None:
        """Render every widget again, so a changed filter shows at once."""
        for screen in self.screen_stack:
            for node in screen.walk_children(with_self=True):
                node.refresh()
        self.refresh()

    def blank(self) -> None:
        """Blank the screen."""
        self.blanked = True
        self.repaint_all()

    def action_privacy(self) -> None:
        """Blank the screen at once."""
        self.blank()

    def action_unblank(self) -> None:
        """Bring the screen back."""
        if self.blanked and not self.logged_off:
            self.blanked = False
            self.repaint_all()

    # Initials --------------------------------------------------------------------------------

    def action_initials(self) -> None:
        """Switch initials mode on or off."""
        self.initials_mode = not self.initials_mode
        if self.initials_mode:
            self.load_client_names()
            self._names_timer = self.set_interval(NAME_REFRESH_SECONDS,
                                                  self.load_client_names, name="names")
            self.notify("Initials mode: clients show as initials and record numbers.",
                        title="Privacy")
        else:
            if self._names_timer is not None:
                self._names_timer.stop()
            self.notify("Initials mode off: full names.", title="Privacy")
        self.repaint_all()

    @db_work("privacy-names", verb="load")
    def load_client_names(self) -> None:
        """Read the names initials mode hides (worker thread)."""
        from caseload.services import team  # with the weekly-review flow: not at start-up

        deliver(self, self.use_client_names, team.client_names(session_of(self)))

    def use_client_names(self, names: list[str]) -> None:
        """Hide these names from now on (UI thread)."""
        self._initials_filter = InitialsFilter(names)
        self.repaint_all()

    # Team ------------------------------------------------------------------------------------

    def action_open_team(self) -> None:
        """Show the team's figures (the supervisor view)."""
        from caseload.tui.screens.supervisor import SupervisorScreen

        if not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen())
