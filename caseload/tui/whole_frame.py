"""A mode's screen is drawn whole in the first frame after the app's update batch.

Textual lays out a mode's screen inside the app's start-up batch (`App.batch_update` around
the app's Compose, Resize and Mount): `Screen._compositor_refresh` then renders the whole screen,
and `App._display` throws the render away because of the batch. That render has also cleared
the screen's dirty regions, so the first frame written afterwards holds only what changed since
(the header and footer, not the table), and the whole screen comes a tick later. On the
1,000-client list the thrown-away render and the partial frame cost ≈ 80 ms of CPU before the
first whole frame (issue 7: cold start ≤ 1.4 T, the list ≤ 1.5 T).

`WholeFrameAfterBatch` renders nothing while the app batches: it keeps the whole screen dirty
and asks for a repaint, which the screen's next update (after the batch) draws in one frame.
Outside a batch, and for inline apps, Textual's own refresh runs unchanged. It also styles the
screen's widgets once: Textual styles them as they mount, then again when the new screen is
resumed (once at start, twice on a mode's first switch); those are skipped while the screen has
not been suspended and the CSS has not changed since its widgets were styled. The Textual code
this stands in for is pinned in `tests/tui/test_textual_pins.py`.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.screen import Screen

ResultT = TypeVar("ResultT")


class WholeFrameAfterBatch(Screen[ResultT]):
    """A screen whose renders during the app's update batch wait for the batch's end."""

    def _compositor_refresh(self) -> None:
        app = self.app
        if app._batch_count and self is app.screen and not app.is_inline:
            self._compositor._dirty_regions.add(self._compositor.size.region)
            self._repaint_required = True
            return
        super()._compositor_refresh()

    # Textual's handlers of these events are called after these, for each class in the MRO:
    # these only mark when the screen's widgets were styled, and say if a resume restyles.

    def on_mount(self) -> None:
        self._styled_with: int | None = self.app._css_update_count  # the CSS as styled with

    def on_screen_suspend(self) -> None:
        self._styled_with = None  # any resume after this one styles the widgets again

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # A mode's first screen is resumed (twice, on a switch) right after its widgets were
        # mounted, and so styled with the app's stylesheet: styling them all again (Textual's
        # refresh on resume) changes nothing unless the CSS changed since (issue 7).
        if getattr(self, "_styled_with", None) == self.app._css_update_count:
            event.refresh_styles = False
