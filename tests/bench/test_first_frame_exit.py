"""`bench/first_frame_exit.py` ends each program as its first frame is written (the end point
of `bench/instructions.py`'s counts), and not before: the frame is on the terminal."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench.bare_app import MARKER
from bench.instructions import LAUNCHER
from bench.measures import COLUMNS, PYTHON, ROWS
from bench.terminal import Terminal, visible


@pytest.mark.sqlite_only
@pytest.mark.parametrize("program", ["bare", "caseload"])
def test_the_program_ends_itself_right_after_its_first_frame(program: str,
                                                             tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "TERM": "xterm-256color",
           "LANG": "C.UTF-8", "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "CASELOAD_TIMEZONE": "America/New_York"}
    args, marker = ((["bare"], MARKER) if program == "bare"
                    else (["caseload", "--demo", "--now", "2026-11-27T22:30:00+00:00"],
                          "This week: kept"))  # the demo caseload's Today
    with Terminal([PYTHON, LAUNCHER, *args], env, COLUMNS, ROWS) as term:
        deadline = time.monotonic() + 60
        while term.pump(1.0):  # until the program has gone
            assert time.monotonic() < deadline, "still running a minute after its start"
        end = term.close(b"")
    assert end.status == 0
    assert marker in visible(bytes(term.output))
