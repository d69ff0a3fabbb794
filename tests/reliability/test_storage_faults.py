"""Full disk and read-only files: one clear line, and what was saved stays saved.

Full disk: SQLite's `max_page_count` caps the database where it stands (runs everywhere); with
root, a tiny tmpfs fills up for real, under the services, the command line and the app.
Read-only: a read-only mount (root) or chmod 400 on the file and 500 on its folder (a normal
user: root may write whatever the mode says). The database opens read-only, the app shows a
banner, and every write is refused with one line; the file does not change.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path

import pytest
from peewee import DatabaseError as PeeweeError

from caseload.domain.records import Instrument, Outcome, Party, ValidationError
from caseload.services import appointments, checkins, clients, commitments, overview, weekly_review
from caseload.services.errors import refusal_of
from caseload.services.session import Session, open_session
from caseload.store.db import DatabaseError, Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.store.models import database
from tests.reliability import figures
from tests.reliability.filesystems import (
    can_mount,
    copy_database,
    fill,
    remount_read_only,
    tmpfs,
)
from tests.reliability.terminal import Terminal, plain, private_env
from tests.reliability.test_lost_terminal import LOGIN, NOW_ARG
from tests.reliability.workload import Workload, check_database, seed_caseload, session_for
from tests.tui.conftest import TUI_NOW, at, make_session

pytestmark = pytest.mark.sqlite_only  # files and file systems: a clinic server's are its own

FULL = "The disk is full: this change was not saved; everything saved before is safe."


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build(path: Path) -> None:
    """A small caseload for the app's login, closed cleanly (no -wal left beside it)."""
    migrate(open_database(Location(path=path)))
    session = make_session(LOGIN, "Dana Example")
    alex = clients.add_client(session, "Alex Rivera", "R-1001", date(2026, 9, 1)).id
    appointments.schedule_single(session, alex, at(27, 9))
    commitments.add(session, alex, Party.COUNSELOR, "Call the probation officer",
                    date(2026, 11, 30), made_on=date(2026, 11, 20))
    checkins.record(session, alex, Instrument.SRS, [8, 8, 9, 8], taken_on=date(2026, 11, 20))
    close_database()


@pytest.fixture
def read_only_database(tmp_path: Path) -> Iterator[Path]:
    """A database this process cannot write: on a read-only mount, or chmod 400 in a 500
    folder (as a normal user)."""
    built = tmp_path / "built" / "caseload.db"
    _build(built)
    if can_mount():
        with tmpfs(tmp_path / "mnt", 4096) as mount:
            path = copy_database(built, mount / "data")
            remount_read_only(mount)
            yield path
            close_database()
        return
    if os.geteuid() == 0:
        pytest.skip("root writes whatever the mode says, and mounting is not allowed here")
    built.chmod(0o400)
    built.parent.chmod(0o500)
    try:
        yield built
    finally:
        close_database()
        built.parent.chmod(0o700)
        built.chmod(0o600)


# Read-only ----------------------------------------------------------------------------------


def test_a_read_only_database_opens_read_only_and_refuses_every_write(
        read_only_database: Path) -> None:
    path = read_only_database
    before = _digest(path)
    session = open_session(Location(path=path), login=LOGIN,
                           clock=lambda: TUI_NOW.astimezone(UTC))
    assert session.read_only and session.read_only_reason
    reads = overview.caseload_rows(session, overview.load_snapshot(session))
    assert [r.name for r in reads] == ["Alex Rivera"]
    alex = reads[0].id
    [pending] = [a for a in overview.load_snapshot(session).history(alex).appointments]
    writes = [
        lambda: clients.add_client(session, "Blair Chen", "R-1002"),
        lambda: commitments.add(session, alex, Party.CLIENT, "Two meetings", date(2026, 12, 4)),
        lambda: appointments.record_outcome(session, pending.id, Outcome.KEPT),
        lambda: checkins.record(session, alex, Instrument.SRS, [9, 9, 9, 9]),
        lambda: weekly_review.start_or_resume(session),
        lambda: clients.update_client(session, alex, name="Alex R."),
    ]
    for write in writes:
        with pytest.raises((ValidationError, DatabaseError)) as refused:
            write()
        message = str(refused.value.args[0])
        assert message.startswith("Read-only: ") and message.endswith("nothing was saved.")
        assert "\n" not in message
    close_database()
    assert _digest(path) == before


def test_the_command_line_reads_and_refuses_writes_in_one_line(read_only_database: Path,
                                                               tmp_path: Path) -> None:
    path = read_only_database
    before = _digest(path)
    env = private_env(tmp_path)
    report = subprocess.run([sys.executable, "-m", "caseload", "--db", str(path), "review"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert report.returncode == 0, report.stderr
    rows = tmp_path / "clients.csv"
    rows.write_text("record_number,display_name,intake_date,status,cadence_days\n"
                    "R-2001,Blair Chen,2026-11-02,active,7\n")
    imported = subprocess.run([sys.executable, "-m", "caseload", "--db", str(path), "import",
                               "clients", str(rows)], capture_output=True, text=True, env=env,
                              timeout=60)
    assert imported.returncode == 1
    assert imported.stderr.startswith("caseload: Read-only: ")
    assert imported.stderr.endswith("nothing was imported.\n") and imported.stderr.count("\n") == 1
    assert _digest(path) == before


def test_the_app_shows_a_read_only_banner_and_refuses_a_key(read_only_database: Path,
                                                            tmp_path: Path) -> None:
    path = read_only_database
    before = _digest(path)
    config = tmp_path / "caseload.toml"
    config.write_text('timezone = "America/New_York"\nbackup_keep = 0\n')
    terminal = Terminal.start(["--db", str(path), *NOW_ARG],
                              private_env(tmp_path, CASELOAD_CONFIG=str(config)))
    try:
        assert terminal.wait_for("Alex Rivera", 30), plain(terminal.output)[-1500:]
        assert "READ-ONLY: the database" in plain(terminal.output)
        terminal.type("k", pause=0.5)
        assert terminal.wait_for("Read-only:", 10)
        assert terminal.wait_for("nothing was saved", 5)
        terminal.type("q", pause=0.2)
        assert terminal.wait(20) == 0
    finally:
        terminal.close()
    assert "Traceback" not in plain(terminal.output)
    assert _digest(path) == before


# Full disk -----------------------------------------------------------------------------------


def _is_full(error: BaseException) -> bool:
    return refusal_of(error) == (FULL + " Free some space, then try again.")


def _fill_until_full(session: Session, seed: int, steps: int
                     ) -> tuple[list[dict[str, object]], int]:
    """Write until the disk is full and then some; every failure must be the full disk."""
    ids = clients.list_clients(session)
    work = Workload(session, random.Random(seed), [c.id for c in ids], tag=f"full{seed}")
    reports: list[dict[str, object]] = []
    full = 0
    for _ in range(steps):
        try:
            done = work.step()
        except (PeeweeError, sqlite3.Error) as error:
            assert _is_full(error), refusal_of(error)
            full += 1
            continue
        if done is not None:
            reports.append(done)
    return reports, full


def test_a_full_database_refuses_in_one_line_and_keeps_what_was_saved(db_path: Path,
                                                                      db_location: Location
                                                                      ) -> None:
    """max_page_count caps the file where it stands: writes that need a new page fail."""
    seed_caseload(session_for())
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    reports, full = _fill_until_full(session_for(), seed=7, steps=400)
    assert full > 0 and reports, "the cap was never reached, or nothing fitted"
    figures.add("disk_full_refusals", full)
    check_database(db_location, reports)  # every saved write whole, nothing half-written
    open_database(db_location)  # a new connection has no cap: writing goes on
    session = session_for()
    commitments.add(session, clients.list_clients(session)[0].id, Party.CLIENT,
                    "After the disk was freed", date(2026, 12, 1))


def test_a_disk_that_fills_up_refuses_in_one_line_and_keeps_what_was_saved(
        tmp_path: Path) -> None:
    """A real tmpfs fills while the counselor works; freeing space makes writing work again."""
    with tmpfs(tmp_path / "disk", 1024) as disk:
        location = Location(path=disk / "data" / "caseload.db")
        migrate(open_database(location))
        seed_caseload(session_for())
        filler = fill(disk)
        reports, full = _fill_until_full(session_for(), seed=11, steps=200)
        assert full > 0
        figures.add("disk_full_refusals", full)
        close_database()
        filler.unlink()
        check_database(location, reports)
        open_database(location)
        session = session_for()
        commitments.add(session, clients.list_clients(session)[0].id, Party.CLIENT,
                        "After the disk was freed", date(2026, 12, 1))
        close_database()


@pytest.mark.parametrize("room", [0, 96 * 1024], ids=["no-room-to-open", "no-room-to-write"])
def test_the_command_line_on_a_full_disk_says_so_in_one_line(tmp_path: Path, room: int) -> None:
    """An import on a full disk: one line, exit code 1, nothing imported, the file intact."""
    with tmpfs(tmp_path / "disk", 1024) as disk:
        path = disk / "data" / "caseload.db"
        built = tmp_path / "built" / "caseload.db"
        _build(built)
        copy_database(built, path.parent)
        rows = tmp_path / "commitments.csv"
        rows.write_text("client_ref,owner,text,made_on,due,status,done_on,note,goal,"
                        "due_history\n" + "".join(
                            f"R-1001,client,Meeting number {n} of many,2026-11-20,2026-12-04,"
                            "open,,,,\n" for n in range(2000)))
        before = table_counts(path)
        filler = fill(disk, leave=room)
        result = subprocess.run([sys.executable, "-m", "caseload", "--db", str(path), "import",
                                 "commitments", str(rows)], capture_output=True, text=True,
                                env=private_env(tmp_path, CASELOAD_CONFIG=str(
                                    _quiet_config(tmp_path))), timeout=60)
        assert result.returncode == 1, result.stderr
        if room:
            assert result.stderr == f"caseload: {FULL} Free some space, then try again.\n"
        else:
            assert result.stderr == (f"caseload: Cannot open the database {path}: the disk is "
                                     "full. Free some space, then try again.\n")
        filler.unlink()
        assert table_counts(path) == before
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        figures.add("disk_full_refusals")


def _quiet_config(home: Path) -> Path:
    config = home / "caseload.toml"
    config.write_text('timezone = "America/New_York"\nbackup_keep = 0\n')
    return config


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table, read by another process's connection (retried while the app, next to
    it, finishes cleaning up after a refused write)."""
    for attempt in range(20):
        try:
            con = sqlite3.connect(path, timeout=5)
            try:
                tables = [t for (t,) in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
                return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                        for t in tables}
            finally:
                con.close()
        except sqlite3.OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def test_the_app_on_a_full_disk_says_so_and_keeps_working(tmp_path: Path) -> None:
    """The disk fills while the app runs: k is refused in one line, the app goes on, and once
    there is room again the same key saves."""
    with tmpfs(tmp_path / "disk", 1024) as disk:
        built = tmp_path / "built" / "caseload.db"
        _build(built)
        path = copy_database(built, disk / "data")
        terminal = Terminal.start(["--db", str(path), *NOW_ARG],
                                  private_env(tmp_path, CASELOAD_CONFIG=str(
                                      _quiet_config(tmp_path))))
        try:
            assert terminal.wait_for("Alex Rivera", 30)
            terminal.settle(0.5)
            filler = fill(disk)
            terminal.type("k", pause=0.5)
            assert terminal.wait_for("The disk is full", 10), plain(terminal.output)[-1500:]
            filler.unlink()
            assert table_counts(path)["audit_event"] == 4  # the refused change left nothing
            terminal.settle(2.5)  # the message goes away
            terminal.type("k", pause=0.5)
            assert terminal.wait_for("✓", 10)
            terminal.type("q", pause=0.2)
            assert terminal.wait(20) == 0
        finally:
            terminal.close()
        assert "Traceback" not in plain(terminal.output)
        assert table_counts(path)["audit_event"] == 5
        shutil.rmtree(path.parent)


def test_changes_not_yet_in_the_file_are_never_hidden(tmp_path: Path) -> None:
    """A read-only folder holding a -wal with changes but no -shm: SQLite could only open the
    file without those changes, so it is refused in one line rather than shown stale."""
    built = tmp_path / "built" / "caseload.db"
    _build(built)
    keep = sqlite3.connect(built, isolation_level=None)  # stays open: the -wal is not merged
    keep.execute("PRAGMA wal_autocheckpoint = 0")
    keep.execute("UPDATE client SET cadence_days = 14")
    wal = built.with_name(built.name + "-wal")
    assert wal.stat().st_size > 0
    with tmpfs(tmp_path / "mnt", 4096) as mount:
        path = copy_database(built, mount / "data")
        shutil.copyfile(wal, path.with_name(wal.name))
        path.with_name(wal.name).chmod(0o600)
        keep.close()
        remount_read_only(mount)
        with pytest.raises(DatabaseError, match="its latest changes are still in caseload.db-wal"):
            open_session(Location(path=path), login=LOGIN)
        close_database()
