"""The cyclic garbage collector is paused while Caseload starts, and on again once started."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caseload import cli
from caseload.startup import collect_again, collector_paused
from caseload.store.db import close_database


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    gc.unfreeze()
    if was_on:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_on_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collecting_again_inside_the_pause_switches_it_on_and_freezes_nothing() -> None:
    gc.unfreeze()
    with collector_paused():
        collect_again()
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0  # what the start drops later is still collected
    assert gc.isenabled()


def test_a_command_runs_with_the_collector_on_and_leaves_it_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gc.enable()
    seen: list[bool] = []
    from caseload.commands import review

    monkeypatch.setattr(review, "run", lambda args: seen.append(gc.isenabled()) or 0)
    assert cli.main(["--db", str(tmp_path / "c.db"), "review"]) == 0
    assert seen == [True] and gc.isenabled()


def test_the_app_path_starts_paused_and_leaves_the_collector_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gc.enable()
    seen: list[bool] = []

    def fake_run_app(session: object, keys: Any = None, first_view: Any = None) -> int:
        seen.append(gc.isenabled())  # the app switches it on once it has drawn
        first_view.exception(timeout=30)  # Today's early read done before the file closes
        return 0

    monkeypatch.setattr("caseload.tui.app.run_app", fake_run_app)
    try:
        assert cli.main(["--db", str(tmp_path / "c.db")]) == 0
    finally:
        close_database()
    assert seen == [False] and gc.isenabled()


@pytest.mark.parametrize("quick", [True, False])
def test_only_a_command_saying_so_leaves_without_a_last_collection(
        monkeypatch: pytest.MonkeyPatch, quick: bool) -> None:
    closed: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setitem(cli._RUN, "quick_exit", quick)
    monkeypatch.setattr("caseload.store.db.close_database", lambda: closed.append(True))
    gc.unfreeze()
    with pytest.raises(SystemExit) as exit_:
        cli.entry()
    assert exit_.value.code == 3
    assert closed == ([True] if quick else [])
    assert (gc.get_freeze_count() > 0) is quick


def test_review_says_so_and_the_app_does_not(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's workers have connections of their own, closed only by the last collection."""
    from caseload.commands import review

    assert review.QUICK_EXIT is True
    monkeypatch.setitem(cli._RUN, "quick_exit", False)
    monkeypatch.setattr(review, "run", lambda args: 0)
    assert cli.main(["--db", str(tmp_path / "c.db"), "review"]) == 0
    assert cli._RUN["quick_exit"] is True
    monkeypatch.setattr("caseload.tui.app.run_app",
                        lambda session, keys=None, first_view=None: first_view.exception(30) or 0)
    monkeypatch.setitem(cli._RUN, "quick_exit", False)
    try:
        assert cli.main(["--db", str(tmp_path / "c.db")]) == 0
    finally:
        close_database()
    assert cli._RUN["quick_exit"] is False


def test_a_command_run_as_a_program_leaves_the_database_closed(tmp_path: Path) -> None:
    """Closed by `entry`, not by the interpreter's last collection: SQLite's write-ahead log
    is checkpointed and removed by the last connection's close."""
    import subprocess
    import sys

    db = tmp_path / "c.db"
    command = [sys.executable, "-m", "caseload", "--db", str(db)]
    done = subprocess.run([*command, "review", "--format", "json"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert db.exists() and not (tmp_path / "c.db-wal").exists()


def test_the_app_run_as_a_program_leaves_the_database_closed(tmp_path: Path) -> None:
    """Today's early read and the workers each have a connection; all are closed at exit
    (no write-ahead log left behind)."""
    from tests.reliability.terminal import Terminal, private_env

    terminal = Terminal.start(["--demo"], private_env(tmp_path))
    try:
        terminal.wait_for("sessions today", timeout=60)
        terminal.type("k")  # an outcome: written in a worker
        terminal.wait_for("✓ kept", timeout=30)
        terminal.type("2")  # the list: read in workers
        terminal.wait_for("clients · sorted by", timeout=60)
        terminal.settle()
        terminal.type("q")
        assert terminal.wait(30) == 0
    finally:
        terminal.close()
    (db,) = (tmp_path / "data").rglob("demo.db")
    assert not db.with_name("demo.db-wal").exists()
