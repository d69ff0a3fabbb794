"""The clinic's administration: set up a PostgreSQL clinic database, add people, transfer clients.

These run as the clinic's administrator: on PostgreSQL the role that owns the tables (not bound
by the row-level security policies), never as a counselor. Each step is reported as one line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from peewee import DatabaseError as PeeweeDatabaseError

from caseload.domain.records import ClientFact, NotFound, Settings, ValidationError
from caseload.domain.text import quote
from caseload.services import audit
from caseload.services.session import Session, current_login, display_name_for
from caseload.store import postgres
from caseload.store.db import DatabaseError, is_postgres
from caseload.store.migrations import migrate, schema_version
from caseload.store.models import (
    Appointment,
    AuditEvent,
    CheckIn,
    Client,
    Commitment,
    Counselor,
    database,
)
from caseload.store.queries import client_fact


def admin_session(settings: Settings | None = None,
                  clock: Callable[[], datetime] | None = None) -> Session:
    """A session for the administrator: it acts (and is audited) as its login, owns no clients."""
    who = current_login()
    return Session(actor=who, counselor_id=0, counselor_name=who,
                   settings=settings or Settings(), clock=clock or (lambda: datetime.now(UTC)))


def _require_postgres(what: str) -> None:
    if not is_postgres():
        raise ValidationError(f"`caseload clinic {what}` sets up a PostgreSQL clinic database: "
                              "give it with --database-url postgresql://… (README: Clinic setup).")


def _require_admin(what: str) -> None:
    if is_postgres() and postgres.role_of(database.obj) is not postgres.Role.ADMIN:
        raise ValidationError(
            f"Only the clinic's administrator (the role that owns the Caseload tables) can "
            f"{what}; you are connected as {current_login()}.")


def _server_error(exc: Exception) -> DatabaseError:
    """A server refusal as one line (DDL errors name roles and tables, never client data)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseError(f"The server refused: {first}")


def init() -> list[str]:
    """Create (or bring up to date) the schema, the group roles, grants and policies.

    Run on an empty database by the role that is to own it; running it again after upgrading
    Caseload upgrades the schema and re-applies grants and policies. All in one transaction.
    """
    _require_postgres("init")
    db = database.obj
    name = postgres.database_name(db)
    version = schema_version(db)
    steps = [f"database {name}, connected as {current_login()}"]
    if version > 0:
        _require_admin("upgrade the clinic database")
    try:
        with db.atomic():
            done = migrate(db)
            if version == 0:
                steps.append("the database is empty: creating the Caseload schema")
            steps += [f"applied {d}" for d in done] or [f"schema {version} is already current"]
            steps += postgres.create_groups(db)
            steps += postgres.lock_down_database(db)
            steps += postgres.grant_tables(db)
            steps += postgres.protect_audit(db)
            steps += postgres.apply_policies(db)
    except PeeweeDatabaseError as exc:
        raise _server_error(exc) from exc
    steps.append(f"done: add counselors with `caseload clinic add-counselor LOGIN`, "
                 f"supervisors with `caseload clinic add-supervisor LOGIN`; the tables belong "
                 f"to {current_login()}, which should not be used to run the app")
    return steps


class Member(msgspec.Struct, frozen=True, gc=False):
    login: str
    display_name: str
    group: str
    steps: tuple[str, ...]


def add_member(session: Session, login: str, *, supervisor: bool = False,
               display_name: str | None = None, password: str | None = None) -> Member:
    """Create the login role if missing, put it in its group, and create its counselor row."""
    _require_postgres("add-supervisor" if supervisor else "add-counselor")
    _require_admin("add counselors and supervisors")
    db = database.obj
    group = postgres.SUPERVISOR_GROUP if supervisor else postgres.COUNSELOR_GROUP
    postgres.check_role_name(login)
    if schema_version(db) == 0 or not postgres.role_exists(db, group):
        raise ValidationError("Set the clinic database up first: `caseload clinic init`.")
    name = (display_name or "").strip() or display_name_for(login)
    try:
        with db.atomic():
            verifier = (postgres.password_verifier(db, login, password)
                        if password is not None else None)
            steps = postgres.add_member(db, login, group, verifier)
            row = Counselor.get_or_none(Counselor.login == login)
            if row is None:
                row = Counselor.create(login=login, display_name=name,
                                       created_at=session.clock().astimezone(UTC))
                audit.record(session, "add", "counselor", row.id, None, None,
                             audit.snapshot(row))
                steps.append(f"created the counselor row for {login} ({name})")
            else:
                steps.append(f"counselor row for {login} already exists")
    except PeeweeDatabaseError as exc:
        raise _server_error(exc) from exc
    return Member(login, row.display_name, group, tuple(steps))


class Transfer(msgspec.Struct, frozen=True, gc=False):
    client: ClientFact
    from_login: str
    to_login: str
    appointments: int
    commitments: int
    checkins: int
    audit_events: int


def _find_any_client(ref: str) -> Client:
    ref = (ref or "").strip()
    row = Client.get_or_none(Client.record_number == ref)
    if row is None and ref.startswith("#") and ref[1:].isdigit():
        row = Client.get_or_none(Client.id == int(ref[1:]))
    if row is None:
        raise NotFound(f"No client with record number {quote(ref)} (or '#id').")
    return row


def transfer(session: Session, client_ref: str, to_login: str) -> Transfer:
    """Give a client to another counselor; the client's whole history goes along.

    Appointments, series, commitments, check-ins, goals and audit events all hang off the
    client's id, so changing the client's counselor moves everything at once: the new counselor
    sees the full history, the old one no longer sees the client. The change is audited.
    """
    _require_admin("transfer clients")
    with database.atomic():
        client = _find_any_client(client_ref)
        target = Counselor.get_or_none(Counselor.login == to_login)
        if target is None:
            raise NotFound(f"No counselor with login '{to_login}'; add them first "
                           "(`caseload clinic add-counselor`).")
        if is_postgres() and to_login not in postgres.counselor_logins(database.obj):
            raise ValidationError(f"{to_login} is not in the counselor group; only a counselor "
                                  "can take over a client.")
        if client.counselor_id == target.id:
            raise ValidationError(f"That client is already on {to_login}'s caseload.")
        source = Counselor.get_by_id(client.counselor_id)
        before = audit.snapshot(client)
        client.counselor = target
        client.version += 1
        client.save()
        audit.record(session, "transfer", "client", client.id, client.id, before,
                     audit.snapshot(client))
        appts, comms, checks = (model.select().where(model.client == client.id).count()
                                for model in (Appointment, Commitment, CheckIn))
        events = AuditEvent.select().where(AuditEvent.client_id == client.id).count()
    fact = client_fact({"id": client.id, "display_name": client.display_name,
                        "record_number": client.record_number, "status": client.status,
                        "intake_date": client.intake_date, "counselor": target.id,
                        "cadence_days": client.cadence_days})
    return Transfer(fact, source.login, to_login, appts, comms, checks, events)
