"""What the subcommands share: the database location, the session, dates typed on the line."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
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


PASSPHRASE_ENV = "CASELOAD_PASSPHRASE"


def ask_passphrase(path: Path, *, new: bool = False) -> str:
    """The passphrase of an encrypted database, asked for without echo.

    Never taken from the command line (other users can read it in `ps`). For tests and scripts
    only, CASELOAD_PASSPHRASE is used when set.
    """
    import getpass

    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CliError(f"The passphrase for {path} is asked for in a terminal "
                       f"(scripts: set {PASSPHRASE_ENV}).")
    try:
        first = getpass.getpass(f"{'New passphrase' if new else 'Passphrase'} for {path}: ")
        if new:
            if len(first) < 12:
                raise CliError("Use a passphrase of at least 12 characters.")
            if getpass.getpass("Again: ") != first:
                raise CliError("The two passphrases differ; nothing was changed.")
    except EOFError as exc:
        raise CliError("No passphrase given.") from exc
    if not first:
        raise CliError("No passphrase given.")
    return first


def config_from(args: argparse.Namespace) -> Config:
    """The configuration, read once per run."""
    config = getattr(args, "_config", None)
    if config is None:
        from caseload.config import load_config

        config = args._config = load_config()
    return config  # type: ignore[no-any-return]


def location_from(args: argparse.Namespace) -> tuple[Location, Config]:
    """Where the database is: --db, else --database-url / CASELOAD_DATABASE_URL / config.

    With --encrypted (or `encrypted = true` in the config) a SQLite file is opened with
    SQLCipher, and its passphrase is asked for once per run.
    """
    cached = getattr(args, "_location", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from caseload.store.db import Location, default_path

    config = config_from(args)
    url = getattr(args, "database_url", None) or config.database_url
    if getattr(args, "db", None) is not None:
        location = Location(path=args.db)
    elif url:
        location = Location(url=url)
    else:
        location = Location(path=config.database_path or default_path())
    encrypted = getattr(args, "encrypted", False) or getattr(config, "encrypted", False)
    if encrypted and location.path is not None and not getattr(args, "demo", False):
        location = Location(path=location.path,
                            passphrase=ask_passphrase(location.path.expanduser()))
    args._location = (location, config)
    return location, config


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
