"""The command line: `caseload [options] [command]`.

Errors are one clear line on stderr and a non-zero exit code; a traceback never reaches the
counselor (unexpected errors are written, without client data, to a private log).
Textual is imported only when the app is opened, so the other commands start fast.
Subcommands live in `caseload.commands`, one module each.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from caseload import __version__
from caseload.commands import MODULES
from caseload.commands.backup import daily_on_start
from caseload.commands.common import CliError, config_from, now_from, session_from
from caseload.startup import collect_again, collector_paused

if TYPE_CHECKING:
    from concurrent.futures import Future

    from caseload.services.overview import TodayView
    from caseload.services.session import Session

EXIT_USAGE = 2
EXIT_ERROR = 1


def _commands() -> dict[str, ModuleType]:
    modules = [importlib.import_module(name) for name in MODULES]
    return {module.NAME: module for module in modules}


def _parser(commands: dict[str, ModuleType] | None) -> argparse.ArgumentParser:
    """The command line's parser; without `commands`, only the options of opening the app."""
    parser = argparse.ArgumentParser(
        prog="caseload", exit_on_error=commands is not None,
        description="A terminal caseload manager for addiction counselors.",
        epilog="Without a command, opens the app on your own caseload.")
    parser.add_argument("--version", action="version", version=f"caseload {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help="use this SQLite file instead of your default database")
    parser.add_argument("--database-url", metavar="URL",
                        help="a clinic database URL, e.g. postgresql:///caseload "
                             "(also CASELOAD_DATABASE_URL)")
    parser.add_argument("--encrypted", action="store_true",
                        help="the SQLite file is encrypted (SQLCipher): asks for its passphrase "
                             "(also `encrypted = true` in the config; `caseload encrypt` "
                             "converts a database)")
    parser.add_argument("--demo", action="store_true",
                        help="open a fictional demo caseload, kept apart from real data")
    parser.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)
    if commands is None:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in commands.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP,
                                            description=module.__doc__))
    return parser


def open_app(args: argparse.Namespace) -> int:
    """Open the terminal app on the counselor's caseload (or the demo caseload)."""
    from caseload.services.appointments import ensure_materialized

    config = config_from(args)
    today = (now_from(args) or datetime.now(UTC)).astimezone(
        ZoneInfo(config.settings.timezone)).date()
    if args.demo:
        from caseload import demo
        from caseload.services.session import login_name

        args.db = demo.ensure_demo_database(today, login_name(), config.settings)
    # The daily backup comes before this process opens the database: it reads the file with
    # open() and close(), and closing a file drops every POSIX lock the process holds on it,
    # SQLite's too. Another session would then take the app for gone and delete the WAL it
    # still writes to (tests/reliability/test_two_terminals.py).
    daily_on_start(args, today)
    session = session_from(args)
    if not session.read_only:  # booking a series ahead is a write
        ensure_materialized(session)
    first_view = _read_today(session)
    from caseload.tui.app import run_app

    return run_app(session, keys=config.keys, first_view=first_view)


def _read_today(session: Session) -> Future[TodayView]:
    """Read Today's rows and header before Textual is imported, for the app's first frame.

    The first frame then shows the day, with no frame before it and no second read (issue 7:
    cold start). A failed read is handed over as it is: the Today screen reads again and says
    why. Read here, not in a thread beside Textual's import: the two competed for the GIL, and
    alternated runs of the cold start (25 pairs) put the thread at 1.69 T against 1.48 T.
    """
    from concurrent.futures import Future

    from caseload.services.overview import today_view

    first: Future[TodayView] = Future()
    try:
        first.set_result(today_view(session))
    except Exception as error:  # noqa: BLE001 - handed over to the screen, never lost
        first.set_exception(error)
    return first


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


def entry() -> None:
    """The `caseload` command: `main`, then the exit.

    A command that says it opens no connection besides the session's (`QUICK_EXIT = True`:
    `caseload review`) leaves without the interpreter's last collection, which walked every
    object the run had made (≈ 40 ms of `caseload review` on five years of a caseload, issue 7)
    to free memory that is handed back with the process anyway. The session's database is
    closed here first. Any other run (the app: its workers' connections are closed only by
    that collection, and closing them checkpoints SQLite's write-ahead log) exits as usual.
    """
    code = main()
    if _RUN["quick_exit"]:
        store = sys.modules.get("caseload.store.db")
        if store is not None:
            store.close_database()
        gc.freeze()
    sys.exit(code)


_RUN = {"quick_exit": False}  # set by `_main` for a command with QUICK_EXIT


def main(argv: list[str] | None = None) -> int:
    """The command line, parsed and run; returns the exit code (tests call it in process)."""
    os.umask(0o077)  # everything Caseload creates is private to its owner
    with collector_paused():  # until started (caseload/startup.py)
        return _main(argv)


def _parse(argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, ModuleType]]:
    """The arguments, and the subcommands' modules (none when the app is opened).

    Opening the app (only the global options given) needs none of the eleven subcommands:
    importing them and building their parsers was ≈ 7 ms of the app's start (issue 7). Anything
    else (a command, help, a mistake) is parsed by the whole parser, as before.
    """
    argv = sys.argv[1:] if argv is None else argv
    if not any(a in ("-h", "--help") for a in argv):
        try:
            args, rest = _parser(None).parse_known_args(argv)
        except argparse.ArgumentError:  # said by the whole parser, with its usage
            rest = argv
        if not rest:
            args.command = None
            return args, {}
    commands = _commands()
    return _parser(commands).parse_args(argv), commands


def _main(argv: list[str] | None) -> int:
    args, commands = _parse(argv)
    import sqlite3

    from peewee import DatabaseError as PeeweeDatabaseError

    from caseload.domain.records import NotFound, ValidationError
    from caseload.store.db import DatabaseError, refusal

    try:
        if args.command:
            collect_again()
            command = commands[args.command]
            code = int(command.run(args))
            _RUN["quick_exit"] = bool(getattr(command, "QUICK_EXIT", False))
            return code
        return open_app(args)  # the app collects again once it has drawn
    except (CliError, ValidationError, NotFound, DatabaseError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"caseload: {message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, CliError) else EXIT_ERROR
    except (PeeweeDatabaseError, sqlite3.Error) as exc:  # the driver's text may quote client
        print(f"caseload: {refusal(exc)}", file=sys.stderr)  # data: not shown
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: no traceback for the counselor
        log = _private_log(exc)
        where = f" Details (no client data) are in {log}." if log else ""
        print(f"caseload: unexpected error ({type(exc).__name__}).{where}", file=sys.stderr)
        return EXIT_ERROR
