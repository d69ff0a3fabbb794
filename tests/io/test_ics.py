"""The calendar export: parsed back with icalendar, and imported into calcurse."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

from caseload.cli import main
from caseload.domain.records import Outcome
from caseload.io.ics import STATUS
from caseload.io.rows import AppointmentRow, ExportData
from caseload.services.exporting import load_export
from tests.conftest import NOW, NY
from tests.io.conftest import cli_session, reopen, when

pytestmark = pytest.mark.sqlite_only  # the calendar does not depend on the backend

HORIZON = datetime(2026, 12, 27, tzinfo=NY)  # before any series' booked range ends


def export_ics(db: Path, tmp_path: Path, *extra: str) -> Calendar:
    out = tmp_path / "caseload.ics"
    assert main(["--db", str(db), "--now", NOW.isoformat(), "export", "ics", "--out", str(out),
                 *extra]) == 0
    return Calendar.from_ical(out.read_bytes())


def events(calendar: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def exported(db: Path) -> ExportData:
    reopen(db)
    return load_export(cli_session())


def summary(row: AppointmentRow, name: str) -> str:
    return name if row.outcome is Outcome.SCHEDULED else f"{name} ({row.outcome.label})"


def instances(calendar: Calendar, until: datetime) -> list[tuple[datetime, str]]:
    """Every (start, summary) the calendar shows before `until`, its RRULEs expanded."""
    shown = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        name = str(event["SUMMARY"])
        if "RRULE" not in event:
            shown.append((start, name))
            continue
        rules = rruleset()
        rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
        exdates = event.get("EXDATE", [])
        for group in exdates if isinstance(exdates, list) else [exdates]:
            for moment in group.dts:
                rules.exdate(moment.dt)
        shown += [(moment, name) for moment in rules.between(start - timedelta(seconds=1),
                                                             until)]
    return sorted(shown)


def expected_instances(data: ExportData, until: datetime) -> list[tuple[datetime, str]]:
    names = data.client_names()
    return sorted((a.start, summary(a, names[a.client_ref])) for a in data.appointments
                  if a.start < until)


def test_the_calendar_shows_every_appointment_exactly_once(full_db: Path,
                                                           tmp_path: Path) -> None:
    calendar = export_ics(full_db, tmp_path)
    data = exported(full_db)
    assert instances(calendar, HORIZON) == expected_instances(data, HORIZON)


def test_series_carry_rrule_exdate_and_a_time_zone(full_db: Path, tmp_path: Path) -> None:
    calendar = export_ics(full_db, tmp_path)
    data = exported(full_db)
    jordan = next(s for s in data.series if s.client_ref == "CL-1")
    event = events(calendar)[f"caseload-series-{jordan.id}@caseload"]
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == when(10, 5, 10)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=50)
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["X-CASELOAD-OUTCOME"]) == "scheduled"
    excluded = sorted(d.dt for group in event["EXDATE"] for d in group.dts) \
        if isinstance(event["EXDATE"], list) else sorted(d.dt for d in event["EXDATE"].dts)
    assert excluded == [when(10, 5, 10), when(10, 12, 10), when(10, 19, 10), when(10, 26, 10),
                        when(11, 2, 10), when(11, 9, 10), when(11, 16, 10), when(11, 23, 10),
                        when(12, 7, 10)]
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"America/New_York"}
    ana = [s for s in data.series if s.client_ref == "CL-2"]
    first = events(calendar)[f"caseload-series-{ana[0].id}@caseload"]
    assert first["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260915T175959Z;INTERVAL=2;BYDAY=TU"
    sam = next(s for s in data.series if s.client_ref == "CL-3")
    ended = events(calendar)[f"caseload-series-{sam.id}@caseload"]
    assert ended["RRULE"]["UNTIL"] == [when(9, 22, 11)]  # the series was ended


def test_outcomes_go_in_status_and_x_properties(full_db: Path, tmp_path: Path) -> None:
    calendar = export_ics(full_db, tmp_path)
    data = exported(full_db)
    by_start = {(a.client_ref, a.start): a for a in data.appointments}
    found = events(calendar)
    for appointment in data.appointments:
        uid = f"caseload-appointment-{appointment.id}@caseload"
        if uid not in found:
            assert appointment.outcome is Outcome.SCHEDULED  # described by its series' RRULE
            continue
        event = found[uid]
        assert str(event["STATUS"]) == STATUS[appointment.outcome]
        assert str(event["X-CASELOAD-OUTCOME"]) == appointment.outcome.value
    cancelled = found[f"caseload-appointment-{by_start[('CL-1', when(10, 19, 10))].id}@caseload"]
    assert (str(cancelled["STATUS"]), str(cancelled["X-CASELOAD-CANCELLED-BY"])) == (
        "CANCELLED", "counselor")
    assert str(cancelled["SUMMARY"]) == "Jordan Rivers (counselor cancelled)"
    late = found[f"caseload-appointment-{by_start[('CL-1', when(11, 16, 10))].id}@caseload"]
    assert str(late["X-CASELOAD-CANCELLED-BY"]) == "client"
    moved = by_start[("CL-1", when(10, 26, 10))]
    event = found[f"caseload-appointment-{moved.id}@caseload"]
    target = by_start[("CL-1", when(10, 28, 15))]
    assert str(event["X-CASELOAD-RESCHEDULED-TO"]) == f"caseload-appointment-{target.id}@caseload"
    assert str(event["X-CASELOAD-CANCELLED-BY"]) == "client"
    kept = found[f"caseload-appointment-{target.id}@caseload"]
    assert str(kept["STATUS"]) == "CONFIRMED" and "X-CASELOAD-CANCELLED-BY" not in kept
    series = next(s for s in data.series if s.client_ref == "CL-1")
    assert str(event["X-CASELOAD-SERIES"]) == f"caseload-series-{series.id}@caseload"


def test_uids_are_stable_and_one_client_can_be_exported(full_db: Path, tmp_path: Path) -> None:
    first = set(events(export_ics(full_db, tmp_path)))
    assert set(events(export_ics(full_db, tmp_path))) == first
    only = export_ics(full_db, tmp_path, "--client", "Ana-María")
    assert {str(e["SUMMARY"]).split(" (")[0] for e in only.walk("VEVENT")} == {
        "Ana-María Ölund"}
    assert set(events(only)) < first


def _calcurse() -> str:
    found = shutil.which("calcurse")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("calcurse is missing but CI is set: .ci/run installs it with apt-get")
        pytest.skip("calcurse is not installed (apt-get install calcurse); CI installs it")
    return found


def test_calcurse_imports_the_calendar_and_lists_each_session_once(
        full_db: Path, tmp_path: Path) -> None:
    calcurse = _calcurse()
    export_ics(full_db, tmp_path)
    home, conf, data_dir = (tmp_path / "calcurse" / name for name in ("home", "conf", "data"))
    for folder in (home, conf, data_dir):
        folder.mkdir(parents=True)
    env = {"HOME": str(home), "TZ": "America/New_York", "PATH": os.environ.get("PATH", ""),
           "LANG": "C.UTF-8"}
    base = [calcurse, "-C", str(conf), "-D", str(data_dir)]
    imported = subprocess.run([*base, "-i", str(tmp_path / "caseload.ics")], env=env,
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert "0 skipped" in imported.stdout
    line = "%(start:%Y-%m-%d %H:%M)-%(end:%H:%M) %m\\n"
    listed = subprocess.run(
        [*base, "--input-datefmt", "4", "-Q", "--from", "2026-07-01", "--to", "2026-12-26",
         "--format-apt", line, "--format-recur-apt", line],
        env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    shown = sorted(x for x in listed.stdout.splitlines() if x.startswith("2026-"))
    data = exported(full_db)
    names = data.client_names()
    expected = sorted(
        f"{a.start:%Y-%m-%d %H:%M}-{a.start + timedelta(minutes=a.duration_min):%H:%M} "
        f"{summary(a, names[a.client_ref])}"
        for a in data.appointments if a.start.date() <= date(2026, 12, 26))
    assert shown == expected and len(shown) > 30
    # Spot checks a person would make: the week after clocks went back, a moved session, an
    # ended series and a split one.
    assert "2026-11-02 10:00-10:50 Jordan Rivers (kept)" in shown
    assert "2026-11-30 10:00-10:50 Jordan Rivers" in shown
    assert "2026-11-10 11:00-11:50 Jordan Rivers" in shown
    assert not any(x.startswith("2026-09-29 11:00") for x in shown)
    assert not any(x.startswith("2026-09-15 14:00") for x in shown)
