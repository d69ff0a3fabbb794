"""The command line: `caseload [options] [command]`.

Errors are one clear line on stderr and a non-zero exit code; a traceback never reaches the
counselor (unexpected errors are written, without client data, to a private log).
Textual is imported only when the app is opened, so the other commands start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from caseload import __version__

EXIT_USAGE = 2
EXIT_ERROR = 1


class CliError(Exception):
    """An error to print as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseload",
        description="A terminal caseload manager for addiction counselors.",
        epilog="Without a command, opens the app on your own caseload.")
    parser.add_argument("--version", action="version", version=f"caseload {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help="use this SQLite file instead of your default database")
    parser.add_argument("--database-url", metavar="URL",
                        help="a clinic database URL, e.g. postgresql:///caseload "
                             "(also CASELOAD_DATABASE_URL)")
    parser.add_argument("--demo", action="store_true",
                        help="open a fictional demo caseload, kept apart from real data")
    parser.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo-data", help="write a fictional demo caseload to a database")
    demo.add_argument("--clients", type=int, default=40)
    demo.add_argument("--weeks", type=int, default=26)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--counselors", type=int, default=1)
    demo.add_argument("--today", metavar="DATE", help="the day the history ends (default today)")

    review = sub.add_parser("review", help="print the week's consistency figures and flags")
    review.add_argument("--week", metavar="DATE",
                        help="any day of the week to review (default this week)")
    review.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    review.add_argument("--initials", action="store_true",
                        help="show client initials instead of names")
    review.add_argument("--names", action="store_true",
                        help="markdown only: show full names (initials by default)")
    return parser


def _now(args: argparse.Namespace) -> datetime | None:
    if not args.now:
        return None
    try:
        value = datetime.fromisoformat(args.now)
    except ValueError as exc:
        raise CliError(f"--now: not an ISO date-time: {args.now!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _location(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from caseload.config import load_config
    from caseload.store.db import Location, default_path

    config = load_config()
    url = args.database_url or config.database_url
    if args.db is not None:
        return Location(path=args.db), config
    if url:
        return Location(url=url), config
    return Location(path=config.database_path or default_path()), config


def _session(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from caseload.services.session import open_session

    location, config = _location(args)
    fixed = _now(args)
    clock = (lambda: fixed) if fixed else None
    return open_session(location, config, clock=clock)


def _parse_day(text: str, today: date, what: str) -> date:
    from caseload.domain.dates import parse_date

    try:
        return parse_date(text, today)
    except ValueError as exc:
        raise CliError(f"{what}: {exc}") from exc


def cmd_demo_data(args: argparse.Namespace) -> int:
    from caseload import demo
    from caseload.services.session import login_name
    from caseload.store.db import open_database
    from caseload.store.migrations import migrate

    if args.db is None:
        raise CliError("demo-data needs --db PATH (the demo is never written to your own "
                       "database).")
    for name in ("clients", "weeks", "counselors"):
        if getattr(args, name) < 1:
            raise CliError(f"--{name} must be at least 1.")
    location, config = _location(args)
    now = _now(args) or datetime.now(UTC)
    local_today = now.astimezone(ZoneInfo(config.settings.timezone)).date()
    today = _parse_day(args.today, local_today, "--today") if args.today else local_today
    db = open_database(location)
    migrate(db)
    summary = demo.generate(clients=args.clients, weeks=args.weeks, seed=args.seed,
                            counselors=args.counselors, today=today, login=login_name(),
                            settings=config.settings)
    print(f"Wrote a fictional caseload to {args.db}: {summary}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from caseload.io import report
    from caseload.services.review import week_report

    session = _session(args)
    day = _parse_day(args.week, session.today(), "--week") if args.week else None
    data = week_report(session, day)
    if args.format == "json":
        out = report.to_json(data, use_initials=args.initials)
    elif args.format == "markdown":
        out = report.to_markdown(data, use_initials=not args.names)
    else:
        out = report.to_text(data, use_initials=args.initials)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from caseload.services.appointments import ensure_materialized

    if args.demo:
        from caseload import demo
        from caseload.config import load_config
        from caseload.services.session import login_name

        config = load_config()
        fixed = _now(args)
        today = (fixed or datetime.now(UTC)).astimezone(
            ZoneInfo(config.settings.timezone)).date()
        args.db = demo.ensure_demo_database(today, login_name(), config.settings)
    session = _session(args)
    ensure_materialized(session)
    try:
        from caseload.tui.app import run_app
    except ImportError:
        print("The terminal app is not built yet; try `caseload review`.", file=sys.stderr)
        return EXIT_ERROR
    return run_app(session)


def _private_log(exc: BaseException) -> Path | None:
    """Write a crash report without client data: exception type and code locations only."""
    try:
        import platformdirs

        from caseload.store.db import private_umask

        folder = platformdirs.user_state_path("caseload")
        with private_umask():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / "crash.log"
            frames = traceback.extract_tb(exc.__traceback__)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{datetime.now(UTC).isoformat()} {type(exc).__name__}\n")
                for frame in frames:
                    fh.write(f"  {frame.filename}:{frame.lineno} in {frame.name}\n")
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `caseload` command."""
    os.umask(0o077)  # everything Caseload creates is private to its owner
    args = _parser().parse_args(argv)
    from caseload.domain.records import NotFound, ValidationError
    from caseload.store.db import DatabaseError

    commands = {"demo-data": cmd_demo_data, "review": cmd_review}
    try:
        return commands.get(args.command or "", cmd_app)(args)
    except (CliError, ValidationError, NotFound, DatabaseError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"caseload: {message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, CliError) else EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: no traceback for the counselor
        log = _private_log(exc)
        where = f" Details (no client data) are in {log}." if log else ""
        print(f"caseload: unexpected error ({type(exc).__name__}).{where}", file=sys.stderr)
        return EXIT_ERROR
