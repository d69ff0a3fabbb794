"""`caseload review` on a small caseload whose figures were computed by hand."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.domain.records import Instrument, Outcome, Party, Settings
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.session import Session, current_login, ensure_counselor
from caseload.store.db import close_database
from tests.conftest import NOW, NY


def when(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=NY)


def at_time(session: Session, moment: datetime) -> Session:
    return dataclasses.replace(session, clock=lambda: moment)


def build_small_caseload(s: Session) -> None:
    """Two clients; the week under review is Mon 23 – Sun 29 Nov 2026, now Fri 27 Nov 17:00.

    Alex (CL-A): kept Mon 23; counselor cancelled Wed 25; kept Thu 26 but the counselor was
    10 minutes late; Fri 27 16:00 still needs an outcome; next session Tue 1 Dec. One SRS (38)
    at Monday's session. Counselor commitments: due Tue 24, done Tue 24 (on time); due Thu 26,
    still open (missed). Client commitments: due Wed 25 done Thu 26 (late); due today, open
    (not yet counted). Earlier counselor commitments due 4, 12 and 19 Nov, each done on time.

    Blake (CL-B): kept Mon 2 Nov; late cancel Tue 10; no-shows Tue 17 and Mon 23; next session
    Mon 30. Client commitment due Tue 24 renegotiated on Mon 23 (before it was due) to Sat 28.

    By hand, for the week: reliability held 2 of 4 (Alex 1 of 3, Blake 1 of 1); counselor
    follow-through 1 of 2; attendance 2 of 3 (Alex 2/2, Blake 0/1); client follow-through 0 of
    1; check-in regularity 1 of 2; one appointment needs an outcome. Streak: the weeks of
    16, 9 and 2 Nov were each perfect (held and followed through), earlier weeks had nothing
    due, and this week is not perfect: 3 weeks.
    """
    alex = clients.add_client(s, "Alex Moreno", "CL-A", date(2026, 9, 1))
    blake = clients.add_client(s, "Blake Chen", "CL-B", date(2026, 8, 1))
    mon = appointments.schedule_single(s, alex.id, when(23, 10))
    appointments.record_outcome(s, mon.id, Outcome.KEPT)
    wed = appointments.schedule_single(s, alex.id, when(25, 10))
    appointments.record_outcome(s, wed.id, Outcome.COUNSELOR_CANCELLED)
    thu = appointments.schedule_single(s, alex.id, when(26, 10))
    appointments.record_outcome(s, thu.id, Outcome.KEPT, counselor_late_min=10)
    appointments.schedule_single(s, alex.id, when(27, 16))
    appointments.schedule_single(s, alex.id, when(1, 10, month=12))
    checkins.record(s, alex.id, Instrument.SRS, [9.5, 9.5, 9.5, 9.5], taken_on=date(2026, 11, 23),
                    appointment_id=mon.id)
    for made, due in ((date(2026, 11, 1), date(2026, 11, 4)), (date(2026, 11, 9),
                      date(2026, 11, 12)), (date(2026, 11, 16), date(2026, 11, 19))):
        c = commitments.add(s, alex.id, Party.COUNSELOR, "Earlier promise", due, made_on=made)
        commitments.complete(at_time(s, datetime.combine(due, NOW.timetz())), c.id)
    on_time = commitments.add(s, alex.id, Party.COUNSELOR, "Send housing list",
                              date(2026, 11, 24), made_on=date(2026, 11, 20))
    commitments.complete(at_time(s, when(24, 12)), on_time.id)
    commitments.add(s, alex.id, Party.COUNSELOR, "Call probation officer", date(2026, 11, 26),
                    made_on=date(2026, 11, 20))
    late = commitments.add(s, alex.id, Party.CLIENT, "Get an ID card", date(2026, 11, 25),
                           made_on=date(2026, 11, 16))
    commitments.complete(at_time(s, when(26, 12)), late.id)
    commitments.add(s, alex.id, Party.CLIENT, "Attend two meetings", date(2026, 11, 27),
                    made_on=date(2026, 11, 20))

    for day, outcome in ((2, Outcome.KEPT), (10, Outcome.LATE_CANCEL), (17, Outcome.NO_SHOW),
                         (23, Outcome.NO_SHOW)):
        appt = appointments.schedule_single(s, blake.id, when(day, 14))
        appointments.record_outcome(s, appt.id, outcome)
    appointments.schedule_single(s, blake.id, when(30, 14))
    call = commitments.add(s, blake.id, Party.CLIENT, "Call sponsor", date(2026, 11, 24),
                           made_on=date(2026, 11, 18))
    commitments.renegotiate(at_time(s, when(23, 15)), call.id, date(2026, 11, 28), "asked")


@pytest.fixture
def small_db(db_args: list[str]) -> list[str]:
    """The small caseload, owned by whoever the CLI will run as; the options that open it."""
    login = current_login()
    counselor = ensure_counselor(login, "Dana Example")
    s = Session(actor=login, counselor_id=counselor.id, counselor_name="Dana Example",
                settings=Settings(timezone="America/New_York"), clock=lambda: NOW)
    build_small_caseload(s)
    close_database()
    return db_args


def run_review(db: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main([*db, "--now", NOW.isoformat(), "review", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.fixture(autouse=True)
def clinic_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASELOAD_TIMEZONE", "America/New_York")
    monkeypatch.setenv("CASELOAD_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)


def ratio(n: int, d: int) -> dict[str, object]:
    return {"numerator": n, "denominator": d, "rate": round(n / d, 4) if d else None}


def test_review_json_matches_the_hand_computed_figures(small_db: list[str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run_review(small_db, capsys, "--format", "json"))
    assert data["week_start"] == "2026-11-23" and data["week_end"] == "2026-11-29"
    assert data["figures"] == {
        "counselor_reliability": ratio(2, 4),
        "counselor_follow_through": ratio(1, 2),
        "client_attendance": ratio(2, 3),
        "client_follow_through": ratio(0, 1),
        "checkin_regularity": ratio(1, 2),
        "streak_weeks": 3,
    }
    assert data["needs_outcome"] == 1
    alex, blake = data["clients"]
    assert alex["name"] == "Alex Moreno" and blake["name"] == "Blake Chen"
    assert alex["figures"]["counselor_reliability"] == ratio(1, 3)
    assert blake["figures"]["client_attendance"] == ratio(0, 1)
    assert [f["code"] for f in alex["flags"]] == [
        "needs_outcome", "counselor_cancelled", "counselor_late",
        "counselor_commitment_overdue"]
    assert [f["code"] for f in blake["flags"]] == ["no_show_streak", "no_contact"]
    assert all(f["reason"] and f["action"] for f in alex["flags"] + blake["flags"])


def test_review_of_an_earlier_week(small_db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run_review(small_db, capsys, "--format", "json", "--week", "2026-11-17"))
    assert data["week_start"] == "2026-11-16"
    assert data["figures"]["counselor_reliability"] == ratio(1, 1)
    assert data["figures"]["counselor_follow_through"] == ratio(1, 1)
    assert data["figures"]["client_attendance"] == ratio(0, 1)


def test_review_text_and_markdown(small_db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = run_review(small_db, capsys)
    assert "Counselor reliability" in text and "2/4 (50 %)" in text
    assert "Alex Moreno (CL-A)" in text
    markdown = run_review(small_db, capsys, "--format", "markdown")
    assert markdown.startswith("# Weekly review: 2026-11-23 to 2026-11-29")
    assert "A.M. (CL-A)" in markdown and "Alex Moreno" not in markdown


def test_bad_week_is_one_clear_line(small_db: list[str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*small_db, "review", "--week", "13/01/2026"])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("caseload: --week:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("caseload 0.")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "demo-data" in capsys.readouterr().out


def test_world_readable_database_is_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "open.db"
    path.touch()
    path.chmod(0o644)
    assert main(["--db", str(path), "review"]) == 1
    assert "chmod 600" in capsys.readouterr().err
