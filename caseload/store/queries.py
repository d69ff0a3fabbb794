"""Batched reads: a whole caseload's history in a fixed number of queries.

Each function issues one query whatever the number of clients, and returns domain records
(frozen dataclasses), never live rows. `load_histories` is what every screen and the review
build on: four queries (clients, appointments, commitments, check-ins).

Rows are read straight from the driver's cursor and turned into records here (enum members by
dict lookup, timestamps parsed once): Peewee's per-field conversion cost more than the reading.
The window queries are shaped for the indexes of `models.SNAPSHOT_INDEXES` (see
`tests/store/test_query_plans.py`): a UNION ALL rather than an OR, so each half is one index
range, and the partial indexes' conditions written as the same literals.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, TypeVar

from msgspec.structs import replace
from peewee import SQL, ModelSelect, SelectBase

from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
    DueChange,
    Instrument,
    Outcome,
    Party,
)
from caseload.store import cache
from caseload.store.models import (
    Appointment,
    CheckIn,
    Client,
    Commitment,
    database,
    utc_from_db,
)

# Enum members by value: a dict lookup instead of a call per row (a member finds itself too).
_OUTCOMES: dict[str, Outcome] = {o.value: o for o in Outcome}
_PARTIES: dict[str, Party] = {p.value: p for p in Party}
_STATUSES: dict[str, CommitmentStatus] = {s.value: s for s in CommitmentStatus}
_INSTRUMENTS: dict[str, Instrument] = {i.value: i for i in Instrument}
_CLIENT_STATUSES: dict[str, ClientStatus] = {s.value: s for s in ClientStatus}
T = TypeVar("T")
_SCHEDULED = SQL("'scheduled'")  # as in models.PENDING, so the partial index applies
_FALSE = SQL("false")  # as in models.UNDISCUSSED


def _as_date(value: object) -> date:
    if type(value) is str:  # SQLite's text: the common case first
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _opt_date(value: object) -> date | None:
    return None if value is None else _as_date(value)


def client_query(counselor_id: int | None, statuses: Sequence[ClientStatus] | None = None,
                 client_ids: Sequence[int] | None = None) -> ModelSelect[Any]:
    """Clients of one counselor (or of everyone when counselor_id is None)."""
    query = Client.select(Client.id, Client.display_name, Client.record_number,
                          Client.status, Client.intake_date, Client.counselor,
                          Client.cadence_days)
    if counselor_id is not None:
        query = query.where(Client.counselor == counselor_id)
    if statuses:
        query = query.where(Client.status.in_([s.value for s in statuses]))
    if client_ids is not None:
        query = query.where(Client.id.in_(list(client_ids)))
    return query.order_by(Client.display_name, Client.id)


def client_fact(row: dict[str, Any]) -> ClientFact:
    return ClientFact(
        id=int(row["id"]),
        name=str(row["display_name"]),
        record_number=str(row["record_number"]),
        status=ClientStatus(row["status"]),
        intake=_as_date(row["intake_date"]),
        counselor_id=row["counselor"],
        cadence_days=int(row["cadence_days"]),
    )


def client_facts(counselor_id: int | None, statuses: Sequence[ClientStatus] | None = None,
                 client_ids: Sequence[int] | None = None) -> list[ClientFact]:
    """`client_query`'s clients as records, straight from the cursor (a thousand clients' names
    are the Caseload screen's first frame: ≈ 12 → 4 ms against Peewee's dicts)."""
    shared = Shared()
    day = shared.day
    return [ClientFact(id_, name, record, _CLIENT_STATUSES[status], day(intake), counselor,
                       cadence)
            for id_, name, record, status, intake, counselor, cadence
            in _rows(client_query(counselor_id, statuses, client_ids))]


def _scope(query: ModelSelect[Any], counselor_id: int | None,
           client_ids: Sequence[int] | None) -> ModelSelect[Any]:
    model: Any = query.model
    if client_ids is not None:
        return query.where(model.client.in_(list(client_ids)))
    if counselor_id is not None:
        return query.join(Client, on=(model.client == Client.id)).where(
            Client.counselor == counselor_id)
    return query


def _rows(query: SelectBase) -> Iterable[tuple[Any, ...]]:
    """The query's rows as the driver returns them."""
    return database.execute(query)  # type: ignore[no-any-return]


class Shared:
    """Values that one read meets again and again, made once and then shared.

    A caseload's sessions start and end on a few thousand distinct hours, its commitments and
    check-ins fall on a few hundred days, and a client's id comes back on every row of theirs:
    a year of a thousand clients is about 130,000 records, and one datetime, date or int object
    per field of each was a fifth of the records' memory (issue 7: ≤ 80 MiB with every client
    listed). Looking a raw value up is also faster than parsing it again. Records are frozen,
    so sharing a value between them is safe. One `Shared` lives only as long as one read.
    """

    __slots__ = ("instants", "days", "ints", "numbers", "texts")

    def __init__(self) -> None:
        self.instants: dict[Any, datetime | None] = {}
        self.days: dict[Any, date] = {}
        self.ints: dict[int, int] = {}
        self.numbers: dict[Any, float] = {}  # apart from ints: 36.0 == 36 would find an int
        self.texts: dict[str, str] = {}  # commitments written alike ("Call your sponsor")

    def instant(self, raw: Any) -> datetime | None:
        try:
            return self.instants[raw]
        except KeyError:
            made = self.instants[raw] = utc_from_db(raw)
            return made

    def day(self, raw: Any) -> date:
        try:
            return self.days[raw]
        except KeyError:
            made = self.days[raw] = _as_date(raw)
            return made

    def opt_day(self, raw: Any) -> date | None:
        return None if raw is None else self.day(raw)

    def int(self, raw: int | None) -> int | None:
        return None if raw is None else self.ints.setdefault(raw, raw)

    def text(self, raw: str | None) -> str:
        return "" if not raw else self.texts.setdefault(raw, raw)

    def number(self, raw: Any) -> float:
        try:
            return self.numbers[raw]
        except KeyError:
            made = self.numbers[raw] = float(raw)
            return made


def appointment_fact(row: tuple, shared: Shared | None = None  # type: ignore[type-arg]
                     ) -> AppointmentFact:
    (id_, client_id, starts, ends, outcome, client_late, counselor_late, requested,
     cancelled, series_id, version) = row
    share = shared or Shared()
    instant, same = share.instant, share.int
    return AppointmentFact(
        id_, same(client_id), instant(starts), instant(ends),  # type: ignore[arg-type]
        _OUTCOMES[outcome], client_late or 0, counselor_late or 0,
        _PARTIES[requested] if requested else None,
        instant(cancelled), same(series_id), version)


APPOINTMENT_COLUMNS = (
    Appointment.id, Appointment.client, Appointment.starts_at, Appointment.ends_at,
    Appointment.outcome, Appointment.client_late_min, Appointment.counselor_late_min,
    Appointment.requested_by, Appointment.cancelled_at, Appointment.series,
    Appointment.version,
)


def appointment_query(counselor_id: int | None, since: datetime, now: datetime,
                      client_ids: Sequence[int] | None = None) -> SelectBase:
    """Occurrences starting at or after `since`, then older ones still needing an outcome.

    (Those from `since` to `now` needing one are in the first half already.)
    """
    def select() -> ModelSelect[Any]:
        return _scope(Appointment.select(*APPOINTMENT_COLUMNS), counselor_id, client_ids)

    recent = select().where(Appointment.starts_at >= since)
    pending = select().where((Appointment.outcome == _SCHEDULED)
                             & (Appointment.starts_at < min(since, now)))
    return recent + pending  # unordered: see group_histories


def appointments_since(counselor_id: int | None, since: datetime, now: datetime,
                       client_ids: Sequence[int] | None = None,
                       shared: Shared | None = None) -> list[AppointmentFact]:
    """Occurrences starting at or after `since`, plus older ones still needing an outcome."""
    shared = shared or Shared()
    return [appointment_fact(r, shared)
            for r in _rows(appointment_query(counselor_id, since, now, client_ids))]


def _history(raw: object) -> tuple[DueChange, ...]:
    if not raw or raw == "[]":
        return ()
    return tuple(
        DueChange(old_due=date.fromisoformat(h["old_due"]), new_due=date.fromisoformat(
            h["new_due"]), changed_on=date.fromisoformat(h["changed_on"]),
            reason=h.get("reason", ""))
        for h in json.loads(str(raw)))


COMMITMENT_COLUMNS = (
    Commitment.id, Commitment.client, Commitment.owner, Commitment.text, Commitment.made_on,
    Commitment.due, Commitment.status, Commitment.done_on, Commitment.due_history,
    Commitment.note, Commitment.version,
)


def commitment_fact(row: tuple, shared: Shared | None = None  # type: ignore[type-arg]
                    ) -> CommitmentFact:
    id_, client_id, owner, text, made_on, due, status, done_on, history, note, version = row
    share = shared or Shared()
    day = share.day
    return CommitmentFact(
        id_, share.int(client_id), _PARTIES[owner], share.text(text), day(made_on),  # type: ignore[arg-type]
        day(due), _STATUSES[status], share.opt_day(done_on), _history(history),
        share.text(note), version)


def commitment_query(counselor_id: int | None, since: date,
                     client_ids: Sequence[int] | None = None) -> SelectBase:
    """Outstanding commitments, and any due or done since `since`.

    "Made since" needs no test of its own: a commitment is never due before it was made (a
    CHECK), so one made since is due since.
    """
    query = _scope(Commitment.select(*COMMITMENT_COLUMNS), counselor_id, client_ids)
    outstanding = [CommitmentStatus.OPEN.value, CommitmentStatus.RENEGOTIATED.value]
    query = query.where((Commitment.due >= since) | Commitment.status.in_(outstanding)
                        | (Commitment.done_on >= since))
    return query  # unordered: see group_histories


def commitments_since(counselor_id: int | None, since: date,
                      client_ids: Sequence[int] | None = None,
                      shared: Shared | None = None) -> list[CommitmentFact]:
    """Outstanding commitments, and any due, done or made since `since`."""
    shared = shared or Shared()
    return [commitment_fact(r, shared)
            for r in _rows(commitment_query(counselor_id, since, client_ids))]


CHECKIN_COLUMNS = (
    CheckIn.id, CheckIn.client, CheckIn.instrument, CheckIn.taken_on, CheckIn.total,
    CheckIn.discussed, CheckIn.appointment, CheckIn.comment, CheckIn.version,
)


def checkin_fact(row: tuple, shared: Shared | None = None  # type: ignore[type-arg]
                 ) -> CheckInFact:
    id_, client_id, instrument, taken_on, total, discussed, appointment_id, comment, version = row
    share = shared or Shared()
    return CheckInFact(id_, share.int(client_id), _INSTRUMENTS[instrument],  # type: ignore[arg-type]
                       share.day(taken_on), share.number(total), (), bool(discussed),
                       share.int(appointment_id), share.text(comment), version)


def checkin_query(counselor_id: int | None, since: date,
                  client_ids: Sequence[int] | None = None) -> SelectBase:
    """Check-ins taken since `since`, then older ones never discussed."""
    def select() -> ModelSelect[Any]:
        return _scope(CheckIn.select(*CHECKIN_COLUMNS), counselor_id, client_ids)

    recent = select().where(CheckIn.taken_on >= since)
    undiscussed = select().where((CheckIn.discussed == _FALSE) & (CheckIn.taken_on < since))
    return recent + undiscussed  # unordered: see group_histories


def checkins_since(counselor_id: int | None, since: date,
                   client_ids: Sequence[int] | None = None,
                   shared: Shared | None = None) -> list[CheckInFact]:
    """Check-ins taken since `since`, plus any never discussed (they stay flagged)."""
    shared = shared or Shared()
    return [checkin_fact(r, shared) for r in _rows(checkin_query(counselor_id, since, client_ids))]


def snapshot_sql(counselor_id: int | None, since: datetime, now: datetime
                 ) -> dict[str, tuple[str, list[Any]]]:
    """The SQL and parameters of `load_histories`' window queries (for EXPLAIN)."""
    return {"appointments": appointment_query(counselor_id, since, now).sql(),
            "commitments": commitment_query(counselor_id, since.date()).sql(),
            "checkins": checkin_query(counselor_id, since.date()).sql()}


_BY_START = attrgetter("start", "id")
_BY_DUE = attrgetter("due", "id")
_BY_DAY = attrgetter("on", "id")


def _in_order(facts: list[T], key: Callable[[T], Any]) -> tuple[T, ...]:
    """`facts` sorted by `key` (mostly in order already: a pass of comparisons)."""
    facts.sort(key=key)
    return tuple(facts)


def group_histories(clients: Iterable[ClientFact], appointments: Iterable[AppointmentFact],
                    commitments: Iterable[CommitmentFact],
                    checkins: Iterable[CheckInFact]) -> list[ClientHistory]:
    """Assemble per-client histories from flat lists in any order.

    Each client's sessions come out by start, commitments by due date and check-ins by day
    (then by id). The window queries leave the order to this function: sorting a thousand
    clients' year in SQLite took a 5 MB sort buffer at the peak of the app's memory
    (issue 7), while a client's few dozen facts are put in order here in no time.
    """
    appts: dict[int, list[AppointmentFact]] = defaultdict(list)
    comms: dict[int, list[CommitmentFact]] = defaultdict(list)
    checks: dict[int, list[CheckInFact]] = defaultdict(list)
    for a in appointments:
        appts[a.client_id].append(a)
    for c in commitments:
        comms[c.client_id].append(c)
    for k in checkins:
        checks[k.client_id].append(k)
    none: list[Any] = []
    return [ClientHistory(client=c, appointments=_in_order(appts.get(c.id, none), _BY_START),
                          commitments=_in_order(comms.get(c.id, none), _BY_DUE),
                          checkins=_in_order(checks.get(c.id, none), _BY_DAY))
            for c in clients]


def replacing_appointment(fact: AppointmentFact
                          ) -> Callable[[tuple[ClientHistory, ...]], tuple[ClientHistory, ...]]:
    """A `cache.Change.patch` for cached histories: `fact` in place of its earlier version."""
    def patch(histories: tuple[ClientHistory, ...]) -> tuple[ClientHistory, ...]:
        out = list(histories)
        for i, history in enumerate(out):
            if history.client.id != fact.client_id:
                continue
            found = [j for j, a in enumerate(history.appointments) if a.id == fact.id]
            if found:
                appointments = list(history.appointments)
                appointments[found[0]] = fact
                out[i] = replace(history, appointments=tuple(appointments))
        return tuple(out)

    return patch


def load_histories(counselor_id: int | None, since: datetime, now: datetime, *,
                   statuses: Sequence[ClientStatus] | None = None,
                   client_ids: Sequence[int] | None = None) -> list[ClientHistory]:
    """Every client's history since `since`, in four queries whatever the caseload's size.

    Read again only when the database has changed since the same read (`store.cache`; what is
    read depends on `since`, not on `now`, as long as `since` is before `now`).
    """
    def read() -> tuple[ClientHistory, ...]:
        return tuple(_load_histories(counselor_id, since, now, statuses, client_ids))

    if since >= now:
        return list(read())
    key = ("histories", counselor_id, since, tuple(statuses or ()),
           None if client_ids is None else tuple(client_ids))
    return list(cache.cached(key, read))


def _load_histories(counselor_id: int | None, since: datetime, now: datetime,
                    statuses: Sequence[ClientStatus] | None,
                    client_ids: Sequence[int] | None) -> list[ClientHistory]:
    clients = client_facts(counselor_id, statuses, client_ids)
    if not clients:
        return []
    scope_ids = client_ids
    if statuses:
        scope_ids = [c.id for c in clients] if client_ids is None else client_ids
        wanted = {c.id for c in clients}
    else:
        wanted = None
    since_day = since.date()
    listed = scope_ids if scope_ids is not None and len(scope_ids) < 500 else None
    shared = Shared()
    shared.ints.update((c.id, c.id) for c in clients)
    appointments = appointments_since(counselor_id, since, now, listed, shared)
    commitments = commitments_since(counselor_id, since_day, listed, shared)
    # A check-in's session is nearly always one of the sessions just read: it shares their id.
    shared.ints.update((a.id, a.id) for a in appointments)
    checkins = checkins_since(counselor_id, since_day, listed, shared)
    if wanted is not None:
        appointments = [a for a in appointments if a.client_id in wanted]
        commitments = [c for c in commitments if c.client_id in wanted]
        checkins = [k for k in checkins if k.client_id in wanted]
    return group_histories(clients, appointments, commitments, checkins)
