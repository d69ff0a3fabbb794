"""The demo caseload: deterministic, fictional, complete, consistent with the models and rules."""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caseload import demo
from caseload.domain import metrics, recurrence
from caseload.domain.flags import FlagCode, client_flags
from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
    Settings,
)
from caseload.services.session import Session, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.store.models import (
    Appointment,
    AppointmentSeries,
    AuditEvent,
    CheckIn,
    CheckInItem,
    Client,
    Commitment,
    Counselor,
)
from caseload.store.queries import load_histories

# A Friday; 26 weeks back crosses the end of daylight saving time (1 November 2026).
TODAY = date(2026, 11, 27)
SETTINGS = Settings(timezone="America/New_York")
NY = ZoneInfo(SETTINGS.timezone)

# The scenario each of counselor 1's first client slots carries (caseload/demo.py).
SLOT_FLAGS: dict[int, set[FlagCode]] = {
    0: {FlagCode.NEEDS_OUTCOME},
    1: {FlagCode.COUNSELOR_CANCELLED},
    2: {FlagCode.COUNSELOR_LATE},
    3: {FlagCode.COUNSELOR_COMMITMENT_OVERDUE},
    4: {FlagCode.COUNSELOR_COMMITMENT_DUE},
    5: {FlagCode.NO_SHOW_STREAK, FlagCode.CLIENT_COMMITMENT_OVERDUE},
    6: {FlagCode.NO_CONTACT},
    7: {FlagCode.NOT_SCHEDULED},
    8: {FlagCode.ALLIANCE_BELOW_CUTOFF},
    9: {FlagCode.ALLIANCE_DROP},
    10: {FlagCode.NOT_DISCUSSED},
    11: {FlagCode.CHECKIN_LAPSED},
}


def _generate(path: Path, **kwargs: object) -> demo.DemoSummary:
    """Generate into a new database file and leave it open (bound to the models)."""
    db = open_database(Location(path=path))
    migrate(db)
    args: dict[str, object] = {"today": TODAY, "login": "dana", "settings": SETTINGS}
    args.update(kwargs)
    return demo.generate(**args)  # type: ignore[arg-type]


def _dump(path: Path) -> str:
    """Every table's rows, in id order, with their SQLite types (repr tells 1 from 1.0)."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        # schema_version records when migrate() ran: the one wall-clock value in the file.
        return repr({t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()
                     for t in tables if t != "schema_version"})
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, demo.DemoSummary]]:
    """The default demo (40 clients, 26 weeks, seed 1), generated once for the module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    summary = _generate(path)
    close_database()
    yield path, summary


@pytest.fixture
def demo_db(demo_file: tuple[Path, demo.DemoSummary]) -> Iterator[sqlite3.Connection]:
    """The module's demo, bound to the models, plus a raw connection for SQL checks."""
    path, _ = demo_file
    db = open_database(Location(path=path), create=False)
    yield db.connection()
    close_database()


# -- determinism ----------------------------------------------------------------------------


def test_same_arguments_give_identical_tables(tmp_path: Path) -> None:
    for name in ("a.db", "b.db"):
        _generate(tmp_path / name)
        close_database()
    assert _dump(tmp_path / "a.db") == _dump(tmp_path / "b.db")
    _generate(tmp_path / "c.db", seed=2)
    close_database()
    assert _dump(tmp_path / "c.db") != _dump(tmp_path / "a.db")
    _generate(tmp_path / "d.db", today=TODAY + timedelta(days=1))
    close_database()
    assert _dump(tmp_path / "d.db") != _dump(tmp_path / "a.db")


def test_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    """Nothing depends on hash randomisation (set order) or on the process."""
    code = (
        "import sys; from datetime import date; from pathlib import Path\n"
        "from caseload import demo\n"
        "from caseload.domain.records import Settings\n"
        "from caseload.store.db import Location, open_database, close_database\n"
        "from caseload.store.migrations import migrate\n"
        "db = open_database(Location(path=Path(sys.argv[1]))); migrate(db)\n"
        "demo.generate(clients=30, weeks=20, counselors=2, seed=5, today=date(2026, 11, 27),"
        " login='dana', settings=Settings(timezone='America/New_York'))\n"
        "close_database()\n")
    for name, hash_seed in (("p1.db", "1"), ("p2.db", "987")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, env=env,
                       cwd=Path(__file__).resolve().parents[2])
    _generate(tmp_path / "here.db", clients=30, weeks=20, counselors=2, seed=5)
    close_database()
    assert _dump(tmp_path / "p1.db") == _dump(tmp_path / "p2.db") == _dump(tmp_path / "here.db")


# -- contents -------------------------------------------------------------------------------


def test_counts_are_in_the_expected_ranges(demo_file: tuple[Path, demo.DemoSummary],
                                           demo_db: sqlite3.Connection) -> None:
    _, summary = demo_file
    assert (summary.counselors, summary.clients, summary.series) == (1, 40, 40)
    assert 700 <= summary.appointments <= 1400
    assert 220 <= summary.commitments <= 550
    assert 350 <= summary.checkins <= 850
    assert 4 * summary.checkins <= summary.checkin_items <= 12 * summary.checkins
    counted = {
        "counselors": Counselor, "clients": Client, "series": AppointmentSeries,
        "appointments": Appointment, "commitments": Commitment, "checkins": CheckIn,
        "checkin_items": CheckInItem}
    assert {name: model.select().count() for name, model in counted.items()} == \
        summary.as_dict()
    assert "40 clients" in str(summary) and "1 counselor," in str(summary)


def test_database_checks_hold(demo_db: sqlite3.Connection) -> None:
    assert demo_db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert demo_db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert demo_db.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_counselor_and_clients_are_fictional(demo_db: sqlite3.Connection) -> None:
    counselor = Counselor.get(Counselor.login == "dana")
    assert counselor.display_name == demo.DEMO_DISPLAY_NAME
    names = [c.display_name for c in Client.select()]
    for name in names:
        first, last = name.split(" ")
        assert first in demo.FIRST_NAMES and last in demo.LAST_NAMES
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"CL-1\d{4}", c.record_number) for c in Client.select())
    assert {c.location for c in AppointmentSeries.select()} <= {*demo.ROOMS, demo.TELEHEALTH}
    statuses = Counter(c.status for c in Client.select())
    assert set(statuses) == {s.value for s in ClientStatus}
    assert statuses[ClientStatus.ACTIVE.value] >= 30
    intakes = [c.intake_date for c in Client.select()]
    assert min(intakes) >= TODAY - timedelta(weeks=26)
    assert max(intakes) <= TODAY - timedelta(weeks=4)


def test_every_outcome_with_a_realistic_mix(demo_db: sqlite3.Connection) -> None:
    start_of_today = datetime.combine(TODAY, time(0), tzinfo=NY)
    past = list(Appointment.select().where(Appointment.starts_at < start_of_today))
    outcomes = Counter(a.outcome for a in past)
    assert set(outcomes) == {o.value for o in Outcome}
    share = {o: outcomes[o] / len(past) for o in outcomes}
    assert 0.68 <= share["kept"] <= 0.84
    assert 0.002 <= share["counselor_cancelled"] <= 0.06
    assert 0.005 <= share["rescheduled"] <= 0.06
    assert outcomes["scheduled"] <= 3  # only the needs-outcome scenario is left open
    kept = [a for a in past if a.outcome == "kept"]
    assert any(a.client_late_min > 0 for a in kept)
    assert any(a.counselor_late_min > SETTINGS.counselor_late_minutes for a in kept)
    assert sum(a.counselor_late_min > SETTINGS.counselor_late_minutes for a in kept) \
        < 0.05 * len(kept)
    for a in past:
        cancelled = a.outcome in ("late_cancel", "client_cancelled", "counselor_cancelled",
                                  "rescheduled")
        assert (a.cancelled_at is not None) == cancelled, a.id
        if a.outcome == "late_cancel":
            assert timedelta(0) < a.starts_at - a.cancelled_at < timedelta(hours=24)
        if a.outcome == "client_cancelled":
            assert a.starts_at - a.cancelled_at > timedelta(hours=24)
    # Nothing on or after today has an outcome, except the scenario sessions of this week.
    ahead = Counter(a.outcome for a in Appointment.select().where(
        Appointment.starts_at >= start_of_today))
    assert ahead["scheduled"] > 300 and sum(ahead.values()) - ahead["scheduled"] <= 2


def test_reschedules_link_to_a_new_appointment(demo_db: sqlite3.Connection) -> None:
    moved = list(Appointment.select().where(Appointment.outcome == "rescheduled"))
    assert moved and {m.requested_by for m in moved} == {p.value for p in Party}
    for m in moved:
        new = Appointment.get_by_id(m.rescheduled_to_id)
        assert new.client_id == m.client_id and new.series_id is None
        assert new.recurrence_id is None
        assert timedelta(days=1) <= new.starts_at - m.starts_at <= timedelta(days=4)
        assert new.starts_at.astimezone(NY).weekday() < 5
        expected = "kept" if new.starts_at.astimezone(NY).date() < TODAY else "scheduled"
        assert new.outcome == expected
        assert new.ends_at - new.starts_at == timedelta(minutes=50)


def test_series_match_their_rrule_across_daylight_saving(demo_db: sqlite3.Connection) -> None:
    horizon = datetime.combine(TODAY + timedelta(weeks=12), time(0), tzinfo=NY)
    offsets = set()
    occurrences = Counter(a.series_id for a in Appointment.select(Appointment.series)
                          .where(Appointment.series.is_null(False)))
    assert len(occurrences) == 40
    for series in AppointmentSeries.select():
        assert series.tzname == SETTINGS.timezone and series.duration_min == 50
        start = series.dtstart.astimezone(NY)
        assert start.weekday() < 5 and 9 <= start.hour <= 16 and start.minute == 0
        cadence = (recurrence.Cadence.BIWEEKLY if "INTERVAL=2" in series.rrule
                   else recurrence.Cadence.WEEKLY)
        assert series.rrule == recurrence.make_rule(cadence, start)
        client = Client.get_by_id(series.client_id)
        assert client.cadence_days == (14 if cadence is recurrence.Cadence.BIWEEKLY else 7)
        assert start.date() - client.intake_date < timedelta(days=7)
        rows = list(Appointment.select().where(Appointment.series == series.id)
                    .order_by(Appointment.recurrence_id))
        expected = recurrence.occurrences(series.rrule, start, start, series.materialized_until)
        assert [r.recurrence_id for r in rows] == expected
        for r in rows:  # read back through Peewee: aware UTC, the same instants
            assert r.starts_at.tzinfo is not None and r.starts_at.utcoffset() == timedelta(0)
            assert r.starts_at == r.recurrence_id
            assert r.starts_at.astimezone(NY).hour == start.hour
            assert r.ends_at - r.starts_at == timedelta(minutes=50)
            offsets.add(r.starts_at.astimezone(NY).utcoffset())
        if series.ended:
            assert client.status != ClientStatus.ACTIVE.value or rows[-1].starts_at < horizon
            assert series.materialized_until <= datetime.combine(TODAY, time(0), tzinfo=NY)
            assert all(r.starts_at.astimezone(NY).date() < TODAY for r in rows)
        else:
            assert series.materialized_until == horizon
            assert rows[-1].starts_at >= horizon - timedelta(weeks=2)
    assert len(offsets) == 2  # both sides of the change, each at the same wall time
    inactive = [c.id for c in Client.select().where(Client.status != "active")]
    assert inactive and all(
        AppointmentSeries.get(AppointmentSeries.client == cid).ended for cid in inactive)


def test_commitments_have_every_status_and_honest_history(demo_db: sqlite3.Connection) -> None:
    rows = list(Commitment.select())
    assert {c.status for c in rows} == {s.value for s in CommitmentStatus}
    assert {c.owner for c in rows} == {p.value for p in Party}
    before = after = 0
    for c in rows:
        assert c.due >= c.made_on
        assert (c.status == "done") == (c.done_on is not None)
        if c.done_on is not None:
            assert c.made_on <= c.done_on <= TODAY
        if c.status == "dropped":
            assert c.note
        history = json.loads(c.due_history)
        for change in history:
            assert set(change) == {"old_due", "new_due", "changed_on", "reason"}
            old, new = date.fromisoformat(change["old_due"]), date.fromisoformat(
                change["new_due"])
            on = date.fromisoformat(change["changed_on"])
            assert new > old and c.made_on <= on <= TODAY and new == c.due
            before += on <= old
            after += on > old
        if c.status == "renegotiated":
            assert history and c.due >= TODAY
        if c.appointment_id is not None:
            session = Appointment.get_by_id(c.appointment_id)
            assert session.outcome == "kept" and session.client_id == c.client_id
            assert session.starts_at.astimezone(NY).date() == c.made_on
    assert before >= 3 and after >= 1
    done = [c for c in rows if c.status == "done"]
    assert any(c.done_on <= c.due for c in done) and any(c.done_on > c.due for c in done)
    outstanding = [c for c in rows if c.status in ("open", "renegotiated")]
    assert any(c.due < TODAY for c in outstanding) and any(c.due >= TODAY for c in outstanding)


def test_checkins_are_scored_like_the_instruments(demo_db: sqlite3.Connection) -> None:
    checkins = list(CheckIn.select())
    assert {c.instrument for c in checkins} == {i.value for i in Instrument}
    items: dict[int, list[tuple[int, float]]] = {}
    for item in CheckInItem.select().order_by(CheckInItem.checkin, CheckInItem.position):
        items.setdefault(item.checkin_id, []).append((item.position, item.score))
    sizes = {"srs": 4, "ors": 4, "wai_sr": 12}
    for c in checkins:
        scores = [s for _, s in items[c.id]]
        assert [p for p, _ in items[c.id]] == list(range(1, sizes[c.instrument] + 1))
        assert c.total == round(math.fsum(scores), 1)
        if c.instrument == "wai_sr":
            assert all(s == int(s) and 1 <= s <= 5 for s in scores)
        else:
            assert all(0 <= s <= 10 and s == round(s, 1) for s in scores)
        session = Appointment.get_by_id(c.appointment_id)
        assert session.outcome == "kept" and session.client_id == c.client_id
        assert session.starts_at.astimezone(NY).date() == c.taken_on <= TODAY
    srs = [c for c in checkins if c.instrument == "srs"]
    kept = Appointment.select().where(Appointment.outcome == "kept").count()
    assert 0.75 * kept <= len(srs) <= kept
    totals = [c.total for c in srs]
    assert sum(35 <= t <= 40 for t in totals) >= 0.8 * len(totals)
    low = [c for c in srs if c.total < SETTINGS.srs_cutoff]
    assert len(low) >= 5
    assert sum(c.discussed and bool(c.comment) for c in low) >= 0.6 * len(low)
    assert any(not c.discussed for c in low)
    wai_per_client = Counter(c.client_id for c in checkins if c.instrument == "wai_sr")
    assert max(wai_per_client.values()) <= 8  # about monthly over 26 weeks


def test_audit_event_records_the_generation(demo_db: sqlite3.Connection,
                                            demo_file: tuple[Path, demo.DemoSummary]) -> None:
    _, summary = demo_file
    event = AuditEvent.get(AuditEvent.action == "demo_data")
    assert (event.actor, event.entity, event.before) == ("dana", "database", None)
    after = json.loads(event.after)
    assert after["counts"] == summary.as_dict()
    assert (after["seed"], after["today"]) == (1, TODAY.isoformat())
    assert event.at == datetime.combine(TODAY, time(0), tzinfo=NY)


# -- the review flags and figures -----------------------------------------------------------


def _flags_by_slot(login: str, today: date, settings: Settings
                   ) -> tuple[dict[int, set[FlagCode]], list[ClientStatus]]:
    counselor = Counselor.get(Counselor.login == login)
    now = datetime.combine(today, time(17), tzinfo=ZoneInfo(settings.timezone))
    week = metrics.week_of(today, settings.week_start)
    histories = load_histories(counselor.id, now - timedelta(weeks=53), now)
    histories.sort(key=lambda h: h.client.id)  # slot order
    flags = {slot: {f.code for f in client_flags(h, now, week, settings)}
             for slot, h in enumerate(histories)}
    return flags, [h.client.status for h in histories]


@pytest.mark.parametrize(("today", "settings", "clients", "counselors", "weeks"), [
    (TODAY, SETTINGS, 40, 1, 26),  # a Friday
    (date(2026, 11, 30), SETTINGS, 40, 1, 26),  # a Monday: the week starts today
    (date(2026, 11, 28), SETTINGS, 40, 1, 26),  # a Saturday
    (date(2026, 3, 8), SETTINGS, 40, 1, 26),  # the Sunday daylight saving time begins
    (date(2026, 11, 29), Settings(timezone="America/New_York", week_start=6), 40, 1, 26),
    (date(2026, 11, 28), Settings(timezone="Europe/Berlin", week_start=5), 40, 1, 26),
    (TODAY, Settings(timezone="America/Chicago", srs_cutoff=30.0, srs_drop=2.0), 40, 1, 26),
    (TODAY, SETTINGS, 36, 3, 26),  # counselor 1 has exactly 12 clients
    (date(2026, 12, 2), SETTINGS, 40, 1, 4),  # a short history
], ids=["fri", "mon", "sat", "dst-sun", "sun-week-start", "berlin-sat", "other-cutoffs",
        "12-clients", "4-weeks"])
def test_every_review_flag_for_counselor_one(tmp_path: Path, today: date, settings: Settings,
                                             clients: int, counselors: int,
                                             weeks: int) -> None:
    _generate(tmp_path / "x.db", today=today, settings=settings, clients=clients,
              counselors=counselors, weeks=weeks)
    try:
        flags, statuses = _flags_by_slot("dana", today, settings)
    finally:
        close_database()
    assert set().union(*flags.values()) == set(FlagCode)
    for slot, codes in SLOT_FLAGS.items():
        assert codes <= flags[slot], (slot, flags[slot])
    if clients // counselors > 13:
        assert statuses[12:14] == [ClientStatus.ON_HOLD, ClientStatus.DISCHARGED]


def test_counselor_one_looks_mostly_reliable(demo_db: sqlite3.Connection) -> None:
    counselor = Counselor.get(Counselor.login == "dana")
    now = datetime.combine(TODAY, time(17), tzinfo=NY)
    histories = load_histories(counselor.id, now - timedelta(weeks=53), now)
    week = metrics.week_of(TODAY, SETTINGS.week_start)
    last12 = metrics.spanning(metrics.weeks_back(week.previous(), 12))
    figures = metrics.caseload_figures(histories, last12, now, SETTINGS)
    assert 0.9 <= figures.counselor_reliability.value <= 1.0  # type: ignore[operator]
    assert 0.8 <= figures.counselor_follow_through.value <= 1.0  # type: ignore[operator]
    assert 0.75 <= figures.client_attendance.value <= 0.97  # type: ignore[operator]
    assert 0.4 <= figures.client_follow_through.value <= 0.95  # type: ignore[operator]
    assert figures.checkin_regularity.value >= 0.8  # type: ignore[operator]
    assert metrics.streak_weeks(histories, now, SETTINGS) >= 3  # the clean recent run


def test_other_counselors_for_the_clinic(tmp_path: Path) -> None:
    summary = _generate(tmp_path / "clinic.db", clients=50, counselors=4, weeks=12)
    try:
        logins = [c.login for c in Counselor.select().order_by(Counselor.id)]
        assert logins == ["dana", "demo02", "demo03", "demo04"]
        names = [c.display_name for c in Counselor.select()]
        assert len(set(names)) == 4 and all(n.endswith("(demo)") for n in names)
        per = Counter(c.counselor_id for c in Client.select())
        assert sorted(per.values()) == [12, 12, 13, 13]
        assert summary.counselors == 4
    finally:
        close_database()


# -- into an existing database, and with the services -----------------------------------------


def test_generate_reuses_the_counselor_and_appends(db_path: Path, session: Session) -> None:
    """The conftest database already has counselor "dana": the demo adds to it."""
    first = demo.generate(clients=15, weeks=8, counselors=2, today=TODAY, login="dana",
                          settings=SETTINGS)
    assert first.counselors == 1  # only demo02 is new
    assert Client.select().where(Client.counselor == session.counselor_id).count() == 8
    second = demo.generate(clients=15, weeks=8, counselors=2, seed=2, today=TODAY,
                           login="dana", settings=SETTINGS)
    assert second.counselors == 0 and Client.select().count() == 30
    assert Counselor.select().count() == 2
    assert AuditEvent.select().where(AuditEvent.action == "demo_data").count() == 2
    # Ids were assigned by the generator; new rows still get fresh ones (PostgreSQL sequences).
    newcomer = ensure_counselor("newcomer", "New Counselor")
    assert newcomer.id == max(c.id for c in Counselor.select())
    assert Counselor.select().count() == 3

    from caseload.services import appointments

    # The services work on demo rows: materialising up to now + 12 weeks adds no duplicate,
    # and the scenario's session without an outcome can be recorded.
    added = appointments.ensure_materialized(session)
    assert 0 <= added <= 30
    pending = (Appointment.select().join(Client)
               .where((Client.counselor == session.counselor_id)
                      & (Appointment.outcome == "scheduled")
                      & (Appointment.ends_at < datetime.combine(TODAY, time(0), tzinfo=NY)))
               .first())
    assert pending is not None
    fact = appointments.record_outcome(session, pending.id, Outcome.KEPT)
    assert fact.outcome is Outcome.KEPT


def test_progress_is_reported_to_the_end(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    _generate(tmp_path / "p.db", clients=20, weeks=8,
              progress=lambda done, total: calls.append((done, total)))
    close_database()
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_bad_sizes_are_refused(tmp_path: Path) -> None:
    db = open_database(Location(path=tmp_path / "bad.db"))
    migrate(db)
    try:
        with pytest.raises(ValueError):
            demo.generate(clients=0, today=TODAY, login="dana")
    finally:
        close_database()


# -- the demo database file -----------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_path",
                        lambda appname=None, *args, **kwargs: tmp_path / str(appname))
    return tmp_path


def test_demo_database_is_kept_apart(data_dir: Path) -> None:
    from caseload.store.db import default_path

    path = demo.demo_database_path()
    assert path == data_dir / "caseload" / "demo" / "demo.db"
    assert path.parent != default_path().parent


def test_ensure_demo_database_builds_once_a_day(data_dir: Path) -> None:
    try:
        path = demo.ensure_demo_database(TODAY, "dana", SETTINGS)
        assert path == demo.demo_database_path() and path.exists()
        assert (path.stat().st_mode & 0o777) == 0o600
        # Left bound to the demo database.
        assert Counselor.get(Counselor.login == "dana").display_name == demo.DEMO_DISPLAY_NAME
        assert Client.select().count() == demo.DEMO_CLIENTS
        inode = path.stat().st_ino

        assert demo.ensure_demo_database(TODAY, "dana", SETTINGS) == path
        assert path.stat().st_ino == inode  # the same day: not rebuilt
        assert AuditEvent.select().count() == 1

        demo.ensure_demo_database(TODAY + timedelta(days=1), "dana", SETTINGS)
        assert path.stat().st_ino != inode  # another day: rebuilt
        event = AuditEvent.get(AuditEvent.action == "demo_data")
        assert json.loads(event.after)["today"] == (TODAY + timedelta(days=1)).isoformat()
        inode = path.stat().st_ino

        demo.ensure_demo_database(TODAY + timedelta(days=1), "sam", SETTINGS)
        assert path.stat().st_ino != inode  # another login: rebuilt for them
        assert Counselor.get_or_none(Counselor.login == "sam") is not None
        assert not Path(f"{path}.new").exists()
    finally:
        close_database()


def test_ensure_demo_database_replaces_a_broken_file(data_dir: Path) -> None:
    path = demo.demo_database_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    path.chmod(0o600)
    try:
        assert demo.ensure_demo_database(TODAY, "dana", SETTINGS) == path
        assert Client.select().count() == demo.DEMO_CLIENTS
    finally:
        close_database()
