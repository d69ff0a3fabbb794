"""A working session: who is acting, on which database, with which rules and clock."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from caseload.config import Config
from caseload.domain.records import NotFound, Settings
from caseload.store.db import Location, open_database
from caseload.store.migrations import migrate
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


def display_name_for(login: str) -> str:
    try:
        import pwd

        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
        return gecos or login
    except (ImportError, KeyError):
        return login


def ensure_counselor(login: str, display_name: str | None = None) -> Counselor:
    """The counselor row for `login`, created on first use."""
    counselor = Counselor.get_or_none(Counselor.login == login)
    if counselor is None:
        with database.atomic():
            counselor = Counselor.create(login=login,
                                         display_name=display_name or display_name_for(login),
                                         created_at=_utc_now())
    return counselor


def open_session(location: Location, config: Config | None = None, *, login: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> Session:
    """Open the database, bring its schema up to date, and start a session for `login`."""
    settings = config.settings if config else Settings()
    db = open_database(location)
    migrate(db)
    who = login or login_name()
    counselor = ensure_counselor(who)
    return Session(actor=who, counselor_id=counselor.id, counselor_name=counselor.display_name,
                   settings=settings, clock=clock or _utc_now)


def session_for(login: str, settings: Settings | None = None,
                clock: Callable[[], datetime] | None = None) -> Session:
    """A session for an existing counselor on the already-open database."""
    counselor = Counselor.get_or_none(Counselor.login == login)
    if counselor is None:
        raise NotFound(f"No counselor with login '{login}'.")
    return Session(actor=login, counselor_id=counselor.id,
                   counselor_name=counselor.display_name, settings=settings or Settings(),
                   clock=clock or _utc_now)
