"""A counselor's stream of writes through the services, and the checks of what it left behind.

`Workload.step()` performs one write chosen at random (seeded): add a commitment, complete or
renegotiate one, book a past session, record its outcome, record a check-in with its items, mark
one discussed. It returns a report of what was committed: entity, id, and the version the row
reached. Changes pass `expected_version` where the service takes it, as the app does.

`check_database()` then proves the database is whole: SQLite's integrity and foreign-key checks,
every reported write present in the audit trail, and nothing half-written anywhere (a check-in
without its items, a change without its audit row, an audit row without its change).
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from caseload.domain.instruments import SPECS
from caseload.domain.records import (
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
    Settings,
    ValidationError,
)
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.audit import snapshot as audit_snapshot
from caseload.services.session import Session, ensure_counselor
from caseload.services.versions import StaleRecord
from caseload.store.db import Location, close_database, is_sqlite, open_database
from caseload.store.models import (
    Appointment,
    AuditEvent,
    CheckIn,
    CheckInItem,
    Commitment,
    database,
)

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=NY)
SETTINGS = Settings(timezone="America/New_York")

# The audit action that creates each versioned entity; every other action on it is a change.
CREATED = {"commitment": "add", "appointment": "schedule", "checkin": "add"}
MODELS = {"commitment": Commitment, "appointment": Appointment, "checkin": CheckIn}
CHANGE_OUTCOMES = (Outcome.KEPT, Outcome.NO_SHOW, Outcome.LATE_CANCEL, Outcome.CLIENT_CANCELLED,
                   Outcome.COUNSELOR_CANCELLED)


# What another session's change can make a change refused with, besides StaleRecord: the row was
# read (with its new version) after the other session had already finished it.
REFUSALS = frozenset({"This commitment is already done.",
                      "Only an open commitment can be renegotiated."})


def session_for(login: str = "dana") -> Session:
    """A session on the open database, with the tests' pinned clock."""
    counselor = ensure_counselor(login, login.title())
    return Session(actor=login, counselor_id=counselor.id, counselor_name=login.title(),
                   settings=SETTINGS, clock=lambda: NOW.astimezone(UTC))


def seed_caseload(session: Session, count: int = 4) -> list[int]:
    """A few clients to write about (made once, before any child starts)."""
    return [clients.add_client(session, f"Client {n} Example", f"RL-{n:03d}",
                               date(2026, 9, 1)).id for n in range(1, count + 1)]


def valid_items(rng: random.Random, instrument: Instrument) -> list[float]:
    """Item scores an instrument accepts."""
    spec = SPECS[instrument]
    if spec.decimals == 0:
        return [float(rng.randint(int(spec.low), int(spec.high))) for _ in range(spec.count)]
    return [rng.randint(int(spec.low * 10), int(spec.high * 10)) / 10 for _ in range(spec.count)]


@dataclass
class Workload:
    """One process's writes; `tag` makes every row it adds recognisable."""

    session: Session
    rng: random.Random
    clients: list[int]
    tag: str
    count: int = 0
    stale: int = 0
    refused: Counter[str] = field(default_factory=Counter)

    def _pick(self, query: Any) -> Any | None:
        ids = [row.id for row in query.limit(40)]
        return self.rng.choice(ids) if ids else None

    def step(self) -> dict[str, Any] | None:
        """One write; its report, or None when it was refused as stale (a concurrent edit)."""
        self.count += 1
        op = self.rng.choices(
            ("add_commitment", "change_commitment", "schedule", "outcome", "checkin",
             "discussed"),
            weights=(3, 3, 3, 3, 3, 1))[0]
        try:
            return getattr(self, op)()
        except StaleRecord:
            self.stale += 1
        except ValidationError as refusal:  # the row changed before it was read (see REFUSALS)
            self.refused[refusal.message] += 1
        return None

    def add_commitment(self) -> dict[str, Any]:
        made = NOW.date() - timedelta(days=self.rng.randint(0, 20))
        fact = commitments.add(self.session, self.rng.choice(self.clients),
                               self.rng.choice((Party.COUNSELOR, Party.CLIENT)),
                               f"{self.tag}-{self.count} call about the meeting",
                               made + timedelta(days=self.rng.randint(0, 14)), made_on=made)
        return {"op": "add", "entity": "commitment", "id": fact.id, "version": 1,
                "text": fact.text}

    def change_commitment(self) -> dict[str, Any] | None:
        target = self._pick(Commitment.select(Commitment.id).where(
            Commitment.status.in_([CommitmentStatus.OPEN.value,
                                   CommitmentStatus.RENEGOTIATED.value]))
            .order_by(Commitment.id.desc()))
        if target is None:
            return self.add_commitment()
        version = commitments.version_of(self.session, target)
        current = commitments.get(self.session, target)
        if self.rng.random() < 0.5 and current.made_on <= NOW.date():
            commitments.complete(self.session, target, expected_version=version)
        else:
            new_due = max(current.due, NOW.date()) + timedelta(days=self.rng.randint(1, 9))
            commitments.renegotiate(self.session, target, new_due, "agreed with the client",
                                    expected_version=version)
        return {"op": "change", "entity": "commitment", "id": target, "version": version + 1}

    def schedule(self) -> dict[str, Any]:
        start = NOW - timedelta(days=self.rng.randint(1, 60), hours=self.rng.randint(0, 6))
        fact = appointments.schedule_single(self.session, self.rng.choice(self.clients),
                                            start.replace(minute=0, second=0, microsecond=0),
                                            location=f"{self.tag}-{self.count}")
        return {"op": "add", "entity": "appointment", "id": fact.id, "version": 1}

    def outcome(self) -> dict[str, Any] | None:
        target = self._pick(Appointment.select(Appointment.id).where(
            (Appointment.outcome != Outcome.RESCHEDULED.value)
            & (Appointment.starts_at < NOW)).order_by(Appointment.id.desc()))
        if target is None:
            return self.schedule()
        version = appointments.version_of(self.session, target)
        appointments.record_outcome(self.session, target, self.rng.choice(CHANGE_OUTCOMES),
                                    expected_version=version)
        return {"op": "change", "entity": "appointment", "id": target, "version": version + 1}

    def checkin(self) -> dict[str, Any]:
        instrument = self.rng.choice(tuple(Instrument))
        items = valid_items(self.rng, instrument)
        result = checkins.record(self.session, self.rng.choice(self.clients), instrument, items,
                                 taken_on=NOW.date() - timedelta(days=self.rng.randint(0, 30)),
                                 comment=f"{self.tag}-{self.count}")
        return {"op": "add", "entity": "checkin", "id": result.checkin.id, "version": 1,
                "items": len(items)}

    def discussed(self) -> dict[str, Any] | None:
        target = self._pick(CheckIn.select(CheckIn.id).order_by(CheckIn.id.desc()))
        if target is None:
            return self.checkin()
        fact = checkins.mark_discussed(self.session, target,
                                       discussed=self.rng.random() < 0.8)
        version = CheckIn.get_by_id(fact.id).version  # mark_discussed takes no version
        return {"op": "change", "entity": "checkin", "id": target, "version": version}


def open_for_check(location: Location) -> None:
    """Open the database as the next session would (after a crash: WAL recovery runs here)."""
    close_database()
    open_database(location, create=False)


def _json(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def check_database(location: Location, reports: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Open the database as the next session would, assert it is whole and holds every
    reported write (`assert_consistent`); returns row counts."""
    open_for_check(location)
    try:
        return assert_consistent(reports)
    finally:
        close_database()


def _made_in_bulk(entity: str, snapshot: dict[str, Any]) -> bool:
    """An occurrence booked by its series (audited as the series' event, not one by one)."""
    return entity == "appointment" and snapshot.get("recurrence_id") is not None


def assert_consistent(reports: Iterable[dict[str, Any]] = ()) -> dict[str, int]:
    """Assert the open database is whole and holds every reported write; returns row counts.

    Whole: SQLite's integrity and foreign-key checks; every check-in has all its items; every
    versioned row (commitment, appointment, check-in) has its creation event and one audit
    event per change, in an unbroken chain of versions, the last one showing the row as it
    is; every audit event's row exists (or went with its series). Reported: each write a
    process said was committed is in the audit trail at the version it reported.
    """
    if is_sqlite():
        assert database.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    events: dict[tuple[str, int], list[tuple[str, dict[str, Any], dict[str, Any]]]] = (
        defaultdict(list))
    for action, entity, entity_id, before, after in (
            AuditEvent.select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id,
                              AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.entity.in_(list(MODELS))).order_by(AuditEvent.id).tuples()):
        events[(entity, entity_id)].append((action, _json(before), _json(after)))
    rows = {entity: {r.id: r for r in model.select()} for entity, model in MODELS.items()}
    items: Counter[int] = Counter()
    positions: dict[int, set[int]] = defaultdict(set)
    for checkin_id, position in CheckInItem.select(CheckInItem.checkin,
                                                    CheckInItem.position).tuples():
        items[checkin_id] += 1
        positions[checkin_id].add(position)

    for entity, by_id in rows.items():
        for row_id, row in by_id.items():
            trail = events.get((entity, row_id), [])
            created = [e for e in trail if e[0] in (CREATED[entity], "import")]
            bulk = not created and _made_in_bulk(entity, audit_snapshot(row))
            assert len(created) == 1 or bulk, (
                f"{entity} {row_id}: {len(created)} creation events")
            assert bulk or trail[0] == created[0], f"{entity} {row_id}: changed before made"
            assert len(trail) == row.version - (1 if bulk else 0), (
                f"{entity} {row_id}: version {row.version} but {len(trail)} audit events")
            if trail:
                assert trail[-1][2].get("version") == row.version, (
                    f"{entity} {row_id}: its last audit event is not its last change")
            changes = trail if bulk else trail[1:]
            for number, (_action, before, after) in enumerate(changes, start=1):
                assert before.get("version") == number and after["version"] == number + 1, (
                    f"{entity} {row_id}: audit trail skips or repeats a version")
    for (entity, row_id), trail in events.items():
        assert row_id in rows[entity] or _made_in_bulk(entity, trail[-1][2] or trail[-1][1]), (
            f"an audit event for {entity} {row_id}, which is gone")
    for checkin_id, row in rows["checkin"].items():
        expected = SPECS[Instrument(row.instrument)].count
        assert items[checkin_id] == expected, f"check-in {checkin_id} lacks items"
        assert positions[checkin_id] == set(range(1, expected + 1))

    for report in reports:
        if report.get("op") not in ("add", "change"):
            continue
        key = (report["entity"], report["id"])
        assert report["id"] in rows[report["entity"]], f"reported {key} is missing"
        versions = [after.get("version") for _a, _b, after in events[key]]
        assert report["version"] in versions, (
            f"reported {key} at version {report['version']}, the trail has {versions}")
    return {entity: len(by_id) for entity, by_id in rows.items()}


def assert_no_control_text() -> None:
    """No text stored anywhere holds a control character (an escape sequence, a line break):
    whatever was typed or imported, a name can never drive the terminal it is shown on."""
    import unicodedata

    from peewee import TextField

    from caseload.store.models import MODELS as ALL_MODELS

    allowed_json = {"before", "after", "due_history", "summary", "rrule"}
    for model in ALL_MODELS:
        texts = [f for f in model._meta.sorted_fields
                 if isinstance(f, TextField) and f.name not in allowed_json]
        if not texts:
            continue
        for row in model.select(*texts).tuples():
            for value in row:
                if isinstance(value, str):
                    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf")
                           and c != "\u200d"]
                    assert not bad, f"{model.__name__} holds {value!r}"
