"""Recurring appointment series: RFC 5545 RRULE text, expanded in the clinic's wall time.

A series is the rule part of an RRULE ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"), an aware `dtstart` in
the clinic's zone and excluded occurrence starts (EXDATEs); an occurrence is identified by its
original start. dateutil generates occurrences in local wall time, so a 10:00 weekly session stays
at 10:00 across daylight-saving changes (its UTC offset changes instead). Two wall times need a
policy:

* Spring-forward gap: a wall time that does not exist (02:30 on the Sunday New York jumps from
  02:00 to 03:00) is moved forward by the gap, read with the offset before the jump (RFC 5545
  §3.3.5): 03:30 daylight time. Skipping it would silently drop a session and change what COUNT
  means. The next week is back at 02:30.
* Fall-back overlap: an ambiguous wall time (01:30 as clocks go back) is the first instant (fold=0).

Bounds, EXDATEs, UNTIL and split points are compared by instant (UTC), so an EXDATE in UTC matches
the same occurrence in the clinic's zone. Nothing here reads the clock or imports Textual/Peewee.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

import msgspec
from msgspec.structs import replace

from caseload.domain.records import ValidationError

__all__ = ["Cadence", "count_between", "count_from", "describe_rule", "make_rule",
           "next_occurrence", "occurrences", "split_rule", "validate_rule"]


class Cadence(StrEnum):
    """How a series repeats, as a counselor picks it."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    CUSTOM = "custom"


_FREQS = {"YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "DAILY": "day"}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_MONTH_MAX_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
# Integer-list parts: largest absolute value, and whether negatives (from the end) are allowed.
# BYWEEKNO and BYYEARDAY are valid RFC 5545 but not offered: no session pattern needs them.
_INT_LISTS = {"BYMONTH": (12, False), "BYMONTHDAY": (31, True), "BYSETPOS": (366, True)}
_KNOWN = ("FREQ", "INTERVAL", "WKST", "UNTIL", "COUNT", "BYDAY", *_INT_LISTS)
_MAX_INTERVAL, _MAX_COUNT = 999, 9999
_INT_RE = r"[+-]?\d{1,4}"  # compiled by `re` at first use, not at every start
_BYDAY_RE = r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)"
_UNTIL_RE = r"\d{8}(T\d{6}(Z?))?"


class _Rule(msgspec.Struct, frozen=True, gc=False):
    """A parsed, checked RRULE. `until` is aware UTC; `byday` holds (n or 0, weekday 0-6)."""

    freq: str
    interval: int = 1
    wkst: str = "MO"
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()
    bysetpos: tuple[int, ...] = ()
    until: datetime | None = None
    count: int | None = None

    @property
    def text(self) -> str:
        """The normalised RRULE text (canonical order, defaults left out, no "RRULE:")."""
        parts = [
            ("FREQ", self.freq),
            ("INTERVAL", str(self.interval) if self.interval != 1 else ""),
            ("WKST", self.wkst if self.wkst != "MO" else ""),
            ("BYMONTH", ",".join(map(str, self.bymonth))),
            ("BYMONTHDAY", ",".join(map(str, self.bymonthday))),
            ("BYDAY", ",".join(f"{n or ''}{_WEEKDAYS[w]}" for n, w in self.byday)),
            ("BYSETPOS", ",".join(map(str, self.bysetpos))),
            ("UNTIL", self.until.strftime("%Y%m%dT%H%M%SZ") if self.until else ""),
            ("COUNT", str(self.count) if self.count is not None else ""),
        ]
        return ";".join(f"{key}={value}" for key, value in parts if value)


def _invalid(message: str, field: str = "rule") -> ValidationError:
    return ValidationError(message, field=field)


def _utc(value: datetime, field: str) -> datetime:
    """`value` as an aware UTC datetime; naive datetimes are refused (they have no instant)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise _invalid(f"{field} must be a timezone-aware date and time.", field)
    return value.astimezone(UTC)


def _until_instant(until: date, dtstart: datetime) -> datetime:
    """An end given as a date means "through that local day"; a naive datetime is local time."""
    if isinstance(until, datetime):
        local = until if until.tzinfo is not None else until.replace(tzinfo=dtstart.tzinfo)
    else:
        local = datetime.combine(until, time(23, 59, 59), tzinfo=dtstart.tzinfo)
    try:
        return local.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError) as exc:
        raise _invalid("The end date is out of range.", "until") from exc


def _int(key: str, value: str, low: int, high: int) -> int:
    if not re.fullmatch(_INT_RE, value) or not low <= int(value) <= high or int(value) == 0:
        raise _invalid(f"{key} must be a whole number from {low} to {high}, not {value!r}.")
    return int(value)


def _byday(value: str) -> tuple[tuple[int, int], ...]:
    days = set()
    for item in value.split(","):
        match = re.fullmatch(_BYDAY_RE, item)
        if match is None or (match[1] is not None and not 1 <= abs(int(match[1])) <= 53):
            raise _invalid(f"BYDAY must list days such as MO,WE,FR or 1MO; {item!r} is not one.")
        days.add((int(match[1] or 0), _WEEKDAYS.index(match[2])))
    return tuple(sorted(days, key=lambda day: (day[1], day[0])))


def _parse_until(value: str, dtstart: datetime) -> datetime:
    """UNTIL as a UTC instant; a date means through that local day, a naive time is local."""
    match = re.fullmatch(_UNTIL_RE, value)
    try:
        if match is None:
            raise ValueError(value)
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S" if match[1] else "%Y%m%d")
    except ValueError as exc:
        raise _invalid(f"UNTIL must look like 20270301 or 20270301T235959Z, not {value!r}.",
                       "until") from exc
    if match[1] is None:
        return _until_instant(moment.date(), dtstart)
    return moment.replace(tzinfo=UTC) if match[2] else _until_instant(moment, dtstart)


def _split_text(text: str) -> dict[str, str]:
    """Split RRULE text into upper-case NAME=VALUE parts, refusing anything but one rule line."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid("Enter a repeat rule, for example FREQ=WEEKLY;BYDAY=TU.")
    body = text.strip().upper()
    if "DTSTART" in body:
        raise _invalid("The rule must not contain DTSTART: the first session is set separately.")
    body = body.removeprefix("RRULE:")
    if ":" in body or any(ch.isspace() for ch in body):
        raise _invalid("Enter a single RRULE line such as FREQ=WEEKLY;BYDAY=TU.")
    raw: dict[str, str] = {}
    for chunk in filter(None, body.split(";")):
        key, sep, value = chunk.partition("=")
        if not (key and sep and value) or "=" in value:
            raise _invalid(f"{chunk!r} is not a NAME=VALUE rule part.")
        if key in raw:
            raise _invalid(f"{key} appears twice in the rule.")
        raw[key] = value
    freq = raw.get("FREQ")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise _invalid(f"Sessions can repeat at most daily; FREQ={freq} is not supported.")
    if freq not in _FREQS:
        raise _invalid("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    for key in raw:
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise _invalid(f"The time of day comes from the first session; remove {key}.")
        if key not in _KNOWN:
            raise _invalid(f"{key} is not a supported rule part.")
    if "COUNT" in raw and "UNTIL" in raw:
        raise _invalid("A rule ends on a date (UNTIL) or after a number of sessions (COUNT), "
                       "not both.")
    if raw.get("WKST", "MO") not in _WEEKDAYS:
        raise _invalid("WKST must be a day such as MO.")
    return raw


def _parse(text: str, dtstart: datetime) -> _Rule:
    """Parse and check RRULE text (RFC 5545 §3.3.10), making dtstart-derived parts explicit."""
    _utc(dtstart, "dtstart")
    raw = _split_text(text)
    lists = {key: tuple(sorted({_int(key, item, -high if negatives else 1, high)
                                for item in raw[key].split(",")}))
             for key, (high, negatives) in _INT_LISTS.items() if key in raw}
    rule = _Rule(
        freq=raw["FREQ"],
        interval=_int("INTERVAL", raw.get("INTERVAL", "1"), 1, _MAX_INTERVAL),
        wkst=raw.get("WKST", "MO"),
        bymonth=lists.get("BYMONTH", ()),
        bymonthday=lists.get("BYMONTHDAY", ()),
        byday=_byday(raw["BYDAY"]) if "BYDAY" in raw else (),
        bysetpos=lists.get("BYSETPOS", ()),
        until=_parse_until(raw["UNTIL"], dtstart) if "UNTIL" in raw else None,
        count=_int("COUNT", raw["COUNT"], 1, _MAX_COUNT) if "COUNT" in raw else None,
    )
    _check_combinations(rule)
    # dateutil fills these in from dtstart; writing them out keeps the text self-contained.
    if not (rule.bymonthday or rule.byday):
        if rule.freq == "YEARLY":
            return replace(rule, bymonth=rule.bymonth or (dtstart.month,),
                           bymonthday=(dtstart.day,))
        if rule.freq == "MONTHLY":
            return replace(rule, bymonthday=(dtstart.day,))
        if rule.freq == "WEEKLY":
            return replace(rule, byday=((0, dtstart.weekday()),))
    return rule


def _check_combinations(rule: _Rule) -> None:
    """The RFC 5545 restrictions on which BYxxx parts go with which FREQ."""
    numbered = [n for n, _ in rule.byday if n]
    if rule.bymonthday and rule.freq == "WEEKLY":
        raise _invalid("BYMONTHDAY needs FREQ=MONTHLY or FREQ=YEARLY.")
    if numbered and rule.freq not in ("MONTHLY", "YEARLY"):
        raise _invalid("Numbered days such as 1MO need FREQ=MONTHLY or FREQ=YEARLY.")
    if rule.freq == "MONTHLY" and any(abs(n) > 5 for n in numbered):
        raise _invalid("A month has at most five of each weekday (1MO to 5MO, -1MO to -5MO).")
    if rule.bysetpos and not (rule.bymonth or rule.bymonthday or rule.byday):
        raise _invalid("BYSETPOS needs another BY part to choose from, such as BYDAY.")


def _expand(rule: _Rule, dtstart: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield (local start, UTC instant) of every occurrence in order, gap times moved forward."""
    # Imported here: a start of the app books series ahead only on the day's first start.
    from dateutil.rrule import rrule, rrulestr

    try:
        built = rrulestr(rule.text, dtstart=dtstart)
    except (ValueError, OverflowError, TypeError) as exc:
        raise _invalid(f"This repeat rule is not valid ({exc}).") from exc
    assert isinstance(built, rrule)  # one rule line always gives an rrule, never a set
    for occurrence in built:
        instant = occurrence.astimezone(UTC)  # fold=0: the pre-transition offset in a gap
        yield instant.astimezone(dtstart.tzinfo), instant


def _select(rule: _Rule, dtstart: datetime, low: datetime, high: datetime | None,
            exdates: Iterable[datetime], *, strict: bool = False) -> Iterator[datetime]:
    """Occurrences from `low` (after it if `strict`) to before `high`, EXDATEs left out."""
    skip = frozenset(_utc(value, "exdate") for value in exdates)
    for local, instant in _expand(rule, dtstart):
        if high is not None and instant >= high:
            return
        if (instant > low if strict else instant >= low) and instant not in skip:
            yield local


def _validated(rule: _Rule, dtstart: datetime) -> _Rule:
    """Refuse a rule that produces no session at all.

    The quick checks come first: dateutil would search up to year 9999 for a rule that never
    matches, which takes seconds for a daily one.
    """
    months = rule.bymonth or range(1, 13)
    weekdays = {w for _, w in rule.byday}
    per_period = {"DAILY": 1, "WEEKLY": len(weekdays)}.get(rule.freq, 366)
    never = (
        (rule.bymonthday and not any(abs(day) <= _MONTH_MAX_DAYS[month - 1]
                                     for day in rule.bymonthday for month in months))
        or (rule.bysetpos and all(abs(pos) > per_period for pos in rule.bysetpos))
        or (rule.freq == "DAILY" and rule.interval % 7 == 0 and weekdays
            and dtstart.weekday() not in weekdays)
    )
    if not never and next(_expand(rule, dtstart), None) is not None:
        return rule
    if rule.until is not None:
        raise _invalid("The series would end before its first session.", "until")
    raise _invalid("This repeat rule never produces a session.")


def validate_rule(text: str, dtstart: datetime) -> str:
    """Check RRULE text (with or without "RRULE:") for `dtstart`; return it normalised.

    Normalised: upper case, canonical part order, UNTIL in UTC ("…Z"; a date or a local time is
    converted, a date meaning through that local day), and the parts dateutil would derive from
    `dtstart` written out. Raises ValidationError for garbage, FREQ finer than DAILY, BYHOUR and
    the like (the time comes from `dtstart`), DTSTART in the text, COUNT with UNTIL, COUNT over
    9999, INTERVAL over 999 and rules that produce no session. As in dateutil, `dtstart` itself
    is an occurrence only if the rule matches it.
    """
    return _validated(_parse(text, dtstart), dtstart).text


def make_rule(cadence: Cadence | str, dtstart: datetime, *, until: date | None = None,
              count: int | None = None, custom: str | None = None) -> str:
    """The RRULE text for a new series starting at `dtstart`.

    Weekly and biweekly series repeat on `dtstart`'s weekday; a custom series uses `custom`,
    checked as by `validate_rule`. Either `until` (a date: through that local day) or `count`
    ends the series.
    """
    _utc(dtstart, "dtstart")
    try:
        kind = Cadence(cadence)
    except ValueError:
        raise _invalid(f"Unknown cadence {cadence!r}.", "cadence") from None
    if until is not None and count is not None:
        raise _invalid("Choose an end date or a number of sessions, not both.", "count")
    if kind is Cadence.CUSTOM:
        if custom is None or not custom.strip():
            raise _invalid("Enter a custom repeat rule, for example FREQ=WEEKLY;BYDAY=MO,TH.")
        rule = _parse(custom, dtstart)
    elif custom is not None:
        raise _invalid("A custom rule only goes with the custom cadence.")
    else:
        interval = 2 if kind is Cadence.BIWEEKLY else 1
        rule = _Rule(freq="WEEKLY", interval=interval, byday=((0, dtstart.weekday()),))
    if (until is not None or count is not None) and (rule.until or rule.count is not None):
        raise _invalid("The custom rule already says when it ends (UNTIL or COUNT).")
    if count is not None:
        if not isinstance(count, int) or not 0 < count <= _MAX_COUNT:
            raise _invalid(f"The number of sessions must be 1 to {_MAX_COUNT}.", "count")
        rule = replace(rule, count=count)
    if until is not None:
        rule = replace(rule, until=_until_instant(until, dtstart))
    return _validated(rule, dtstart).text


def occurrences(rule: str, dtstart: datetime, start: datetime, end: datetime,
                exdates: Iterable[datetime] = ()) -> list[datetime]:
    """Occurrence starts with `start <= occurrence < end`, EXDATEs removed, in `dtstart`'s zone.

    Bounds and EXDATEs may be in any zone: they are compared by instant.
    """
    return list(_select(_parse(rule, dtstart), dtstart, _utc(start, "start"), _utc(end, "end"),
                        exdates))


def next_occurrence(rule: str, dtstart: datetime, after: datetime,
                    exdates: Iterable[datetime] = ()) -> datetime | None:
    """The first occurrence strictly after `after` that is not an EXDATE, or None."""
    found = _select(_parse(rule, dtstart), dtstart, _utc(after, "after"), None, exdates,
                    strict=True)
    return next(found, None)


def count_between(rule: str, dtstart: datetime, start: datetime, end: datetime,
                  exdates: Iterable[datetime] = ()) -> int:
    """How many occurrences `occurrences` returns for the same arguments."""
    return len(occurrences(rule, dtstart, start, end, exdates))


def count_from(rule: str, dtstart: datetime, after: datetime, exdates: Iterable[datetime] = (),
               horizon: datetime | None = None) -> int | None:
    """How many occurrences fall strictly after `after` (and before `horizon`, if given).

    None means infinitely many: the rule has neither UNTIL nor COUNT and there is no horizon.
    For the confirmation "removing this series deletes N future sessions".
    """
    parsed, low = _parse(rule, dtstart), _utc(after, "after")
    if horizon is None and parsed.until is None and parsed.count is None:
        return None
    high = None if horizon is None else _utc(horizon, "horizon")
    return sum(1 for _ in _select(parsed, dtstart, low, high, exdates, strict=True))


def split_rule(rule: str, dtstart: datetime, at: datetime) -> tuple[str, str]:
    """Split a series for "this and following": return (old rule, new rule).

    The old rule, still from `dtstart`, ends just before `at`: UNTIL one second before `at`, or,
    if the rule had COUNT=n, COUNT=k for the k occurrences before `at`. The new rule is for a
    series starting at `at` (use `at.astimezone(dtstart.tzinfo)` as its dtstart); it keeps the
    original UNTIL, or gets COUNT=n-k. EXDATEs do not change k (RFC 5545 counts before
    excluding). `at` must be an occurrence, not the first one (edit the whole series instead),
    and not one moved forward out of a daylight-saving gap (its wall time differs).
    """
    parsed = _parse(rule, dtstart)
    target = _utc(at, "at")
    for before, (local, instant) in enumerate(_expand(parsed, dtstart)):
        if instant > target:
            break
        if instant < target:
            continue
        if before == 0:
            raise _invalid("This is the first session of the series: edit the whole series "
                           "instead.", "at")
        if local.time() != dtstart.time().replace(microsecond=0):
            raise _invalid("This session was moved by the daylight-saving change; split the "
                           "series at another session.", "at")
        if parsed.count is None:
            return replace(parsed, until=target - timedelta(seconds=1)).text, parsed.text
        return (replace(parsed, count=before).text,
                replace(parsed, count=parsed.count - before).text)
    raise _invalid("That time is not a session of this series.", "at")


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{'th' if 10 <= number % 100 <= 20 else suffix}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _every(rule: _Rule) -> str:
    unit = _FREQS[rule.freq]
    return f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"


def _describe_pattern(rule: _Rule) -> str | None:
    """A plain-English phrase for the common patterns, or None for exotic ones."""
    every, numbered = _every(rule), any(n for n, _ in rule.byday)
    if rule.bysetpos:
        return None
    if rule.freq in ("DAILY", "WEEKLY") and not (rule.bymonth or rule.bymonthday or numbered):
        if not rule.byday:
            return every  # daily, any weekday
        if rule.freq == "DAILY" and rule.interval != 1:
            return None
        weekdays = [w for _, w in rule.byday]
        names = [_DAY_NAMES[w] for w in weekdays]
        days = "weekday" if weekdays == [0, 1, 2, 3, 4] else _join(names)
        if rule.interval == 1:
            return f"every {days}"
        return f"{every} on {'weekdays' if days == 'weekday' else days}"
    if rule.freq == "MONTHLY" and not rule.bymonth:
        if rule.bymonthday and not rule.byday:
            days = _join([_ordinal(d) if d > 0 else "last day" if d == -1
                          else f"{_ordinal(-d)}-to-last day" for d in rule.bymonthday])
            note = " (skipped in months without that day)" if max(rule.bymonthday) > 28 else ""
            return f"{every} on the {days}{note}"
        if len(rule.byday) == 1 and not rule.bymonthday and rule.byday[0][0] in _NTH:
            n, weekday = rule.byday[0]
            return f"{every} on the {_NTH[n]} {_DAY_NAMES[weekday]}"
    if (rule.freq == "YEARLY" and len(rule.bymonth) == 1 and len(rule.bymonthday) == 1
            and not rule.byday and rule.bymonthday[0] > 0):
        month, day = rule.bymonth[0], rule.bymonthday[0]
        note = " (leap years only)" if (month, day) == (2, 29) else ""
        return f"{every} on {day} {_MONTH_NAMES[month - 1]}{note}"
    return None


def describe_rule(rule: str, dtstart: datetime) -> str:
    """Plain English for a counselor, e.g. "every 2 weeks on Tuesday at 10:00, until 2027-03-01".

    Exotic rules fall back to "every month, custom pattern (BYDAY=…)". "until D" names the last
    local day on which a session can fall.
    """
    parsed = _parse(rule, dtstart)
    pattern = _describe_pattern(parsed)
    if pattern is None:
        detail = ";".join(part for part in parsed.text.split(";")
                          if part.partition("=")[0] not in ("FREQ", "INTERVAL", "UNTIL", "COUNT"))
        pattern = f"{_every(parsed)}, custom pattern ({detail})"
    text = f"{pattern} at {dtstart:%H:%M}"
    if parsed.count is not None:
        text += ", once" if parsed.count == 1 else f", {parsed.count} times"
    elif parsed.until is not None:
        last = parsed.until.astimezone(dtstart.tzinfo)
        last_day = last.date()
        if last.time() < dtstart.time().replace(microsecond=0):
            last_day -= timedelta(days=1)  # UNTIL falls before that day's session time
        text += f", until {last_day.isoformat()}"
    return text
