"""Fixtures for import, export, backup and doctor tests: a varied fictional caseload."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from caseload.domain.records import ClientStatus, Instrument, Outcome, Party, Settings
from caseload.domain.recurrence import Cadence
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.session import Session, current_login, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from tests.conftest import NOW, NY


def when(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def at_time(session: Session, moment: datetime) -> Session:
    return dataclasses.replace(session, clock=lambda: moment)


def build_caseload(s: Session) -> None:
    """Three fictional clients with every kind of row the app writes.

    Jordan (CL-1): a weekly Monday 10:00 series from 5 Oct 2026 (across the end of daylight
    saving time on 1 Nov) with kept, no-show, counselor-cancelled, client-rescheduled and moved
    occurrences; two goals; commitments open, done, renegotiated (with history) and dropped;
    SRS, WAI-SR and ORS check-ins. Ana-María (CL-2): a biweekly series split ("this and
    following") to a new time; single sessions with late minutes and cancellations. Sam (CL-3):
    discharged, a series removed.
    """
    jordan = clients.add_client(s, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    ana = clients.add_client(s, "Ana-María Ölund", "CL-2", date(2026, 8, 3), cadence_days=14)
    sam = clients.add_client(s, "Sam O'Neil", "CL-3", date(2026, 7, 6))
    goal = clients.add_goal(s, jordan.id, "Stay sober through the holidays")
    old_goal = clients.add_goal(s, jordan.id, "Find housing, \"quickly\", near work")
    clients.edit_goal(s, old_goal.id, active=False)

    early = at_time(s, when(10, 1, 9))
    series_id, _ = appointments.schedule_series(early, jordan.id, when(10, 5, 10))
    rows = {a.start: a for a in _series_rows(s, jordan.id)}
    kept = rows[when(10, 5, 10)]
    appointments.record_outcome(s, kept.id, Outcome.KEPT, client_late_min=5)
    appointments.record_outcome(s, rows[when(10, 12, 10)].id, Outcome.NO_SHOW)
    appointments.record_outcome(s, rows[when(10, 19, 10)].id, Outcome.COUNSELOR_CANCELLED)
    _old, new = appointments.reschedule(s, rows[when(10, 26, 10)].id, when(10, 28, 15),
                                        Party.CLIENT)
    appointments.record_outcome(s, new.id, Outcome.KEPT, counselor_late_min=10)
    appointments.record_outcome(s, rows[when(11, 2, 10)].id, Outcome.KEPT)  # after DST ends
    appointments.edit_occurrence(s, rows[when(11, 9, 10)].id, start=when(11, 10, 11),
                                 location="Room 2")
    appointments.record_outcome(s, rows[when(11, 16, 10)].id, Outcome.LATE_CANCEL)
    appointments.reschedule(s, rows[when(12, 7, 10)].id, when(12, 8, 9), Party.COUNSELOR)
    appointments.record_outcome(s, rows[when(11, 23, 10)].id, Outcome.KEPT)

    checkins.record(s, jordan.id, Instrument.SRS, [9.5, 9, 8.5, 9], taken_on=date(2026, 10, 5),
                    appointment_id=kept.id, comment="Felt heard")
    checkins.record(s, jordan.id, Instrument.SRS, [7, 7.5, 8, 7], taken_on=date(2026, 11, 23))
    checkins.record(s, jordan.id, Instrument.WAI_SR, [4, 5, 4, 3, 5, 4, 4, 4, 5, 3, 4, 5],
                    taken_on=date(2026, 11, 2), discussed=True)
    low = checkins.record(s, jordan.id, Instrument.ORS, [3.5, 4, 2.5, 3],
                          taken_on=date(2026, 11, 2))
    checkins.mark_discussed(s, low.checkin.id, "Talked about sleep")

    c = commitments.add(s, jordan.id, Party.COUNSELOR, "Call the probation officer",
                        date(2026, 11, 20), made_on=date(2026, 11, 16), goal_id=goal.id,
                        appointment_id=kept.id, note="before court")
    commitments.complete(at_time(s, when(11, 19, 12)), c.id)
    r = commitments.add(s, jordan.id, Party.CLIENT, "Attend two meetings, then report",
                        date(2026, 11, 25), made_on=date(2026, 11, 16))
    commitments.renegotiate(at_time(s, when(11, 23, 11)), r.id, date(2026, 12, 2),
                            "asked; a cold")
    d = commitments.add(s, jordan.id, Party.CLIENT, "=SUM(A1) is not a formula",
                        date(2026, 11, 30), made_on=date(2026, 11, 20))
    commitments.drop(s, d.id, "No longer relevant")
    commitments.add(s, jordan.id, Party.COUNSELOR, "Send the housing list",
                    date(2026, 12, 4), made_on=date(2026, 11, 27))

    split_from = at_time(s, when(8, 3, 9))
    appointments.schedule_series(split_from, ana.id, when(8, 4, 14), Cadence.BIWEEKLY,
                                 duration_min=60, location="Telehealth")
    ana_rows = {a.start: a for a in _series_rows(s, ana.id)}
    appointments.record_outcome(s, ana_rows[when(8, 4, 14)].id, Outcome.KEPT)
    appointments.record_outcome(s, ana_rows[when(8, 18, 14)].id, Outcome.CLIENT_CANCELLED)
    appointments.edit_following(s, ana_rows[when(9, 15, 14)].id, when(9, 16, 16))
    single = appointments.schedule_single(s, ana.id, when(11, 27, 8), 45, kind="family")
    appointments.record_outcome(s, single.id, Outcome.KEPT, client_late_min=3,
                                counselor_late_min=6)
    appointments.schedule_single(s, ana.id, when(12, 3, 12), 30)
    checkins.record(s, ana.id, Instrument.SRS, [10, 10, 10, 10], taken_on=date(2026, 11, 27),
                    appointment_id=single.id)

    sam_series, _ = appointments.schedule_series(at_time(s, when(7, 6, 9)), sam.id,
                                                 when(7, 7, 11))
    appointments.remove_series(s, sam_series,
                               appointments.future_occurrences(s, sam_series))
    clients.set_status(s, sam.id, ClientStatus.DISCHARGED)
    assert series_id


def _series_rows(s: Session, client_id: int) -> list[appointments.AppointmentFact]:
    from caseload.store.models import Appointment

    ids = [a.id for a in Appointment.select(Appointment.id).where(
        (Appointment.client == client_id) & Appointment.series.is_null(False))]
    return [appointments.get(s, i) for i in ids]


def cli_session(settings: Settings | None = None) -> Session:
    """The session the CLI opens (the login, or the role on PostgreSQL), the tests' clock."""
    login = current_login()
    counselor = ensure_counselor(login, "Dana Example")
    return Session(actor=login, counselor_id=counselor.id, counselor_name="Dana Example",
                   settings=settings or Settings(timezone="America/New_York"), clock=lambda: NOW)


@pytest.fixture(autouse=True)
def clinic_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI reads no real configuration and works in the clinic's zone."""
    monkeypatch.setenv("CASELOAD_TIMEZONE", "America/New_York")
    monkeypatch.setenv("CASELOAD_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)


@pytest.fixture
def full_db(db_path: Path) -> Path:
    """A database holding `build_caseload`, for the CLI's counselor; closed afterwards."""
    build_caseload(cli_session())
    close_database()
    return db_path


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Path]:
    """A second, empty, migrated database file (closed)."""
    path = tmp_path / "other" / "caseload.db"
    migrate(open_database(Location(path=path)))
    close_database()
    yield path
    close_database()


@pytest.fixture
def imported_db(full_db: Path, empty_db: Path, tmp_path: Path) -> Path:
    """`build_caseload` exported and imported into a new database (closed).

    Its audit trail is in time order (the fixture's own history is not: it is built with clocks
    set back and forth), so `caseload doctor` finds nothing wrong with it.
    """
    from caseload.cli import main

    out = tmp_path / "for-import.json"
    for args in (["--db", str(full_db), "export", "json", "--out", str(out)],
                 ["--db", str(empty_db), "import", "all", str(out)]):
        assert main(["--now", NOW.isoformat(), *args]) == 0
    out.unlink()
    close_database()
    return empty_db


def reopen(where: Path | Location) -> None:
    """Bind the models to the database at `where` (a SQLite file or a location)."""
    close_database()
    open_database(where if isinstance(where, Location) else Location(path=where))


_ = timedelta  # re-exported for tests that build times
