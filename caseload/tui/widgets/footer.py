"""The footer of Caseload's screens: Textual's Footer, its keys built again only when they change.

Textual's Footer composes all its keys again whenever the screen says its bindings may have
changed: on mount, on every focus change, after `refresh_bindings`. On Today, with seven outcome
keys, each such rebuild mounts and styles eight widgets (≈ 15 ms): at start-up it happened twice
before the first frame (issue 7: cold start). This footer keeps what it last showed (each shown
key's key, label, action, whether it is enabled, its tooltip, and the palette key) and rebuilds
only when that differs. Its keys are mounted in the compact style they end up in, so mounting
them styles each once.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """A Footer that composes its keys again only when they changed."""

    DEFAULT_CSS = ""  # Footer's own styles apply (its CSS type names include Footer)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.shown: Hashable | None = None  # the keys as last composed

    def keys_of(self, screen: Screen[object]) -> Hashable:
        """What the footer would show for `screen` now."""
        app = self.app
        bindings = screen.active_bindings
        return (self.compact, self.show_command_palette, tuple(
            (key, app.get_key_display(binding), binding.description, binding.action, enabled,
             tooltip, binding.group)
            for key, (_node, binding, enabled, tooltip) in bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING))

    async def recompose(self) -> None:
        """Compose again, unless the keys are those on show (and were composed at all)."""
        if (self.shown is not None and self.is_attached
                and self.keys_of(self.screen) == self.shown):
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        # Yielded one by one, as Footer makes them (its key groups are `with` blocks).
        # Footer composes nothing until the screen first said its bindings are ready.
        self.shown = None
        for widget in super().compose():
            if self.shown is None:
                self.shown = self.keys_of(self.screen)
            if isinstance(widget, FooterKey):
                self._style_ahead(widget)
            yield widget

    def _style_ahead(self, key: FooterKey) -> None:
        """Give a new key, before it mounts, the compact style it would end up with.

        A key starts compact and takes the footer's `compact` once bound to it (the palette
        key is not bound and stays compact); each of those changes restyled the key and its
        parts: 15 restyles of Today's footer before the first frame (issue 7: cold start).
        Set ahead, neither change happens, and the key looks as it did.
        """
        compact = True if key.has_class("-command-palette") else self.compact
        key.set_reactive(FooterKey.compact, compact)
        key.set_class(compact, "-compact", update=False)
