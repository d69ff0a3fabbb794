"""What the subcommands share: the database location, the session, dates typed on the line."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caseload.config import Config
    from caseload.services.session import Session
    from caseload.store.db import Location


class CliError(Exception):
    """An error to print as one line (exit code 2)."""


def now_from(args: argparse.Namespace) -> datetime | None:
    """The pinned clock of `--now` (hidden; for scripted screenshots and tests)."""
    if not getattr(args, "now", None):
        return None
    try:
        value = datetime.fromisoformat(args.now)
    except ValueError as exc:
        raise CliError(f"--now: not an ISO date-time: {args.now!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def location_from(args: argparse.Namespace) -> tuple[Location, Config]:
    """Where the database is: --db, else --database-url / CASELOAD_DATABASE_URL / config."""
    from caseload.config import load_config
    from caseload.store.db import Location, default_path

    config = load_config()
    url = getattr(args, "database_url", None) or config.database_url
    if getattr(args, "db", None) is not None:
        return Location(path=args.db), config
    if url:
        return Location(url=url), config
    return Location(path=config.database_path or default_path()), config


def session_from(args: argparse.Namespace) -> Session:
    """Open the database and start a session for the logged-in counselor."""
    from caseload.services.session import open_session

    location, config = location_from(args)
    fixed = now_from(args)
    return open_session(location, config, clock=(lambda: fixed) if fixed else None)


def parse_day(text: str, today: date, what: str) -> date:
    """A date typed on the command line, parsed like in the app; errors name the option."""
    from caseload.domain.dates import parse_date

    try:
        return parse_date(text, today)
    except ValueError as exc:
        raise CliError(f"{what}: {exc}") from exc
