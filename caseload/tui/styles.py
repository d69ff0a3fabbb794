"""The app's stylesheet: parsed again only where its CSS variables or sources changed.

Textual parses every stylesheet from scratch whenever it refreshes the CSS: `App.refresh_css`
sets the variables again, which empties the stylesheet's parse cache, and `Stylesheet.reparse`
parses every source anew in a fresh stylesheet. It refreshes at each mode's first screen
(`App._init_mode`: a new screen's CSS count is never the app's), so the app's start parsed all
of its CSS twice (≈ 20 ms of CPU here, issue 7: cold start), and the first switch to each
other mode parsed it all once more.

A source's rules depend only on its text and the variables. `KeptStylesheet` keeps its cache
while the variables stay the same, and its `reparse` is its `parse`: each source from the
cache, and the new ones parsed. New variables (a theme change) still empty the cache, so every
source is parsed again with them, as in Textual. The Textual code this relies on is pinned in
`tests/tui/test_textual_pins.py`.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class KeptStylesheet(Stylesheet):
    """A Stylesheet that keeps its parse while its CSS variables stay the same."""

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)  # the cache was parsed with other variables

    def reparse(self) -> None:
        # `parse` keeps the rules as they were if a source fails, as `reparse` does, and
        # remembers the failing source, as `reparse` does.
        self.parse()
