"""Property tests of every service function: generated calls, one after another, on one database.

Each example calls one service function (writes and reads, every module) with generated
arguments: unicode and control characters in every text, empty and very long text, any
integer where a counselor types a number, dates from year 1 to 9999, times in any zone
(daylight-saving gaps and folds included), ids that exist and ids that do not, stale versions.
The only outcomes allowed are success, `ValidationError` (with `StaleRecord`) and `NotFound`,
each with a one-line message. Every few examples, and at the end, the database must be whole
(`workload.assert_consistent`) and hold no control character in any stored text.

Runs on SQLite, and on PostgreSQL with CASELOAD_TEST_BACKEND=postgres.
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st

from caseload.domain.records import (
    ClientStatus,
    Instrument,
    NotFound,
    Outcome,
    Party,
    ValidationError,
)
from caseload.domain.recurrence import Cadence
from caseload.services import (
    appointments,
    audit,
    checkins,
    client_view,
    clients,
    commitments,
    exporting,
    overview,
    review,
    weekly_review,
)
from caseload.services.session import Session
from caseload.services.weekly_review import Step
from caseload.store.models import (
    Appointment,
    AppointmentSeries,
    CheckIn,
    Client,
    Commitment,
    Goal,
    WeeklyReview,
)
from tests.reliability.conftest import variants
from tests.reliability.workload import assert_consistent, assert_no_control_text

TEXT_SAMPLES = ["", " ", "Alex", "Zoë Ñúñez-O'Brien", "李小龍", "[bold red]x[/]", "[link=x]y",
                "\x1b[31mred", "\x1b]0;title\x07", "a\nb", "\t", "\u202e", "\u200d", "x" * 201,
                "y" * 5000, "#1", "R-1", "%", "_", "'; DROP TABLE client; --"]
# Plain text most of the time (so writes get through and later calls have rows to work on),
# otherwise anything.
plain = st.text(st.characters(categories=["L", "N", "Zs", "P", "S"]), min_size=1,
                max_size=30).filter(str.strip)
texts = st.one_of(plain, plain, plain, st.sampled_from(TEXT_SAMPLES), st.text(max_size=40),
                  st.text(min_size=100, max_size=400))
numbers = st.one_of(st.integers(1, 120), st.integers(-10, 700), st.integers(),
                    st.sampled_from([0, 5, 7, 14, 50, 480, 600]))
near = st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 1, 31))
days = st.one_of(near, near, st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 3, 1)),
                 st.dates())
ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
local_times = st.one_of(
    st.datetimes(min_value=datetime(2026, 8, 1), max_value=datetime(2027, 3, 1),
                 timezones=st.sampled_from(["America/New_York", "Europe/London"]).map(
                     zoneinfo.ZoneInfo)),
    st.datetimes(timezones=st.sampled_from(ZONES).map(zoneinfo.ZoneInfo)),
    st.sampled_from([datetime(2026, 3, 8, 2, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
                     datetime(2026, 11, 1, 1, 30, fold=1,
                              tzinfo=zoneinfo.ZoneInfo("America/New_York")),
                     datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)]))
DB_INT = st.integers(-(2**63), 2**63 - 1)  # what an id from the database can be


def ids(model: Any) -> st.SearchStrategy[int]:
    """An id of a row that exists (mostly), or any other one."""
    def existing(_: int) -> int:
        found = [r.id for r in model.select(model.id).order_by(model.id.desc()).limit(30)]
        return found[_ % len(found)] if found else 0
    return st.one_of(st.integers(0, 10**6).map(existing), st.integers(0, 10**6).map(existing),
                     DB_INT)


versions = st.one_of(st.none(), st.none(), st.integers(1, 5), DB_INT)
instruments_ = st.sampled_from(list(Instrument))
items = st.one_of(
    st.builds(lambda i, v: [v] * (4 if i is not Instrument.WAI_SR else 12), instruments_,
              st.floats(0, 10)),
    st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                       st.none()), max_size=14))


def calls(s: Session) -> dict[str, Callable[[st.DataObject], Any]]:
    """Every service function, with a way to draw its arguments."""
    return {
        "add_client": lambda d: clients.add_client(
            s, d.draw(texts), d.draw(texts), d.draw(st.one_of(st.none(), days)),
            cadence_days=d.draw(numbers), status=d.draw(st.sampled_from(list(ClientStatus)))),
        "update_client": lambda d: clients.update_client(
            s, d.draw(ids(Client)), name=d.draw(st.one_of(st.none(), texts)),
            record_number=d.draw(st.one_of(st.none(), texts)),
            status=d.draw(st.one_of(st.none(), st.sampled_from(list(ClientStatus)))),
            cadence_days=d.draw(st.one_of(st.none(), numbers))),
        "find_client": lambda d: clients.find_client(s, d.draw(texts)),
        "get_client": lambda d: clients.get_client(s, d.draw(ids(Client))),
        "list_clients": lambda d: clients.list_clients(s),
        "add_goal": lambda d: clients.add_goal(s, d.draw(ids(Client)), d.draw(texts)),
        "edit_goal": lambda d: clients.edit_goal(
            s, d.draw(ids(Goal)), text=d.draw(st.one_of(st.none(), texts)),
            active=d.draw(st.one_of(st.none(), st.booleans()))),
        "goals": lambda d: clients.goals(s, d.draw(ids(Client)), d.draw(st.booleans())),
        "add_commitment": lambda d: commitments.add(
            s, d.draw(ids(Client)), d.draw(st.sampled_from(list(Party))), d.draw(texts),
            d.draw(days), made_on=d.draw(st.one_of(st.none(), days)),
            goal_id=d.draw(st.one_of(st.none(), ids(Goal))),
            appointment_id=d.draw(st.one_of(st.none(), ids(Appointment))), note=d.draw(texts)),
        "complete": lambda d: commitments.complete(
            s, d.draw(ids(Commitment)), d.draw(st.one_of(st.none(), days)),
            note=d.draw(st.one_of(st.none(), texts)), expected_version=d.draw(versions)),
        "renegotiate": lambda d: commitments.renegotiate(
            s, d.draw(ids(Commitment)), d.draw(days), d.draw(texts),
            expected_version=d.draw(versions)),
        "drop": lambda d: commitments.drop(s, d.draw(ids(Commitment)), d.draw(texts),
                                           expected_version=d.draw(versions)),
        "edit_text": lambda d: commitments.edit_text(s, d.draw(ids(Commitment)), d.draw(texts),
                                                     expected_version=d.draw(versions)),
        "get_commitment": lambda d: commitments.get(s, d.draw(ids(Commitment))),
        "record_checkin": lambda d: checkins.record(
            s, d.draw(ids(Client)), d.draw(instruments_), d.draw(items),
            taken_on=d.draw(st.one_of(st.none(), days)),
            appointment_id=d.draw(st.one_of(st.none(), ids(Appointment))),
            comment=d.draw(texts), discussed=d.draw(st.booleans())),
        "mark_discussed": lambda d: checkins.mark_discussed(
            s, d.draw(ids(CheckIn)), d.draw(st.one_of(st.none(), texts)), d.draw(st.booleans())),
        "get_checkin": lambda d: checkins.get(s, d.draw(ids(CheckIn))),
        "schedule_single": lambda d: appointments.schedule_single(
            s, d.draw(ids(Client)), d.draw(local_times), d.draw(numbers), kind=d.draw(texts),
            location=d.draw(texts)),
        "schedule_series": lambda d: appointments.schedule_series(
            s, d.draw(ids(Client)), d.draw(local_times), d.draw(st.sampled_from(list(Cadence))),
            duration_min=d.draw(numbers), until=d.draw(st.one_of(st.none(), days)),
            count=d.draw(st.one_of(st.none(), numbers)),
            custom=d.draw(st.one_of(st.none(), texts, st.sampled_from(
                ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYMONTHDAY=31",
                 "FREQ=SECONDLY", "FREQ=WEEKLY;COUNT=0", "RRULE:FREQ=YEARLY"]))),
            kind=d.draw(texts), location=d.draw(texts)),
        "ensure_materialized": lambda d: appointments.ensure_materialized(
            s, d.draw(st.one_of(st.none(), st.datetimes(
                min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                timezones=st.sampled_from(ZONES).map(zoneinfo.ZoneInfo))))),
        "record_outcome": lambda d: appointments.record_outcome(
            s, d.draw(ids(Appointment)), d.draw(st.sampled_from(list(Outcome))),
            client_late_min=d.draw(numbers), counselor_late_min=d.draw(numbers),
            expected_version=d.draw(versions)),
        "reschedule": lambda d: appointments.reschedule(
            s, d.draw(ids(Appointment)), d.draw(local_times), d.draw(st.sampled_from(list(Party))),
            duration_min=d.draw(st.one_of(st.none(), numbers)),
            expected_version=d.draw(versions)),
        "edit_occurrence": lambda d: appointments.edit_occurrence(
            s, d.draw(ids(Appointment)), start=d.draw(st.one_of(st.none(), local_times)),
            duration_min=d.draw(st.one_of(st.none(), numbers)),
            location=d.draw(st.one_of(st.none(), texts)), expected_version=d.draw(versions)),
        "future_occurrences": lambda d: appointments.future_occurrences(
            s, d.draw(ids(AppointmentSeries))),
        "remove_series": lambda d: appointments.remove_series(
            s, d.draw(ids(AppointmentSeries)), d.draw(numbers)),
        "edit_following": lambda d: appointments.edit_following(
            s, d.draw(ids(Appointment)), d.draw(local_times),
            duration_min=d.draw(st.one_of(st.none(), numbers)),
            cadence=d.draw(st.one_of(st.none(), st.sampled_from(list(Cadence))))),
        "get_appointment": lambda d: appointments.get(s, d.draw(ids(Appointment))),
        "start_review": lambda d: weekly_review.start_or_resume(
            s, d.draw(st.one_of(st.none(), days))),
        "move_review": lambda d: weekly_review.move(
            s, d.draw(ids(WeeklyReview)), d.draw(st.sampled_from(list(Step))),
            d.draw(st.one_of(numbers, ids(Client)))),
        "set_note": lambda d: weekly_review.set_note(
            s, d.draw(ids(WeeklyReview)), d.draw(ids(Client)),
            focus=d.draw(st.one_of(st.none(), texts)),
            reviewed=d.draw(st.one_of(st.none(), st.booleans()))),
        "finish_review": lambda d: weekly_review.finish(s, d.draw(ids(WeeklyReview))),
        "open_review": lambda d: weekly_review.open_review(s, d.draw(ids(WeeklyReview))),
        "load_review": lambda d: weekly_review.load_review(
            s, weekly_review.start_or_resume(s, d.draw(st.one_of(st.none(), days)))),
        "review_for_week": lambda d: weekly_review.review_for_week(s, d.draw(days)),
        "list_reviews": lambda d: weekly_review.list_reviews(s),
        "week_report": lambda d: review.week_report(s, d.draw(st.one_of(st.none(), days))),
        "snapshot": lambda d: overview.caseload_rows(s, overview.load_snapshot(s),
                                                     include_inactive=d.draw(st.booleans())),
        "today_rows": lambda d: overview.today_rows(s, overview.load_snapshot(s),
                                                    d.draw(st.one_of(st.none(), days))),
        "open_commitments": lambda d: overview.open_commitments(s, overview.load_snapshot(s)),
        "week_header": lambda d: overview.week_header(s, overview.load_snapshot(s)),
        "client_view": lambda d: client_view.load_client_view(s, d.draw(ids(Client))),
        "audit_events": lambda d: audit.events(
            s, client_id=d.draw(st.one_of(st.none(), ids(Client))),
            since=d.draw(st.one_of(st.none(), days)),
            limit=d.draw(st.one_of(st.none(), st.integers(0, 50)))),
        "export": lambda d: exporting.load_export(
            s, d.draw(st.one_of(st.none(), st.lists(ids(Client), max_size=3)))),
    }


NAMES = sorted(calls(None).keys())  # type: ignore[arg-type]
_counter = {"n": 0}


def check_service_call(session: Session, name: str, data: st.DataObject) -> None:
    call = calls(session)[name]
    try:
        call(data)
    except (ValidationError, NotFound) as refused:
        message = str(refused.args[0]) if refused.args else ""
        assert message and len(message) < 600, repr(message)
        # No control character (an escape sequence, a line break) ever; other unprintable
        # characters (a no-break space, a joiner in an emoji) are part of what was typed.
        assert not any(unicodedata.category(ch) == "Cc" for ch in message), repr(message)
        event(f"{name}: refused")
    else:
        event(f"{name}: done")
    _counter["n"] += 1
    if _counter["n"] % 40 == 0:
        assert_consistent()
        assert_no_control_text()


test_services, test_services_slow = variants(
    check_service_call, fast=400, slow=2500, name=st.sampled_from(NAMES), data=st.data())


@pytest.fixture(autouse=True)
def whole_at_the_end(session: Session) -> Any:
    """A small caseload to start from; after all the examples, the database is whole."""
    from tests.reliability.test_fuzz_importers import _seed

    _seed(session)
    weekly_review.start_or_resume(session)
    yield
    assert_consistent()
    assert_no_control_text()


def test_every_service_function_is_called() -> None:
    """The list covers each public function of the write and read services."""
    covered = {"add_client", "update_client", "add_commitment", "complete", "renegotiate",
               "drop", "edit_text", "record_checkin", "mark_discussed", "schedule_single",
               "schedule_series", "record_outcome", "reschedule", "edit_occurrence",
               "remove_series", "edit_following", "start_review", "move_review", "set_note",
               "finish_review", "add_goal", "edit_goal"}
    assert covered <= set(NAMES)


NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.mark.parametrize("start", [
    datetime(2026, 11, 1, 1, 30, tzinfo=NY),  # the first 01:30 of the fall-back night
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY),  # the second
    datetime(2026, 11, 1, 1, 10, tzinfo=NY),  # ends after the clocks went back
    datetime(2026, 3, 8, 2, 30, tzinfo=NY),  # inside the spring-forward gap
    datetime(2026, 3, 8, 1, 40, tzinfo=NY),  # ends after the clocks went forward
], ids=["fold-first", "fold-second", "across-fall-back", "in-the-gap", "across-spring-forward"])
def test_sessions_across_daylight_saving_last_what_they_should(session: Session,
                                                               start: datetime) -> None:
    """Found by the property test: lengths were added on the wall clock, so a session across
    the change was stored 60 minutes too long, or ending before it started (refused by the
    database's check as an IntegrityError); a time in the gap was kept as an impossible time."""
    def elapsed(a: datetime, b: datetime) -> timedelta:  # not a - b: that is wall-clock time
        return b.astimezone(UTC) - a.astimezone(UTC)

    client = clients.list_clients(session)[0].id
    booked = appointments.schedule_single(session, client, start, 50)
    assert elapsed(booked.start, booked.end) == timedelta(minutes=50)
    assert booked.start.timestamp() == start.timestamp()
    _moved, new = appointments.reschedule(session, booked.id, start, Party.CLIENT,
                                          expected_version=1)
    assert elapsed(new.start, new.end) == timedelta(minutes=50)
    series, _count = appointments.schedule_series(session, client, start - timedelta(weeks=2),
                                                  Cadence.WEEKLY, duration_min=50)
    for occurrence in Appointment.select().where(Appointment.series == series):
        assert occurrence.ends_at - occurrence.starts_at == timedelta(minutes=50)
