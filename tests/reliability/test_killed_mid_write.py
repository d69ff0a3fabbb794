"""Killed mid-write: SIGKILL at random points loses nothing committed and leaves nothing half-done.

A child process writes through the services without pause (outcomes, commitments, check-ins with
their items), reporting each write once its transaction has committed. The test kills it with
SIGKILL at a random moment (seeded), then opens the database as the next session would and
checks it (`workload.check_database`): integrity, every reported write present, no check-in
without its items, no change without its audit row and no audit row without its change. A new
child then carries on writing to the same database, and is killed in turn.

On SQLite this is the promise of WAL with synchronous=FULL and one transaction per write; on
PostgreSQL (CASELOAD_TEST_BACKEND=postgres) the server rolls back the dead client's transaction.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from caseload.store.db import Location, close_database, open_database
from caseload.store.models import Client
from tests.reliability import figures
from tests.reliability.processes import Child, Report, fork_child
from tests.reliability.workload import (
    Workload,
    check_database,
    seed_caseload,
    session_for,
)


def _writer(location: Location, seed: int) -> Callable[[Report], None]:
    def body(report: Report) -> None:
        open_database(location, create=False)
        session = session_for()
        ids = [c.id for c in Client.select(Client.id)]
        work = Workload(session, random.Random(seed), ids, tag=f"k{seed}")
        report({"op": "ready"})
        while True:
            done = work.step()
            if done is not None:
                report(done)

    return body


def _kill_at_random(child: Child, rng: random.Random) -> None:
    """Kill while it starts (one time in ten), else once it writes: after a random delay, or
    after a random number of reported writes plus a jitter."""
    if rng.random() < 0.1:
        time.sleep(rng.uniform(0.0, 0.01))
        child.kill()
        return
    deadline = time.monotonic() + 10.0
    while not child.reports and time.monotonic() < deadline and child.read(0.01):
        pass
    if rng.random() < 0.5:
        deadline = time.monotonic() + rng.uniform(0.0, 0.03)
        while time.monotonic() < deadline and child.read(max(0.0, deadline - time.monotonic())):
            pass
    else:
        wanted = len(child.reports) + rng.randint(0, 4)
        deadline = time.monotonic() + 5.0
        while len(child.reports) < wanted and time.monotonic() < deadline and child.read(0.01):
            pass
        time.sleep(rng.uniform(0.0, 0.004))
    child.kill()


def run_kills(location: Location, kills: int, seed: int) -> dict[str, int]:
    """Start, kill and check `kills` children in turn; every report is checked after each."""
    rng = random.Random(seed)
    session = session_for()
    seed_caseload(session)
    close_database()
    reported: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    for round_number in range(kills):
        child = fork_child(_writer(location, rng.randrange(1 << 30)))
        _kill_at_random(child, rng)
        assert child.errors == [], child.errors
        assert os.WIFSIGNALED(child.status or 0) and os.WTERMSIG(child.status or 0) == (
            signal.SIGKILL), f"round {round_number}: the child ended on its own"
        reported.extend(r for r in child.reports if r["op"] != "ready")
        counts = check_database(location, reported)
        figures.add("kills")
    figures.add("kill_writes", len(reported))
    assert len(reported) > kills, "the children hardly wrote anything before being killed"
    open_database(location)  # the fixture closes it again
    return counts


def test_killed_mid_write_loses_nothing(db_path: Path, db_location: Location) -> None:
    """100 kills: the promise holds after each one."""
    counts = run_kills(db_location, kills=100, seed=20261127)
    assert counts["checkin"] and counts["commitment"] and counts["appointment"]


@pytest.mark.slow
def test_killed_mid_write_many_times(db_path: Path, db_location: Location) -> None:
    """The heavier variant: 400 more kills with another seed."""
    run_kills(db_location, kills=400, seed=42)
