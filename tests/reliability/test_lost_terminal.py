"""Lost terminal: SIGHUP (a dropped ssh connection) saves what is being saved and exits cleanly.

The app runs as a real process on a pseudo-terminal (`terminal.Terminal`, pty.fork), as over
ssh. On SIGHUP (and SIGTERM) it blanks, lets database work in progress finish, restores the
terminal when it is still there, and exits with 128 + the signal; no traceback reaches the
terminal (caseload/tui/hangup.py). A weekly review interrupted that way resumes where it stopped.
"""

from __future__ import annotations

import getpass
import json
import signal
import sqlite3
import time
from datetime import UTC, date
from pathlib import Path

import pytest

from caseload.domain.records import Outcome
from caseload.services import appointments, audit, clients, weekly_review
from caseload.services.session import Session
from caseload.services.weekly_review import Step
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.tui.app import CaseloadApp
from tests.reliability import figures
from tests.reliability.terminal import RESTORED, Terminal, plain, private_env
from tests.tui.conftest import SETTINGS, TUI_NOW, at, make_session, settle
from tests.tui.test_review import on_screen, review_screen

pytestmark = pytest.mark.sqlite_only  # the app's process opens a SQLite file of the test's

NOW_ARG = ["--now", TUI_NOW.astimezone(UTC).isoformat()]
LOGIN = getpass.getuser()  # the app acts as the OS login


def _environment(home: Path) -> dict[str, str]:
    config = home / "caseload.toml"
    config.write_text('timezone = "America/New_York"\nbackup_keep = 0\n')
    return private_env(home, CASELOAD_CONFIG=str(config))


def _session() -> Session:
    return make_session(LOGIN, "Dana Example")


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    """A caseload with one session this morning still waiting for its outcome."""
    path = tmp_path / "data" / "caseload.db"
    migrate(open_database(Location(path=path)))
    session = _session()
    alex = clients.add_client(session, "Alex Rivera", "R-1001", date(2026, 9, 1)).id
    appointments.schedule_single(session, alex, at(27, 9))
    close_database()
    return path


def _start(home: Path, path: Path) -> Terminal:
    terminal = Terminal.start(["--db", str(path), *NOW_ARG], _environment(home), size=(100, 30))
    assert terminal.wait_for("Alex Rivera", 30), plain(terminal.output)[-2000:]
    terminal.settle(0.5)
    return terminal


def _value(path: Path, sql: str) -> object:
    con = sqlite3.connect(path, timeout=10)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _until(terminal: Terminal, path: Path, sql: str, wanted: object, *,
           changed_from: object = None, timeout: float = 20.0) -> bool:
    """Read the app's output until the database answers `sql` with `wanted` (or anything but
    `changed_from`): the app has saved what the keys asked for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = _value(path, sql)
        if (value != changed_from) if changed_from is not None else (value == wanted):
            return True
        terminal.read(0.05)
    return False


def _after_last_draw(output: bytes) -> bytes:
    """What was written after the app last entered the alternate screen."""
    return output[output.rfind(b"\x1b[?1049h"):]


@pytest.mark.parametrize("number", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_exits_cleanly_and_restores_the_terminal(tmp_path: Path, database_file: Path,
                                                          number: int) -> None:
    terminal = _start(tmp_path, database_file)
    try:
        terminal.signal(number)
        code = terminal.wait(20)
    finally:
        terminal.close()
    figures.add("hangups")
    assert code == 128 + number
    tail = _after_last_draw(terminal.output)
    assert all(sequence in tail for sequence in RESTORED)
    assert "Traceback" not in plain(terminal.output)
    assert "Error" not in plain(terminal.output)


def test_a_dropped_connection_exits_on_its_own(tmp_path: Path, database_file: Path) -> None:
    """The terminal is gone before the signal arrives: nothing to draw on, still a clean exit."""
    terminal = _start(tmp_path, database_file)
    try:
        terminal.hang_up()
        code = terminal.wait(20)
    finally:
        terminal.close()
    figures.add("hangups")
    assert code == 128 + signal.SIGHUP


@pytest.mark.parametrize("gone", [False, True], ids=["terminal-still-there", "terminal-gone"])
def test_a_save_in_flight_when_the_connection_drops_is_kept(tmp_path: Path,
                                                            database_file: Path,
                                                            gone: bool) -> None:
    """k is pressed while another session holds the write lock, then SIGHUP (and, over ssh,
    the terminal is gone): the worker waits for the lock, the app waits for the worker, and
    the outcome is saved."""
    terminal = _start(tmp_path, database_file)
    blocker = sqlite3.connect(database_file, isolation_level=None, timeout=10)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another session, in the middle of a write
        terminal.type("k", pause=0.5)  # the save starts and waits for the lock
        if gone:
            terminal.hang_up()
        else:
            terminal.signal(signal.SIGHUP)
        time.sleep(1.0)
        assert not terminal.exited(), "left without waiting for the save"
        blocker.execute("ROLLBACK")  # the other session is done: the save goes ahead
        code = terminal.wait(20)
    finally:
        blocker.close()
        terminal.close()
    figures.add("hangups")
    assert code == 128 + signal.SIGHUP
    open_database(Location(path=database_file))
    try:
        session = _session()
        [booked] = [a for a in audit.events(session) if a.action == "schedule"]
        assert appointments.get(session, booked.entity_id or 0).outcome is Outcome.KEPT
        [event] = [a for a in audit.events(session) if a.action == "outcome"]
        assert json.loads(event.after or "{}")["outcome"] == "kept"
        assert sqlite3.connect(database_file).execute("PRAGMA integrity_check").fetchall() == [
            ("ok",)]
    finally:
        close_database()


async def test_an_interrupted_weekly_review_resumes(tmp_path: Path) -> None:
    """The review is left mid-way by a dropped connection; the next start resumes it there."""
    from caseload import demo

    path = tmp_path / "data" / "caseload.db"
    migrate(open_database(Location(path=path)))
    demo.generate(clients=10, weeks=6, seed=7, counselors=1, today=TUI_NOW.date(), login=LOGIN,
                  settings=SETTINGS)
    session = _session()
    state = weekly_review.start_or_resume(session)
    data = weekly_review.load_review(session, state)
    pending, flagged = len(data.pending), len(data.flagged)
    close_database()
    assert flagged >= 3

    terminal = Terminal.start(["--db", str(path), *NOW_ARG], _environment(tmp_path),
                              size=(100, 30))
    try:
        assert terminal.wait_for("This week", 30)
        terminal.type("w", pause=0.1)
        assert terminal.wait_for("[1 Clear", 20)
        terminal.settle(0.2)
        for number in range(1, pending + 1):  # step 1: every past session kept
            terminal.type("k", pause=0.05)
            assert _until(terminal, path, "SELECT count(*) FROM audit_event WHERE action = "
                          "'outcome'", number)
            terminal.settle(0.4)  # the list shows the next session (a counselor's pace)
        assert _until(terminal, path, "SELECT step FROM weekly_review", "current")
        terminal.settle(0.3)
        terminal.type(" ", pause=0.05)  # step 2: the first flagged client reviewed
        assert _until(terminal, path, "SELECT count(*) FROM review_note WHERE reviewed", 1)
        terminal.settle(0.6)  # the screen shows the second client: n starts from there
        second = _value(path, "SELECT position FROM weekly_review")
        terminal.type("n", pause=0.05)  # past the second, to the third
        assert _until(terminal, path, "SELECT position FROM weekly_review", None,
                      changed_from=second)
        terminal.hang_up()
        code = terminal.wait(20)
    finally:
        terminal.close()
    figures.add("hangups")
    assert code == 128 + signal.SIGHUP

    open_database(Location(path=path))
    saved = weekly_review.start_or_resume(_session())
    order = saved.order  # the flagged clients, as fixed when step 2 began
    assert (saved.step, saved.position) == (Step.CURRENT, order[2])
    assert saved.note(order[0]).reviewed and not saved.note(order[1]).reviewed
    # The next start, in the app: the review opens on the same step and client.
    app = CaseloadApp(_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = review_screen(app)
        assert screen.state.step is Step.CURRENT
        assert on_screen(app).client.id == order[2]
    close_database()
