"""The columns of each kind of file and the checks that span several columns of one row.

One `KindSpec` per kind says, for every column, how a cell is read and written, whether it is
required, and which record attribute it fills; `finish` applies the rules that involve more than
one cell (a done commitment has a done_on; late minutes only on a kept session); `key` is the
natural key that makes re-importing a file harmless. Pure: no database, no files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
)
from caseload.io import cells
from caseload.io.cells import CellError, Context
from caseload.io.rows import (
    AppointmentRow,
    CheckInRow,
    ClientRow,
    CommitmentRow,
    GoalRow,
    SeriesRow,
)

# Bounds the services enforce too (services.appointments._duration, record_outcome).
DURATION_MIN, DURATION_MAX = 5, 480
LATE_MAX = 600

Issue = tuple[str, str, str]  # (column, reason, detail)


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, the record attribute it fills and how its cells are read.

    `kind` says how the value looks in JSON: "text", "int", "bool", "items" (a list of
    numbers), "history" (a list of objects) or "value" (text, but not a free-text field, so
    never formula-protected in CSV).
    """

    name: str
    parse: Callable[[str, Context], Any]
    required: bool = False
    attr: str = ""
    kind: str = "value"

    @property
    def field(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Everything the importer and exporter know about one kind of file."""

    name: str
    record: type
    columns: tuple[Column, ...]
    key: Callable[[Any], tuple[Any, ...]]
    key_column: str
    describe: Callable[[Any], str]
    finish: Callable[[dict[str, Any], Context], list[Issue]]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def defaults(self) -> dict[str, Any]:
        """The record's own defaults, by attribute."""
        return {f.name: f.default for f in fields(self.record) if f.default is not MISSING}


def _text(what: str, max_len: int, *, required: bool = False, name: str = "",
          attr: str = "") -> Column:
    return Column(name or what.lower().replace(" ", "_"),
                  lambda t, _c: cells.parse_text(t, what, max_len), required, attr, "text")


def _date(name: str, *, required: bool = False, attr: str = "") -> Column:
    return Column(name, cells.parse_date, required, attr)


def _stamp(name: str, *, required: bool = False) -> Column:
    return Column(name, cells.parse_datetime, required)


def _int(name: str, what: str, low: int, high: int, *, required: bool = False) -> Column:
    return Column(name, lambda t, _c: cells.parse_int(t, what, low, high), required, kind="int")


def _bool(name: str) -> Column:
    return Column(name, lambda t, _c: cells.parse_bool(t), kind="bool")


def _choice(name: str, enum: type[Any], what: str, *, required: bool = False) -> Column:
    return Column(name, lambda t, _c: cells.parse_choice(t, enum, what), required)


def _client_ref() -> Column:
    return Column("client_ref", lambda t, _c: cells.parse_text(t, "Record number", 40), True)


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def _nothing(values: dict[str, Any], ctx: Context) -> list[Issue]:
    return []


def _has(values: dict[str, Any], *names: str) -> bool:
    return all(name in values for name in names)


CLIENTS = KindSpec(
    name="clients", record=ClientRow,
    columns=(
        _text("Record number", 40, required=True),
        _text("Name", 120, required=True),
        _date("intake_date", required=True),
        _choice("status", ClientStatus, "status"),
        _int("cadence_days", "Session cadence (days)", 1, 365),
        _text("Focus", 200),
    ),
    key=lambda r: (r.record_number,), key_column="record_number",
    describe=lambda r: f"record number {cells.echo(r.record_number)}",
    finish=_nothing,
)


def _finish_goal(values: dict[str, Any], ctx: Context) -> list[Issue]:
    if "created_on" in values and values["created_on"] is None:
        values["created_on"] = ctx.today
    return []


GOALS = KindSpec(
    name="goals", record=GoalRow,
    columns=(
        _client_ref(),
        _text("Goal", 300, required=True, name="text"),
        _date("created_on"),
        _bool("active"),
        _int("position", "Position", 0, 10_000),
    ),
    key=lambda r: (r.client_ref, r.text), key_column="text",
    describe=lambda r: f"the goal {cells.echo(r.text)} of {r.client_ref}",
    finish=_finish_goal,
)


def _finish_series(values: dict[str, Any], ctx: Context) -> list[Issue]:
    if not _has(values, "start", "timezone"):
        return []
    zone = values["timezone"] = values["timezone"] or ctx.tz.key
    start = values["start"] = values["start"].astimezone(ZoneInfo(zone))
    if values.get("materialized_until") is None:
        values["materialized_until"] = start
    if "rrule" in values:
        try:
            values["rrule"] = cells.parse_rule(values["rrule"], start)
        except CellError as exc:
            return [("rrule", exc.reason, exc.detail)]
    return []


SERIES = KindSpec(
    name="series", record=SeriesRow,
    columns=(
        _client_ref(),
        _stamp("start", required=True),
        Column("rrule", lambda t, _c: t.upper().removeprefix("RRULE:"), True),
        _int("duration_min", "Duration (minutes)", DURATION_MIN, DURATION_MAX, required=True),
        Column("timezone", lambda t, _c: cells.parse_zone(t)),
        _text("Kind", 40),
        _text("Location", 80),
        _bool("ended"),
        _stamp("materialized_until"),
    ),
    key=lambda r: (r.client_ref, r.start), key_column="start",
    describe=lambda r: f"the series of {r.client_ref} starting {_when(r.start)}",
    finish=_finish_series,
)

_CANCELLING = frozenset({Outcome.LATE_CANCEL, Outcome.CLIENT_CANCELLED,
                         Outcome.COUNSELOR_CANCELLED, Outcome.RESCHEDULED})


def _finish_appointment(values: dict[str, Any], ctx: Context) -> list[Issue]:
    issues: list[Issue] = []
    outcome = values.get("outcome")
    if outcome is None:
        return issues
    label = outcome.label
    if outcome is not Outcome.KEPT:
        for column in ("client_late_min", "counselor_late_min"):
            if values.get(column):
                issues.append((column, "inconsistent",
                               f"late minutes apply only to a kept session, not a {label} one."))
    if outcome in (Outcome.KEPT, Outcome.NO_SHOW) and "start" in values \
            and values["start"] > ctx.now:
        issues.append(("outcome", "inconsistent",
                       f"the session has not started yet, so it cannot be {label}."))
    if outcome is Outcome.RESCHEDULED:
        if values.get("requested_by") is None and "requested_by" in values:
            issues.append(("requested_by", "missing value",
                           "a rescheduled appointment needs requested_by (client or "
                           "counselor)."))
    else:
        for column in ("requested_by", "rescheduled_to"):
            if values.get(column) is not None:
                issues.append((column, "inconsistent",
                               f"only a rescheduled appointment has {column}; this one is "
                               f"{label}."))
    if values.get("cancelled_at") is not None and outcome not in _CANCELLING:
        issues.append(("cancelled_at", "inconsistent",
                       f"a {label} appointment was not cancelled."))
    if values.get("series_start") is None:
        if values.get("recurrence_id") is not None:
            issues.append(("recurrence_id", "inconsistent",
                           "recurrence_id needs series_start (the series it belongs to)."))
    elif values.get("recurrence_id") is None and "start" in values:
        values["recurrence_id"] = values["start"]
    return issues


APPOINTMENTS = KindSpec(
    name="appointments", record=AppointmentRow,
    columns=(
        _client_ref(),
        _stamp("start", required=True),
        _int("duration_min", "Duration (minutes)", DURATION_MIN, DURATION_MAX, required=True),
        _choice("outcome", Outcome, "outcome"),
        _int("client_late_min", "Client late minutes", 0, LATE_MAX),
        _int("counselor_late_min", "Counselor late minutes", 0, LATE_MAX),
        _stamp("cancelled_at"),
        _choice("requested_by", Party, "party"),
        _text("Kind", 40),
        _text("Location", 80),
        _stamp("series_start"),
        _stamp("recurrence_id"),
        _bool("detached"),
        _stamp("rescheduled_to"),
    ),
    key=lambda r: (r.client_ref, r.start), key_column="start",
    describe=lambda r: f"the appointment of {r.client_ref} at {_when(r.start)}",
    finish=_finish_appointment,
)


def _finish_commitment(values: dict[str, Any], ctx: Context) -> list[Issue]:
    issues: list[Issue] = []
    made, due, done = values.get("made_on"), values.get("due"), values.get("done_on")
    if made is not None and due is not None and due < made:
        issues.append(("due", "bad date", f"due {due.isoformat()} is before made_on "
                                          f"{made.isoformat()}."))
    status = values.get("status")
    if status is CommitmentStatus.DONE and done is None and "done_on" in values:
        issues.append(("done_on", "missing value", "a done commitment needs done_on."))
    if status is not None and status is not CommitmentStatus.DONE and done is not None:
        issues.append(("done_on", "inconsistent",
                       f"only a done commitment has done_on; this one is {status.value}."))
    if done is not None and made is not None and done < made:
        issues.append(("done_on", "bad date", f"done {done.isoformat()} before it was made "
                                              f"({made.isoformat()})."))
    if done is not None and done > ctx.today:
        issues.append(("done_on", "bad date", f"{done.isoformat()} is in the future."))
    return issues


COMMITMENTS = KindSpec(
    name="commitments", record=CommitmentRow,
    columns=(
        _client_ref(),
        _choice("owner", Party, "owner", required=True),
        _text("Commitment", 200, required=True, name="text"),
        _date("made_on", required=True),
        _date("due", required=True),
        _choice("status", CommitmentStatus, "status"),
        _date("done_on"),
        _text("Note", 200),
        Column("due_history", cells.parse_history, kind="history"),
        _stamp("appointment_start"),
        _text("Goal", 300, name="goal"),
    ),
    key=lambda r: (r.client_ref, r.owner, r.text, r.made_on), key_column="text",
    describe=lambda r: (f"the {r.owner.value} commitment {cells.echo(r.text)} of "
                        f"{r.client_ref} made on {r.made_on.isoformat()}"),
    finish=_finish_commitment,
)


def _finish_checkin(values: dict[str, Any], ctx: Context) -> list[Issue]:
    issues: list[Issue] = []
    taken = values.get("taken_on")
    if taken is not None and taken > ctx.today:
        issues.append(("date", "bad date", f"a check-in cannot be dated in the future "
                                           f"({taken.isoformat()})."))
    if "instrument" in values and "items" in values:
        try:
            values["items"] = cells.parse_items(values["items"], values["instrument"])
        except CellError as exc:
            issues.append(("items", exc.reason, exc.detail))
    return issues


CHECKINS = KindSpec(
    name="checkins", record=CheckInRow,
    columns=(
        _client_ref(),
        _date("date", required=True, attr="taken_on"),
        _choice("instrument", Instrument, "instrument", required=True),
        Column("items", lambda t, _c: t, True, kind="items"),
        _bool("discussed"),
        _text("Comment", 200),
        _stamp("appointment_start"),
    ),
    key=lambda r: (r.client_ref, r.taken_on, r.instrument), key_column="date",
    describe=lambda r: (f"the {r.instrument.value} check-in of {r.client_ref} on "
                        f"{r.taken_on.isoformat()}"),
    finish=_finish_checkin,
)

SPECS: dict[str, KindSpec] = {spec.name: spec for spec in
                              (CLIENTS, GOALS, SERIES, APPOINTMENTS, COMMITMENTS, CHECKINS)}
