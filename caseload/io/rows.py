"""The rows of an export: one frozen record per line of a file, the same records the importer reads.

A record names other records by their natural keys, never by database ids, so a file means the
same thing in any database: `client_ref` is the client's record number, a series is named by
its client and start, an appointment by its client and start, a goal by its client and text.
`id` is the database id when a record was read from a database (the calendar export uses it for
stable UIDs); it is never written to CSV or JSON and never compared.

Nothing here imports Peewee or Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    DueChange,
    Instrument,
    Outcome,
    Party,
)
from caseload.domain.text import initials
from caseload.io.kinds import KINDS  # the kinds of file, in import order


@dataclass(frozen=True, slots=True)
class ClientRow:
    """A client; natural key: `record_number`."""

    record_number: str
    name: str
    intake_date: date
    status: ClientStatus = ClientStatus.ACTIVE
    cadence_days: int = 7
    focus: str = ""
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class GoalRow:
    """A client's goal; natural key: client and text. `position` None means "after the others"."""

    client_ref: str
    text: str
    created_on: date
    active: bool = True
    position: int | None = None
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """A recurring series; natural key: client and start (`start` is in `timezone`)."""

    client_ref: str
    start: datetime
    rrule: str
    duration_min: int
    timezone: str
    kind: str = "individual"
    location: str = ""
    ended: bool = False
    materialized_until: datetime | None = None
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """One occurrence; natural key: client and start.

    `series_start` names the series it belongs to (with the same client), `recurrence_id` is its
    original start in that series, `rescheduled_to` the start of the appointment it moved to.
    """

    client_ref: str
    start: datetime
    duration_min: int
    outcome: Outcome = Outcome.SCHEDULED
    client_late_min: int = 0
    counselor_late_min: int = 0
    cancelled_at: datetime | None = None
    requested_by: Party | None = None
    kind: str = "individual"
    location: str = ""
    series_start: datetime | None = None
    recurrence_id: datetime | None = None
    detached: bool = False
    rescheduled_to: datetime | None = None
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """A promise; natural key: client, owner, text and the day it was made."""

    client_ref: str
    owner: Party
    text: str
    made_on: date
    due: date
    status: CommitmentStatus = CommitmentStatus.OPEN
    done_on: date | None = None
    note: str = ""
    due_history: tuple[DueChange, ...] = ()
    appointment_start: datetime | None = None
    goal: str = ""
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CheckInRow:
    """A check-in's item scores; natural key: client, day and instrument. The total is computed."""

    client_ref: str
    taken_on: date
    instrument: Instrument
    items: tuple[float, ...]
    discussed: bool = False
    comment: str = ""
    appointment_start: datetime | None = None
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ExportData:
    """A whole caseload as rows, in the import order of KINDS."""

    timezone: str
    exported_at: datetime
    clients: tuple[ClientRow, ...] = ()
    goals: tuple[GoalRow, ...] = ()
    series: tuple[SeriesRow, ...] = ()
    appointments: tuple[AppointmentRow, ...] = ()
    commitments: tuple[CommitmentRow, ...] = ()
    checkins: tuple[CheckInRow, ...] = ()

    def rows(self, kind: str) -> tuple[Any, ...]:
        """The rows of one kind ("clients", "appointments", …)."""
        if kind not in KINDS:
            raise KeyError(kind)
        return getattr(self, kind)  # type: ignore[no-any-return]

    @property
    def row_count(self) -> int:
        return sum(len(self.rows(kind)) for kind in KINDS)

    def client_names(self) -> dict[str, str]:
        """Client name by record number."""
        return {c.record_number: c.name for c in self.clients}

    def with_initials(self) -> ExportData:
        """The same data with every client name replaced by its initials."""
        return replace(self, clients=tuple(replace(c, name=initials(c.name))
                                           for c in self.clients))
