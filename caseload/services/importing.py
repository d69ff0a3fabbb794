"""Importing files into the caseload: all rows or none, every row audited.

`import_tables` takes tables read by `caseload.io.csv_io` and, inside one transaction:

1. checks every row against the database, in batches (one query per table, never one per row):
   the client must be on this counselor's caseload (or in the same import), a series, an
   appointment or a goal a row names must exist, and a row whose natural key is already in the
   database must say the same as the database (then it is left alone: re-importing a file adds
   nothing) or it is a "duplicate" problem: an import never overwrites;
2. if any table has a problem, writes nothing and returns every problem;
3. otherwise inserts the new rows with multi-row INSERTs and writes one audit event per new row
   (action "import", the row's values as `after`) plus one per table (entity "import": the
   file, how many rows were added and how many were already there).

A dry run does all of it and rolls back, so it finds exactly what a real run would.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import msgspec
from peewee import Case, Database, Field, Model, SqliteDatabase, chunked

from caseload.domain import instruments
from caseload.io import cells
from caseload.io.cells import Context
from caseload.io.columns import SPECS, KindSpec
from caseload.io.csv_io import Parsed, Problem, Table
from caseload.io.rows import KINDS, ExportData
from caseload.services import audit
from caseload.services.exporting import load_export
from caseload.services.session import Session
from caseload.store.db import bulk_write_cache
from caseload.store.models import (
    Appointment,
    AppointmentSeries,
    AuditEvent,
    CheckIn,
    CheckInItem,
    Client,
    Commitment,
    Goal,
    database,
)

BATCH = 500
# Bookkeeping that changes on its own after an import (the app books a series ahead), so a
# re-import is not a conflict when it differs.
NOT_COMPARED = frozenset({"materialized_until"})

Progress = Callable[[int], None]


class TableResult(msgspec.Struct, frozen=True, gc=False):
    """What an import did (or would do) with one table."""

    kind: str
    source: str
    rows: int
    added: int
    unchanged: int
    ignored: tuple[str, ...] = ()


class ImportResult(msgspec.Struct, frozen=True, gc=False):
    """The outcome of an import: per-table counts, or every problem (then nothing changed)."""

    tables: tuple[TableResult, ...]
    problems: tuple[Problem, ...]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tables)

    @property
    def bad_rows(self) -> int:
        return len({(p.source, p.line) for p in self.problems})


def context(session: Session) -> Context:
    """The parsing context of this session: its clock in the clinic's zone."""
    return Context(now=session.now())


def _transaction(db: Database) -> Any:
    # IMMEDIATE takes the write lock before the checks read, so no other process can add a
    # conflicting row between the checks and the writes.
    return db.atomic(lock_type="IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic()


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def _shown(value: Any) -> str:
    text = cells.show_value(value)
    return cells.echo(text) if text else "(empty)"


@dataclass
class _Plan:
    """The checks of one import, and what it will add."""

    session: Session
    existing: ExportData
    tables: Sequence[Table]
    problems: list[Problem] = field(default_factory=list)
    new: dict[str, list[Parsed]] = field(default_factory=lambda: defaultdict(list))
    unchanged: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    others: set[str] = field(default_factory=set)
    keys: dict[str, set[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        """Index what the rows may refer to: the database's rows and the import's own."""
        others = Client.select(Client.record_number).where(
            Client.counselor != self.session.counselor_id)
        self.others = {str(number) for number in others.scalars()}
        for kind in KINDS:
            self.keys[kind].update(SPECS[kind].key(r) for r in self.existing.rows(kind))
        for table in self.tables:
            self.keys[table.kind].update(SPECS[table.kind].key(p.record) for p in table.rows)

    def _refers(self, kind: str, row: Any) -> list[tuple[str, str, str]]:
        """Problems with what a row refers to: its client, series, appointment or goal."""
        if kind == "clients":
            return []
        ref = row.client_ref
        if (ref,) not in self.keys["clients"]:
            return [("client_ref", "unknown client", f"no client with record number "
                     f"{cells.echo(ref)} on your caseload; import the clients first.")]
        issues = []
        named = (("series_start", "series", "unknown series", "no series starting"),
                 ("rescheduled_to", "appointments", "unknown appointment", "no appointment at"),
                 ("appointment_start", "appointments", "unknown appointment",
                  "no appointment at"))
        for column, target, reason, words in named:
            when = getattr(row, column, None)
            if when is not None and (ref, when) not in self.keys[target]:
                issues.append((column, reason, f"{ref} has {words} {_when(when)}."))
        goal = getattr(row, "goal", "") if kind == "commitments" else ""
        if goal and (ref, goal) not in self.keys["goals"]:
            issues.append(("goal", "unknown goal", f"{ref} has no goal {cells.echo(goal)}."))
        return issues

    def _difference(self, spec: KindSpec, columns: frozenset[str], row: Any,
                    old: Any) -> str | None:
        """The first column (present in the file) on which `row` and `old` differ."""
        for column in spec.columns:
            if column.name in columns and column.name not in NOT_COMPARED \
                    and getattr(row, column.field) != getattr(old, column.field):
                return column.name
        return None

    def check(self, index: int, table: Table) -> None:
        """Sort the table's rows into new, already there, and problems."""
        spec = SPECS[table.kind]
        present: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for old in self.existing.rows(table.kind):
            present[spec.key(old)].append(old)
        for parsed in table.rows:
            row = parsed.record
            issues = self._refers(table.kind, row)
            olds = present.get(spec.key(row), [])
            if table.kind == "clients" and row.record_number in self.others:
                issues.append(("record_number", "duplicate", f"record number "
                               f"{cells.echo(row.record_number)} is already used by another "
                               "counselor's client."))
            elif olds and not issues:
                differences = [self._difference(spec, table.columns, row, old) for old in olds]
                if None in differences:
                    self.unchanged[index] += 1
                    continue
                column = differences[0]
                assert column is not None
                name = spec.columns[spec.names.index(column)].field
                issues.append((spec.key_column, "duplicate", (
                    f"{spec.describe(row)} is already in the database with {column} "
                    f"{_shown(getattr(olds[0], name))}; this row has "
                    f"{_shown(getattr(row, name))}.")))
            if issues:
                self.problems.extend(Problem(table.source, parsed.line, c, r, d)
                                     for c, r, d in issues)
            else:
                self.new[table.kind].append(parsed)


class _Writer:
    """Inserts the new rows kind by kind, mapping natural keys to the ids they get."""

    def __init__(self, session: Session, existing: ExportData, new: dict[str, list[Parsed]],
                 progress: Progress | None) -> None:
        self.session = session
        self.now = session.clock().astimezone(UTC)
        self.new = {kind: [p.record for p in rows] for kind, rows in new.items()}
        self.progress = progress or (lambda _n: None)
        self.audit: list[tuple[str, int | None, int | None, dict[str, Any] | None]] = []
        self.ids: dict[str, dict[tuple[Any, ...], int]] = defaultdict(dict)
        for kind in KINDS:
            spec = SPECS[kind]
            self.ids[kind].update((spec.key(r), r.id) for r in existing.rows(kind))
        self.positions: dict[str, int] = defaultdict(int)
        for goal in existing.goals:
            self.positions[goal.client_ref] = max(self.positions[goal.client_ref],
                                                  (goal.position or 0) + 1)

    def _insert(self, model: type[Model], entity: str, rows: list[dict[str, Any]],
                keys: list[tuple[Any, ...]], key_fields: Sequence[Field]) -> list[int]:
        """Insert rows; return their ids in order, found again by their natural keys."""
        _bulk_insert(model, rows, self.progress)
        scope = (Client.counselor == self.session.counselor_id if model is Client else
                 model.client.in_(Client.select(Client.id).where(  # type: ignore[attr-defined]
                     Client.counselor == self.session.counselor_id)))
        wanted = set(keys)
        by_key = {}
        query = model.select(model._meta.primary_key, *key_fields).where(scope)
        for found in cast(Iterable[tuple[Any, ...]], query.tuples()):
            if tuple(found[1:]) in wanted:
                by_key[tuple(found[1:])] = found[0]
        ids = [by_key[key] for key in keys]
        for row, id_ in zip(rows, ids, strict=True):
            self.audit.append((entity, id_, row.get("client", id_), {**row, "id": id_}))
        return ids

    def client_id(self, ref: str) -> int:
        return self.ids["clients"][(ref,)]

    def clients(self) -> None:
        rows = [{"display_name": c.name, "record_number": c.record_number,
                 "intake_date": c.intake_date, "status": c.status.value,
                 "counselor": self.session.counselor_id, "cadence_days": c.cadence_days,
                 "focus": c.focus, "created_at": self.now} for c in self.new["clients"]]
        keys = [(c.record_number,) for c in self.new["clients"]]
        ids = self._insert(Client, "client", rows, keys, [Client.record_number])
        self.ids["clients"].update(zip(keys, ids, strict=True))

    def goals(self) -> None:
        rows, keys = [], []
        for g in self.new["goals"]:
            position = g.position
            if position is None:
                position = self.positions[g.client_ref]
            self.positions[g.client_ref] = max(self.positions[g.client_ref], position + 1)
            rows.append({"client": self.client_id(g.client_ref), "text": g.text,
                         "position": position, "active": g.active, "created_on": g.created_on})
            keys.append((self.client_id(g.client_ref), g.text))
        ids = self._insert(Goal, "goal", rows, keys, [Goal.client, Goal.text])
        self.ids["goals"].update(((g.client_ref, g.text), i)
                                 for g, i in zip(self.new["goals"], ids, strict=True))

    def series(self) -> None:
        records = self.new["series"]
        rows = [{"client": self.client_id(s.client_ref), "rrule": s.rrule, "dtstart": s.start,
                 "tzname": s.timezone, "duration_min": s.duration_min, "kind": s.kind,
                 "location": s.location, "ended": s.ended,
                 "materialized_until": s.materialized_until or s.start,
                 "created_at": self.now} for s in records]
        keys = [(r["client"], r["dtstart"]) for r in rows]
        ids = self._insert(AppointmentSeries, "appointment_series", rows, keys,
                           [AppointmentSeries.client, AppointmentSeries.dtstart])
        self.ids["series"].update(((s.client_ref, s.start), i)
                                  for s, i in zip(records, ids, strict=True))

    def appointments(self) -> None:
        records = self.new["appointments"]
        rows = []
        for a in records:
            series = (self.ids["series"][(a.client_ref, a.series_start)]
                      if a.series_start is not None else None)
            rows.append({
                "client": self.client_id(a.client_ref), "series": series,
                "recurrence_id": a.recurrence_id, "starts_at": a.start,
                "ends_at": a.start + timedelta(minutes=a.duration_min), "kind": a.kind,
                "location": a.location, "outcome": a.outcome.value,
                "client_late_min": a.client_late_min,
                "counselor_late_min": a.counselor_late_min, "cancelled_at": a.cancelled_at,
                "requested_by": a.requested_by.value if a.requested_by else None,
                "detached": a.detached})
        keys = [(r["client"], r["starts_at"]) for r in rows]
        first = len(self.audit)
        ids = self._insert(Appointment, "appointment", rows, keys,
                           [Appointment.client, Appointment.starts_at])
        self.ids["appointments"].update(((a.client_ref, a.start), i)
                                        for a, i in zip(records, ids, strict=True))
        links = {}
        for offset, (a, id_) in enumerate(zip(records, ids, strict=True)):
            if a.rescheduled_to is not None:
                target = self.ids["appointments"][(a.client_ref, a.rescheduled_to)]
                links[id_] = target
                self.audit[first + offset][3]["rescheduled_to"] = target  # type: ignore[index]
        for batch in chunked(list(links.items()), BATCH):
            Appointment.update(rescheduled_to=Case(Appointment.id, batch)).where(
                Appointment.id.in_([id_ for id_, _ in batch])).execute()

    def _appointment(self, ref: str, start: datetime | None) -> int | None:
        return None if start is None else self.ids["appointments"][(ref, start)]

    def commitments(self) -> None:
        records = self.new["commitments"]
        rows = [{"client": self.client_id(c.client_ref), "owner": c.owner.value,
                 "text": c.text, "made_on": c.made_on, "due": c.due, "status": c.status.value,
                 "done_on": c.done_on, "note": c.note,
                 "due_history": json.dumps(cells.history_list(c.due_history)),
                 "goal": self.ids["goals"][(c.client_ref, c.goal)] if c.goal else None,
                 "appointment": self._appointment(c.client_ref, c.appointment_start)}
                for c in records]
        keys = [(r["client"], r["owner"], r["text"], r["made_on"]) for r in rows]
        self._insert(Commitment, "commitment", rows, keys,
                     [Commitment.client, Commitment.owner, Commitment.text, Commitment.made_on])

    def checkins(self) -> None:
        records = self.new["checkins"]
        rows = [{"client": self.client_id(k.client_ref), "instrument": k.instrument.value,
                 "taken_on": k.taken_on, "total": instruments.total(k.instrument, k.items),
                 "appointment": self._appointment(k.client_ref, k.appointment_start),
                 "discussed": k.discussed, "comment": k.comment, "created_at": self.now}
                for k in records]
        keys = [(r["client"], r["taken_on"], r["instrument"]) for r in rows]
        first = len(self.audit)
        ids = self._insert(CheckIn, "checkin", rows, keys,
                           [CheckIn.client, CheckIn.taken_on, CheckIn.instrument])
        items: list[dict[str, Any]] = []
        for offset, (k, id_) in enumerate(zip(records, ids, strict=True)):
            self.audit[first + offset][3]["items"] = list(k.items)  # type: ignore[index]
            items.extend({"checkin": id_, "position": n, "score": score}
                         for n, score in enumerate(k.items, start=1))
        _bulk_insert(CheckInItem, items)

    def write_audit(self) -> None:
        """One audit event per new row, in batches, as `audit.record` would write them."""
        _bulk_insert(AuditEvent, [
            audit.event_values(self.session, "import", entity, id_, client_id, None, after)
            for entity, id_, client_id, after in self.audit])


def _bulk_insert(model: type[Model], rows: list[dict[str, Any]],
                 progress: Progress | None = None) -> None:
    """INSERT rows with the driver's executemany, in batches.

    Values go through each field's `db_value` and missing fields get the model's defaults, as
    in Peewee's own inserts; Peewee's per-row SQL building would take most of the time.
    """
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not f.primary_key]
    defaults = {f.name: f.default() if callable(f.default) else f.default for f in fields}
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join([database.obj.param] * len(fields))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    cursor = database.obj.cursor()
    for batch in chunked(rows, BATCH):
        cursor.executemany(sql, [tuple(f.db_value(row.get(f.name, defaults[f.name]))
                                       for f in fields) for row in batch])
        if progress is not None:
            progress(len(batch))


def _sorted_problems(tables: Sequence[Table], extra: Iterable[Problem]) -> tuple[Problem, ...]:
    order = {t.source: n for n, t in enumerate(tables)}
    problems = [p for t in tables for p in t.problems] + list(extra)
    return tuple(sorted(problems, key=lambda p: (order.get(p.source, 0), p.line)))


def import_tables(session: Session, tables: Sequence[Table], *, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportResult:
    """Check every row of `tables` and, if all are good, add the new ones in one transaction."""
    if session.read_only:
        raise audit.ReadOnlySession(
            f"Read-only: {session.read_only_reason}; nothing was imported."
            if session.read_only_reason else
            "You are signed in read-only (supervisor); nothing was imported.")
    tables = sorted(tables, key=lambda t: KINDS.index(t.kind))
    db = database.obj
    with bulk_write_cache(), _transaction(db) as transaction:
        plan = _Plan(session, load_export(session), tables)
        for index, table in enumerate(tables):
            plan.check(index, table)
        problems = _sorted_problems(tables, plan.problems)
        results = tuple(
            TableResult(t.kind, t.source, t.row_count, len(plan.new[t.kind]), plan.unchanged[n],
                        t.ignored) for n, t in enumerate(tables))
        if problems:
            transaction.rollback()
            return ImportResult(results, problems, dry_run)
        writer = _Writer(session, plan.existing, plan.new, progress)
        for kind in KINDS:
            if writer.new.get(kind):
                getattr(writer, kind)()
        writer.write_audit()
        for result in results:
            audit.record(session, "import", "import", None, None, None, {
                "kind": result.kind, "source": result.source, "rows": result.rows,
                "added": result.added, "unchanged": result.unchanged})
        if dry_run:
            transaction.rollback()
    return ImportResult(results, (), dry_run)
