"""The caseload window's reads: each client's facts in order, repeated values made once."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
    Instrument,
    Outcome,
    Party,
)
from caseload.services import overview
from caseload.services.session import Session
from caseload.store.models import database
from caseload.store.queries import group_histories
from tests.services.test_query_counts import add_clients

START = datetime(2026, 1, 5, 14, tzinfo=UTC)


def _facts(seed: int) -> tuple[list[ClientFact], list[AppointmentFact], list[CommitmentFact],
                               list[CheckInFact]]:
    rng = random.Random(seed)
    clients = [ClientFact(n, f"Client {n}", f"CL-{n}", ClientStatus.ACTIVE, date(2025, 1, 1), 1)
               for n in range(1, 6)]
    appointments, commitments, checkins = [], [], []
    for i in range(200):
        client = rng.randint(1, 5)
        start = START + timedelta(hours=rng.randint(0, 60))  # ties on purpose
        appointments.append(AppointmentFact(i, client, start, start + timedelta(hours=1),
                                            Outcome.KEPT))
        due = date(2026, 1, 1) + timedelta(days=rng.randint(0, 9))
        commitments.append(CommitmentFact(i, client, Party.CLIENT, "Call", due, due,
                                          CommitmentStatus.OPEN))
        checkins.append(CheckInFact(i, client, Instrument.SRS, due, 30.0))
    for facts in (appointments, commitments, checkins):
        rng.shuffle(facts)
    return clients, appointments, commitments, checkins


@pytest.mark.parametrize("seed", range(5))
def test_each_clients_facts_come_in_order_whatever_order_the_rows_came_in(seed: int) -> None:
    """The window queries leave the order to `group_histories` (no sort buffer in SQLite)."""
    clients, appointments, commitments, checkins = _facts(seed)
    histories = group_histories(clients, appointments, commitments, checkins)
    assert [h.client for h in histories] == clients
    for h in histories:
        mine = h.client.id
        assert list(h.appointments) == sorted(
            (a for a in appointments if a.client_id == mine), key=lambda a: (a.start, a.id))
        assert list(h.commitments) == sorted(
            (c for c in commitments if c.client_id == mine), key=lambda c: (c.due, c.id))
        assert list(h.checkins) == sorted(
            (k for k in checkins if k.client_id == mine), key=lambda k: (k.on, k.id))
    assert sum(len(h.appointments) for h in histories) == len(appointments)


def test_a_read_makes_each_repeated_time_and_day_once(session: Session) -> None:
    """Sessions at the same hour share one datetime, check-ins on one day one date, commitments
    written alike one text (memory)."""
    add_clients(session, 1, 9)  # client 9's sessions are at client 1's hours
    snapshot = overview.load_snapshot(session)
    sessions = [a for h in snapshot.histories for a in h.appointments]
    checkins = [k for h in snapshot.histories for k in h.checkins]
    assert len(sessions) == 54
    starts = {a.start for a in sessions}
    assert len({id(a.start) for a in sessions}) == len(starts) < len(sessions)
    ends = {id(a.end) for a in sessions} | {id(a.start) for a in sessions}
    assert len(ends) == len(starts | {a.end for a in sessions})
    days = {k.on for k in checkins}
    assert len({id(k.on) for k in checkins}) == len(days) < len(checkins)
    texts = [c.text for h in snapshot.histories for c in h.commitments]
    assert texts == ["Call"] * 9 and len({id(t) for t in texts}) == 1
    for h in snapshot.histories:  # and what was read is what was written
        assert [a.outcome for a in h.appointments] == [Outcome.KEPT] * 6
        assert [a.start.tzinfo for a in h.appointments] == [UTC] * 6


@pytest.mark.sqlite_only  # the id counter is set through SQLite's sqlite_sequence
def test_a_checkins_session_id_is_the_sessions_own_id_object(session: Session) -> None:
    """A check-in's `appointment_id` is the very int its session's `id` is (memory: 32 bytes
    for each of a clinic's ≈ 45,000 check-ins in the window). Ids start past 256, where
    Python no longer hands out one shared object per small int."""
    add_clients(session, 1, 1)
    database.execute_sql("UPDATE sqlite_sequence SET seq = 100000 WHERE name = 'appointment'")
    add_clients(session, 2, 2)
    snapshot = overview.load_snapshot(session)
    linked = 0
    for h in snapshot.histories:
        ids = {a.id: a.id for a in h.appointments}
        for k in h.checkins:
            assert k.appointment_id in ids
            if k.appointment_id > 256:
                assert k.appointment_id is ids[k.appointment_id]
                linked += 1
    assert linked == 12
