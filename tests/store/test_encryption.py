"""Encryption at rest (SQLCipher): round trip, wrong passphrase, conversion, nothing readable."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.domain.records import Settings
from caseload.services import clients
from caseload.services.session import Session, ensure_counselor, login_name
from caseload.store import cipher
from caseload.store.db import DatabaseError, Location, close_database, open_database
from caseload.store.migrations import migrate
from tests.conftest import NOW

pytestmark = pytest.mark.sqlite_only
SECRET = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASELOAD_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("CASELOAD_TIMEZONE", "America/New_York")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)
    monkeypatch.delenv("CASELOAD_PASSPHRASE", raising=False)


def _session() -> Session:
    login = login_name()
    return Session(actor=login, counselor_id=ensure_counselor(login, "Dana").id,
                   counselor_name="Dana", settings=Settings(timezone="America/New_York"),
                   clock=lambda: NOW)


def _fill(location: Location) -> None:
    migrate(open_database(location))
    clients.add_client(_session(), "Alex Moreno", "CL-A", date(2026, 9, 1))
    close_database()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "data" / "caseload.db"
    _fill(Location(path=path, passphrase=SECRET))
    open_database(Location(path=path, passphrase=SECRET))
    try:
        assert [c.name for c in clients.list_clients(_session())] == ["Alex Moreno"]
    finally:
        close_database()
    assert cipher.is_encrypted(path)


def test_the_file_is_unreadable_without_the_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "caseload.db"
    _fill(Location(path=path, passphrase=SECRET))
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert b"Alex Moreno" not in path.read_bytes()
    with sqlite3.connect(path) as plain, pytest.raises(sqlite3.DatabaseError,
                                                       match="not a database"):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
    with pytest.raises(DatabaseError, match="is encrypted: open it with --encrypted"):
        open_database(Location(path=path))


def test_a_wrong_passphrase_is_one_quiet_line(tmp_path: Path,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "caseload.db"
    _fill(Location(path=path, passphrase=SECRET))
    capfd.readouterr()
    with pytest.raises(DatabaseError, match="wrong passphrase") as exc:
        open_database(Location(path=path, passphrase="not it"))
    assert "\n" not in str(exc.value)
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # nothing from SQLCipher on fd 2


def test_encrypt_converts_an_existing_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "caseload.db"
    _fill(Location(path=path))
    monkeypatch.setenv("CASELOAD_PASSPHRASE", SECRET)
    assert main(["--db", str(path), "encrypt"]) == 0
    out = capfd.readouterr().out
    assert "every table's rows match" in out and "deleted the plain copy" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caseload.db"]
    assert cipher.is_encrypted(path) and b"Alex Moreno" not in path.read_bytes()
    assert main(["--db", str(path), "--encrypted", "audit"]) == 0
    assert "display_name: Alex Moreno" in capfd.readouterr().out
    monkeypatch.setenv("CASELOAD_PASSPHRASE", "wrong passphrase")
    assert main(["--db", str(path), "--encrypted", "review"]) == 1
    out, err = capfd.readouterr()
    assert err.count("\n") == 1 and "wrong passphrase" in err and "ERROR" not in err
    assert main(["--db", str(path), "review"]) == 1
    assert "--encrypted" in capfd.readouterr().err
    monkeypatch.setenv("CASELOAD_PASSPHRASE", SECRET)
    assert main(["--db", str(path), "encrypt"]) == 2
    assert "already encrypted" in capfd.readouterr().err


def test_a_failed_check_keeps_the_plain_original(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "caseload.db"
    _fill(Location(path=path))
    before = path.read_bytes()

    def mismatch(*args: object) -> None:
        raise DatabaseError("does not match")

    monkeypatch.setattr(cipher, "_verify", mismatch)
    with pytest.raises(DatabaseError, match="does not match"):
        cipher.encrypt_file(path, SECRET)
    assert path.read_bytes() == before and cipher.is_plain_sqlite(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caseload.db"]


def test_the_passphrase_never_comes_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "x.db"), "--encrypted", "--passphrase", "x", "review"])
    assert main(["--db", str(tmp_path / "x.db"), "--encrypted", "review"]) == 2
    assert "asked for in a terminal" in capsys.readouterr().err
