"""The snapshot tests reuse the app tests' fixtures: demo caseload, pinned clock, steady cursor."""

from tests.tui.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    app_for,
    demo_session,
    empty_session,
    no_cursor_blink,
    tui_db,
)
