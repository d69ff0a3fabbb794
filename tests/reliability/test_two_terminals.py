"""Two terminals: what one running app saves, the other sessions see at once, and keep.

The app runs as a real process on a pty, with the default configuration (the daily backup on).
Another process opens the same database and closes it again, as a second terminal's `caseload`
command does; then the app records an outcome. That outcome must be visible to every other
session at once, and the WAL file the app writes to must still be the one on disk.

This failed before the daily backup moved ahead of opening the session (caseload/cli.py): the
backup read the database file's header with open() and close() while the app's SQLite
connection had the file open, which drops every POSIX lock the process holds on it. The next
session to close its connection then believed it was the last one, checkpointed and deleted
the WAL, and the app went on writing into the deleted file: its saves were invisible to everyone
else, lost if it crashed, and written back over the others' changes when it exited.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.terminal import Terminal, plain, private_env
from tests.reliability.test_lost_terminal import NOW_ARG, database_file  # noqa: F401

pytestmark = pytest.mark.sqlite_only


def _outcomes_seen_by_another_process(path: Path) -> int:
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute(\"SELECT count(*) FROM audit_event WHERE action = 'outcome'\")"
            ".fetchone()[0]); c.close()")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return int(out)


def test_a_second_session_sees_what_the_running_app_saves(tmp_path: Path,
                                                          database_file: Path) -> None:  # noqa: F811
    config = tmp_path / "caseload.toml"
    config.write_text('timezone = "America/New_York"\n')  # backups on, as by default
    terminal = Terminal.start(["--db", str(database_file), *NOW_ARG],
                              private_env(tmp_path, CASELOAD_CONFIG=str(config)))
    try:
        assert terminal.wait_for("Alex Rivera", 30), plain(terminal.output)[-1500:]
        terminal.settle(0.5)
        assert _outcomes_seen_by_another_process(database_file) == 0  # opens and closes
        wal = database_file.with_name(database_file.name + "-wal")
        assert wal.exists(), "another session's close deleted the running app's WAL"
        inode = wal.stat().st_ino
        terminal.type("k", pause=0.3)
        deadline = time.monotonic() + 10
        while _outcomes_seen_by_another_process(database_file) == 0:
            assert time.monotonic() < deadline, "the app's save is invisible to other sessions"
            terminal.read(0.1)
        assert wal.exists() and wal.stat().st_ino == inode
        terminal.signal(signal.SIGTERM)
        assert terminal.wait(20) == 128 + signal.SIGTERM
    finally:
        terminal.close()
    with sqlite3.connect(database_file) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
