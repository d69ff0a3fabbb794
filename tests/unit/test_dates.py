"""Strict date and time input, DST-safe localisation, and plain-language display."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload.domain.dates import (
    describe_date,
    describe_datetime,
    is_ambiguous,
    localize,
    parse_date,
    parse_datetime,
    parse_time,
    wall_time_exists,
)
from caseload.domain.records import ValidationError

TODAY = date(2026, 11, 27)  # a Friday
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def error_of(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_today_is_a_friday():
    assert TODAY.weekday() == 4


def test_domain_modules_import_neither_textual_nor_peewee():
    code = (
        "import sys, caseload.domain.dates, caseload.domain.instruments;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'peewee')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# --- parse_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-1-5", date(2026, 1, 5)),
        ("  2027-02-28 ", date(2027, 2, 28)),
        ("2028-02-29", date(2028, 2, 29)),
        ("today", TODAY),
        ("TODAY", TODAY),
        ("tomorrow", date(2026, 11, 28)),
        ("Yesterday", date(2026, 11, 26)),
        # A bare weekday is the next one on or after today; today is a Friday.
        ("fri", date(2026, 11, 27)),
        ("Friday", date(2026, 11, 27)),
        ("sat", date(2026, 11, 28)),
        ("sun", date(2026, 11, 29)),
        ("mon", date(2026, 11, 30)),
        ("tue", date(2026, 12, 1)),
        ("tues", date(2026, 12, 1)),
        ("wednesday", date(2026, 12, 2)),
        ("thu", date(2026, 12, 3)),
        ("thur", date(2026, 12, 3)),
        ("thurs", date(2026, 12, 3)),
        # next/last: that weekday in the following/previous calendar week (weeks start Monday).
        ("next fri", date(2026, 12, 4)),
        ("next  Friday", date(2026, 12, 4)),
        ("next mon", date(2026, 11, 30)),
        ("next sun", date(2026, 12, 6)),
        ("next sat", date(2026, 12, 5)),
        ("last fri", date(2026, 11, 20)),
        ("last mon", date(2026, 11, 16)),
        ("last sun", date(2026, 11, 22)),
        # offsets
        ("+3d", date(2026, 11, 30)),
        ("-1d", date(2026, 11, 26)),
        ("+2w", date(2026, 12, 11)),
        ("+1m", date(2026, 12, 27)),
        ("-1m", date(2026, 10, 27)),
        ("+1y", date(2027, 11, 27)),
        ("+0d", TODAY),
        ("+ 3 days", date(2026, 11, 30)),
        ("+10days", date(2026, 12, 7)),
        ("in 3 days", date(2026, 11, 30)),
        ("in 1 week", date(2026, 12, 4)),
        ("in 2 months", date(2027, 1, 27)),
        ("3 days ago", date(2026, 11, 24)),
        ("2w ago", date(2026, 11, 13)),
    ],
)
def test_parse_date_accepts(text, expected):
    assert parse_date(text, TODAY) == expected


def test_month_offsets_land_on_the_last_day_of_a_short_month():
    assert parse_date("+1m", date(2027, 1, 31)) == date(2027, 2, 28)
    assert parse_date("+1m", date(2028, 1, 31)) == date(2028, 2, 29)


def test_weeks_can_start_on_sunday():
    # Week of Sun 22 – Sat 28 Nov 2026.
    assert parse_date("next sun", TODAY, week_start=6) == date(2026, 11, 29)
    assert parse_date("next sat", TODAY, week_start=6) == date(2026, 12, 5)
    assert parse_date("last sun", TODAY, week_start=6) == date(2026, 11, 15)
    # A bare weekday does not depend on the week start.
    assert parse_date("sun", TODAY, week_start=6) == date(2026, 11, 29)


def test_next_and_last_on_the_first_day_of_the_week():
    monday = date(2026, 11, 23)
    assert parse_date("mon", monday) == monday
    assert parse_date("next mon", monday) == date(2026, 11, 30)
    assert parse_date("last mon", monday) == date(2026, 11, 16)
    assert parse_date("next sun", monday) == date(2026, 12, 6)


@pytest.mark.parametrize("text", ["12/01/2026", "1/12/2026", "12/01", "2026/12/01", "01-12-2026",
                                  "1.12.2026", "12.1.26"])
def test_parse_date_rejects_ambiguous_numeric_dates(text):
    err = error_of(parse_date, text, TODAY)
    assert err.message == (
        f"'{text}' is ambiguous (month or day first?); type the date as YYYY-MM-DD, "
        "e.g. 2026-11-27."
    )


def test_parse_date_rejects_impossible_dates():
    assert error_of(parse_date, "2026-02-30", TODAY).message == (
        "'2026-02-30' is not a date: Feb 2026 has 28 days."
    )
    assert error_of(parse_date, "2026-04-31", TODAY).message == (
        "'2026-04-31' is not a date: Apr 2026 has 30 days."
    )
    assert error_of(parse_date, "2026-12-32", TODAY).message == (
        "'2026-12-32' is not a date: Dec 2026 has 31 days."
    )
    assert error_of(parse_date, "2026-13-01", TODAY).message == (
        "'2026-13-01' is not a date: the month must be 01–12."
    )
    assert error_of(parse_date, "2026-00-10", TODAY).message == (
        "'2026-00-10' is not a date: the month must be 01–12."
    )


@pytest.mark.parametrize("text", ["1899-12-31", "2201-01-01", "0001-01-01", "9999-12-31"])
def test_parse_date_rejects_far_years(text):
    err = error_of(parse_date, text, TODAY)
    assert err.message == f"'{text}': the year must be between 1900 and 2200."


@pytest.mark.parametrize("text", ["+200y", "-200y", "+99999999999999d", "+999999999m",
                                  "in 99999 weeks"])
def test_parse_date_rejects_far_offsets(text):
    err = error_of(parse_date, text, TODAY)
    assert "dates must be between 1900 and 2200" in err.message


def test_parse_date_accepts_the_year_bounds():
    assert parse_date("1900-01-01", TODAY) == date(1900, 1, 1)
    assert parse_date("2200-12-31", TODAY) == date(2200, 12, 31)


@pytest.mark.parametrize(
    "text",
    ["Room 12", "fryday", "next", "next week", "this fri", "3d", "dec 4", "4 december", "12",
     "2026", "20261201", "+3", "+3x", "in three days", "next next fri", "14:30", "fri 2pm"],
)
def test_parse_date_rejects_what_it_does_not_know(text):
    err = error_of(parse_date, text, TODAY)
    assert err.message == (
        f"Could not read '{text.lower()}' as a date; use YYYY-MM-DD, today, tomorrow, "
        "a weekday (fri, next fri, last fri) or +3d, +2w, +1m."
    )


def test_parse_date_rejects_empty_input():
    assert error_of(parse_date, "  ", TODAY).message == "Type a date, e.g. '2026-12-01' or 'fri'."


@pytest.mark.parametrize("text", ["\x1b[31mfri", "fri\x00", "tomor\x7frow", "fri\u200b", "\x9b2J",
                                  "2026-12-01\x1b"])
def test_control_characters_are_rejected_and_never_echoed(text):
    err = error_of(parse_date, text, TODAY)
    assert "control character" in err.message
    assert all(c.isprintable() for c in err.message)


def test_control_character_message_escapes_the_input():
    err = error_of(parse_date, "\x1b[2Jfri", TODAY)
    assert err.message == r"The date '\x1b[2Jfri' contains a control character; type it again."


def test_overlong_input_is_rejected_briefly():
    err = error_of(parse_date, "x" * 10_000, TODAY)
    assert "too long" in err.message
    assert len(err.message) < 120


def test_non_string_input_is_a_validation_error():
    with pytest.raises(ValidationError):
        parse_date(None, TODAY)  # type: ignore[arg-type]


# --- parse_time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        ("0:00", time(0, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("2pm", time(14, 0)),
        ("2 pm", time(14, 0)),
        ("2PM", time(14, 0)),
        ("2:30pm", time(14, 30)),
        ("2:30 PM", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("2:30p.m.", time(14, 30)),
        ("9am", time(9, 0)),
        ("9:15 a.m.", time(9, 15)),
        ("11:59pm", time(23, 59)),
        ("12pm", time(12, 0)),
        ("12:30pm", time(12, 30)),
        ("noon", time(12, 0)),
        (" Noon ", time(12, 0)),
    ],
)
def test_parse_time_accepts(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("24:00", "'24:00' is not a time: the hour must be 0–23."),
        ("14:60", "'14:60' is not a time: the minutes must be 00–59."),
        ("13pm", "'13pm' is not a time: with am/pm the hour must be 1–12."),
        ("0am", "'0am' is not a time: with am/pm the hour must be 1–12."),
        ("2:75pm", "'2:75pm' is not a time: the minutes must be 00–59."),
        ("midnight", "'midnight' is ambiguous (the start or the end of the day?); "
                     "type 00:00 or 23:59."),
        ("12am", "'12am' is ambiguous (the start or the end of the day?); type 00:00 or 23:59."),
        ("12:30am", "'12:30am' is easy to misread; type it on the 24-hour clock: 00:30."),
        ("0930", "'0930' needs a colon: type 09:30."),
        ("1430", "'1430' needs a colon: type 14:30."),
        ("14.30", "Type '14.30' with a colon, e.g. 14:30."),
        ("14h30", "Type '14h30' with a colon, e.g. 14:30."),
        ("14:30:00", "Type '14:30:00' without seconds, e.g. 14:30."),
        ("9", "Could not read '9' as a time; use 14:30, 9:05, 2pm, 2:30pm or noon."),
        ("2 30", "Could not read '2 30' as a time; use 14:30, 9:05, 2pm, 2:30pm or noon."),
        ("fri 2pm", "Could not read 'fri 2pm' as a time; use 14:30, 9:05, 2pm, 2:30pm or noon."),
        ("", "Type a time, e.g. '14:30' or '2pm'."),
    ],
)
def test_parse_time_rejects(text, message):
    assert error_of(parse_time, text).message == message


# --- parse_datetime --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri 2pm", datetime(2026, 11, 27, 14, 0)),
        ("2pm fri", datetime(2026, 11, 27, 14, 0)),
        ("fri 2 pm", datetime(2026, 11, 27, 14, 0)),
        ("Fri at 2:30pm", datetime(2026, 11, 27, 14, 30)),
        ("2026-12-01 14:30", datetime(2026, 12, 1, 14, 30)),
        ("14:30 2026-12-01", datetime(2026, 12, 1, 14, 30)),
        ("tomorrow 9:00", datetime(2026, 11, 28, 9, 0)),
        ("tomorrow at 9am", datetime(2026, 11, 28, 9, 0)),
        ("9am on tue", datetime(2026, 12, 1, 9, 0)),
        ("14:30", datetime(2026, 11, 27, 14, 30)),
        ("at noon", datetime(2026, 11, 27, 12, 0)),
        ("next fri 10am", datetime(2026, 12, 4, 10, 0)),
        ("10am next fri", datetime(2026, 12, 4, 10, 0)),
        ("in 3 days 16:15", datetime(2026, 11, 30, 16, 15)),
        ("+1w 8:00", datetime(2026, 12, 4, 8, 0)),
    ],
)
def test_parse_datetime_accepts(text, expected):
    result = parse_datetime(text, TODAY)
    assert result == expected
    assert result.tzinfo is None


def test_parse_datetime_needs_a_time_unless_there_is_a_default():
    assert error_of(parse_datetime, "fri", TODAY).message == "Add a time, e.g. 'fri 14:30'."
    assert error_of(parse_datetime, "2026-12-01", TODAY).message == "Add a time, e.g. 'fri 14:30'."
    assert parse_datetime("fri", TODAY, default_time=time(9, 0)) == datetime(2026, 11, 27, 9, 0)


def test_parse_datetime_passes_week_start_on():
    assert parse_datetime("next sun 9am", TODAY, week_start=6) == datetime(2026, 11, 29, 9, 0)
    assert parse_datetime("next sun 9am", TODAY) == datetime(2026, 12, 6, 9, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Room 12", "Could not read 'Room 12' as a date and time; try 'fri 14:30', "
                    "'tomorrow 9am' or '2026-11-27 14:30'."),
        ("fri 25:00", "'25:00' is not a time: the hour must be 0–23."),
        ("fri midnight", "'midnight' is ambiguous (the start or the end of the day?); "
                         "type 00:00 or 23:59."),
        ("fri 0930", "'0930' needs a colon: type 09:30."),
        ("12/01/2026 14:30", "'12/01/2026' is ambiguous (month or day first?); type the date "
                             "as YYYY-MM-DD, e.g. 2026-11-27."),
        ("2026-02-30 9am", "'2026-02-30' is not a date: Feb 2026 has 28 days."),
        ("2pm someday", "Could not read 'someday' as a date; use YYYY-MM-DD, today, tomorrow, "
                        "a weekday (fri, next fri, last fri) or +3d, +2w, +1m."),
        ("", "Type a date and time, e.g. 'fri 14:30'."),
    ],
)
def test_parse_datetime_rejects(text, message):
    assert error_of(parse_datetime, text, TODAY).message == message


def test_parse_datetime_rejects_control_characters():
    err = error_of(parse_datetime, "fri\x1b]0;title\x07 2pm", TODAY)
    assert "\x1b" not in err.message and "\x07" not in err.message


# --- localize --------------------------------------------------------------------------------


def test_spring_forward_gap_in_new_york_is_rejected():
    err = error_of(localize, datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert err.message == (
        "2:30 does not exist on 2027-03-14 in America/New_York (clocks go forward); "
        "choose another time."
    )
    assert not wall_time_exists(datetime(2027, 3, 14, 2, 30), NEW_YORK)


def test_spring_forward_gap_in_london_is_rejected():
    err = error_of(localize, datetime(2027, 3, 28, 1, 0), LONDON)
    assert err.message == (
        "1:00 does not exist on 2027-03-28 in Europe/London (clocks go forward); "
        "choose another time."
    )


def test_edges_of_the_gap_exist():
    before = localize(datetime(2027, 3, 14, 1, 59), NEW_YORK)
    after = localize(datetime(2027, 3, 14, 3, 0), NEW_YORK)
    assert before.utcoffset() == timedelta(hours=-5)
    assert after.utcoffset() == timedelta(hours=-4)
    # Subtracting in one zone compares wall clocks; the real interval is a minute.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


def test_fall_back_fold_in_new_york_takes_the_first_occurrence():
    naive = datetime(2026, 11, 1, 1, 30)
    aware = localize(naive, "America/New_York")
    assert aware.fold == 0
    assert aware.utcoffset() == timedelta(hours=-4)  # still EDT: the first 1:30
    assert aware.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert is_ambiguous(naive, NEW_YORK)
    assert not is_ambiguous(datetime(2026, 11, 1, 2, 30), NEW_YORK)


def test_fall_back_fold_in_london_takes_the_first_occurrence():
    naive = datetime(2026, 10, 25, 1, 30)
    aware = localize(naive.replace(fold=1), LONDON)  # a fold=1 input is normalised to fold=0
    assert aware.fold == 0
    assert aware.utcoffset() == timedelta(hours=1)  # BST
    assert aware.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert is_ambiguous(naive, "Europe/London")


def test_gap_is_not_ambiguous():
    assert not is_ambiguous(datetime(2027, 3, 14, 2, 30), NEW_YORK)


def test_ordinary_time_localizes_unchanged():
    aware = localize(datetime(2026, 12, 4, 14, 30), "America/New_York")
    assert aware == datetime(2026, 12, 4, 14, 30, tzinfo=NEW_YORK)
    assert aware.tzname() == "EST"


def test_localize_rejects_unknown_zones_and_aware_input():
    err = error_of(localize, datetime(2026, 12, 4, 14, 30), "Mars/Olympus")
    assert err.message == "Unknown time zone 'Mars/Olympus'."
    assert err.field == "timezone"
    assert error_of(localize, datetime(2026, 12, 4), "../../etc/passwd").field == "timezone"
    # zoneinfo opens the name as a file: one too long for a file name is refused the same way.
    assert error_of(localize, datetime(2026, 12, 4), "x" * 300).field == "timezone"
    with pytest.raises(ValueError, match="naive"):
        localize(datetime(2026, 12, 4, tzinfo=UTC), NEW_YORK)


@pytest.mark.parametrize(
    ("zone", "day", "gap_hour"),
    [(NEW_YORK, date(2027, 3, 14), 2), (LONDON, date(2027, 3, 28), 1),
     (NEW_YORK, date(2026, 3, 8), 2), (LONDON, date(2026, 3, 29), 1)],
)
def test_every_minute_of_a_spring_forward_day(zone, day, gap_hour):
    for minute in range(24 * 60):
        naive = datetime.combine(day, time()) + timedelta(minutes=minute)
        if naive.hour == gap_hour:
            with pytest.raises(ValidationError):
                localize(naive, zone)
        else:
            assert localize(naive, zone).astimezone(UTC).astimezone(zone).replace(
                tzinfo=None
            ) == naive


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),
    st.sampled_from([NEW_YORK, LONDON]),
)
def test_localize_round_trips_or_raises_validation_error(naive, zone):
    try:
        aware = localize(naive, zone)
    except ValidationError as error:
        assert "does not exist" in error.message
        assert not wall_time_exists(naive, zone)
        # A gap is one hour at most: an hour later the wall time exists again.
        assert wall_time_exists(naive + timedelta(hours=1), zone)
    else:
        assert aware.fold == 0
        assert aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive.replace(
            fold=0
        )
        if is_ambiguous(naive, zone):
            # The first occurrence: the later one is an hour further on.
            later = naive.replace(tzinfo=zone, fold=1)
            assert later.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=1)


# --- describe --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 12, 4), "Fri 4 Dec 2026 (in 7 days)"),
        (TODAY, "Fri 27 Nov 2026 (today)"),
        (date(2026, 11, 28), "Sat 28 Nov 2026 (tomorrow)"),
        (date(2026, 11, 26), "Thu 26 Nov 2026 (yesterday)"),
        (date(2026, 11, 20), "Fri 20 Nov 2026 (7 days ago)"),
        (date(2027, 1, 1), "Fri 1 Jan 2027 (in 35 days)"),
    ],
)
def test_describe_date(day, text):
    assert describe_date(day, TODAY) == text


def test_describe_datetime():
    assert describe_datetime(datetime(2026, 12, 4, 9, 5), TODAY) == (
        "Fri 4 Dec 2026, 09:05 (in 7 days)"
    )
    aware = localize(datetime(2026, 11, 1, 1, 30), NEW_YORK)
    assert describe_datetime(aware, TODAY) == "Sun 1 Nov 2026, 01:30 EDT (26 days ago)"
    assert describe_datetime(localize(datetime(2026, 11, 27, 14, 0), LONDON), TODAY) == (
        "Fri 27 Nov 2026, 14:00 GMT (today)"
    )


# --- properties ------------------------------------------------------------------------------

dates_in_range = st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31))
date_words = st.sampled_from(
    ["today", "tomorrow", "fri", "next", "last", "mon", "+3d", "-2w", "+1m", "in", "3", "days",
     "ago", "2026-12-01", "12/01", "2pm", "14:30", "noon", "at", "on", "midnight", "0930", "pm",
     "p.m.", "25:00", "\x1b", "\x00", "\u200b", "\t", "9999-99-99", "+99999999999y"]
)


@given(st.text(max_size=40), dates_in_range, st.integers(0, 6))
def test_arbitrary_text_parses_or_raises_validation_error(text, today, week_start):
    for call in (
        lambda: parse_date(text, today, week_start),
        lambda: parse_time(text),
        lambda: parse_datetime(text, today, week_start),
        lambda: parse_datetime(text, today, week_start, default_time=time(9)),
    ):
        try:
            call()
        except ValidationError as error:
            assert all(c.isprintable() for c in error.message)


@given(st.lists(date_words, max_size=4), dates_in_range, st.integers(0, 6))
def test_word_salad_parses_or_raises_validation_error(words, today, week_start):
    text = " ".join(words)
    try:
        result = parse_datetime(text, today, week_start)
    except ValidationError as error:
        assert all(c.isprintable() for c in error.message)
    else:
        assert 1900 <= result.year <= 2200


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_dates_round_trip(day):
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f" {day.isoformat().upper()} ", TODAY) == day


@given(st.integers(0, 23), st.integers(0, 59))
def test_clock_times_round_trip(hour, minute):
    assert parse_time(f"{hour}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    if hour != 0:  # 12am is rejected as easy to misread
        twelve = hour % 12 or 12
        suffix = "pm" if hour >= 12 else "am"
        assert parse_time(f"{twelve}:{minute:02d} {suffix}") == time(hour, minute)


@given(dates_in_range, st.integers(0, 6), st.integers(0, 6))
def test_weekday_words(today, week_start, weekday):
    name = ["mon", "tuesday", "wed", "thurs", "friday", "sat", "sunday"][weekday]
    week_begins = today - timedelta(days=(today.weekday() - week_start) % 7)
    bare = parse_date(name, today, week_start)
    following = parse_date(f"next {name}", today, week_start)
    previous = parse_date(f"last {name}", today, week_start)
    for result in (bare, following, previous):
        assert result.weekday() == weekday
    assert 0 <= (bare - today).days <= 6
    assert 7 <= (following - week_begins).days <= 13
    assert -7 <= (previous - week_begins).days <= -1


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2198, 12, 31)), st.integers(0, 500))
def test_day_offsets(today, days):
    assert parse_date(f"+{days}d", today) == today + timedelta(days=days)
    assert parse_date(f"in {days} days", today) == today + timedelta(days=days)
    assert parse_date(f"-{days}d", date(2100, 1, 1)) == date(2100, 1, 1) - timedelta(days=days)


def test_offsets_past_the_year_bounds_say_where_they_land():
    err = error_of(parse_date, "+426d", date(2199, 11, 1))
    assert err.message == "'+426d' falls in 2201; dates must be between 1900 and 2200."


@given(dates_in_range, dates_in_range)
def test_describe_date_names_the_weekday_and_distance(day, today):
    text = describe_date(day, today)
    assert text.startswith(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    assert str(day.year) in text
    assert text.endswith(")")
