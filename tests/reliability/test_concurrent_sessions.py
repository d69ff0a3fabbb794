"""Concurrent sessions: four processes write to one database at once, and nothing is lost.

Four processes (the same counselor in four terminals) record outcomes, commitments and check-ins
on the same clients at the same time, several hundred writes each. Afterwards:

* every write a process reported is there exactly once (each added row once, each change one
  audit event), and the whole database passes `workload.check_database`;
* no process saw an unexpected error: "database is locked" would be one. On SQLite every write
  transaction begins with BEGIN IMMEDIATE and waits up to busy_timeout for its turn (see
  `caseload.store.db`); on PostgreSQL rows are locked by the update itself;
* no update was lost: a change passes the version it read (`expected_version`); when another
  session changed the row in between, the change is refused with `StaleRecord` ("changed in
  another session") and nothing is written, so the audit trail of every row is one unbroken
  chain of versions.

Runs on SQLite, and on PostgreSQL with CASELOAD_TEST_BACKEND=postgres.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import CURRENT_VERSION
from caseload.store.models import Appointment as AppointmentRow
from caseload.store.models import AuditEvent, CheckIn, Client, Commitment, SchemaVersion
from tests.reliability import figures
from tests.reliability.processes import Report, fork_child
from tests.reliability.workload import (
    REFUSALS,
    Workload,
    check_database,
    seed_caseload,
    session_for,
)


def _session_process(location: Location, seed: int, writes: int, start_at: float
                     ) -> Callable[[Report], None]:
    def body(report: Report) -> None:
        open_database(location, create=False)
        session = session_for()
        ids = [c.id for c in Client.select(Client.id)]
        work = Workload(session, random.Random(seed), ids, tag=f"p{seed}")
        time.sleep(max(0.0, start_at - time.time()))  # all four start together
        while work.count < writes:
            done = work.step()
            if done is not None:
                report(done)
        report({"op": "stale", "count": work.stale, "refused": dict(work.refused)})

    return body


def run_sessions(location: Location, processes: int, writes: int) -> tuple[int, int]:
    """Run the sessions at once; check exactly-once; return (writes reported, stale refusals)."""
    seed_caseload(open_session_for_seed())
    close_database()
    start_at = time.time() + 0.2
    children = [fork_child(_session_process(location, seed, writes, start_at))
                for seed in range(1, processes + 1)]
    for child in children:
        child.wait(timeout=300)
    errors = [e for child in children for e in child.errors]
    assert errors == [], errors
    reports = [r for child in children for r in child.reports if r["op"] in ("add", "change")]
    ends = [r for child in children for r in child.reports if r["op"] == "stale"]
    assert len(ends) == processes
    refused = {message for r in ends for message in r["refused"]}
    assert refused <= REFUSALS, refused
    stale = sum(r["count"] + sum(r["refused"].values()) for r in ends)
    assert len(reports) + stale >= processes * writes * 0.95

    check_database(location, reports)
    open_database(location, create=False)
    added = Counter((r["entity"], r["id"]) for r in reports if r["op"] == "add")
    assert max(added.values()) == 1, "two processes were given the same new row"
    # Each process's rows carry its tag: each is there exactly once.
    tagged = Counter(t.split("-")[0] for (t,) in Commitment.select(Commitment.text).tuples())
    tagged += Counter(t.split("-")[0] for (t,) in CheckIn.select(CheckIn.comment).tuples())
    tagged += Counter(t.split("-")[0] for (t,) in
                      AppointmentRow.select(AppointmentRow.location).tuples())
    reported_adds = Counter(f"p{seed}" for seed, child in enumerate(children, start=1)
                            for r in child.reports if r["op"] == "add")
    assert tagged == reported_adds
    # Each change reported is one audit event, and there is no other.
    changes = Counter((r["entity"], r["id"]) for r in reports if r["op"] == "change")
    events = Counter((e, i) for e, i, a in AuditEvent.select(
        AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action).tuples()
        if e in ("commitment", "appointment", "checkin") and a not in ("add", "schedule"))
    assert events == changes
    close_database()
    figures.add("concurrent_writes", len(reports))
    figures.add("stale_refusals", stale)
    return len(reports), stale


def open_session_for_seed():  # type: ignore[no-untyped-def]
    return session_for()


def test_four_sessions_at_once(db_path: Path, db_location: Location) -> None:
    """Four processes, 250 writes each, on the same clients."""
    written, _stale = run_sessions(db_location, processes=4, writes=250)
    assert written >= 900
    open_database(db_location)


@pytest.mark.slow
def test_eight_sessions_many_writes(db_path: Path, db_location: Location) -> None:
    """The heavier variant: eight processes, 600 writes each."""
    run_sessions(db_location, processes=8, writes=600)
    open_database(db_location)


def _first_start(location: Location, start_at: float) -> Callable[[Report], None]:
    def body(report: Report) -> None:
        from caseload.services.session import open_session

        time.sleep(max(0.0, start_at - time.time()))
        if location.path is not None:
            session = open_session(location, login="newcomer")
        else:  # a clinic database: the counselor row of a role, made by ensure_counselor
            from caseload.services.session import ensure_counselor

            open_database(location, create=False)
            session = session_for(ensure_counselor("newcomer").login)
        report({"op": "session", "counselor": session.counselor_id})

    return body


def test_first_start_in_four_terminals_at_once(db_path: Path, db_location: Location) -> None:
    """A counselor's very first start in four terminals at once (on SQLite, on a database file
    that does not exist yet): one schema, one counselor row, no error."""
    close_database()
    location = db_location
    if db_location.path is not None:
        location = Location(path=db_location.path.with_name("first-start.db"))
    start_at = time.time() + 0.2
    children = [fork_child(_first_start(location, start_at)) for _ in range(4)]
    for child in children:
        child.wait(timeout=60)
    assert [e for c in children for e in c.errors] == []
    ids = {r["counselor"] for c in children for r in c.reports}
    assert len(ids) == 1 and len([r for c in children for r in c.reports]) == 4
    open_database(location)
    assert [v for (v,) in SchemaVersion.select(SchemaVersion.version).tuples()] == list(
        range(1, CURRENT_VERSION + 1))
    close_database()
    open_database(db_location)
