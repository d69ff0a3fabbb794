"""The vocabulary of Caseload: enumerations and frozen records shared by every layer.

Nothing here imports Textual or Peewee. The store turns rows into these records; the domain rules
compute on them; the services hand them (or views built from them) to the UI.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import msgspec


class ValidationError(ValueError):
    """Bad input, with a message fit to show a counselor as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(LookupError):
    """A record that does not exist (or that this counselor may not see)."""


class Outcome(StrEnum):
    """What happened to one appointment occurrence (DOMAIN.md §1)."""

    SCHEDULED = "scheduled"
    KEPT = "kept"
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"
    CLIENT_CANCELLED = "client_cancelled"
    COUNSELOR_CANCELLED = "counselor_cancelled"
    RESCHEDULED = "rescheduled"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def symbol(self) -> str:
        return OUTCOME_SYMBOLS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.SCHEDULED: "scheduled",
    Outcome.KEPT: "kept",
    Outcome.NO_SHOW: "no show",
    Outcome.LATE_CANCEL: "late cancel",
    Outcome.CLIENT_CANCELLED: "client cancelled",
    Outcome.COUNSELOR_CANCELLED: "counselor cancelled",
    Outcome.RESCHEDULED: "rescheduled",
}

# Symbols make outcomes readable without colour (a monochrome or 256-colour terminal).
OUTCOME_SYMBOLS: dict[Outcome, str] = {
    Outcome.SCHEDULED: "·",
    Outcome.KEPT: "✓",
    Outcome.NO_SHOW: "✗",
    Outcome.LATE_CANCEL: "⊘",
    Outcome.CLIENT_CANCELLED: "–",
    Outcome.COUNSELOR_CANCELLED: "!",
    Outcome.RESCHEDULED: "→",
}


class Party(StrEnum):
    """Who owns a commitment, or who asked for a reschedule."""

    COUNSELOR = "counselor"
    CLIENT = "client"


class CommitmentStatus(StrEnum):
    """A commitment's state. `renegotiated` is still outstanding, with a new due date."""

    OPEN = "open"
    DONE = "done"
    RENEGOTIATED = "renegotiated"
    DROPPED = "dropped"

    @property
    def outstanding(self) -> bool:
        return self in (CommitmentStatus.OPEN, CommitmentStatus.RENEGOTIATED)


class ClientStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    DISCHARGED = "discharged"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Instrument(StrEnum):
    """The alliance and outcome instruments whose scores Caseload records (DOMAIN.md §3)."""

    SRS = "srs"
    WAI_SR = "wai_sr"
    ORS = "ors"


class Settings(msgspec.Struct, frozen=True, gc=False):
    """The configurable numbers of DOMAIN.md, with their defaults."""

    late_cancel_hours: int = 24
    counselor_late_minutes: int = 5
    srs_cutoff: float = 36.0
    srs_drop: float = 1.0
    ors_cutoff: float = 25.0
    ors_reliable_change: float = 5.0
    checkin_lapse_sessions: int = 3
    no_contact_days: int = 14
    commitment_due_soon_days: int = 7
    no_show_streak: int = 2
    week_start: int = 0  # Monday = 0 … Sunday = 6
    timezone: str = "America/New_York"
    idle_logoff_minutes: int = 15


class AppointmentFact(msgspec.Struct, frozen=True, gc=False):
    """One occurrence, as the rules see it. Datetimes are timezone-aware."""

    id: int
    client_id: int
    start: datetime
    end: datetime
    outcome: Outcome
    client_late_min: int = 0
    counselor_late_min: int = 0
    requested_by: Party | None = None
    cancelled_at: datetime | None = None
    series_id: int | None = None
    version: int = 1  # the row's version when read: a change passes it as `expected_version`


class DueChange(msgspec.Struct, frozen=True, gc=False):
    """One renegotiation: the due date moved from `old_due` to `new_due` on `changed_on`."""

    old_due: date
    new_due: date
    changed_on: date
    reason: str = ""


class CommitmentFact(msgspec.Struct, frozen=True, gc=False):
    """A promise, counselor's or client's, as the rules see it."""

    id: int
    client_id: int
    owner: Party
    text: str
    made_on: date
    due: date
    status: CommitmentStatus
    done_on: date | None = None
    history: tuple[DueChange, ...] = ()
    note: str = ""
    version: int = 1  # the row's version when read: a change passes it as `expected_version`


class CheckInFact(msgspec.Struct, frozen=True, gc=False):
    """A recorded check-in; `total` is computed from the items, never typed."""

    id: int
    client_id: int
    instrument: Instrument
    on: date
    total: float
    items: tuple[float, ...] = ()
    discussed: bool = False
    appointment_id: int | None = None
    comment: str = ""
    version: int = 1  # the row's version when read: a change passes it as `expected_version`


class ClientFact(msgspec.Struct, frozen=True, gc=False):
    """A client, as the rules see them."""

    id: int
    name: str
    record_number: str
    status: ClientStatus
    intake: date
    counselor_id: int | None = None
    cadence_days: int = 7


class ClientHistory(msgspec.Struct, frozen=True, gc=False):
    """Everything the rules need about one client, in time order."""

    client: ClientFact
    appointments: tuple[AppointmentFact, ...] = ()
    commitments: tuple[CommitmentFact, ...] = ()
    checkins: tuple[CheckInFact, ...] = ()
