"""Dates and times typed by a counselor, parsed strictly and shown back in plain words.

Anything ambiguous or unknown is rejected with a `ValidationError` that names what was typed and
what is accepted; nothing is guessed (no fuzzy parsing: "Room 12" is not a date). Input is
case-insensitive and surrounding whitespace is ignored. The grammar:

Dates
    ``2026-12-01`` (ISO; one-digit month or day allowed) · ``today`` ``tomorrow`` ``yesterday`` ·
    a weekday, full or short (``fri``, ``friday``, ``tues``, ``thur``, ``thurs``): the next such
    day on or after today · ``next fri``: that day in the following calendar week · ``last fri``:
    that day in the previous calendar week (weeks start on `week_start`, Monday = 0) · offsets
    ``+3d`` ``-1d`` ``+2w`` ``+1m`` ``+1y`` (also ``+3 days``, ``in 3 days``, ``3 days ago``).
    A month offset past the end of a shorter month lands on its last day (Jan 31 + 1m = Feb 28).
    Slash and dotted dates (``12/01/2026``, ``1.12.2026``) and day-first ``01-12-2026`` are
    rejected as ambiguous. Years outside 1900–2200 are rejected.

Times
    ``14:30`` ``9:05`` (24-hour) · ``2pm`` ``2 pm`` ``2:30pm`` ``2:30 p.m.`` · ``noon``.
    Rejected: ``midnight`` and ``12am`` (which day's?), four digits without a colon (``0930`` could
    be a year as easily as a time, so it is rejected with a hint to type ``09:30``), ``14.30``,
    seconds, ``13pm``, ``24:00``.

Date and time together
    In either order, optionally joined by ``at``: ``fri 2pm``, ``2pm fri``, ``tomorrow at 9:00``,
    ``2026-12-01 14:30``. A time alone means today.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caseload.domain.records import ValidationError

MIN_YEAR = 1900
MAX_YEAR = 2200

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _number

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS: dict[str, str] = {
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("m", "mo", "month", "months"), "months"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "years"),
}
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"

# Patterns as text: `re` compiles each at its first use (and keeps it), not at every start.
_ISO = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_AMBIGUOUS_DATE = (
    r"[0-9]{1,4}/[0-9]{1,2}(?:/[0-9]{1,4})?|[0-9]{1,4}[.-][0-9]{1,2}[.-][0-9]{1,4}"
)
_RELATIVE_WEEKDAY = r"(?:(next|last) )?([a-z]+)"
_SIGNED_OFFSET = rf"([+-]) ?([0-9]+) ?{_UNIT}"
_IN_OFFSET = rf"in ([0-9]+) {_UNIT}"
_AGO_OFFSET = rf"([0-9]+) ?{_UNIT} ago"
_TIME_24 = r"([0-9]{1,2}):([0-9]{2})"
_TIME_12 = r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)"
_MERIDIEM = {"am": "am", "a.m.": "am", "pm": "pm", "p.m.": "pm"}

_DATE_FORMS = "YYYY-MM-DD, today, tomorrow, a weekday (fri, next fri, last fri) or +3d, +2w, +1m"
_TIME_FORMS = "14:30, 9:05, 2pm, 2:30pm or noon"
_MAX_LENGTH = 60
_ECHO_LIMIT = 40


class _Unrecognised(ValidationError):
    """Text that is not in the grammar at all (as opposed to a known form with a bad value)."""


def _echo(text: str) -> str:
    """Quote typed text for a message, with control characters escaped and long text cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.strip())
    if len(shown) > _ECHO_LIMIT:
        shown = shown[: _ECHO_LIMIT - 1] + "…"
    return f"'{shown}'"


def _normalise(text: str, what: str) -> str:
    """Lower-case `text` and collapse whitespace; reject control characters and overlong input."""
    if not isinstance(text, str):
        raise ValidationError(f"Type a {what}, e.g. {_example(what)}.")
    for char in text:
        if not char.isspace() and unicodedata.category(char)[0] == "C":
            raise ValidationError(
                f"The {what} {_echo(text)} contains a control character; type it again."
            )
    words = text.lower().split()
    if not words:
        raise ValidationError(f"Type a {what}, e.g. {_example(what)}.")
    if len(text) > _MAX_LENGTH:
        raise ValidationError(f"The {what} {_echo(text)} is too long; try {_example(what)}.")
    # "2 pm" and "2:30 p.m." become one word, so a time is always a single word.
    joined: list[str] = []
    for word in words:
        if word in _MERIDIEM and joined:
            joined[-1] += _MERIDIEM[word]
        else:
            joined.append(word.replace("a.m.", "am").replace("p.m.", "pm"))
    return " ".join(joined)


def _example(what: str) -> str:
    return {"date": "'2026-12-01' or 'fri'", "time": "'14:30' or '2pm'"}.get(what, "'fri 14:30'")


def _check_year(result: date, typed: str) -> date:
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValidationError(
            f"{_echo(typed)} falls in {result.year}; dates must be between {MIN_YEAR} and "
            f"{MAX_YEAR}."
        )
    return result


def _week_start_of(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def _offset(today: date, sign: str, amount: str, unit: str, typed: str) -> date:
    from dateutil.relativedelta import relativedelta  # typed offsets only: not at every start

    count = int(amount) * (-1 if sign == "-" else 1)
    kind = _UNITS[unit]
    if kind == "days":
        delta = relativedelta(days=count)
    elif kind == "weeks":
        delta = relativedelta(weeks=count)
    elif kind == "months":
        delta = relativedelta(months=count)
    else:
        delta = relativedelta(years=count)
    try:
        result = today + delta
    except (OverflowError, ValueError):
        raise ValidationError(
            f"{_echo(typed)} is too far away; dates must be between {MIN_YEAR} and {MAX_YEAR}."
        ) from None
    return _check_year(result, typed)


def _parse_iso(match: re.Match[str], typed: str) -> date:
    year, month, day = (int(part) for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"{_echo(typed)}: the year must be between {MIN_YEAR} and {MAX_YEAR}."
        )
    if not 1 <= month <= 12:
        raise ValidationError(f"{_echo(typed)} is not a date: the month must be 01–12.")
    try:
        return date(year, month, day)
    except ValueError:
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        raise ValidationError(
            f"{_echo(typed)} is not a date: {_MONTH_NAMES[month - 1]} {year} has {last} days."
        ) from None


def _date(text: str, today: date, week_start: int) -> date:
    """Parse a normalised date (lower case, single spaces)."""
    if text in ("today", "tomorrow", "yesterday"):
        shift = {"today": 0, "tomorrow": 1, "yesterday": -1}[text]
        return _check_year(today + timedelta(days=shift), text)
    if match := re.fullmatch(_ISO, text):
        return _parse_iso(match, text)
    if re.fullmatch(_AMBIGUOUS_DATE, text):
        raise ValidationError(
            f"{_echo(text)} is ambiguous (month or day first?); type the date as YYYY-MM-DD, "
            f"e.g. {today.isoformat()}."
        )
    if (match := re.fullmatch(_RELATIVE_WEEKDAY, text)) and match.group(2) in _WEEKDAYS:
        which, weekday = match.group(1), _WEEKDAYS[match.group(2)]
        if which is None:
            return _check_year(today + timedelta(days=(weekday - today.weekday()) % 7), text)
        start = _week_start_of(today, week_start) + timedelta(weeks=1 if which == "next" else -1)
        return _check_year(start + timedelta(days=(weekday - week_start) % 7), text)
    if match := re.fullmatch(_SIGNED_OFFSET, text):
        return _offset(today, match[1], match[2], match[3], text)
    if match := re.fullmatch(_IN_OFFSET, text):
        return _offset(today, "+", match[1], match[2], text)
    if match := re.fullmatch(_AGO_OFFSET, text):
        return _offset(today, "-", match[1], match[2], text)
    raise _Unrecognised(f"Could not read {_echo(text)} as a date; use {_DATE_FORMS}.")


def _time(text: str) -> time:
    """Parse a normalised single-word time."""
    if text == "noon":
        return time(12, 0)
    if text in ("midnight", "12am", "12:00am"):
        raise ValidationError(
            f"{_echo(text)} is ambiguous (the start or the end of the day?); type 00:00 or 23:59."
        )
    if match := re.fullmatch(_TIME_24, text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23:
            raise ValidationError(f"{_echo(text)} is not a time: the hour must be 0–23.")
        if minute > 59:
            raise ValidationError(f"{_echo(text)} is not a time: the minutes must be 00–59.")
        return time(hour, minute)
    if match := re.fullmatch(_TIME_12, text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise ValidationError(f"{_echo(text)} is not a time: with am/pm the hour must be 1–12.")
        if minute > 59:
            raise ValidationError(f"{_echo(text)} is not a time: the minutes must be 00–59.")
        if hour == 12 and match.group(3) == "am":
            raise ValidationError(
                f"{_echo(text)} is easy to misread; type it on the 24-hour clock: 00:{minute:02d}."
            )
        return time(hour % 12 + (12 if match.group(3) == "pm" else 0), minute)
    if re.fullmatch(r"[0-9]{4}", text) and int(text[:2]) <= 23 and int(text[2:]) <= 59:
        raise ValidationError(f"{_echo(text)} needs a colon: type {text[:2]}:{text[2:]}.")
    if re.fullmatch(r"[0-9]{1,2}[.h][0-9]{2}", text):
        raise ValidationError(f"Type {_echo(text)} with a colon, e.g. 14:30.")
    if re.fullmatch(r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}", text):
        raise ValidationError(f"Type {_echo(text)} without seconds, e.g. 14:30.")
    raise _Unrecognised(f"Could not read {_echo(text)} as a time; use {_TIME_FORMS}.")


def parse_date(text: str, today: date, week_start: int = 0) -> date:
    """Parse a typed date relative to `today`; see the module docstring for the grammar."""
    return _date(_normalise(text, "date"), today, week_start)


def parse_time(text: str) -> time:
    """Parse a typed wall-clock time; see the module docstring for the grammar."""
    normalised = _normalise(text, "time")
    if " " in normalised:
        raise _Unrecognised(f"Could not read {_echo(text)} as a time; use {_TIME_FORMS}.")
    return _time(normalised)


def parse_datetime(
    text: str, today: date, week_start: int = 0, default_time: time | None = None
) -> datetime:
    """Parse a typed date and time (either order) into a naive wall-clock datetime.

    A time alone means today. A date alone takes `default_time`, or is rejected when that is None.
    """
    normalised = _normalise(text, "date and time")
    words = normalised.split(" ")
    try:
        day = _date(normalised, today, week_start)
    except _Unrecognised:
        pass
    else:
        if default_time is None:
            raise ValidationError("Add a time, e.g. 'fri 14:30'.")
        return datetime.combine(day, default_time)
    # A time is always one word: try the last word, then the first; the rest is the date.
    for time_word, rest, joiner in ((words[-1], words[:-1], -1), (words[0], words[1:], 0)):
        try:
            at = _time(time_word)
        except _Unrecognised:
            continue
        if rest and rest[joiner] in ("at", "on"):
            del rest[joiner]
        day = _date(" ".join(rest), today, week_start) if rest else today
        return datetime.combine(day, at)
    raise ValidationError(
        f"Could not read {_echo(text)} as a date and time; try 'fri 14:30', 'tomorrow 9am' or "
        f"'{today.isoformat()} 14:30'."
    )


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValidationError for anything that is not one.

    zoneinfo reads the name as a path under the tz database, so besides an unknown name it can
    refuse one with ValueError (an absolute path, '..') or OSError (too long for a file name).
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"Unknown time zone {_echo(str(name))}.", field="timezone") from None


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else zone_named(tz)


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    """Whether a wall time exists in `zone`: a round trip through UTC gives it back unchanged."""
    try:
        back = naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
    except OverflowError:
        raise ValidationError(
            f"{naive.date().isoformat()} is out of range; dates must be between {MIN_YEAR} and "
            f"{MAX_YEAR}."
        ) from None
    return back.replace(tzinfo=None) == naive.replace(tzinfo=None)


def localize(naive: datetime, tz: ZoneInfo | str) -> datetime:
    """Attach the clinic's zone to a wall-clock datetime, strictly.

    A wall time that does not exist (the spring-forward gap) raises `ValidationError`. A wall time
    that happens twice (the fall-back fold) is taken as its first occurrence (fold=0, still on
    summer time); `is_ambiguous` tells a form when to say so.
    """
    if naive.tzinfo is not None:
        raise ValueError("localize() takes a naive datetime")
    zone = _zone(tz)
    if not _exists(naive, zone):
        raise ValidationError(
            f"{naive.hour}:{naive.minute:02d} does not exist on {naive.date().isoformat()} in "
            f"{zone.key} (clocks go forward); choose another time."
        )
    return naive.replace(tzinfo=zone, fold=0)


def wall_time_exists(naive: datetime, tz: ZoneInfo | str) -> bool:
    """Whether this wall time exists in `tz` (it does not inside a spring-forward gap)."""
    return _exists(naive.replace(tzinfo=None), _zone(tz))


def is_ambiguous(naive: datetime, tz: ZoneInfo | str) -> bool:
    """Whether this wall time happens twice in `tz` (the hour repeated when clocks go back)."""
    zone = _zone(tz)
    naive = naive.replace(tzinfo=None)
    earlier = naive.replace(tzinfo=zone, fold=0).utcoffset()
    # Inside a gap the two folds differ too, so a repeated time must also exist.
    return earlier != naive.replace(tzinfo=zone, fold=1).utcoffset() and _exists(naive, zone)


def _relative(d: date, today: date) -> str:
    days = (d - today).days
    if days in (-1, 0, 1):
        return ("yesterday", "today", "tomorrow")[days + 1]
    if days > 0:
        return f"in {days} days"
    return f"{-days} days ago"


def _day_name(d: date) -> str:
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def describe_date(d: date, today: date) -> str:
    """A parsed date shown back before saving: "Fri 4 Dec 2026 (in 7 days)", "… (today)"."""
    return f"{_day_name(d)} ({_relative(d, today)})"


def describe_datetime(dt: datetime, today: date) -> str:
    """A parsed datetime shown back: "Fri 4 Dec 2026, 14:30 (in 7 days)", with the zone if aware."""
    zone = dt.tzname() if dt.tzinfo is not None else None
    clock = f"{dt.hour:02d}:{dt.minute:02d}" + (f" {zone}" if zone else "")
    return f"{_day_name(dt.date())}, {clock} ({_relative(dt.date(), today)})"
