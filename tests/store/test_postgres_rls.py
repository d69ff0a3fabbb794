"""Row-level security on a real PostgreSQL server: the database itself keeps caseloads apart.

Each test gets an empty database set up with `caseload clinic init`, and its own login roles
(role names are cluster-wide, so they carry the process id and a counter; they are dropped after
the test). Counselors connect with password URLs over 127.0.0.1, as they could at a clinic, and
the checks use raw SQL on the counselor's own connection, not the app.
"""

from __future__ import annotations

import getpass
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from caseload.cli import main
from caseload.domain.records import Instrument, NotFound, Outcome, Party, Settings
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.session import Session, login_name, open_session
from caseload.store.db import DatabaseError, Location, close_database
from caseload.store.migrations import CURRENT_VERSION
from tests import pg
from tests.conftest import NOW, NY

pytestmark = pytest.mark.postgres_only

_roles = itertools.count(1)
CHILD_TABLES = ("appointment", "appointment_series", "commitment", "checkin", "goal",
                "audit_event")


@dataclass
class Clinic:
    """An initialised clinic database and the roles made for this test."""

    dbname: str
    roles: dict[str, str]  # role name -> password
    owner_args: list[str]

    def url(self, role: str) -> str:
        return pg.url_for(self.dbname, user=role, password=self.roles[role])

    def connect(self, role: str):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self.url(role), autocommit=True)

    def admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(pg.url_for(self.dbname), autocommit=True)

    def add(self, kind: str, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch, *, password: bool = True) -> str:
        """A new counselor or supervisor, added with the CLI (and a password it asks for)."""
        role = f"{kind}_t{os.getpid()}_{next(_roles)}"
        secret = f"pw-{role}-long-enough"
        monkeypatch.setattr(getpass, "getpass", lambda prompt="": secret)
        args = [*self.owner_args, "clinic", f"add-{kind}", role, "--name", kind.title()]
        assert main([*args, "--password"] if password else args) == 0, capsys.readouterr().err
        self.roles[role] = secret
        return role


@pytest.fixture
def clinic(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Clinic]:
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)
    monkeypatch.setenv("CASELOAD_CONFIG", "/nonexistent/caseload.toml")
    monkeypatch.setenv("CASELOAD_TIMEZONE", "America/New_York")
    dbname = pg.fresh_database(empty=True)
    owner_args = ["--database-url", pg.url_for(dbname)]
    assert main([*owner_args, "clinic", "init"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    result = Clinic(dbname, {}, owner_args)
    yield result
    close_database()
    pg.drop_database(dbname)
    with pg.admin() as conn:
        for role in result.roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextmanager
def as_role(clinic: Clinic, role: str) -> Iterator[Session]:
    """The app, opened as `role` through a password URL."""
    from caseload.config import Config

    config = Config(settings=Settings(timezone="America/New_York"))
    session = open_session(Location(url=clinic.url(role)), config, clock=lambda: NOW)
    try:
        yield session
    finally:
        close_database()


@dataclass
class Seeded:
    client_id: int
    record_number: str


def seed(session: Session, record_number: str) -> Seeded:
    """One client with a row in every client table: appointments, a series, commitments..."""
    client = clients.add_client(session, f"Client {record_number}", record_number,
                                date(2026, 9, 1))
    clients.add_goal(session, client.id, "Stay in school")
    kept = appointments.schedule_single(session, client.id, datetime(2026, 11, 23, 10, tzinfo=NY))
    appointments.record_outcome(session, kept.id, Outcome.KEPT)
    appointments.schedule_series(session, client.id, datetime(2026, 11, 30, 10, tzinfo=NY))
    commitments.add(session, client.id, Party.COUNSELOR, "Call the probation officer",
                    date(2026, 11, 30))
    checkins.record(session, client.id, Instrument.SRS, [9, 9, 9, 9],
                    taken_on=date(2026, 11, 23), appointment_id=kept.id)
    return Seeded(client.id, record_number)


def rows(conn, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    return list(conn.execute(sql, params).fetchall())


def count(conn, table: str, where: str = "TRUE", params: tuple[object, ...] = ()) -> int:  # type: ignore[no-untyped-def]
    return int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
               .fetchone()[0])


@pytest.fixture
def two_counselors(clinic: Clinic, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> tuple[str, Seeded, str, Seeded]:
    a = clinic.add("counselor", capsys, monkeypatch)
    b = clinic.add("counselor", capsys, monkeypatch)
    with as_role(clinic, a) as session:
        assert session.actor == a  # the role is the counselor
        seeded_a = seed(session, "A-1")
    with as_role(clinic, b) as session:
        seeded_b = seed(session, "B-1")
    return a, seeded_a, b, seeded_b


def test_init_prints_each_step_and_can_run_again(clinic: Clinic,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*clinic.owner_args, "clinic", "init"]) == 0
    out = capsys.readouterr().out
    assert f"schema {CURRENT_VERSION} is already current" in out
    assert "group role caseload_counselor already exists" in out
    assert "enabled row-level security" in out and "policies" in out
    with clinic.admin() as conn:
        unprotected = rows(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                 "AND NOT rowsecurity AND tablename <> 'schema_version'")
    assert unprotected == []


def test_a_counselor_cannot_read_another_counselors_clients(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded]) -> None:
    a, mine, b, theirs = two_counselors
    with clinic.connect(a) as conn:
        assert rows(conn, "SELECT current_user, session_user") == [(a, a)]
        assert rows(conn, "SELECT record_number FROM client") == [("A-1",)]
        assert count(conn, "client", "id = %s", (theirs.client_id,)) == 0
        for table in CHILD_TABLES:
            assert count(conn, table, "client_id = %s", (theirs.client_id,)) == 0, table
            assert count(conn, table, "client_id = %s", (mine.client_id,)) > 0, table
        assert count(conn, "checkin_item") == 4  # only the items of A's own check-in
        # The team's counselor rows are visible (names for the supervisor view), nothing else.
        assert {r[0] for r in rows(conn, "SELECT login FROM counselor")} == {a, b}
    with as_role(clinic, a) as session:
        assert [c.record_number for c in clients.list_clients(session)] == ["A-1"]
        with pytest.raises(NotFound):
            clients.find_client(session, "B-1")


def test_a_counselor_cannot_change_another_counselors_rows(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded]) -> None:
    import psycopg

    a, mine, b, theirs = two_counselors
    with clinic.connect(a) as conn:
        for table in ("client", "appointment", "commitment", "checkin"):
            column = "id" if table == "client" else "client_id"
            done = conn.execute(f"UPDATE {table} SET version = version + 1 "
                                f"WHERE {column} = %s", (theirs.client_id,))
            assert done.rowcount == 0, table
            done = conn.execute(f"DELETE FROM {table} WHERE {column} = %s"
                                if table != "client" else "SELECT 1 WHERE FALSE",
                                (theirs.client_id,) if table != "client" else ())
            assert done.rowcount == 0, table
        refused = [
            ("INSERT INTO commitment (client_id, owner, text, made_on, due, status, note, "
             "due_history, version) VALUES (%s, 'client', 'x', '2026-11-01', '2026-11-02', "
             "'open', '', '[]', 1)", (theirs.client_id,)),
            ("UPDATE client SET counselor_id = (SELECT id FROM counselor WHERE login = %s) "
             "WHERE id = %s", (b, mine.client_id)),
            ("INSERT INTO client (display_name, record_number, intake_date, status, "
             "counselor_id, cadence_days, focus, version, created_at) VALUES ('X', 'X-1', "
             "'2026-01-01', 'active', (SELECT id FROM counselor WHERE login = %s), 7, '', 1, "
             "now())", (b,)),
            ("INSERT INTO audit_event (at, actor, action, entity, client_id) "
             "VALUES (now(), %s, 'forge', 'client', %s)", (b, mine.client_id)),
            ("INSERT INTO counselor (login, display_name, created_at) VALUES ('x', 'X', now())",
             ()),
        ]
        for sql, params in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege,
                               match="row-level security"):
                conn.execute(sql, params)
        assert conn.execute("UPDATE counselor SET display_name = 'Mallory' WHERE login = %s",
                            (b,)).rowcount == 0
        assert conn.execute("UPDATE counselor SET display_name = 'A. Counselor' "
                            "WHERE login = %s", (a,)).rowcount == 1


def test_set_role_and_temporary_tables_do_not_widen_access(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded]) -> None:
    import psycopg

    a, _, _, _ = two_counselors
    with clinic.connect(a) as conn:
        conn.execute("SET ROLE caseload_counselor")
        assert rows(conn, "SELECT record_number FROM client") == [("A-1",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO counselor (login, display_name, created_at) "
                         "VALUES ('caseload_counselor', 'Shared', now())")
        conn.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TEMP TABLE counselor (id int, login text)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.counselor2 (id int)")


def test_the_supervisor_reads_the_whole_team_and_writes_nothing(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    a, mine, b, theirs = two_counselors
    boss = clinic.add("supervisor", capsys, monkeypatch)
    with clinic.connect(boss) as conn:
        assert sorted(r[0] for r in rows(conn, "SELECT record_number FROM client")) == [
            "A-1", "B-1"]
        for table in CHILD_TABLES:
            assert count(conn, table, "client_id IN (%s, %s)",
                         (mine.client_id, theirs.client_id)) > 0, table
        for sql in ("UPDATE client SET focus = 'x'", "DELETE FROM appointment",
                    "INSERT INTO goal (client_id, text, position, active, created_on) "
                    f"VALUES ({mine.client_id}, 'x', 0, TRUE, '2026-11-01')",
                    "UPDATE counselor SET display_name = 'x'",
                    "INSERT INTO audit_event (at, actor, action, entity) "
                    f"VALUES (now(), '{boss}', 'x', 'x')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with as_role(clinic, boss) as session:
        assert session.read_only
        with pytest.raises(Exception, match="read-only|permission denied"):
            clients.add_client(session, "New Client", "S-1", date(2026, 11, 2))
    with clinic.admin() as conn:
        assert count(conn, "client") == 2


def test_the_team_view_is_the_supervisors(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from caseload.services import team

    a, _, b, _ = two_counselors
    boss = clinic.add("supervisor", capsys, monkeypatch)
    with as_role(clinic, boss) as session:
        view = team.team_view(session)
        assert sorted(r.login for r in view.counselors) == sorted([a, b])
        assert all(r.active_clients == 1 and r.figures.counselor_reliability.denominator
                   for r in view.counselors)
        assert sorted(team.client_names(session)) == ["Client A-1", "Client B-1"]
    with as_role(clinic, a) as session:
        assert [r.login for r in team.team_view(session).counselors] == [a]
        assert team.client_names(session) == ["Client A-1"]


def test_no_role_can_update_or_delete_the_audit_trail(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    a, _, _, _ = two_counselors
    boss = clinic.add("supervisor", capsys, monkeypatch)
    with clinic.admin() as conn:
        total = count(conn, "audit_event")
    assert total > 0
    statements = ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event",
                  "TRUNCATE audit_event")
    for role in (a, boss):
        with clinic.connect(role) as conn:
            for sql in statements:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    with clinic.admin() as conn:  # the tables' owner (here even a superuser): the triggers
        for sql in statements:
            with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
                conn.execute(sql)
        assert count(conn, "audit_event") == total


def test_transfer_moves_the_whole_history(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded],
        capsys: pytest.CaptureFixture[str]) -> None:
    a, mine, b, _ = two_counselors
    with clinic.connect(a) as conn:
        history = {t: count(conn, t, "client_id = %s", (mine.client_id,)) for t in CHILD_TABLES}
    assert main([*clinic.owner_args, "clinic", "transfer", "A-1", b]) == 0
    out = capsys.readouterr().out
    assert f"Transferred A-1 from {a} to {b}" in out and "Client A-1" not in out
    with clinic.connect(b) as conn:
        assert sorted(r[0] for r in rows(conn, "SELECT record_number FROM client")) == [
            "A-1", "B-1"]
        moved = {t: count(conn, t, "client_id = %s", (mine.client_id,)) for t in CHILD_TABLES}
        assert moved == {**history, "audit_event": history["audit_event"] + 1}
        actions = rows(conn, "SELECT actor, action FROM audit_event WHERE client_id = %s "
                             "ORDER BY id", (mine.client_id,))
        assert actions[0] == (a, "add") and actions[-1] == ("caseload_ci", "transfer")
    with clinic.connect(a) as conn:
        assert count(conn, "client") == 0
        for table in CHILD_TABLES:
            assert count(conn, table, "client_id = %s", (mine.client_id,)) == 0, table
    with as_role(clinic, b) as session:
        client = clients.find_client(session, "A-1")
        start = datetime(2026, 12, 8, 10, tzinfo=NY)
        appointments.schedule_single(session, client.id, start + timedelta(hours=3))


def test_only_the_administrator_can_transfer(
        clinic: Clinic, two_counselors: tuple[str, Seeded, str, Seeded],
        capsys: pytest.CaptureFixture[str]) -> None:
    a, _, b, _ = two_counselors
    assert main(["--database-url", clinic.url(a), "clinic", "transfer", "A-1", b]) == 1
    assert "Only the clinic's administrator" in capsys.readouterr().err


def test_who_may_open_the_app(clinic: Clinic, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    a = clinic.add("counselor", capsys, monkeypatch)
    with pytest.raises(DatabaseError, match="not as 'someone'"):
        open_session(Location(url=clinic.url(a)), login="someone")
    close_database()
    stranger = f"stranger_t{os.getpid()}_{next(_roles)}"
    clinic.roles[stranger] = "pw-stranger-long-enough"
    with pg.admin() as conn:
        conn.execute(f"CREATE ROLE \"{stranger}\" LOGIN PASSWORD 'pw-stranger-long-enough'")
    with pytest.raises(DatabaseError, match="permission denied for database"):
        open_session(Location(url=clinic.url(stranger)))
    close_database()
    with pytest.raises(DatabaseError, match="superuser"):
        from caseload.services import clinic as clinic_service
        from caseload.store.db import open_database

        open_database(Location(url=pg.url_for(clinic.dbname)))
        clinic_service.add_member(clinic_service.admin_session(), "caseload_ci")
    close_database()


def test_an_empty_database_is_for_the_administrator_to_set_up(
        capsys: pytest.CaptureFixture[str]) -> None:
    dbname = pg.fresh_database(empty=True)
    try:
        with pytest.raises(DatabaseError, match="clinic init"):
            open_session(Location(url=pg.url_for(dbname)))
        close_database()
        assert pg.url_for(dbname) not in capsys.readouterr().err
    finally:
        pg.drop_database(dbname)


@pytest.mark.skipif(not pg.SOCKET_DIR, reason="needs CASELOAD_TEST_POSTGRES_SOCKET")
def test_peer_authentication_over_the_socket(clinic: Clinic, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    """As on the clinic server: no password, the OS login is the role is the counselor."""
    me = login_name()
    with pg.admin() as conn:
        if conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s",
                        (me,)).fetchone()[0]:
            pytest.skip(f"a role named {me} already exists on this server")
    clinic.roles[me] = ""
    assert main([*clinic.owner_args, "clinic", "add-counselor", me]) == 0
    assert f"created login role {me}" in capsys.readouterr().out
    session = open_session(Location(url=pg.socket_url(clinic.dbname)))
    try:
        assert session.actor == me and not session.read_only
        clients.add_client(session, "Peer Client", "P-1", date(2026, 11, 2))
        assert [c.record_number for c in clients.list_clients(session)] == ["P-1"]
    finally:
        close_database()
