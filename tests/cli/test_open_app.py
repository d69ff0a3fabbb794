"""`caseload` with no command opens the app with the configured key remaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caseload import cli
from caseload.store.db import close_database


def test_open_app_passes_the_configured_keys(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nmark_kept = "K"\n', encoding="utf-8")
    monkeypatch.setenv("CASELOAD_CONFIG", str(config))
    seen: dict[str, Any] = {}

    def fake_run_app(session: Any, keys: Any = None, first_view: Any = None) -> int:
        seen["keys"] = keys
        seen["actor"] = session.actor
        seen["first"] = first_view.result(timeout=30)  # Today, read while Textual was imported
        return 0

    monkeypatch.setattr("caseload.tui.app.run_app", fake_run_app)
    try:
        assert cli.main(["--db", str(tmp_path / "c.db")]) == 0
    finally:
        close_database()
    assert seen["keys"] == {"mark_kept": "K"} and seen["actor"]
    assert seen["first"].empty and seen["first"].rows == []  # a new database: the greeting
