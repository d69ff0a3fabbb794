"""The counselor's own consistency this week, shown first on every screen.

    Today  This week: kept 18 of 19 · followed through 7 of 9 · streak 3 weeks · ?2 need outcome

The app owns the figures (`CaseloadApp.week_header`, a reactive holding a
`services.overview.WeekHeader`); every `ConsistencyHeader` watches it, so one reload updates
the header on every screen. After a write that changes the figures, a screen calls
`refresh_header(self)`; a screen that has just loaded a snapshot can instead set
``app.week_header = overview.week_header(session, snapshot)`` (on the UI thread).
"""

from __future__ import annotations

from rich.text import Text
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.widget import Widget

from caseload.services.overview import WeekHeader


def header_parts(header: WeekHeader | None) -> list[str]:
    """The header's phrases, most important first (narrow terminals drop from the end)."""
    if header is None:
        return ["This week: loading…"]
    parts = [f"This week: {header.reliability.text('kept')}",
             header.follow_through.text("followed through"),
             f"streak {header.streak_weeks} week{'s' if header.streak_weeks != 1 else ''}"]
    if header.needs_outcome:
        parts.append(f"?{header.needs_outcome} need outcome")
    return parts


def refresh_header(node: DOMNode) -> None:
    """Ask the app to reload this week's figures (after a write that changes them)."""
    reload = getattr(node.app, "refresh_header", None)
    if callable(reload):
        reload()


class ConsistencyHeader(Widget):
    """One line: the screen's name, then this week's reliability, follow-through and streak."""

    DEFAULT_CSS = """
    ConsistencyHeader {
        height: 1;
        width: 1fr;
    }
    """

    summary: reactive[WeekHeader | None] = reactive(None)

    def __init__(self, title: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title

    def on_mount(self) -> None:
        """Follow the app's figures when the app keeps them."""
        if "week_header" in getattr(type(self.app), "_reactives", {}):
            self.watch(self.app, "week_header", self._app_changed)

    def _app_changed(self, header: WeekHeader | None) -> None:
        self.summary = header

    def render(self) -> Text:
        """Fit as many phrases as the width allows, never cutting one in half."""
        width = self.size.width or 80
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.title:
            text.append(self.title, style="bold")
            text.append("  ")
        parts = header_parts(self.summary)
        shown = parts[0]
        for part in parts[1:]:
            candidate = f"{shown} · {part}"
            if len(text.plain) + len(candidate) > width:
                break
            shown = candidate
        text.append(shown)
        return text
