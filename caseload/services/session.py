"""A working session: who is acting, on which database, with which rules and clock."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from peewee import Database, IntegrityError

from caseload.config import Config
from caseload.domain.records import NotFound, Settings
from caseload.store import postgres
from caseload.store.db import (
    DatabaseError,
    Location,
    current_read_only_reason,
    is_postgres,
    open_database,
)
from caseload.store.migrations import (
    CURRENT_VERSION,
    migrate,
    require_current,
    schema_version,
)
from caseload.store.models import Counselor, database


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Session:
    """The acting counselor (their login name), the rules in force and the clock.

    Every service takes a Session: the actor goes into the audit trail, `counselor_id` scopes
    every read and write to the counselor's own caseload, and `clock` lets tests pin time.
    """

    actor: str
    counselor_id: int
    counselor_name: str
    settings: Settings = Settings()
    clock: Callable[[], datetime] = field(default=_utc_now, compare=False)
    read_only: bool = False
    # Why, when the database itself cannot be written ("the database file is read-only");
    # empty for a supervisor's session, which is read-only by role.
    read_only_reason: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        """The current time in the clinic's zone."""
        return self.clock().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()


def login_name() -> str:
    """The OS login name: the counselor is who is logged in, never a name typed into the app."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "counselor")


def current_login() -> str:
    """Who is acting on the open database: the login role on PostgreSQL, else the OS login."""
    return postgres.login(database.obj) if is_postgres() else login_name()


def display_name_for(login: str) -> str:
    try:
        import pwd

        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
        return gecos or login
    except (ImportError, KeyError):
        return login


def ensure_counselor(login: str, display_name: str | None = None) -> Counselor:
    """The counselor row for `login`, created on first use.

    A first start in two terminals at once must not fail: the look-up is repeated inside the
    write transaction (SQLite: the write lock is held, so it cannot be beaten), and on PostgreSQL
    a row another session inserted at the same moment is read instead of failing on its login.
    """
    counselor = Counselor.get_or_none(Counselor.login == login)
    if counselor is not None:
        return counselor
    try:
        with database.atomic():
            counselor = Counselor.get_or_none(Counselor.login == login)
            if counselor is None:
                counselor = Counselor.create(
                    login=login, display_name=display_name or display_name_for(login),
                    created_at=_utc_now())
    except IntegrityError:
        counselor = Counselor.get(Counselor.login == login)
    return counselor


def _clinic_login(login: str | None) -> tuple[str, bool]:
    """On a clinic (PostgreSQL) database: the login role, and whether it may only read.

    The counselor is the role the connection logged in as; a name given to the app cannot
    change it. The schema is the administrator's to create and upgrade (`clinic init`).
    """
    db = database.obj
    who = postgres.login(db)
    if login is not None and login != who:
        raise DatabaseError(f"On a clinic database you act as the role you log in as "
                            f"({who}), not as '{login}'.")
    require_current(db)
    role = postgres.role_of(db)
    if role is postgres.Role.NONE:
        raise DatabaseError(f"The login {who} is not a counselor or supervisor in this clinic "
                            f"database; its administrator runs `caseload clinic add-counselor "
                            f"{who}`.")
    if role is postgres.Role.SUPERVISOR and Counselor.get_or_none(Counselor.login == who) is None:
        raise DatabaseError(f"The supervisor {who} has no counselor row yet; the "
                            f"administrator runs `caseload clinic add-supervisor {who}`.")
    return who, role is postgres.Role.SUPERVISOR


def open_session(location: Location, config: Config | None = None, *, login: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> Session:
    """Open the database, bring its schema up to date, and start a session for `login`.

    On PostgreSQL the login is the database role (`session_user`) and a supervisor's session
    is read-only; the schema must already be current (see `caseload clinic init`).
    """
    settings = config.settings if config else Settings()
    db = open_database(location)
    read_only = False
    reason = current_read_only_reason()
    if is_postgres():
        who, read_only = _clinic_login(login)
    elif reason is not None:
        who, read_only = login or login_name(), True
        _check_read_only(db, reason, who)
    else:
        migrate(db)
        who = login or login_name()
    counselor = ensure_counselor(who)
    return Session(actor=who, counselor_id=counselor.id, counselor_name=counselor.display_name,
                   settings=settings, clock=clock or _utc_now, read_only=read_only,
                   read_only_reason=reason or "")


def _check_read_only(db: Database, reason: str, login: str) -> None:
    """A database that cannot be written is shown as it is, if it needs no writing to open:
    its schema current (a newer one is refused as ever), its counselor already there."""
    version = schema_version(db)
    if version > CURRENT_VERSION:
        migrate(db)  # refuses, with the message about a newer Caseload
    if version < CURRENT_VERSION:
        raise DatabaseError(f"This database needs an upgrade (schema {version} to "
                            f"{CURRENT_VERSION}), but {reason}: open it once where it can be "
                            "written.")
    if Counselor.get_or_none(Counselor.login == login) is None:
        raise DatabaseError(f"Cannot start: {reason} and holds no caseload for {login} yet.")


def session_for(login: str, settings: Settings | None = None,
                clock: Callable[[], datetime] | None = None) -> Session:
    """A session for an existing counselor on the already-open database."""
    counselor = Counselor.get_or_none(Counselor.login == login)
    if counselor is None:
        raise NotFound(f"No counselor with login '{login}'.")
    return Session(actor=login, counselor_id=counselor.id,
                   counselor_name=counselor.display_name, settings=settings or Settings(),
                   clock=clock or _utc_now)
