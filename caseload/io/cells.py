"""One cell of an import file: parsed strictly by the domain's own rules, or refused with a reason.

Every parser takes the cell's text (already stripped, never empty) and returns a value or raises
`CellError(reason, detail)`. The reason is a short category ("bad date", "unknown outcome",
"score out of range") and the detail a sentence a counselor can act on; most details come
straight from the domain validators (`domain.dates`, `domain.instruments`, `domain.text`,
`domain.recurrence`), so a rule is never written twice. The formatters write what the parsers
read back unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from caseload.domain import dates, instruments, recurrence
from caseload.domain.records import DueChange, Instrument, ValidationError
from caseload.domain.text import clean_line
from caseload.domain.text import quote as echo

E = TypeVar("E", bound=StrEnum)

_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_STAMP = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[T ](?P<time>[0-9]{1,2}:[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
# A cell starting with one of these is a formula to a spreadsheet; see `protect`.
_FORMULA_START = frozenset("=+-@\t\r")


class CellError(ValueError):
    """A cell that cannot be read: `reason` is the category, `detail` the explanation."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Context:
    """What parsing depends on: the current time in the clinic's zone."""

    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        zone = self.now.tzinfo
        assert isinstance(zone, ZoneInfo), "Context.now must be in the clinic's ZoneInfo zone"
        return zone

    @property
    def today(self) -> date:
        return self.now.date()


def protect(text: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula (or that starts with ')."""
    return "'" + text if text[:1] in _FORMULA_START or text[:1] == "'" else text


def unprotect(text: str) -> str:
    """Undo `protect` (and Excel's own ' prefix before a formula character)."""
    if len(text) > 1 and text[0] == "'" and (text[1] in _FORMULA_START or text[1] == "'"):
        return text[1:]
    return text


def parse_text(text: str, what: str, max_len: int) -> str:
    """One clean line of text (no control characters), at most `max_len` characters."""
    try:
        return clean_line(text, what, max_len=max_len)
    except ValidationError as exc:
        raise CellError("bad text", exc.message) from None


def parse_date(text: str, ctx: Context) -> date:
    """A calendar date written YYYY-MM-DD (nothing relative, nothing ambiguous)."""
    if _DATE.fullmatch(text) is None:
        raise CellError("bad date", f"{echo(text)} is not a date; use YYYY-MM-DD, e.g. "
                                    f"{ctx.today.isoformat()}.")
    try:
        return dates.parse_date(text, ctx.today)
    except ValidationError as exc:
        raise CellError("bad date", exc.message) from None


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise CellError("bad date", f"{echo(text)} is not a UTC offset.")
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str, ctx: Context) -> datetime:
    """A date and time: ``2026-11-23 14:30`` in the clinic's zone, or ISO 8601 with an offset.

    Seconds and fractions are allowed (timestamps such as `cancelled_at` carry them). A wall time
    without an offset is placed in the clinic's zone with the domain's rule: a time inside the
    spring-forward gap is refused, a repeated time is its first occurrence.
    """
    match = _STAMP.fullmatch(text)
    if match is None:
        raise CellError("bad date", f"{echo(text)} is not a date and time; use YYYY-MM-DD HH:MM, "
                                    f"e.g. {ctx.today.isoformat()} 14:30.")
    day = parse_date(match["date"], ctx)
    try:
        clock = dates.parse_time(match["time"])
    except ValidationError as exc:
        raise CellError("bad date", exc.message) from None
    second = int(match["second"] or 0)
    if second > 59:
        raise CellError("bad date", f"{echo(text)} is not a time: the seconds must be 00–59.")
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    naive = datetime.combine(day, clock).replace(second=second, microsecond=micro)
    if match["zone"]:
        return naive.replace(tzinfo=_offset(match["zone"])).astimezone(ctx.tz)
    try:
        return dates.localize(naive, ctx.tz)
    except ValidationError as exc:
        raise CellError("bad date", exc.message) from None


def parse_int(text: str, what: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`."""
    if _INTEGER.fullmatch(text) is None:
        raise CellError("bad number", f"{echo(text)} is not a whole number.")
    value = int(text)
    if not low <= value <= high:
        raise CellError("out of range", f"{what} must be between {low} and {high}; got {value}.")
    return value


def parse_bool(text: str) -> bool:
    """yes/no (also y/n, true/false, 1/0), in any case."""
    word = text.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError("bad value", f"{echo(text)} is not yes or no.")


def _choices(values: list[str]) -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def parse_choice(text: str, enum: type[E], what: str) -> E:
    """One value of `enum`, in any case, with spaces or hyphens for underscores ("no show")."""
    word = re.sub(r"[\s-]+", "_", text.lower())
    try:
        return enum(word)
    except ValueError:
        names = [member.value for member in enum]
        raise CellError(f"unknown {what}", f"{echo(text)}; use {_choices(names)}.") from None


def parse_zone(text: str) -> str:
    """An IANA time zone name such as America/New_York."""
    try:
        return dates.zone_named(text).key
    except ValidationError:
        raise CellError("bad time zone", f"{echo(text)} is not a time zone name such as "
                                         "America/New_York.") from None


def parse_items(text: str, instrument: Instrument) -> tuple[float, ...]:
    """Space-separated item scores, checked by the instrument's own rules."""
    try:
        return instruments.parse_items_text(instrument, text)
    except ValidationError as exc:
        if exc.field == "items":
            reason = "wrong number of scores"
        elif "must be between" in exc.message:
            reason = "score out of range"
        else:
            reason = "bad score"
        raise CellError(reason, exc.message) from None


def parse_rule(text: str, start: datetime) -> str:
    """An RRULE for a series starting at `start`, normalised by the domain."""
    try:
        return recurrence.validate_rule(text, start)
    except ValidationError as exc:
        raise CellError("bad rule", exc.message) from None


def parse_history(text: str, ctx: Context) -> tuple[DueChange, ...]:
    """A commitment's renegotiations: a JSON list of {old_due, new_due, changed_on, reason}."""
    shape = CellError("bad value", "due_history must be a JSON list of objects with old_due, "
                                   "new_due, changed_on and reason.")
    try:
        entries = json.loads(text)
    except ValueError:
        raise shape from None
    if not isinstance(entries, list):
        raise shape
    changes = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("old_due", "new_due", "changed_on")):
            raise shape
        reason = entry.get("reason") or ""
        if not isinstance(reason, str):
            raise shape
        changes.append(DueChange(
            old_due=parse_date(entry["old_due"], ctx), new_due=parse_date(entry["new_due"], ctx),
            changed_on=parse_date(entry["changed_on"], ctx),
            reason=parse_text(reason, "Reason", 200) if reason.strip() else ""))
    return tuple(changes)


def history_list(history: tuple[DueChange, ...]) -> list[dict[str, str]]:
    """Renegotiations as the JSON-able list stored on the commitment row."""
    return [{"old_due": h.old_due.isoformat(), "new_due": h.new_due.isoformat(),
             "changed_on": h.changed_on.isoformat(), "reason": h.reason} for h in history]


def show_datetime(value: datetime, zone: ZoneInfo | None = None) -> str:
    """ISO 8601 with the offset, in `zone` (default the value's own): 2026-11-23T14:30-05:00."""
    local = value.astimezone(zone) if zone is not None else value
    if local.second == 0 and local.microsecond == 0:
        return local.isoformat(timespec="minutes")
    return local.isoformat()


def show_number(value: float) -> str:
    """An item score: "8", "7.5"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def json_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def show_value(value: Any) -> str:
    """Any cell value as the text the parsers read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return show_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, DueChange) for v in value) and value:
        return json.dumps(history_list(value), ensure_ascii=False)
    if isinstance(value, tuple):
        return " ".join(show_number(v) for v in value)
    return str(value)
