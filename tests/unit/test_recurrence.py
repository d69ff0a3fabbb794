"""Recurring series: RRULE building and checking, expansion across DST, splits and descriptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caseload.domain.records import ValidationError
from caseload.domain.recurrence import (
    Cadence,
    count_between,
    count_from,
    describe_rule,
    make_rule,
    next_occurrence,
    occurrences,
    split_rule,
    validate_rule,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
ZONES = [NY, ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Sydney"), ZoneInfo("America/Denver")]
TUESDAY = datetime(2026, 10, 6, 10, 0, tzinfo=NY)  # a Tuesday, four weeks before DST ends
FAR = datetime(2040, 1, 1, tzinfo=UTC)


def ny(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def same_instants(left: list[datetime], right: list[datetime]) -> bool:
    return [d.astimezone(UTC) for d in left] == [d.astimezone(UTC) for d in right]


# --- make_rule ------------------------------------------------------------------------------


def test_cadence_values() -> None:
    assert [c.value for c in Cadence] == ["weekly", "biweekly", "custom"]


def test_weekly_and_biweekly_repeat_on_the_first_sessions_weekday() -> None:
    assert make_rule(Cadence.WEEKLY, TUESDAY) == "FREQ=WEEKLY;BYDAY=TU"
    assert make_rule("biweekly", TUESDAY) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert make_rule(Cadence.WEEKLY, ny(2026, 10, 9)) == "FREQ=WEEKLY;BYDAY=FR"


def test_until_is_written_in_utc_and_includes_that_local_day() -> None:
    # 23:59:59 EST on 1 March 2027 is 04:59:59 UTC on 2 March.
    rule = make_rule(Cadence.WEEKLY, TUESDAY, until=date(2027, 3, 1))
    assert rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270302T045959Z"
    assert occurrences(rule, TUESDAY, ny(2027, 2, 1), FAR) == [
        ny(2027, 2, 2), ny(2027, 2, 9), ny(2027, 2, 16), ny(2027, 2, 23)]
    on_a_session_day = make_rule(Cadence.WEEKLY, TUESDAY, until=date(2026, 10, 20))
    assert occurrences(on_a_session_day, TUESDAY, TUESDAY, FAR) == [
        ny(2026, 10, 6), ny(2026, 10, 13), ny(2026, 10, 20)]


def test_count_ends_the_series() -> None:
    rule = make_rule(Cadence.BIWEEKLY, TUESDAY, count=3)
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3"
    assert occurrences(rule, TUESDAY, TUESDAY, FAR) == [
        ny(2026, 10, 6), ny(2026, 10, 20), ny(2026, 11, 3)]


def test_custom_rule_is_validated_and_normalised() -> None:
    rule = make_rule(Cadence.CUSTOM, ny(2026, 10, 5, 9), custom="rrule:freq=weekly;byday=fr,mo,we")
    assert rule == "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    with_end = make_rule("custom", TUESDAY, custom="FREQ=WEEKLY;BYDAY=TU,TH", count=4)
    assert with_end == "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cadence": "monthly"}, "cadence"),
        ({"until": date(2027, 1, 1), "count": 3}, "count"),
        ({"count": 0}, "count"),
        ({"count": 10_000}, "count"),
        ({"until": date(2026, 10, 5)}, "until"),  # the day before the first session
        ({"cadence": Cadence.CUSTOM}, "rule"),
        ({"cadence": Cadence.CUSTOM, "custom": "  "}, "rule"),
        ({"custom": "FREQ=DAILY"}, "rule"),
        ({"cadence": Cadence.CUSTOM, "custom": "FREQ=WEEKLY;COUNT=2", "count": 3}, "rule"),
    ],
)
def test_make_rule_refuses_bad_input(kwargs: dict[str, object], field: str) -> None:
    cadence = kwargs.pop("cadence", Cadence.WEEKLY)
    with pytest.raises(ValidationError) as caught:
        make_rule(cadence, TUESDAY, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.message


def test_make_rule_needs_an_aware_start() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        make_rule(Cadence.WEEKLY, datetime(2026, 10, 6, 10, 0))


# --- validate_rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        (" rrule:freq=weekly;interval=1;wkst=mo;byday=tu; ", "FREQ=WEEKLY;BYDAY=TU"),
        ("FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=TU"),  # dateutil's default, written out
        ("FREQ=MONTHLY", "FREQ=MONTHLY;BYMONTHDAY=6"),
        ("FREQ=YEARLY", "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=6"),
        ("FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,MO",
         "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=MO,SU"),
        ("FREQ=MONTHLY;BYDAY=+1TU", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
         "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301T045959Z",
         "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301T045959Z"),
        # A bare date means through that local day; a local time is converted to UTC.
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270302T045959Z"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T100000",
         "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T150000Z"),
        ("FREQ=DAILY;COUNT=5", "FREQ=DAILY;COUNT=5"),
    ],
)
def test_validate_rule_normalises(text: str, expected: str) -> None:
    assert validate_rule(text, TUESDAY) == expected
    assert validate_rule(expected, TUESDAY) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;INTERVAL=30", "at most daily"),
        ("RRULE:FREQ=SECONDLY", "at most daily"),
        ("FREQ=FORTNIGHTLY", "FREQ must be"),
        ("BYDAY=TU", "FREQ must be"),
        ("", "Enter a repeat rule"),
        ("every tuesday", "single RRULE line"),
        ("garbage", "NAME=VALUE"),
        ("FREQ=WEEKLY;;BYDAY", "NAME=VALUE"),
        ("FREQ=WEEKLY;FREQ=DAILY", "twice"),
        ("DTSTART:20261006T140000Z\nRRULE:FREQ=WEEKLY", "DTSTART"),
        ("FREQ=WEEKLY;DTSTART=20261006T140000Z", "DTSTART"),
        ("DTSTART;TZID=America/New_York:20261006T100000", "DTSTART"),
        ("EXDATE:20261013T140000Z", "single RRULE line"),
        ("FREQ=WEEKLY;BYHOUR=10", "time of day"),
        ("FREQ=DAILY;BYMINUTE=0,30", "time of day"),
        ("FREQ=WEEKLY;X-NAME=1", "not a supported"),
        ("FREQ=YEARLY;BYWEEKNO=20", "not a supported"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z", "not both"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT"),
        ("FREQ=WEEKLY;COUNT=three", "COUNT"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=1000", "INTERVAL"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=", "NAME=VALUE"),
        ("FREQ=WEEKLY;BYDAY=1MO", "Numbered days"),
        ("FREQ=MONTHLY;BYDAY=6MO", "at most five"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY needs"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs"),
        ("FREQ=WEEKLY;UNTIL=2027", "UNTIL must look like"),
        ("FREQ=WEEKLY;UNTIL=20271399", "UNTIL must look like"),
    ],
)
def test_validate_rule_refuses_garbage(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment) as caught:
        validate_rule(text, TUESDAY)
    assert caught.value.field in ("rule", "until")


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30,31",
        "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
        "FREQ=DAILY;INTERVAL=14;BYDAY=WE",  # always lands on Tuesday
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",  # October start, every 12 months: never February
    ],
)
def test_rules_without_any_session_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="never produces a session"):
        validate_rule(text, TUESDAY)


def test_a_series_ending_before_its_first_session_is_refused() -> None:
    with pytest.raises(ValidationError, match="before its first session") as caught:
        validate_rule("FREQ=WEEKLY;UNTIL=20261006T135959Z", TUESDAY)  # one second too early
    assert caught.value.field == "until"
    assert validate_rule("FREQ=WEEKLY;UNTIL=20261006T140000Z", TUESDAY).endswith("140000Z")


# --- occurrences and DST --------------------------------------------------------------------


def test_weekly_keeps_wall_time_when_dst_ends() -> None:
    found = occurrences("FREQ=WEEKLY;BYDAY=TU", TUESDAY, TUESDAY, ny(2026, 11, 18))
    assert found == [ny(2026, 10, 6), ny(2026, 10, 13), ny(2026, 10, 20), ny(2026, 10, 27),
                     ny(2026, 11, 3), ny(2026, 11, 10), ny(2026, 11, 17)]
    assert all(d.tzinfo is NY and (d.hour, d.minute) == (10, 0) for d in found)
    assert [d.astimezone(UTC).hour for d in found] == [14, 14, 14, 14, 15, 15, 15]
    assert found[3].utcoffset() == timedelta(hours=-4)
    assert found[4].utcoffset() == timedelta(hours=-5)


def test_weekly_keeps_wall_time_when_dst_begins() -> None:
    start = ny(2027, 3, 2)
    found = occurrences("FREQ=WEEKLY;BYDAY=TU", start, start, ny(2027, 3, 24))
    assert found == [ny(2027, 3, 2), ny(2027, 3, 9), ny(2027, 3, 16), ny(2027, 3, 23)]
    assert [d.astimezone(UTC) for d in found] == [
        utc(2027, 3, 2, 15), utc(2027, 3, 9, 15), utc(2027, 3, 16, 14), utc(2027, 3, 23, 14)]


def test_a_session_in_the_spring_forward_gap_moves_to_0330() -> None:
    # 02:30 on Sunday 8 March 2026 does not exist in New York: it is held at 03:30 EDT, the same
    # instant as 02:30 EST. The week after is back at 02:30. It still counts towards COUNT.
    start = ny(2026, 3, 1, 2, 30)
    found = occurrences("FREQ=WEEKLY;BYDAY=SU;COUNT=3", start, start, FAR)
    assert found == [ny(2026, 3, 1, 2, 30), ny(2026, 3, 8, 3, 30), ny(2026, 3, 15, 2, 30)]
    assert [d.astimezone(UTC) for d in found] == [
        utc(2026, 3, 1, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 15, 6, 30)]
    assert found[1].utcoffset() == timedelta(hours=-4)


def test_a_gap_session_can_be_excluded_by_either_spelling() -> None:
    start = ny(2026, 3, 1, 2, 30)
    expected = [ny(2026, 3, 1, 2, 30), ny(2026, 3, 15, 2, 30)]
    for exdate in (utc(2026, 3, 8, 7, 30), ny(2026, 3, 8, 3, 30), ny(2026, 3, 8, 2, 30)):
        found = occurrences("FREQ=WEEKLY;BYDAY=SU", start, start, ny(2026, 3, 16), [exdate])
        assert found == expected


def test_an_ambiguous_fall_back_time_is_the_first_instant() -> None:
    start = ny(2026, 10, 25, 1, 30)
    found = occurrences("FREQ=WEEKLY;BYDAY=SU", start, start, ny(2026, 11, 9))
    assert [d.astimezone(UTC) for d in found] == [
        utc(2026, 10, 25, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 8, 6, 30)]
    assert all((d.hour, d.minute) == (1, 30) and d.fold == 0 for d in found)


def test_window_is_half_open_and_compared_by_instant() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TU"
    # 14:00 UTC is 10:00 EDT on 13 October: included as start, excluded as end.
    assert occurrences(rule, TUESDAY, utc(2026, 10, 13, 14), utc(2026, 10, 27, 14)) == [
        ny(2026, 10, 13), ny(2026, 10, 20)]
    assert occurrences(rule, TUESDAY, utc(2026, 10, 13, 14, 0, 1), utc(2026, 10, 27, 14, 0, 1)) == [
        ny(2026, 10, 20), ny(2026, 10, 27)]
    assert occurrences(rule, TUESDAY, ny(2026, 1, 1), ny(2026, 10, 6)) == []


def test_until_is_inclusive_and_count_is_exact() -> None:
    assert occurrences("FREQ=WEEKLY;UNTIL=20261020T140000Z", TUESDAY, TUESDAY, FAR) == [
        ny(2026, 10, 6), ny(2026, 10, 13), ny(2026, 10, 20)]
    assert occurrences("FREQ=WEEKLY;BYDAY=TU;COUNT=2", TUESDAY, TUESDAY, FAR) == [
        ny(2026, 10, 6), ny(2026, 10, 13)]


def test_biweekly_keeps_its_parity_across_the_year_boundary() -> None:
    # 2026 has 53 ISO weeks, so "even ISO week" would drift here; 14-day steps must not.
    start = ny(2026, 12, 22)
    rule = make_rule(Cadence.BIWEEKLY, start)
    assert occurrences(rule, start, start, ny(2027, 2, 3)) == [
        ny(2026, 12, 22), ny(2027, 1, 5), ny(2027, 1, 19), ny(2027, 2, 2)]
    found = occurrences(rule, start, start, ny(2029, 1, 1))
    assert {(b.date() - a.date()).days for a, b in zip(found, found[1:], strict=False)} == {14}
    assert all((d.hour, d.minute) == (10, 0) for d in found)


def test_custom_monday_wednesday_friday() -> None:
    start = ny(2026, 10, 5, 9)  # Monday
    rule = make_rule(Cadence.CUSTOM, start, custom="FREQ=WEEKLY;BYDAY=MO,WE,FR")
    assert occurrences(rule, start, start, ny(2026, 10, 17)) == [
        ny(2026, 10, d, 9) for d in (5, 7, 9, 12, 14, 16)]
    # As in dateutil, a start that does not match the rule is not itself a session.
    tuesday = ny(2026, 10, 6, 9)
    assert occurrences(rule, tuesday, tuesday, ny(2026, 10, 12))[0] == ny(2026, 10, 7, 9)


def test_monthly_on_the_29th_skips_february_except_in_leap_years() -> None:
    start = ny(2026, 1, 29)
    rule = validate_rule("FREQ=MONTHLY;BYMONTHDAY=29", start)
    assert occurrences(rule, start, start, ny(2026, 4, 1)) == [ny(2026, 1, 29), ny(2026, 3, 29)]
    assert occurrences(rule, start, ny(2028, 1, 1), ny(2028, 4, 1)) == [
        ny(2028, 1, 29), ny(2028, 2, 29), ny(2028, 3, 29)]


def test_monthly_on_the_31st_only_in_long_months() -> None:
    start = ny(2026, 1, 31)
    found = occurrences("FREQ=MONTHLY;BYMONTHDAY=31", start, start, ny(2027, 1, 1))
    assert [d.month for d in found] == [1, 3, 5, 7, 8, 10, 12]
    last_day = occurrences("FREQ=MONTHLY;BYMONTHDAY=-1", start, ny(2028, 2, 1), ny(2028, 3, 1))
    assert last_day == [ny(2028, 2, 29)]


def test_yearly_leap_day() -> None:
    start = ny(2028, 2, 29)
    rule = validate_rule("FREQ=YEARLY", start)
    assert rule == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
    assert occurrences(rule, start, start, ny(2037, 1, 1)) == [
        ny(2028, 2, 29), ny(2032, 2, 29), ny(2036, 2, 29)]


def test_exdates_match_by_instant_in_any_zone() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TU"
    exdates = [
        utc(2026, 10, 13, 14),  # 10:00 EDT, written in UTC
        datetime(2026, 11, 3, 15, 0, tzinfo=LONDON),  # 10:00 EST, written in London time
        utc(2026, 10, 20, 10),  # not an occurrence: ignored
    ]
    found = occurrences(rule, TUESDAY, TUESDAY, ny(2026, 11, 11), exdates)
    assert found == [ny(2026, 10, 6), ny(2026, 10, 20), ny(2026, 10, 27), ny(2026, 11, 10)]
    assert count_between(rule, TUESDAY, TUESDAY, ny(2026, 11, 11), exdates) == 4


def test_naive_bounds_and_exdates_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        occurrences("FREQ=WEEKLY", TUESDAY, datetime(2026, 10, 1), FAR)
    with pytest.raises(ValidationError, match="timezone-aware"):
        occurrences("FREQ=WEEKLY", TUESDAY, TUESDAY, FAR, [datetime(2026, 10, 13, 10)])


# --- next and counts ------------------------------------------------------------------------


def test_next_occurrence_is_strictly_after_and_skips_exdates() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    assert next_occurrence(rule, TUESDAY, ny(2026, 1, 1)) == ny(2026, 10, 6)
    assert next_occurrence(rule, TUESDAY, TUESDAY) == ny(2026, 10, 13)
    assert next_occurrence(rule, TUESDAY, TUESDAY, [ny(2026, 10, 13)]) == ny(2026, 10, 20)
    assert next_occurrence(rule, TUESDAY, ny(2026, 10, 20)) is None
    assert next_occurrence("FREQ=WEEKLY;BYDAY=TU", TUESDAY, ny(2030, 1, 1, 8)) == ny(2030, 1, 1)


def test_count_from_for_the_delete_confirmation() -> None:
    now = ny(2026, 10, 14, 8)  # a Wednesday
    assert count_from("FREQ=WEEKLY;BYDAY=TU", TUESDAY, now) is None
    assert count_from("FREQ=WEEKLY;BYDAY=TU", TUESDAY, now, horizon=ny(2026, 11, 11)) == 4
    assert count_from("FREQ=WEEKLY;BYDAY=TU;COUNT=10", TUESDAY, now) == 8
    assert count_from("FREQ=WEEKLY;BYDAY=TU;COUNT=10", TUESDAY, now, [ny(2026, 10, 20)]) == 7
    until = make_rule(Cadence.WEEKLY, TUESDAY, until=date(2026, 11, 10))
    assert count_from(until, TUESDAY, now) == 4
    assert count_from(until, TUESDAY, now, horizon=ny(2026, 11, 1)) == 2
    assert count_from(until, TUESDAY, ny(2026, 11, 10)) == 0  # strictly after


def test_count_between_matches_occurrences() -> None:
    weekdays = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    assert count_between(weekdays, TUESDAY, TUESDAY, ny(2026, 10, 20)) == 10
    assert count_between(weekdays, TUESDAY, TUESDAY, ny(2026, 10, 20), [ny(2026, 10, 9)]) == 9


# --- split_rule -----------------------------------------------------------------------------


def test_split_an_open_series() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TU"
    at = ny(2026, 11, 3)  # 15:00 UTC, after DST ended
    old, new = split_rule(rule, TUESDAY, at)
    assert old == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T145959Z"
    assert new == "FREQ=WEEKLY;BYDAY=TU"
    assert occurrences(old, TUESDAY, TUESDAY, FAR) == [ny(2026, 10, d) for d in (6, 13, 20, 27)]
    assert occurrences(new, at, at, ny(2026, 11, 18)) == [ny(2026, 11, d) for d in (3, 10, 17)]


def test_split_converts_count() -> None:
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=10"
    at = ny(2026, 12, 1)  # the fifth session
    old, new = split_rule(rule, TUESDAY, at)
    assert (old, new) == ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4",
                          "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6")
    whole = occurrences(rule, TUESDAY, TUESDAY, FAR)
    assert occurrences(old, TUESDAY, TUESDAY, FAR) + occurrences(new, at, at, FAR) == whole


def test_split_keeps_the_original_until_for_the_new_part() -> None:
    rule = make_rule(Cadence.WEEKLY, TUESDAY, until=date(2027, 3, 1))
    at = utc(2027, 1, 5, 15)  # 10:00 EST, given in UTC
    old, new = split_rule(rule, TUESDAY, at)
    assert old == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270105T145959Z"
    assert new == rule
    assert describe_rule(old, TUESDAY) == "every Tuesday at 10:00, until 2027-01-04"


def test_split_at_the_first_session_asks_for_a_whole_series_edit() -> None:
    with pytest.raises(ValidationError, match="edit the whole series") as caught:
        split_rule("FREQ=WEEKLY;BYDAY=TU", TUESDAY, TUESDAY)
    assert caught.value.field == "at"


@pytest.mark.parametrize("at", [ny(2026, 10, 13, 11), ny(2026, 10, 14), ny(2026, 9, 29)])
def test_split_at_a_time_that_is_not_a_session_is_refused(at: datetime) -> None:
    with pytest.raises(ValidationError, match="not a session"):
        split_rule("FREQ=WEEKLY;BYDAY=TU", TUESDAY, at)
    with pytest.raises(ValidationError, match="not a session"):
        split_rule("FREQ=WEEKLY;BYDAY=TU;COUNT=1", TUESDAY, ny(2026, 10, 13))


def test_split_at_a_session_moved_by_the_dst_gap_is_refused() -> None:
    start = ny(2026, 3, 1, 2, 30)
    with pytest.raises(ValidationError, match="daylight-saving"):
        split_rule("FREQ=WEEKLY;BYDAY=SU", start, ny(2026, 3, 8, 3, 30))
    old, _ = split_rule("FREQ=WEEKLY;BYDAY=SU", start, ny(2026, 3, 15, 2, 30))
    assert old == "FREQ=WEEKLY;BYDAY=SU;UNTIL=20260315T062959Z"


# --- describe_rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", TUESDAY, "every Tuesday at 10:00"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", TUESDAY, "every 2 weeks on Tuesday at 10:00"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10", ny(2026, 10, 5, 9),
         "every weekday at 09:00, 10 times"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", ny(2026, 10, 5, 9), "every weekday at 09:00"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR", TUESDAY,
         "every 3 weeks on weekdays at 10:00"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", ny(2026, 10, 5, 17, 30),
         "every Monday, Wednesday and Friday at 17:30"),
        ("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=1", TUESDAY, "every Tuesday and Thursday at 10:00, once"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270302T045959Z", TUESDAY,
         "every Tuesday at 10:00, until 2027-03-01"),
        ("FREQ=DAILY", TUESDAY, "every day at 10:00"),
        ("FREQ=DAILY;INTERVAL=3", TUESDAY, "every 3 days at 10:00"),
        ("FREQ=MONTHLY", TUESDAY, "every month on the 6th at 10:00"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=1,15", TUESDAY,
         "every 2 months on the 1st and 15th at 10:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", ny(2026, 1, 31),
         "every month on the 31st (skipped in months without that day) at 10:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", TUESDAY, "every month on the last day at 10:00"),
        ("FREQ=MONTHLY;BYDAY=1TU", TUESDAY, "every month on the first Tuesday at 10:00"),
        ("FREQ=MONTHLY;BYDAY=-1FR", TUESDAY, "every month on the last Friday at 10:00"),
        ("FREQ=YEARLY", ny(2028, 2, 29), "every year on 29 February (leap years only) at 10:00"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", TUESDAY,
         "every month, custom pattern (BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1) at 10:00"),
        ("FREQ=WEEKLY;BYMONTH=1,2;BYDAY=TU", TUESDAY,
         "every week, custom pattern (BYMONTH=1,2;BYDAY=TU) at 10:00"),
    ],
)
def test_describe_rule(rule: str, start: datetime, expected: str) -> None:
    assert describe_rule(rule, start) == expected


def test_describe_uses_the_last_possible_local_day_of_until() -> None:
    start = ny(2026, 10, 6, 18)
    # UNTIL at 01:00 UTC on 3 Nov is 20:00 EST on 2 Nov, after the 18:00 session time.
    assert describe_rule("FREQ=WEEKLY;UNTIL=20261103T010000Z", start).endswith("until 2026-11-02")
    # 16:00 EST on 2 Nov is before 18:00, so no session can fall on that day.
    assert describe_rule("FREQ=WEEKLY;UNTIL=20261102T210000Z", start).endswith("until 2026-11-01")


# --- properties -----------------------------------------------------------------------------

weekday_sets = st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1)


@st.composite
def weekly_series(draw: st.DrawFn) -> tuple[str, datetime]:
    """A weekly custom series at a daytime hour (never in a DST gap) in one of several zones."""
    zone = draw(st.sampled_from(ZONES))
    day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 900)))
    start = datetime(day.year, day.month, day.day, draw(st.integers(7, 20)),
                     draw(st.sampled_from([0, 15, 30, 45])), tzinfo=zone)
    interval = draw(st.integers(1, 3))
    days = ",".join(sorted(draw(weekday_sets)))
    text = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={days}"
    ending = draw(st.sampled_from(["open", "count", "until"]))
    if ending == "count":
        return make_rule(Cadence.CUSTOM, start, custom=text, count=draw(st.integers(1, 60))), start
    if ending == "until":
        until = day + timedelta(days=draw(st.integers(14 * interval, 700)))
        return make_rule(Cadence.CUSTOM, start, custom=text, until=until), start
    return make_rule(Cadence.CUSTOM, start, custom=text), start


@settings(max_examples=80, deadline=None)
@given(series=weekly_series(), pick=st.integers(1, 200))
def test_split_parts_together_give_the_original(series: tuple[str, datetime], pick: int) -> None:
    rule, start = series
    end = start + timedelta(days=3 * 366)
    whole = occurrences(rule, start, start, end)
    assume(len(whole) >= 2)
    at = whole[1 + pick % (len(whole) - 1)]
    old, new = split_rule(rule, start, at)
    before = occurrences(old, start, start, end)
    after = occurrences(new, at, at, end)
    assert before + after == whole
    assert before[-1] < at == after[0]
    assert count_from(old, start, at) == 0


@settings(max_examples=80, deadline=None)
@given(series=weekly_series(), picks=st.sets(st.integers(0, 400), max_size=12),
       offset=st.integers(0, 300))
def test_exdates_never_appear_and_counts_agree(
    series: tuple[str, datetime], picks: set[int], offset: int
) -> None:
    rule, start = series
    window_start, window_end = start + timedelta(days=offset), start + timedelta(days=offset + 400)
    whole = occurrences(rule, start, start, window_end + timedelta(days=30))
    excluded = {whole[i % len(whole)].astimezone(UTC) for i in picks} if whole else set()
    found = occurrences(rule, start, window_start, window_end, excluded)
    assert not {d.astimezone(UTC) for d in found} & excluded
    expected = [d for d in whole if window_start <= d < window_end
                and d.astimezone(UTC) not in excluded]
    assert same_instants(found, expected)
    assert count_between(rule, start, window_start, window_end, excluded) == len(found)
    assert count_from(rule, start, window_start, excluded, horizon=window_end) == len(
        [d for d in found if d > window_start])
    nxt = next_occurrence(rule, start, window_start, excluded)
    later = [d for d in found if d > window_start]
    if later:
        assert nxt == later[0]


@settings(max_examples=60, deadline=None)
@given(series=weekly_series())
def test_every_occurrence_keeps_the_local_wall_time(series: tuple[str, datetime]) -> None:
    rule, start = series
    found = occurrences(rule, start, start, start + timedelta(days=2 * 366))
    assert found
    for occurrence in found:
        assert occurrence.tzinfo is start.tzinfo
        assert (occurrence.hour, occurrence.minute) == (start.hour, start.minute)
        # The offset is the zone's own for that day: it follows DST rather than staying fixed.
        assert occurrence.astimezone(UTC).astimezone(start.tzinfo) == occurrence
    if found[-1] - found[0] > timedelta(days=366) and start.tzinfo is NY:
        assert len({d.utcoffset() for d in found}) == 2


@settings(max_examples=60, deadline=None)
@given(series=weekly_series())
def test_normalised_rules_are_stable_and_describable(series: tuple[str, datetime]) -> None:
    rule, start = series
    assert validate_rule(rule, start) == rule
    assert validate_rule("RRULE:" + rule.lower(), start) == rule
    text = describe_rule(rule, start)
    assert text.startswith("every ") and f"at {start:%H:%M}" in text
    assert "custom pattern" not in text
