"""Caseload's footer, on every screen: the screen's keys on one line, drawn by one widget.

Textual's Footer is a container of one `FooterKey` widget per key, each with two styled parts,
and it composes them all again whenever the screen says its bindings may have changed (on
mount, on every focus change, after `refresh_bindings`). On Today, with seven outcome keys,
its keys were ≈ 6 % of the work of the app's start, to the first frame (issue 7: cold start);
on a form, each Tab to the next field composed it again.

`KeysFooter` draws the same line (`tests/tui/test_keys_footer.py` compares it with Textual's,
segment by segment, plain, with a key disabled and under the mouse) from one widget: each key
as its key and its description, styled by the component classes below, which take the theme's
footer variables as Textual's do. It keeps what it last showed (each key's key, label, action,
whether it is enabled, its tooltip) and draws again only when that changes. A click on a key
presses it (a disabled key rings the bell), the key under the mouse is highlighted and shows
its tooltip, as on Textual's footer. The command palette's key is not shown (it is on the
header's tab line), and keys that do not fit are cut at the right edge, as Textual's footer
does without a mouse wheel.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class FooterEntry(NamedTuple):
    """One key as the footer shows it."""

    key: str  # the key pressed when it is clicked
    display: str  # the key as shown
    description: str
    action: str
    enabled: bool
    tooltip: str


class KeysFooter(Widget):
    """The screen's keys on one line: one widget, drawn again only when its keys change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--hover",
    }
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
            padding: 0 0 0 1;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
            padding: 0 0 0 1;
        }
        & > .keys-footer--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.shown: tuple[FooterEntry, ...] | None = None  # the keys as last drawn
        self.spans: list[tuple[int, int, FooterEntry]] = []  # each key's screen columns
        self.hovered: FooterEntry | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def keys_of(self, screen: Screen[object]) -> tuple[FooterEntry, ...]:
        """The keys the footer shows for `screen` now: those shown in footers, the first of
        each action's (as Textual's footer), without the command palette's."""
        app = self.app
        entries: dict[str, FooterEntry] = {}
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items():
            if (binding.show and key != app.COMMAND_PALETTE_BINDING
                    and binding.action not in entries):
                entries[binding.action] = FooterEntry(
                    binding.key, app.get_key_display(binding), binding.description,
                    binding.action, enabled, tooltip)
        return tuple(entries.values())

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Draw again if the keys changed (Textual says so on each focus change, too)."""
        if self.is_attached and screen is self.screen and self.keys_of(screen) != self.shown:
            self.shown = None
            self.refresh()

    def render(self) -> Text:
        if self.shown is None:
            self.shown = self.keys_of(self.screen)
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        key_padding = self.get_component_styles("keys-footer--key").padding
        description_padding = self.get_component_styles("keys-footer--description").padding
        hover = Style(bgcolor=self.get_component_rich_style("keys-footer--hover").bgcolor)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterEntry]] = []
        column = 0  # the screen column where the next key starts (a wide key takes two)
        for entry in self.shown:
            start = len(line)
            # Under the mouse, a key's parts take the hover background (their colours stay).
            key, description = ((key_style + hover, description_style + hover)
                                if entry == self.hovered else (key_style, description_style))
            line.append(" " * key_padding.left + entry.display + " " * key_padding.right, key)
            if entry.description:
                line.append(" " * description_padding.left + entry.description
                            + " " * description_padding.right, description)
            if not entry.enabled:
                line.stylize_before(Style(dim=True), start, len(line))
            width = cell_len(line.plain[start:])
            spans.append((column, column + width, entry))
            column += width
        self.spans = spans
        return line

    def entry_at(self, x: int) -> FooterEntry | None:
        """The key drawn at column `x` of the footer, if any."""
        for start, end, entry in self.spans:
            if start <= x < end:
                return entry
        return None

    def _hover(self, entry: FooterEntry | None) -> None:
        if entry != self.hovered:
            self.hovered = entry
            self.tooltip = entry.tooltip or None if entry is not None else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self.entry_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self.entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
