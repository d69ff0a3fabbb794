"""store.cache: a caseload read is answered again only while the database has not changed."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from caseload.domain.records import NotFound, Outcome, ValidationError
from caseload.services import appointments, clients, overview
from caseload.services.session import Session
from caseload.store import cache
from caseload.store.models import database
from tests.conftest import NY
from tests.services.test_query_counts import counting


def _selects(build: object) -> int:
    with counting() as statements:
        build()  # type: ignore[operator]
    return len([s for s in statements if s.lstrip("( \n").upper().startswith("SELECT")])


def _client_with_a_session(session: Session) -> int:
    client = clients.add_client(session, "Robin Example", "CL-1", date(2026, 9, 1))
    appointments.schedule_single(session, client.id, datetime(2026, 11, 23, 10, tzinfo=NY))
    return client.id


def _outcomes(session: Session) -> list[Outcome]:
    snapshot = overview.load_snapshot(session)
    return [a.outcome for h in snapshot.histories for a in h.appointments]


@pytest.mark.sqlite_only
def test_a_second_read_is_answered_from_the_cache(session: Session) -> None:
    _client_with_a_session(session)
    assert _selects(lambda: overview.load_snapshot(session)) == 4
    assert _selects(lambda: overview.load_snapshot(session)) == 0
    assert overview.load_snapshot(session) == overview.load_snapshot(session)


@pytest.mark.sqlite_only
def test_a_save_on_this_connection_is_seen(session: Session) -> None:
    _client_with_a_session(session)
    assert _outcomes(session) == [Outcome.SCHEDULED]
    appt = overview.load_snapshot(session).histories[0].appointments[0]
    appointments.record_outcome(session, appt.id, Outcome.KEPT)
    assert _outcomes(session) == [Outcome.KEPT]


@pytest.mark.sqlite_only
def test_a_save_by_another_thread_is_seen(session: Session) -> None:
    _client_with_a_session(session)
    appt = overview.load_snapshot(session).histories[0].appointments[0]
    worker = threading.Thread(
        target=lambda: appointments.record_outcome(session, appt.id, Outcome.NO_SHOW))
    worker.start()
    worker.join()
    assert _outcomes(session) == [Outcome.NO_SHOW]


@pytest.mark.sqlite_only
def test_a_change_by_another_program_is_seen(session: Session, db_path: Path) -> None:
    _client_with_a_session(session)
    assert _outcomes(session) == [Outcome.SCHEDULED]
    other = sqlite3.connect(db_path)
    with other:
        other.execute("UPDATE appointment SET outcome = 'kept'")
    other.close()
    assert _outcomes(session) == [Outcome.KEPT]


@pytest.mark.sqlite_only
def test_different_reads_are_kept_apart(session: Session) -> None:
    client_id = _client_with_a_session(session)
    everyone = overview.load_snapshot(session)
    one = overview.load_snapshot(session, client_ids=[client_id])
    shorter = overview.load_snapshot(session, weeks=1)
    assert [h.client.id for h in one.histories] == [client_id]
    assert everyone.histories == one.histories
    assert shorter.histories[0].appointments == everyone.histories[0].appointments
    assert _selects(lambda: overview.load_snapshot(session, weeks=2)) == 4


def test_postgresql_and_closed_databases_are_never_cached(session: Session) -> None:
    _client_with_a_session(session)
    expected = 0 if database.obj.__class__.__name__ == "SqliteDatabase" else 4
    overview.load_snapshot(session)
    assert _selects(lambda: overview.load_snapshot(session)) == expected
    cache.clear()
    assert _selects(lambda: overview.load_snapshot(session)) == 4


@pytest.mark.sqlite_only
def test_the_window_starts_at_local_midnight(session: Session) -> None:
    now = session.now()
    since = overview.window_start(now)
    assert since.tzinfo == now.tzinfo and since.time() == datetime.min.time()
    assert since.date() == now.date() - timedelta(weeks=overview.HISTORY_WEEKS)


@pytest.mark.sqlite_only
def test_an_outcome_patches_the_cached_read(session: Session) -> None:
    """Recording an outcome updates the cached caseload instead of dropping it."""
    _client_with_a_session(session)
    appt = overview.load_snapshot(session).histories[0].appointments[0]
    fact = appointments.record_outcome(session, appt.id, Outcome.KEPT)
    assert _selects(lambda: overview.load_snapshot(session)) == 0
    cached = overview.load_snapshot(session).histories
    cache.clear()
    assert overview.load_snapshot(session).histories == cached
    assert cached[0].appointments == (fact,)


@pytest.mark.sqlite_only
def test_no_patch_when_someone_else_wrote_too(session: Session, db_path: Path) -> None:
    """Another program's commit since the cached read: the next read goes to the database."""
    client_id = _client_with_a_session(session)
    appt = overview.load_snapshot(session).histories[0].appointments[0]
    other = sqlite3.connect(db_path)
    with other:
        other.execute("UPDATE client SET display_name = 'Changed Elsewhere' WHERE id = ?",
                      (client_id,))
    other.close()
    appointments.record_outcome(session, appt.id, Outcome.NO_SHOW)
    assert _selects(lambda: overview.load_snapshot(session)) == 4
    history = overview.load_snapshot(session).histories[0]
    assert history.client.name == "Changed Elsewhere"
    assert history.appointments[0].outcome is Outcome.NO_SHOW


@pytest.mark.sqlite_only
def test_a_refused_outcome_patches_nothing(session: Session) -> None:
    _client_with_a_session(session)
    before = overview.load_snapshot(session)
    appt = before.histories[0].appointments[0]
    with pytest.raises(ValidationError):
        appointments.record_outcome(session, appt.id, Outcome.KEPT, client_late_min=-1)
    with pytest.raises(NotFound):
        appointments.record_outcome(session, appt.id + 999, Outcome.KEPT)
    assert overview.load_snapshot(session).histories == before.histories

