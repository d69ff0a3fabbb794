"""Parsers for `ParsedField` that the modals do not already offer: dates, minutes, counts.

Each raises `ValidationError` with a message fit to show under the field. Date and time
previews come from `caseload.tui.screens.modals` (`date_preview`, `datetime_preview`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from caseload.domain import dates
from caseload.domain.records import ValidationError
from caseload.services.session import Session

MIN_DURATION, MAX_DURATION = 5, 480


def date_parser(session: Session) -> Callable[[str], date]:
    """A typed date ("fri", "+3d", "2026-12-04") relative to the session's today."""
    return lambda text: dates.parse_date(text, session.today(), session.settings.week_start)


def whole_number(what: str, low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high`; the message names `what`."""

    def parse(text: str) -> int:
        raw = text.strip()
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise ValidationError(f"{what} must be a whole number from {low} to {high}.")
        return int(raw)

    return parse


def minutes_parser() -> Callable[[str], int]:
    """A session length in minutes."""
    return whole_number("Duration", MIN_DURATION, MAX_DURATION)


def minutes_preview(text: str) -> str:
    """"50 minutes", "1 h 30 min"."""
    minutes = int(text.strip())
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def edit_text(when: datetime) -> str:
    """A datetime as a counselor would type it: "2026-12-01 10:00"."""
    return f"{when:%Y-%m-%d %H:%M}"
