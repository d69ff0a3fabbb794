"""Bad files: every bad row is reported, once per problem, in a stable format; nothing changes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.io import csv_io
from caseload.services import clients, importing
from caseload.services.session import Session
from caseload.store.db import Location, close_database
from caseload.store.models import MODELS
from tests.conftest import NOW
from tests.io.conftest import cli_session, reopen


@pytest.fixture
def known(session: Session, other_session: Session) -> Session:
    """Dana's caseload has CL-1; Sam's (another counselor) has CL-7."""
    clients.add_client(session, "Jordan Rivers", "CL-1", date(2026, 9, 1))
    clients.add_client(other_session, "Kim Other", "CL-7", date(2026, 9, 1))
    return session


def problems(session: Session, kind: str, text: str | bytes,
             source: str | None = None) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    table = csv_io.read_csv_bytes(data, kind, source or f"{kind}.csv",
                                  importing.context(session))
    before = {m: m.select().count() for m in MODELS}
    result = importing.import_tables(session, [table])
    if result.problems:
        assert {m: m.select().count() for m in MODELS} == before, "a bad file changed something"
    return [str(p) for p in result.problems]


APPOINTMENTS = "client_ref,start,duration_min,outcome\n"
CHECKINS = "client_ref,date,instrument,items,discussed\n"
CLIENTS = "record_number,name,intake_date,status\n"
COMMITMENTS = "client_ref,owner,text,made_on,due,status,done_on\n"


@pytest.mark.parametrize("kind,text,expected", [
    ("appointments", APPOINTMENTS + "CL-1,2026-02-30 10:00,50,kept\n",
     "appointments.csv:2: start: bad date: '2026-02-30' is not a date: Feb 2026 has 28 days."),
    ("appointments", APPOINTMENTS + "CL-1,11/20/2026 10:00,50,kept\n",
     "appointments.csv:2: start: bad date: '11/20/2026 10:00' is not a date and time; use "
     "YYYY-MM-DD HH:MM, e.g. 2026-11-27 14:30."),
    ("appointments", APPOINTMENTS + "CL-1,2026-03-08 02:30,50,kept\n",
     "appointments.csv:2: start: bad date: 2:30 does not exist on 2026-03-08 in "
     "America/New_York (clocks go forward); choose another time."),
    ("clients", CLIENTS + "CL-5,Alex Moreno,2026-13-01,active\n",
     "clients.csv:2: intake_date: bad date: '2026-13-01' is not a date: the month must be "
     "01–12."),
    ("clients", CLIENTS + "CL-5,Alex Moreno,next friday,active\n",
     "clients.csv:2: intake_date: bad date: 'next friday' is not a date; use YYYY-MM-DD, e.g. "
     "2026-11-27."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,srs,8 11 9 9,yes\n",
     "checkins.csv:2: items: score out of range: Item 2 (Goals & topics) must be between 0.0 "
     "and 10.0; got 11."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,wai_sr,4 0 4 4 4 4 4 4 4 4 4 4,no\n",
     "checkins.csv:2: items: score out of range: Item 2 (Task) must be between 1 and 5; got 0."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,wai_sr,4 4 4,no\n",
     "checkins.csv:2: items: wrong number of scores: WAI-SR needs 12 item scores; got 3."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,srs,8 7.25 9 9,no\n",
     "checkins.csv:2: items: bad score: Item 2 (Goals & topics) allows one decimal at most; "
     "got 7.25."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,phq9,1 2 3,no\n",
     "checkins.csv:2: instrument: unknown instrument: 'phq9'; use srs, wai_sr or ors."),
    ("checkins", CHECKINS + "CL-1,2026-11-30,srs,9 9 9 9,no\n",
     "checkins.csv:2: date: bad date: a check-in cannot be dated in the future (2026-11-30)."),
    ("appointments", APPOINTMENTS + "CL-9,2026-11-20 10:00,50,kept\n",
     "appointments.csv:2: client_ref: unknown client: no client with record number 'CL-9' on "
     "your caseload; import the clients first."),
    ("appointments", APPOINTMENTS + "CL-7,2026-11-20 10:00,50,kept\n",
     "appointments.csv:2: client_ref: unknown client: no client with record number 'CL-7' on "
     "your caseload; import the clients first."),
    ("appointments", APPOINTMENTS + "CL-1,2026-11-20 10:00,50,showed\n",
     "appointments.csv:2: outcome: unknown outcome: 'showed'; use scheduled, kept, no_show, "
     "late_cancel, client_cancelled, counselor_cancelled or rescheduled."),
    ("clients", CLIENTS + "CL-5,Alex Moreno,2026-09-01,active\nCL-5,Alex Moreno,2026-09-01,\n",
     "clients.csv:3: record_number: duplicate: record number 'CL-5' is also on line 2."),
    ("clients", CLIENTS + "CL-1,Jordan Q. Rivers,2026-09-01,active\n",
     "clients.csv:2: record_number: duplicate: record number 'CL-1' is already in the database "
     "with name 'Jordan Rivers'; this row has 'Jordan Q. Rivers'."),
    ("clients", CLIENTS + "CL-7,Kim Other,2026-09-01,active\n",
     "clients.csv:2: record_number: duplicate: record number 'CL-7' is already used by another "
     "counselor's client."),
    ("checkins", CHECKINS + "CL-1,2026-11-20,srs,9 9 9 9,no\nCL-1,2026-11-20,SRS,8 8 8 8,no\n",
     "checkins.csv:3: date: duplicate: the srs check-in of CL-1 on 2026-11-20 is also on "
     "line 2."),
    ("appointments", APPOINTMENTS + "CL-1,2026-11-20 10:00,50,kept\n"
                                    "CL-1,2026-11-20T15:00Z,50,no_show\n",
     "appointments.csv:3: start: duplicate: the appointment of CL-1 at 2026-11-20 10:00 is also "
     "on line 2."),
    ("clients", "record_number,name\nCL-5,Alex Moreno\n",
     "clients.csv:1: intake_date: missing column: the file needs the columns record_number, "
     "name, intake_date."),
    ("clients", CLIENTS + "CL-5, ,2026-09-01,active\n",
     "clients.csv:2: name: missing value: name is required."),
    ("clients", CLIENTS + "CL-5,Alex \x1b[2JMoreno,2026-09-01,active\n",
     "clients.csv:2: name: bad text: Name contains control characters or line breaks; type "
     "plain text on one line."),
    ("clients", CLIENTS + "CL-5,Alex Moreno,2026-09-01,retired\n",
     "clients.csv:2: status: unknown status: 'retired'; use active, on_hold or discharged."),
    ("appointments", APPOINTMENTS + "CL-1,2026-11-20 10:00,fifty,kept\n",
     "appointments.csv:2: duration_min: bad number: 'fifty' is not a whole number."),
    ("appointments", APPOINTMENTS + "CL-1,2026-11-20 10:00,600,kept\n",
     "appointments.csv:2: duration_min: out of range: Duration (minutes) must be between 5 and "
     "480; got 600."),
    ("appointments", APPOINTMENTS + "CL-1,2026-11-20 10:00,50,kept,extra\n",
     "appointments.csv:2: wrong number of fields: expected 4 fields like the header, got 5."),
    ("appointments", APPOINTMENTS + "CL-1,2026-12-01 10:00,50,kept\n",
     "appointments.csv:2: outcome: inconsistent: the session has not started yet, so it cannot "
     "be kept."),
    ("appointments", "client_ref,start,duration_min,outcome,client_late_min\n"
                     "CL-1,2026-11-20 10:00,50,no_show,5\n",
     "appointments.csv:2: client_late_min: inconsistent: late minutes apply only to a kept "
     "session, not a no show one."),
    ("appointments", "client_ref,start,duration_min,outcome,requested_by\n"
                     "CL-1,2026-11-20 10:00,50,rescheduled,\n",
     "appointments.csv:2: requested_by: missing value: a rescheduled appointment needs "
     "requested_by (client or counselor)."),
    ("appointments", "client_ref,start,duration_min,outcome,requested_by,rescheduled_to\n"
                     "CL-1,2026-11-20 10:00,50,rescheduled,client,2026-11-21 10:00\n",
     "appointments.csv:2: rescheduled_to: unknown appointment: CL-1 has no appointment at "
     "2026-11-21 10:00."),
    ("appointments", "client_ref,start,duration_min,series_start\n"
                     "CL-1,2026-11-20 10:00,50,2026-11-06 10:00\n",
     "appointments.csv:2: series_start: unknown series: CL-1 has no series starting "
     "2026-11-06 10:00."),
    ("commitments", COMMITMENTS + "CL-1,counselor,Call the PO,2026-11-20,2026-11-18,open,\n",
     "commitments.csv:2: due: bad date: due 2026-11-18 is before made_on 2026-11-20."),
    ("commitments", COMMITMENTS + "CL-1,counselor,Call the PO,2026-11-16,2026-11-20,open,"
                                  "2026-11-19\n",
     "commitments.csv:2: done_on: inconsistent: only a done commitment has done_on; this one "
     "is open."),
    ("commitments", COMMITMENTS + "CL-1,nurse,Call the PO,2026-11-16,2026-11-20,open,\n",
     "commitments.csv:2: owner: unknown owner: 'nurse'; use counselor or client."),
    ("series", "client_ref,start,rrule,duration_min\nCL-1,2026-11-02 10:00,FREQ=HOURLY,50\n",
     "series.csv:2: rrule: bad rule: Sessions can repeat at most daily; FREQ=HOURLY is not "
     "supported."),
])
def test_each_reason_has_an_exact_message(known: Session, kind: str, text: str,
                                          expected: str) -> None:
    assert problems(known, kind, text) == [expected]


def test_a_file_that_is_not_utf8_names_the_line(known: Session) -> None:
    data = (CLIENTS + "CL-5,Alex Moreno,2026-09-01,active\nCL-6,Ölund,2026-09-01,active\n"
            ).encode("latin-1")
    assert problems(known, "clients", data) == [
        "clients.csv:3: bad encoding: byte 0xd6 is not UTF-8; save the file as \"CSV UTF-8\" "
        "(Excel) or UTF-8 (other programs)."]


def test_every_bad_row_is_reported_in_order_and_nothing_changes(known: Session) -> None:
    text = (APPOINTMENTS
            + "CL-1,2026-11-16 10:00,50,kept\n"            # good
            + "CL-9,2026-11-17 10:00,50,kept\n"            # unknown client
            + "CL-1,2026-11-18 25:00,5,nope\n"             # bad time and unknown outcome
            + "CL-1,2026-11-16 10:00,50,kept\n"            # duplicate of line 2
            + "CL-1,2026-11-19 10:00,50,no_show\n")        # good
    assert problems(known, "appointments", text) == [
        "appointments.csv:3: client_ref: unknown client: no client with record number 'CL-9' "
        "on your caseload; import the clients first.",
        "appointments.csv:4: start: bad date: '25:00' is not a time: the hour must be 0–23.",
        "appointments.csv:4: outcome: unknown outcome: 'nope'; use scheduled, kept, no_show, "
        "late_cancel, client_cancelled, counselor_cancelled or rescheduled.",
        "appointments.csv:5: start: duplicate: the appointment of CL-1 at 2026-11-16 10:00 is "
        "also on line 2.",
    ]


def test_bom_crlf_and_excel_quoting(known: Session) -> None:
    data = ("\ufeffclient_ref,owner,text,made_on,due,status,done_on,note\r\n"
            'CL-1,counselor,"Call the PO, then ""the"" court",2026-11-16,2026-11-20,done,'
            '2026-11-19,"said: ""ok"""\r\n'
            "CL-1,client,'=1+1 stays text,2026-11-16,2026-11-30,open,,\r\n").encode("utf-8")
    table = csv_io.read_csv_bytes(data, "commitments", "c.csv", importing.context(known))
    assert table.problems == ()
    first, second = (p.record for p in table.rows)
    assert first.text == 'Call the PO, then "the" court' and first.note == 'said: "ok"'
    assert second.text == "=1+1 stays text"  # Excel's formula guard is taken off
    assert importing.import_tables(known, [table]).added == 2


def test_line_numbers_count_physical_lines_after_a_multi_line_cell(known: Session) -> None:
    text = ("client_ref,text,created_on\n"
            'CL-1,"Two\nlines",2026-11-01\n'
            "CL-1,Fine goal,2026-11-31\n")
    assert problems(known, "goals", text) == [
        "goals.csv:2: text: bad text: Goal contains control characters or line breaks; type "
        "plain text on one line.",
        "goals.csv:4: created_on: bad date: '2026-11-31' is not a date: Nov 2026 has 30 days."]


def test_header_names_are_forgiving_and_extra_columns_are_ignored(known: Session) -> None:
    text = " Record_Number ,NAME,intake_date,Phone\nCL-5,Alex Moreno,2026-09-01,555-0100\n"
    table = csv_io.read_csv_bytes(text.encode(), "clients", "c.csv", importing.context(known))
    assert table.problems == () and table.ignored == ("phone",)
    result = importing.import_tables(known, [table])
    assert result.added == 1 and result.tables[0].ignored == ("phone",)


def test_json_problems_name_the_table_and_the_row(known: Session) -> None:
    data = b'{"clients": [{"record_number": "CL-5", "name": "A B", "intake_date": "2026-09-01"},'\
           b' {"record_number": "CL-6", "name": null, "intake_date": "2026-09-01"}]}'
    tables = csv_io.read_json_bytes(data, "all.json", importing.context(known))
    result = importing.import_tables(known, tables)
    assert [str(p) for p in result.problems] == [
        "all.json:clients:2: name: missing value: name is required."]


def test_the_cli_lists_every_problem_then_one_summary_line(
        db_args: list[str], db_location: Location, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    clients.add_client(cli_session(), "Jordan Rivers", "CL-1", date(2026, 9, 1))
    close_database()
    bad = tmp_path / "checkins.csv"
    bad.write_text(CHECKINS + "CL-1,2026-11-20,srs,9 9 9 9,no\n"
                   "CL-1,2026-11-21,srs,9 99 9 9,no\nCL-2,2026-11-21,ors,1 2 3 4,no\n",
                   encoding="utf-8")
    code = main([*db_args, "--now", NOW.isoformat(), "import", "checkins", str(bad)])
    out = capsys.readouterr()
    assert code == 1 and out.out == ""
    assert out.err == (
        "checkins.csv:3: items: score out of range: Item 2 (Goals & topics) must be between "
        "0.0 and 10.0; got 99.\n"
        "checkins.csv:4: client_ref: unknown client: no client with record number 'CL-2' on "
        "your caseload; import the clients first.\n"
        "caseload: nothing was imported: 2 problem(s) on 2 lines.\n")
    reopen(db_location)
    from caseload.store.models import CheckIn

    assert CheckIn.select().count() == 0


def test_the_cli_refuses_a_folder_for_one_kind_and_a_csv_for_all(
        db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    close_database()
    assert main([*db_args, "import", "clients", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    csv_file = tmp_path / "x.csv"
    csv_file.write_text(CLIENTS, encoding="utf-8")
    assert main([*db_args, "import", "all", str(csv_file)]) == 2
    assert "`import all` takes a folder" in capsys.readouterr().err
    assert main([*db_args, "import", "clients", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err == f"caseload: No such file: {tmp_path / 'nope.csv'}\n"


def test_the_examples_in_docs_import_cleanly(db_args: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    close_database()
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    assert main([*db_args, "--now", NOW.isoformat(), "import", "all",
                 str(examples)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.splitlines() == [
        "clients.csv: 3 rows: 3 new, 0 already there",
        "goals.csv: 2 rows: 2 new, 0 already there",
        "series.csv: 1 row: 1 new, 0 already there",
        "appointments.csv: 6 rows: 6 new, 0 already there",
        "commitments.csv: 3 rows: 3 new, 0 already there",
        "checkins.csv: 4 rows: 4 new, 0 already there",
        "Imported 19 rows.",
    ]


def test_a_read_only_session_imports_nothing(known: Session) -> None:
    import dataclasses

    from caseload.services.audit import ReadOnlySession

    table = csv_io.read_csv_bytes((CLIENTS + "CL-5,Alex Moreno,2026-09-01,active\n").encode(),
                                  "clients", "clients.csv", importing.context(known))
    with pytest.raises(ReadOnlySession, match="read-only"):
        importing.import_tables(dataclasses.replace(known, read_only=True), [table])
    assert [c.record_number for c in clients.list_clients(known)] == ["CL-1"]


def test_an_export_with_empty_tables_reads_back(known: Session) -> None:
    data = b'{"format": "caseload-export", "clients": [{"record_number": "CL-5", "name": "A B",'\
           b' "intake_date": "2026-09-01"}], "goals": [], "series": [], "appointments": []}'
    tables = csv_io.read_json_bytes(data, "all.json", importing.context(known))
    assert [(t.kind, len(t.rows), t.problems) for t in tables] == [
        ("clients", 1, ()), ("goals", 0, ()), ("series", 0, ()), ("appointments", 0, ())]
    assert importing.import_tables(known, tables).added == 1


def test_a_header_name_with_a_line_break_or_an_escape_is_shown_on_one_line(
        known: Session, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        db_args: list[str]) -> None:
    # A quoted header cell may hold anything: named in a message, it is escaped, never printed
    # as it is (a line break would split the message, an escape code would reach the terminal).
    twice = '"a\nb",record_number,name,intake_date,"a\nb"\n'
    table = csv_io.read_csv_bytes(twice.encode(), "clients", "c.csv", importing.context(known))
    assert [str(p) for p in table.problems] == [
        "c.csv:3: 'a\\nb': duplicate column: the header names this column twice."]  # its end
    extra = tmp_path / "clients.csv"
    extra.write_text('record_number,name,intake_date,"\x1b[31mred"\n'
                     "CL-5,Alex Moreno,2026-09-01,x\n")
    close_database()
    main([*db_args, "import", "clients", str(extra)])
    err = capsys.readouterr().err
    assert "ignored columns: '\\x1b[31mred'" in err and "\x1b" not in err
