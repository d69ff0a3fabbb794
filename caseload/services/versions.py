"""Optimistic versions, the one rule of docs/domain.md §7 for every record.

Each row carries a version, bumped by every change. A screen passes the version it showed; if
the row has changed since (another session saved it), the change is refused with `StaleRecord`
and nothing is saved. The screen then reads the row again (`tui.workers`).
"""

from __future__ import annotations

from caseload.domain.records import ValidationError
from caseload.store.models import Appointment, CheckIn, Commitment


class StaleRecord(ValidationError):
    """Someone else changed the record since it was read; nothing was saved."""


def check_version(row: Commitment | Appointment | CheckIn, expected: int | None,
                  what: str = "commitment") -> None:
    """Refuse a change made from a screen that showed another version of the row (`what`:
    commitment, appointment, check-in)."""
    if expected is not None and row.version != expected:
        raise StaleRecord(f"This {what} was changed in another session; "
                          "it has been reloaded, nothing was saved.")
