"""Backups while another process writes, daily backups, and restores that keep the old file."""

from __future__ import annotations

import argparse
import io
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.commands.backup import daily_on_start
from caseload.io import backup
from caseload.services import clients
from caseload.store.db import close_database
from caseload.store.migrations import CURRENT_VERSION
from tests.conftest import NOW
from tests.io.conftest import cli_session, reopen

pytestmark = pytest.mark.sqlite_only  # SQLite backups (PostgreSQL: pg_dump)

WRITER = textwrap.dedent("""
    import sys
    from datetime import date
    from pathlib import Path

    from caseload.services import appointments, clients
    from caseload.services.session import open_session
    from caseload.store.db import Location

    path, stop = Path(sys.argv[1]), Path(sys.argv[2])
    session = open_session(Location(path=path), login="writer")
    n = 0
    while not stop.exists():
        n += 1
        client = clients.add_client(session, f"Writer Client {n}", f"W-{n}", date(2026, 11, 1))
        appointments.schedule_single(session, client.id, session.now())
    print(n)
""")


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path, timeout=10) as connection:
        return int(connection.execute(sql).fetchone()[0])


def _consistent(path: Path) -> tuple[int, int]:
    """Integrity, and every writer transaction whole: (clients, appointments) of the writer."""
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        written = connection.execute(
            "SELECT count(*) FROM client WHERE record_number LIKE 'W-%'").fetchone()[0]
        booked = connection.execute(
            "SELECT count(*) FROM appointment a JOIN client c ON c.id = a.client_id "
            "WHERE c.record_number LIKE 'W-%'").fetchone()[0]
        audited = connection.execute(
            "SELECT count(*) FROM audit_event WHERE actor = 'writer'").fetchone()[0]
    assert audited == written + booked  # no write is half in the copy
    return written, booked


def test_backup_while_another_process_writes_is_consistent(full_db: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(full_db), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while _count(full_db, "SELECT count(*) FROM client WHERE record_number LIKE 'W-%'") < 5:
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.05)
        seen = []
        for n in range(4):
            out = tmp_path / "backups" / f"copy-{n}.db"
            assert main(["--db", str(full_db), "backup", "--out", str(out)]) == 0
            assert "integrity check passed" in capsys.readouterr().out
            assert stat.S_IMODE(out.stat().st_mode) == 0o600
            seen.append(_consistent(out))
            time.sleep(0.1)
    finally:
        stop.touch()
        stdout, stderr = writer.communicate(timeout=60)
    assert writer.returncode == 0, stderr
    assert seen == sorted(seen) and seen[-1][0] > seen[0][0]  # the copies followed the writes
    assert int(stdout) >= seen[-1][0]
    assert _count(tmp_path / "backups" / "copy-0.db",
                  "SELECT count(*) FROM client WHERE record_number LIKE 'CL-%'") == 3


def test_backup_goes_to_the_backups_folder_by_default(full_db: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(full_db), "--now", NOW.isoformat(), "backup"]) == 0
    target = full_db.parent / "backups" / "caseload-2026-11-27T170000.db"
    assert capsys.readouterr().out.startswith(f"Backed up {full_db} to {target} (")
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert backup.inspect(target).clients == 3


def test_a_clinic_database_gets_pg_dump_guidance(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--database-url", "postgresql://dana:secret@db.example/caseload", "backup"])
    err = capsys.readouterr().err
    assert code == 1 and "pg_dump --format=custom" in err and "pg_restore" in err
    assert "secret" not in err and err.count("\n") == 1


def test_daily_backup_once_a_day_keeping_the_newest(full_db: Path) -> None:
    folder = full_db.parent / "backups"
    manual = backup.backup_to(full_db, folder / "caseload-2026-11-01T120000.db")
    made = [backup.daily_backup(full_db, date(2026, 11, day), keep=3) for day in range(20, 26)]
    assert all(made)
    assert backup.daily_backup(full_db, date(2026, 11, 25), keep=3) is None  # once a day
    assert sorted(p.name for p in folder.iterdir()) == [
        manual.name, "caseload-daily-2026-11-23.db", "caseload-daily-2026-11-24.db",
        "caseload-daily-2026-11-25.db"]
    assert backup.daily_backup(full_db, date(2026, 11, 26), keep=0) is None  # switched off


def test_the_app_start_makes_the_daily_backup_with_the_configured_folder_and_count(
        full_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'backup_keep = 2\nbackup_dir = "{tmp_path / "daily"}"\n',
                      encoding="utf-8")
    monkeypatch.setenv("CASELOAD_CONFIG", str(config))
    args = argparse.Namespace(db=full_db, database_url=None, demo=False)
    for day in (1, 2, 3):
        daily_on_start(args, date(2026, 12, day))
    assert sorted(p.name for p in (tmp_path / "daily").iterdir()) == [
        "caseload-daily-2026-12-02.db", "caseload-daily-2026-12-03.db"]


def _restore(db: Path, file: Path, *extra: str) -> int:
    return main(["--db", str(db), "--now", NOW.isoformat(), "restore", str(file), *extra])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_restore_keeps_the_current_database_aside(full_db: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    saved = backup.backup_to(full_db, tmp_path / "saved.db")
    reopen(full_db)
    clients.add_client(cli_session(), "Added Later", "CL-9", date(2026, 11, 27))
    close_database()
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    assert _restore(full_db, saved) == 1
    assert capsys.readouterr().out.endswith('Nothing was changed.\n')
    assert _count(full_db, "SELECT count(*) FROM client") == 4
    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    assert _restore(full_db, saved) == 0
    out = capsys.readouterr().out
    aside = full_db.with_name("caseload.db.before-restore-20261127T220000Z")
    assert f"The current database will be kept as {aside.name}." in out
    assert out.endswith(f"The previous database is kept as {aside}.\n")
    assert _count(full_db, "SELECT count(*) FROM client") == 3
    assert _count(aside, "SELECT count(*) FROM client WHERE record_number = 'CL-9'") == 1
    for path in (full_db, aside):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(full_db) as connection:  # still the app's own WAL database
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopen(full_db)  # the app opens the restored database as usual
    assert [c.record_number for c in clients.list_clients(cli_session())] == [
        "CL-2", "CL-1", "CL-3"]


def test_restore_without_a_terminal_needs_yes(full_db: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    saved = backup.backup_to(full_db, tmp_path / "saved.db")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = full_db.read_bytes()
    assert _restore(full_db, saved) == 2
    assert capsys.readouterr().err == ("caseload: restore replaces the database, so it asks "
                                       "first: run it in a terminal, or pass --yes.\n")
    assert full_db.read_bytes() == before
    assert _restore(full_db, saved, "--yes") == 0


@pytest.mark.parametrize("content,message", [
    (b"not a database at all", "is not a SQLite database (if it is encrypted, add --encrypted)."),
    (None, "is not a Caseload database."),
    (b"", "is not a SQLite database (if it is encrypted, add --encrypted)."),
])
def test_restore_refuses_a_file_that_is_not_a_caseload_database(
        full_db: Path, tmp_path: Path, content: bytes | None, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    if content is None:
        with sqlite3.connect(bad) as connection:
            connection.execute("CREATE TABLE notes (text TEXT)")
    else:
        bad.write_bytes(content)
    before = full_db.read_bytes()
    assert _restore(full_db, bad, "--yes") == 1
    err = capsys.readouterr().err
    assert err.startswith("caseload: ") and err.strip().endswith(message), err
    assert full_db.read_bytes() == before
    assert not list(full_db.parent.glob("*.before-restore-*"))


def test_restore_refuses_a_newer_schema(full_db: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    newer = backup.backup_to(full_db, tmp_path / "newer.db")
    with sqlite3.connect(newer) as connection:
        connection.execute("INSERT INTO schema_version (version, applied_at, note) "
                           "VALUES (99, '2030-01-01 00:00:00', 'future')")
    assert _restore(full_db, newer, "--yes") == 1
    assert (f"has schema version 99; this Caseload reads 1 to {CURRENT_VERSION}. Nothing was "
            "changed.") in capsys.readouterr().err


SECRET = "correct horse battery staple"


def test_an_encrypted_database_stays_encrypted_in_backups_restores_and_checks(
        imported_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from caseload.store import cipher

    cipher.encrypt_file(imported_db, SECRET)
    monkeypatch.setenv("CASELOAD_PASSPHRASE", SECRET)  # instead of typing it
    db = ["--db", str(imported_db), "--now", NOW.isoformat()]
    copy = tmp_path / "encrypted-copy.db"
    assert main([*db, "backup", "--out", str(copy)]) == 1
    assert capsys.readouterr().err == (f"caseload: {imported_db} is encrypted: add --encrypted "
                                       "(or `encrypted = true` in the config file).\n")
    assert main([*db, "--encrypted", "backup", "--out", str(copy)]) == 0
    assert "encrypted, integrity check passed" in capsys.readouterr().out
    assert not cipher.is_plain_sqlite(copy)  # a backup never holds the records in the clear
    assert backup.inspect(copy, SECRET).clients == 3
    with pytest.raises(backup.BackupError, match="wrong passphrase"):
        backup.inspect(copy, "not the passphrase")
    with pytest.raises(backup.BackupError, match="if it is encrypted, add --encrypted"):
        backup.inspect(copy)
    assert main([*db, "--encrypted", "doctor"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main([*db, "--encrypted", "restore", str(copy), "--yes"]) == 0
    aside = imported_db.with_name("caseload.db.before-restore-20261127T220000Z")
    assert not cipher.is_plain_sqlite(aside) and not cipher.is_plain_sqlite(imported_db)
    assert backup.inspect(imported_db, SECRET).clients == 3
