"""Two sessions editing the same commitment: the second is told the record changed.

The choice (docs/reliability.md): optimistic versions. Every commitment and appointment carries
a `version`; a screen passes the version it showed (`expected_version`), and a change to a row
that another session changed since is refused with `StaleRecord` ("This commitment was changed in
another session; ... nothing was saved"). The screen then reloads the row and the counselor
decides again. The later write never silently replaces the earlier one, and the audit trail
shows exactly the changes that were made, each from the version it saw.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caseload.domain.records import CommitmentStatus, Outcome, Party
from caseload.services import appointments, audit, clients, commitments
from caseload.services.session import Session
from caseload.services.versions import StaleRecord
from tests.conftest import NOW
from tests.reliability import figures

DUE = date(2026, 11, 30)
NEW_DUE = date(2026, 12, 4)


def _trail(session: Session, commitment_id: int) -> list[tuple[str, int | None, int]]:
    """(action, version before, version after) of each audit event of the commitment."""
    return [(e.action, json.loads(e.before)["version"] if e.before else None,
             json.loads(e.after or "{}")["version"])
            for e in audit.events(session) if e.entity == "commitment"
            and e.entity_id == commitment_id]


@pytest.fixture
def promise(session: Session) -> int:
    client = clients.add_client(session, "Robin Example", "TS-1", date(2026, 9, 1)).id
    return commitments.add(session, client, Party.COUNSELOR, "Call the probation officer",
                           DUE, made_on=date(2026, 11, 20)).id


def renegotiate(session: Session, commitment_id: int, version: int) -> None:
    commitments.renegotiate(session, commitment_id, NEW_DUE, "agreed on the phone",
                            expected_version=version)


def complete(session: Session, commitment_id: int, version: int) -> None:
    commitments.complete(session, commitment_id, expected_version=version)


EDITS: dict[str, Callable[[Session, int, int], None]] = {
    "renegotiate": renegotiate, "complete": complete}
RESULT = {"renegotiate": CommitmentStatus.RENEGOTIATED, "complete": CommitmentStatus.DONE}


@pytest.mark.parametrize("first,second", [("renegotiate", "complete"),
                                          ("complete", "renegotiate")])
def test_the_second_edit_is_told_the_record_changed(session: Session, promise: int,
                                                    first: str, second: str) -> None:
    """Both terminals show version 1; the first save wins, the second is refused and saves
    nothing; after reloading, the second counselor's edit is made on the new version."""
    shown_in_a = shown_in_b = commitments.version_of(session, promise)
    EDITS[first](session, promise, shown_in_a)
    with pytest.raises(StaleRecord, match="changed in another session.*nothing was saved"):
        EDITS[second](session, promise, shown_in_b)
    figures.add("stale_refusals")
    assert commitments.get(session, promise).status is RESULT[first]
    assert _trail(session, promise) == [("add", None, 1), (first, 1, 2)]

    reloaded = commitments.version_of(session, promise)
    assert reloaded == 2
    if second == "renegotiate" and first == "complete":
        with pytest.raises(Exception, match="Only an open commitment"):
            EDITS[second](session, promise, reloaded)  # done is done: nothing to renegotiate
        assert _trail(session, promise) == [("add", None, 1), (first, 1, 2)]
    else:
        EDITS[second](session, promise, reloaded)
        assert _trail(session, promise) == [("add", None, 1), (first, 1, 2), (second, 2, 3)]
        assert commitments.get(session, promise).status is RESULT[second]


def _race(change_a: Callable[[], Any], change_b: Callable[[], Any],
          monkeypatch: pytest.MonkeyPatch, module: Any) -> dict[str, str]:
    """Run A and B in two threads (two connections), A pausing right after it read the row.

    B runs while A holds its read. On SQLite, B waits for A's write lock (BEGIN IMMEDIATE) and
    then finds the row changed; on PostgreSQL, B goes ahead and A's conditional write finds it
    changed. Either way one wins and the other is refused. Returns each thread's result.
    """
    a_read, b_done = threading.Event(), threading.Event()
    original = module.check_version  # the module's own name for versions.check_version

    def check_then_pause(row: Any, expected: int | None, *args: Any) -> None:
        original(row, expected, *args)
        if threading.current_thread().name == "A":
            a_read.set()
            b_done.wait(0.5)  # on SQLite B cannot finish before A: the wait times out

    monkeypatch.setattr(module, "check_version", check_then_pause)
    results: dict[str, str] = {}

    def run(name: str, change: Callable[[], Any]) -> None:
        from caseload.store.db import close_database

        try:
            change()
            results[name] = "saved"
        except StaleRecord:
            results[name] = "stale"
        except Exception as exc:  # anything else fails the test below
            results[name] = f"{type(exc).__name__}: {exc}"
        finally:
            if name == "B":
                b_done.set()
            close_database()  # this thread's connection

    a = threading.Thread(target=run, args=("A", change_a), name="A")
    a.start()
    assert a_read.wait(10)
    b = threading.Thread(target=run, args=("B", change_b), name="B")
    b.start()
    a.join(20)
    b.join(20)
    return results


def test_a_real_race_on_one_commitment_loses_nothing(session: Session, promise: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Two connections change the same commitment at the same moment, from version 1."""
    results = _race(lambda: renegotiate(session, promise, 1),
                    lambda: complete(session, promise, 1), monkeypatch, commitments)
    assert sorted(results.values()) == ["saved", "stale"], results
    winner = "renegotiate" if results["A"] == "saved" else "complete"
    assert _trail(session, promise) == [("add", None, 1), (winner, 1, 2)]
    assert commitments.get(session, promise).status is RESULT[winner]


def test_a_real_race_on_one_appointment_loses_nothing(session: Session,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for an appointment's outcome: one outcome recorded, the other refused."""
    client = clients.add_client(session, "Sky Example", "TS-2", date(2026, 9, 1)).id
    booked = appointments.schedule_single(session, client, NOW.replace(hour=10))
    results = _race(
        lambda: appointments.record_outcome(session, booked.id, Outcome.KEPT,
                                            expected_version=1),
        lambda: appointments.record_outcome(session, booked.id, Outcome.NO_SHOW,
                                            expected_version=1),
        monkeypatch, appointments)
    assert sorted(results.values()) == ["saved", "stale"], results
    winner = Outcome.KEPT if results["A"] == "saved" else Outcome.NO_SHOW
    trail = [(e.action, json.loads(e.after or "{}")["outcome"]) for e in audit.events(session)
             if e.entity == "appointment" and e.entity_id == booked.id]
    assert trail == [("schedule", "scheduled"), ("outcome", winner.value)]
    assert appointments.get(session, booked.id).outcome is winner


def test_stale_message_is_one_clear_line(session: Session, promise: int, tmp_path: Path) -> None:
    """What the counselor reads."""
    complete(session, promise, 1)
    with pytest.raises(StaleRecord) as refused:
        renegotiate(session, promise, 1)
    assert "\n" not in refused.value.message
    assert refused.value.message.startswith("This commitment was changed in another session")
