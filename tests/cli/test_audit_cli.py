"""`caseload audit`, `caseload clinic` on a plain file, and errors that keep client data private."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from peewee import IntegrityError

from caseload import cli
from caseload.cli import main
from caseload.domain.records import Outcome, Settings
from caseload.services import appointments, clients
from caseload.services.session import Session, current_login, ensure_counselor
from caseload.store.db import close_database
from tests.conftest import NOW, NY


@pytest.fixture(autouse=True)
def clinic_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASELOAD_TIMEZONE", "America/New_York")
    monkeypatch.setenv("CASELOAD_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)


@pytest.fixture
def trail(db_args: list[str], other_session: Session) -> list[str]:
    """Two clients of the CLI's own login, and one of another counselor's."""
    login = current_login()
    me = Session(actor=login, counselor_id=ensure_counselor(login, "Dana Example").id,
                 counselor_name="Dana Example", settings=Settings(timezone="America/New_York"),
                 clock=lambda: NOW)
    alex = clients.add_client(me, "Alex Moreno", "CL-A", date(2026, 9, 1))
    appt = appointments.schedule_single(me, alex.id, datetime(2026, 11, 23, 10, tzinfo=NY))
    appointments.record_outcome(me, appt.id, Outcome.KEPT, counselor_late_min=7)
    clients.add_client(me, "Blake Chen", "CL-B", date(2026, 9, 1))
    clients.add_client(other_session, "Sam's Client", "CL-S", date(2026, 9, 1))
    close_database()
    return [*db_args, "--now", NOW.isoformat()]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_audit_shows_who_when_what_before_and_after(trail: list[str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = run([*trail, "audit"], capsys)
    lines = out.splitlines()
    assert lines[0].startswith("2026-11-27 17:00 EST  ") and "add client" in lines[0]
    assert "(client CL-A)" in lines[0]
    assert "    display_name: Alex Moreno" in out
    assert any("outcome appointment" in line for line in lines)
    assert "    outcome: scheduled → kept" in out and "    counselor_late_min: 0 → 7" in out
    assert "CL-B" in out and "CL-S" not in out and "Sam's Client" not in out


def test_audit_of_one_client_since_a_day(trail: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = run([*trail, "audit", "--client", "CL-B"], capsys)
    assert "CL-B" in out and "CL-A" not in out
    assert run([*trail, "audit", "--since", "2026-11-28"], capsys).startswith("No audit events")
    assert "CL-A" in run([*trail, "audit", "--since", "2026-11-27"], capsys)
    assert main([*trail, "audit", "--client", "CL-S"]) == 1
    assert "No client matches" in capsys.readouterr().err


def test_audit_as_json_lines(trail: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    events = [json.loads(line) for line in
              run([*trail, "audit", "--format", "json"], capsys).splitlines()]
    outcome = next(e for e in events if e["action"] == "outcome")
    assert outcome["client"] == "CL-A" and outcome["entity"] == "appointment"
    assert outcome["before"]["outcome"] == "scheduled" and outcome["after"]["outcome"] == "kept"
    assert all(e["at"].startswith("2026-11-27T17:00:00-05:00") for e in events)


def test_clinic_setup_needs_postgresql(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    for action in (["init"], ["add-counselor", "dana"], ["add-supervisor", "marcus"]):
        assert main(["--db", str(tmp_path / "x.db"), "clinic", *action]) == 2
        assert "needs a PostgreSQL database" in capsys.readouterr().err


@pytest.mark.sqlite_only  # on PostgreSQL: tests/store/test_postgres_rls.py
def test_transfer_in_a_shared_file(db_args: list[str], session: Session,
                                   other_session: Session,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    alex = clients.add_client(session, "Alex Moreno", "CL-A", date(2026, 9, 1))
    appointments.schedule_single(session, alex.id, datetime(2026, 11, 23, 10, tzinfo=NY))
    close_database()
    out = run([*db_args, "clinic", "transfer", "CL-A", "sam"], capsys)
    assert "Transferred CL-A from dana to sam" in out and "1 appointments" in out
    assert "Alex" not in out
    assert main([*db_args, "clinic", "transfer", "CL-A", "sam"]) == 1
    assert "already on sam's caseload" in capsys.readouterr().err


def test_database_errors_never_show_the_values(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    secret = 'Key (display_name)=(Alex Moreno) violates "client_display_name_check"'

    def refuse(args: object) -> int:
        raise IntegrityError(ValueError(secret), secret)

    monkeypatch.setattr(cli, "open_app", refuse)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert "Alex" not in err and err.count("\n") == 1
    assert err.startswith("caseload: The database refused a value")


def test_a_crash_prints_one_line_and_logs_no_client_data(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    def crash(args: object) -> int:
        client_name = "Alex Moreno"  # a local with client data: must not reach the log
        raise RuntimeError(f"failed for {client_name}")

    monkeypatch.setattr(cli, "open_app", crash)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError" in err and "Alex" not in err
    logs = list((tmp_path / "state").rglob("crash.log"))
    assert len(logs) == 1 and (logs[0].stat().st_mode & 0o077) == 0
    text = logs[0].read_text()
    assert "RuntimeError" in text and "Alex" not in text and "failed for" not in text
