"""Property tests of what a counselor types: dates, times, zones and daylight saving, scores.

Whatever the text (unicode, control characters, escape sequences, very long, empty), the only
outcomes are a value in range or a `ValidationError` whose message is one printable line: the
typed text is echoed with control characters escaped, so a message can never carry an escape
sequence to the terminal. Each property runs in CI with a moderate number of examples and, marked
`slow`, with thousands (tests/reliability/conftest.py).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import strategies as st

from caseload.domain import dates, instruments
from caseload.domain.records import Instrument, ValidationError
from tests.reliability.conftest import variants

# Text a counselor (or a paste, or a hostile file) could produce: grammar words mixed with
# anything, control characters and ANSI escape sequences included.
WORDS = ["today", "tomorrow", "yesterday", "next", "last", "fri", "monday", "tues", "at", "on",
         "in", "ago", "days", "w", "m", "y", "+", "-", "2pm", "12am", "noon", "midnight", ":",
         "14:30", "9:05", "0930", "24:00", "2026-12-01", "12/01/2026", "1.12.2026", "p.m.",
         "\x1b[31m", "\x1b]0;title\x07", "\u202e", "\x00", "\t", "\n", "𝟚𝟘𝟚𝟞", "٢", "⁹"]
typed = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(WORDS), st.integers(-10**12, 10**12).map(str),
                       st.text(max_size=6)), max_size=6).map(" ".join),
    st.builds(lambda s, n, u: f"{s}{n}{u}", st.sampled_from(["+", "-", "in ", ""]),
              st.integers(0, 10**20), st.sampled_from(["d", "w", "m", "y", " days", " weeks",
                                                       " months ago", "years"])),
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", st.integers(-5, 99999), st.integers(-1, 99),
              st.integers(-1, 99)),
    st.builds(lambda h, m, s: f"{h}:{m:02d}{s}", st.integers(0, 99), st.integers(0, 99),
              st.sampled_from(["", "am", "pm", " p.m.", ":00"])),
    st.text(min_size=200, max_size=5000),
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
zones = st.sampled_from(ZONES)


def assert_clear(error: ValidationError) -> None:
    """A message fit to show: one printable line, not empty, not endless."""
    message = error.message
    assert message and message == str(error)
    assert "\n" not in message and len(message) < 400
    assert all(ch.isprintable() for ch in message), repr(message)


def check_parse_date(text: str, today: date, week_start: int) -> None:
    try:
        day = dates.parse_date(text, today, week_start)
    except ValidationError as error:
        assert_clear(error)
    else:
        assert dates.MIN_YEAR <= day.year <= dates.MAX_YEAR


test_parse_date, test_parse_date_slow = variants(
    check_parse_date, text=typed, today=days, week_start=st.integers(0, 6))


def check_parse_time(text: str) -> None:
    try:
        at = dates.parse_time(text)
    except ValidationError as error:
        assert_clear(error)
    else:
        assert isinstance(at, time) and at.second == 0


test_parse_time, test_parse_time_slow = variants(check_parse_time, text=typed)


def check_parse_datetime(text: str, today: date, default: time | None) -> None:
    try:
        when = dates.parse_datetime(text, today, 0, default)
    except ValidationError as error:
        assert_clear(error)
    else:
        assert dates.MIN_YEAR <= when.year <= dates.MAX_YEAR and when.tzinfo is None


test_parse_datetime, test_parse_datetime_slow = variants(
    check_parse_datetime, text=typed, today=days,
    default=st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))))


def check_localize(naive: datetime, zone: str) -> None:
    """Any wall time in any zone: an aware time that shows the same wall time, or, inside a
    spring-forward gap, a clear refusal; never an exception of another kind."""
    naive = naive.replace(second=0, microsecond=0)
    try:
        aware = dates.localize(naive, zone)
    except ValidationError as error:
        assert_clear(error)
        assert not dates.wall_time_exists(naive, zone) or not (
            dates.MIN_YEAR <= naive.year <= dates.MAX_YEAR)
    else:
        assert aware.replace(tzinfo=None) == naive and aware.tzinfo == ZoneInfo(zone)
        dates.describe_datetime(aware, naive.date())
        dates.is_ambiguous(naive, zone)


test_localize, test_localize_slow = variants(
    check_localize, zone=zones,
    naive=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))


def _gaps(zone: ZoneInfo, year: int) -> list[datetime]:
    """The wall times skipped when clocks go forward in `zone` in `year` (minute steps)."""
    skipped = []
    moment = datetime(year, 1, 1, tzinfo=ZoneInfo("UTC"))
    end = datetime(year + 1, 1, 1, tzinfo=ZoneInfo("UTC"))
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += timedelta(hours=6)
        offset = moment.astimezone(zone).utcoffset()
        if offset is not None and previous is not None and offset > previous:
            # Clocks went forward within the last six hours: find the minute.
            probe = moment - timedelta(hours=6)
            while probe.astimezone(zone).utcoffset() == previous:
                probe += timedelta(minutes=1)
            wall = probe.astimezone(zone).replace(tzinfo=None) - (offset - previous)
            skipped.append(wall)
        previous = offset
    return skipped


def check_daylight_saving_gap(zone: str, year: int, into: int) -> None:
    """A wall time inside a spring-forward gap is refused, naming the zone; one just outside
    it is accepted."""
    tz = ZoneInfo(zone)
    for start in _gaps(tz, year):
        inside = start + timedelta(minutes=into)
        if dates.wall_time_exists(inside, zone):
            continue  # a gap shorter than `into` minutes
        try:
            dates.localize(inside, zone)
        except ValidationError as error:
            assert_clear(error)
            assert zone in error.message and "does not exist" in error.message
        else:
            raise AssertionError(f"{inside} in {zone} is in a gap but was accepted")
        before = start - timedelta(minutes=1)
        assert dates.localize(before, zone).replace(tzinfo=None) == before


test_daylight_saving_gap, test_daylight_saving_gap_slow = variants(
    check_daylight_saving_gap, fast=60, slow=600,
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney",
                          "America/Santiago", "Asia/Tehran", "Australia/Lord_Howe",
                          "America/St_Johns", "Europe/Berlin", "Pacific/Chatham"]),
    year=st.integers(1970, 2037), into=st.integers(0, 59))


# Scores ---------------------------------------------------------------------------------------

score_text = st.one_of(
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-10**30, 10**30).map(str),
    st.builds(lambda a, b, sep: f"{a}{sep}{b}", st.integers(-20, 20), st.integers(0, 10**6),
              st.sampled_from([".", ",", "..", " ", "e", "E+"])),
    st.sampled_from(["", " ", "7,5", "7.50", "10.0", "10.01", "-0", "+3", ".5", "5.", "1e1",
                     "٣", "３", "NaN", "inf", "\x1b[2J", "5\x00"]),
)
instruments_ = st.sampled_from(list(Instrument))


def check_parse_item(instrument: Instrument, text: str, position: int) -> None:
    spec = instruments.SPECS[instrument]
    index = position % spec.count
    try:
        value = instruments.parse_item(instrument, index, text)
    except ValidationError as error:
        assert_clear(error)
        assert error.field == f"item{index + 1}"
    else:
        assert spec.low <= value <= spec.high and math.isfinite(value)
        assert round(value, spec.decimals) == value


test_parse_item, test_parse_item_slow = variants(
    check_parse_item, instrument=instruments_, text=score_text, position=st.integers(0, 11))


def check_parse_items_text(instrument: Instrument, parts: list[str]) -> None:
    try:
        values = instruments.parse_items_text(instrument, " ".join(parts))
    except ValidationError as error:
        assert_clear(error)
    else:
        spec = instruments.SPECS[instrument]
        assert len(values) == spec.count
        assert spec.total_low <= instruments.total(instrument, values) <= spec.total_high


test_parse_items_text, test_parse_items_text_slow = variants(
    check_parse_items_text, instrument=instruments_, parts=st.lists(score_text, max_size=14))

raw_items = st.lists(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3), st.booleans(), st.none(),
    st.text(max_size=4), st.just(Decimal("NaN"))), max_size=14)


def check_validate_items(instrument: Instrument, items: list[object]) -> None:
    """Numbers from a file or another program: the same rules and messages as typing."""
    try:
        values = instruments.validate_items(instrument, items)  # type: ignore[arg-type]
    except ValidationError as error:
        assert_clear(error)
    else:
        spec = instruments.SPECS[instrument]
        assert all(spec.low <= v <= spec.high for v in values)
        instruments.subscales(instrument, values)


test_validate_items, test_validate_items_slow = variants(
    check_validate_items, instrument=instruments_, items=raw_items)
