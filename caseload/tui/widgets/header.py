"""The counselor's own consistency this week, shown first on every screen, and the screen tabs.

    This week: kept 18 of 19 · followed through 7 of 9 · streak 3 weeks · ?2 need outcome
    [1 Today]  2 Caseload  3 Commitments  › Alex Rivera

The app owns the figures (`CaseloadApp.week_header`, a reactive holding a
`services.overview.WeekHeader`); every `ConsistencyHeader` watches it, so one reload updates
the header on every screen. After a write that changes the figures, a screen calls
`refresh_header(self)`; a screen that has just loaded a snapshot may instead call
``share_header(app, overview.week_header(session, snapshot))`` (on the UI thread), which
repaints the headers only (setting ``app.week_header`` directly repaints the whole screen).

The second line names the screens reachable with one key (the keys are read from the active
bindings, so a remapped key shows as remapped); the current one is in brackets, so it reads
without colour. A screen that is not a tab (a client, a form) passes its own title, shown after
"›". Never pass a client's name as the *terminal* title; inside the screen it is fine.
"""

from __future__ import annotations

from rich.text import Text
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.widget import Widget

from caseload.services.overview import WeekHeader

TABS = (("open_today", "Today"), ("open_caseload", "Caseload"),
        ("open_commitments", "Commitments"), ("open_review", "Review"))
# Shown at the right of the tab line (not in the footer, which the screen's own keys fill).
EXTRAS = (("show_help", "help"), ("command_palette", "commands"), ("quit", "quit"))


def header_parts(header: WeekHeader | None) -> list[str]:
    """The header's phrases, most important first (narrow terminals drop from the end)."""
    if header is None:
        return ["This week: …"]
    if not (header.reliability.denominator or header.follow_through.denominator
            or header.streak_weeks or header.needs_outcome):
        return ["This week: nothing due yet"]
    parts = [f"This week: {header.reliability.text('kept')}",
             header.follow_through.text("followed through"),
             f"streak {header.streak_weeks} week{'s' if header.streak_weeks != 1 else ''}"]
    if header.needs_outcome:
        parts.append(f"?{header.needs_outcome} need outcome")
    return parts


def fit(parts: list[str], width: int, separator: str = " · ") -> str:
    """Join as many whole phrases as fit in `width` (the first one always)."""
    shown = parts[0]
    for part in parts[1:]:
        candidate = f"{shown}{separator}{part}"
        if len(candidate) > width:
            break
        shown = candidate
    return shown


def refresh_header(node: DOMNode) -> None:
    """Ask the app to reload this week's figures (after a write that changes them)."""
    reload = getattr(node.app, "refresh_header", None)
    if callable(reload):
        reload()


def share_header(app: DOMNode, header: WeekHeader) -> None:
    """Give every header these figures (`app.week_header`), repainting the headers only.

    `CaseloadApp.week_header` is a reactive declared with `repaint=False`: setting it calls the
    headers' watchers, which repaint their own two lines, and never the whole screen (issue 7:
    key to repainted row within 30 ms). An app without the reactive (a test's) is left alone.
    """
    if "week_header" in getattr(type(app), "_reactives", {}):
        app.week_header = header  # type: ignore[attr-defined]


class ConsistencyHeader(Widget):
    """Two lines: this week's reliability, follow-through and streak; then the screen tabs."""

    DEFAULT_CSS = """
    ConsistencyHeader {
        height: 2;
        width: 1fr;
    }
    """

    summary: reactive[WeekHeader | None] = reactive(None)

    def __init__(self, title: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        # Keys seen before: while a text field has the focus, typing "2" types a 2, so the
        # tab keys are not active; the tab line then shows them dimmed rather than vanishing.
        self._last_keys: dict[str, str] = {}

    def on_mount(self) -> None:
        """Follow the app's figures when the app keeps them."""
        if "week_header" in getattr(type(self.app), "_reactives", {}):
            self.watch(self.app, "week_header", self._app_changed)
        # Keys can change (a keymap, a focused widget): redraw the tab line when they do.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop listening to the screen."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def _app_changed(self, header: WeekHeader | None) -> None:
        self.summary = header

    def tab_keys(self) -> dict[str, str]:
        """The key shown for each tab's command, as currently bound."""
        keys: dict[str, str] = {}
        try:
            active = self.screen.active_bindings
        except Exception:  # not mounted on a screen yet
            return keys
        for item in active.values():
            binding = item.binding
            name = binding.id or (binding.action if binding.action == "command_palette" else "")
            if name and name not in keys:
                keys[name] = self.app.get_key_display(binding)
        return keys

    def tabs_text(self, width: int) -> Text:
        """The tab line; the current screen in brackets (and bold)."""
        active = self.tab_keys()
        keys = {**self._last_keys, **active}
        self._last_keys = keys
        text = Text(no_wrap=True, overflow="ellipsis", style="" if active else "dim")
        titles = [title for _id, title in TABS]
        for command_id, title in TABS:
            if command_id not in keys:
                continue
            label = f"{keys[command_id]} {title}"
            if title == self.title:
                text.append(f"[{label}]", style="bold")
            else:
                text.append(f" {label} ")
            text.append(" ")
        if self.title and self.title not in titles:
            text.append(f"› {self.title}", style="bold")
        extras = [f"{keys[name]} {words}" for name, words in EXTRAS if name in keys]
        while extras:
            right = " · ".join(extras)
            gap = width - len(text.plain) - len(right)
            if gap >= 2:
                text.append(" " * gap)
                text.append(right, style="dim")
                break
            extras.pop()
        text.truncate(width, overflow="ellipsis")
        return text

    def render(self) -> Text:
        """The figures (as many whole phrases as fit), then the tabs; first, on a database that
        cannot be written, a read-only banner."""
        width = self.size.width or 80
        reason = getattr(getattr(self.app, "session", None), "read_only_reason", "")
        banner = f"READ-ONLY: {reason}" if reason else ""
        parts = [banner, *header_parts(self.summary)] if banner else header_parts(self.summary)
        text = Text(fit(parts, width), no_wrap=True, overflow="ellipsis")
        text.stylize("bold")
        text.stylize("reverse", 0, len(banner))
        text.append("\n")
        text.append_text(self.tabs_text(width))
        return text
