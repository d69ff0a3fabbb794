"""Peewee models: the tables of Caseload, with their constraints.

The database object is a proxy, bound from the entry point by `caseload.store.db.open_database`,
never at import. Constraints live in the database as well as in the services: foreign keys,
NOT NULL, and CHECKs on outcomes, statuses and score ranges, written in SQL that SQLite and
PostgreSQL both accept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    Check,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    TextField,
)

from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
)

database = DatabaseProxy()


class NeverReusedIdField(AutoField):
    """An id that is never given out twice, even after its row is deleted.

    Audit events name their row by id, so a new row must never take a deleted row's id and
    inherit its history. SQLite reuses the highest rowid once that row is deleted unless the
    key is AUTOINCREMENT; PostgreSQL's sequences never go back, so there it is a plain SERIAL.
    """

    def ddl(self, ctx: Any) -> Any:
        nodes = super().ddl(ctx)
        if ctx.state.field_types.get("AUTO") == "INTEGER":  # SQLite (and SQLCipher)
            return NodeList((nodes, SQL("AUTOINCREMENT")))
        return nodes


def _in(column: str, values: Any) -> Any:
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return Check(f"{column} IN ({quoted})")


class UTCDateTimeField(DateTimeField):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime.

    Storing UTC keeps ordering and comparisons right across daylight-saving changes on both
    SQLite (text) and PostgreSQL (timestamp); the clinic's zone is applied only for display.
    """

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC field")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utc_from_db(value: Any) -> datetime | None:
    """Convert a raw timestamp from a cursor (text on SQLite) to an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        try:  # stored naive: parsing it with "+00:00" is four times faster than replace()
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row per applied schema version."""

    version = IntegerField(primary_key=True)
    applied_at = UTCDateTimeField()
    note = TextField(default="")


class Counselor(BaseModel):
    """A counselor, identified by their login name (the OS user or database role)."""

    id = AutoField()
    login = TextField(unique=True)
    display_name = TextField()
    created_at = UTCDateTimeField()


class Client(BaseModel):
    id = AutoField()
    display_name = TextField(constraints=[Check("length(display_name) > 0")])
    record_number = TextField(unique=True, constraints=[Check("length(record_number) > 0")])
    intake_date = DateField()
    status = TextField(default=ClientStatus.ACTIVE.value,
                       constraints=[_in("status", ClientStatus)])
    counselor = ForeignKeyField(Counselor, backref="clients", on_delete="RESTRICT", index=True)
    counselor_id: int
    cadence_days = IntegerField(default=7, constraints=[Check("cadence_days > 0")])
    focus = TextField(default="")
    version = IntegerField(default=1)
    created_at = UTCDateTimeField()


class Goal(BaseModel):
    """A client's goal, in the client's own words."""

    id = AutoField()
    client = ForeignKeyField(Client, backref="goals", on_delete="CASCADE", index=True)
    client_id: int
    text = TextField(constraints=[Check("length(text) > 0")])
    position = IntegerField(default=0)
    active = BooleanField(default=True)
    created_on = DateField()


class AppointmentSeries(BaseModel):
    """A recurring series: an RFC 5545 RRULE anchored at a local start in the clinic's zone."""

    id = AutoField()
    client = ForeignKeyField(Client, backref="series", on_delete="CASCADE", index=True)
    client_id: int
    rrule = TextField()
    dtstart = UTCDateTimeField()
    tzname = TextField()
    duration_min = IntegerField(constraints=[Check("duration_min > 0 AND duration_min <= 1440")])
    kind = TextField(default="individual")
    location = TextField(default="")
    materialized_until = UTCDateTimeField()
    ended = BooleanField(default=False)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "appointment_series"


class Appointment(BaseModel):
    """One occurrence, with exactly one outcome (DOMAIN.md §1)."""

    id = NeverReusedIdField()  # future occurrences are deleted when a series ends or is split
    # Indexed by appointment_window (client_id first) below, not by a client_id index of its own.
    client = ForeignKeyField(Client, backref="appointments", on_delete="CASCADE", index=False)
    series = ForeignKeyField(AppointmentSeries, null=True, backref="occurrences",
                             on_delete="SET NULL")
    client_id: int
    series_id: int | None
    recurrence_id = UTCDateTimeField(null=True)
    starts_at = UTCDateTimeField()
    ends_at = UTCDateTimeField()
    kind = TextField(default="individual")
    location = TextField(default="")
    outcome = TextField(default=Outcome.SCHEDULED.value, constraints=[_in("outcome", Outcome)])
    client_late_min = IntegerField(default=0, constraints=[
        Check("client_late_min >= 0 AND client_late_min <= 600")])
    counselor_late_min = IntegerField(default=0, constraints=[
        Check("counselor_late_min >= 0 AND counselor_late_min <= 600")])
    cancelled_at = UTCDateTimeField(null=True)
    rescheduled_to = ForeignKeyField("self", null=True, on_delete="SET NULL")
    rescheduled_to_id: int | None
    requested_by = TextField(null=True, constraints=[
        Check("requested_by IS NULL OR requested_by IN ('counselor', 'client')")])
    detached = BooleanField(default=False)
    version = IntegerField(default=1)

    class Meta:
        constraints = [Check("ends_at > starts_at")]
        indexes = (
            (("starts_at",), False),
            (("series", "recurrence_id"), True),
        )


class Commitment(BaseModel):
    """A promise, the counselor's or the client's (DOMAIN.md §2)."""

    id = AutoField()
    client = ForeignKeyField(Client, backref="commitments", on_delete="CASCADE", index=True)
    client_id: int
    owner = TextField(constraints=[_in("owner", Party)])
    text = TextField(constraints=[Check("length(text) > 0")])
    made_on = DateField()
    due = DateField()
    status = TextField(default=CommitmentStatus.OPEN.value,
                       constraints=[_in("status", CommitmentStatus)])
    done_on = DateField(null=True)
    note = TextField(default="")
    goal = ForeignKeyField(Goal, null=True, on_delete="SET NULL")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="SET NULL")
    # JSON list of {"old_due", "new_due", "changed_on", "reason"}: the renegotiation history,
    # kept on the row so that loading a caseload needs no extra query.
    due_history = TextField(default="[]")
    version = IntegerField(default=1)

    class Meta:
        constraints = [Check("due >= made_on"),
                       Check("(status = 'done') = (done_on IS NOT NULL)")]


class CheckIn(BaseModel):
    """An alliance or outcome check-in; the total is computed from its items, never typed."""

    id = AutoField()
    client = ForeignKeyField(Client, backref="checkins", on_delete="CASCADE")
    client_id: int
    appointment_id: int | None
    instrument = TextField(constraints=[_in("instrument", Instrument)])
    taken_on = DateField()
    total = FloatField(constraints=[Check("total >= 0 AND total <= 60")])
    appointment = ForeignKeyField(Appointment, null=True, on_delete="SET NULL")
    discussed = BooleanField(default=False)
    comment = TextField(default="")
    created_at = UTCDateTimeField()
    version = IntegerField(default=1)

    class Meta:
        table_name = "checkin"
        indexes = ((("client", "taken_on"), False),)


class CheckInItem(BaseModel):
    """One item score of a check-in (position 1-based)."""

    id = AutoField()
    checkin = ForeignKeyField(CheckIn, backref="item_rows", on_delete="CASCADE")
    position = IntegerField(constraints=[Check("position >= 1 AND position <= 12")])
    score = FloatField(constraints=[Check("score >= 0 AND score <= 10")])

    class Meta:
        table_name = "checkin_item"
        indexes = ((("checkin", "position"), True),)


class AuditEvent(BaseModel):
    """Append-only trail: who changed what, when, and the before/after values as JSON."""

    id = AutoField()
    at = UTCDateTimeField()
    actor = TextField()
    action = TextField()
    entity = TextField()
    entity_id = IntegerField(null=True)
    client_id = IntegerField(null=True, index=True)
    before = TextField(null=True)
    after = TextField(null=True)

    class Meta:
        table_name = "audit_event"


class WeeklyReview(BaseModel):
    """A counselor's weekly review: its progress (for resuming) and, once finished, its summary."""

    id = AutoField()
    counselor = ForeignKeyField(Counselor, backref="reviews", on_delete="CASCADE")
    counselor_id: int
    week_start = DateField()
    started_at = UTCDateTimeField()
    finished_at = UTCDateTimeField(null=True)
    step = TextField(default="clear")
    position = IntegerField(default=0)
    summary = TextField(default="{}")

    class Meta:
        table_name = "weekly_review"
        indexes = ((("counselor", "week_start"), True),)


class ReviewNote(BaseModel):
    """One client's line in a weekly review: reviewed or not, and a focus for next week."""

    id = AutoField()
    review = ForeignKeyField(WeeklyReview, backref="notes", on_delete="CASCADE")
    client = ForeignKeyField(Client, on_delete="CASCADE")
    focus = TextField(default="")
    reviewed = BooleanField(default=False)
    at = UTCDateTimeField()

    class Meta:
        table_name = "review_note"
        indexes = ((("review", "client"), True),)


# The snapshot's reads (store.queries.load_histories), one counselor's clients at a time:
# - every column the snapshot reads of an appointment, so its window is read from the index alone
#   (SQLite: no lookup of the row; it replaced an index on (client_id, starts_at)); since schema 4
#   that includes `version`, which the screens pass back as a change's expected version;
# - the few past sessions still waiting for an outcome, and the check-ins never discussed, whatever
#   their age (partial indexes: they stay small however long the history grows).
# (An index of a commitment's dates and status was tried and dropped: SQLite read the rows
# anyway, no faster than through commitment_client_id.)
# The conditions are literals, repeated as literals in the queries, so both SQLite and
# PostgreSQL can see that a query implies them.
PENDING = SQL("outcome = 'scheduled'")
UNDISCUSSED = SQL("discussed = false")
SNAPSHOT_INDEXES: tuple[tuple[type[BaseModel], Any], ...] = (
    (Appointment, Appointment.index(
        Appointment.client, Appointment.starts_at, Appointment.ends_at, Appointment.outcome,
        Appointment.client_late_min, Appointment.counselor_late_min, Appointment.requested_by,
        Appointment.cancelled_at, Appointment.series, Appointment.version,
        name="appointment_window")),
    (Appointment, Appointment.index(Appointment.client, Appointment.starts_at, where=PENDING,
                                    name="appointment_pending")),
    (CheckIn, CheckIn.index(CheckIn.client, CheckIn.taken_on, where=UNDISCUSSED,
                            name="checkin_undiscussed")),
)
for _model, _index in SNAPSHOT_INDEXES:
    _model.add_index(_index)

MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion, Counselor, Client, Goal, AppointmentSeries, Appointment, Commitment,
    CheckIn, CheckInItem, AuditEvent, WeeklyReview, ReviewNote,
)

__all__ = [m.__name__ for m in MODELS] + ["database", "MODELS", "UTCDateTimeField",
                                           "utc_from_db", "SQL"]
