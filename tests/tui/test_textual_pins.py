"""The Textual code Caseload stands in for or relies on, pinned as in Textual 8.2.8.

Some of Caseload's speed comes from overriding or relying on Textual internals (issue 7).
Each entry is a digest of a function's source: an upgrade that changes one fails here. Read
the change against the Caseload module named, then update the digest.
"""

from __future__ import annotations

import hashlib
import inspect

import pytest
from textual._compositor import Compositor
from textual._styles_cache import StylesCache
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._data_table import DataTable

PINS: dict[str, dict[str, tuple[object, str]]] = {
    # A DataTable whose cursor moves draw only the rows they touch.
    "widgets/row_table.py": {
        "DataTable._render_cell": (DataTable._render_cell, "56c87899a3bf"),
        "DataTable._render_line_in_row": (DataTable._render_line_in_row, "669cc46a7ca1"),
        "DataTable._render_line": (DataTable._render_line, "a32c6991165c"),
        "DataTable.render_line": (DataTable.render_line, "dfc24fd4f26a"),
        "DataTable.render_lines": (DataTable.render_lines, "4e0ae4f0a9bd"),
        "StylesCache.render_widget": (StylesCache.render_widget, "b946353fb1eb"),
        "StylesCache.render": (StylesCache.render, "0945715ef8ae"),
        "StylesCache.render_line": (StylesCache.render_line, "928d7496e850"),
        "Widget.vertical_scrollbar": (Widget.vertical_scrollbar.fget, "6b140a728f0b"),
        "Widget.render_lines": (Widget.render_lines, "1f2a11f3d518"),
    },
    # A mode's screen drawn whole in the first frame after the start-up batch, and styled once.
    "whole_frame.py": {
        "Screen._compositor_refresh": (Screen._compositor_refresh, "7a40efe56381"),
        "Screen._on_timer_update": (Screen._on_timer_update, "421401660de1"),
        "Screen._on_idle": (Screen._on_idle, "05781131b10d"),
        "App._display": (App._display, "4b78dff6669a"),
        "Compositor.render_update": (Compositor.render_update, "772c6b21953a"),
        # Each class's handler is called, subclass first: the resume's mark comes first.
        "MessagePump._get_dispatch_methods": (MessagePump._get_dispatch_methods,
                                              "42cf0aeddecf"),
        "Screen._on_screen_resume": (Screen._on_screen_resume, "f39caa8ec442"),
        "Screen._on_screen_suspend": (Screen._on_screen_suspend, "fc21683dcc6d"),
        "App.switch_mode": (App.switch_mode, "0bea775929e2"),
    },
    # The stylesheet parsed again only when its variables change: a parse must depend only
    # on a source's text and the variables, and `set_variables` must be what empties the cache.
    "styles.py": {
        "Stylesheet.set_variables": (Stylesheet.set_variables, "f8c97f5d9d75"),
        "Stylesheet.reparse": (Stylesheet.reparse, "dd193eb05f8b"),
        "Stylesheet.parse": (Stylesheet.parse, "21678f7a02b1"),
        "Stylesheet._parse_rules": (Stylesheet._parse_rules, "2f1c2d220b67"),
        "App.refresh_css": (App.refresh_css, "ecfa14bd0d19"),
        "App._init_mode": (App._init_mode, "962fb98bc495"),
    },
}


def source_digest(code: object) -> str:
    """A short digest of a function's source."""
    return hashlib.sha256(inspect.getsource(code).encode()).hexdigest()[:12]  # type: ignore[arg-type]


@pytest.mark.parametrize(("module", "name"), sorted(
    (module, name) for module, pins in PINS.items() for name in pins))
def test_the_textual_code_caseload_relies_on_is_unchanged(module: str, name: str) -> None:
    code, digest = PINS[module][name]
    assert source_digest(code) == digest, f"read the change against caseload/tui/{module}"
