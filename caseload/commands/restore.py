"""`caseload restore FILE`: put a backup back, after checking it and asking.

The file must be an intact Caseload database (integrity check, a schema version this Caseload
reads) or nothing is touched. The current database is kept beside it as
caseload.db.before-restore-<stamp>. Type "yes" to confirm, or pass --yes in a script; without a
terminal and without --yes, nothing is restored.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from caseload.commands.backup import passphrase_for, sqlite_path
from caseload.commands.common import CliError, location_from, now_from

NAME = "restore"
HELP = "replace the database with a backup (asks first; keeps the current one aside)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a backup written by `caseload backup`")
    parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")


def run(args: argparse.Namespace) -> int:
    from caseload.io.backup import inspect, restore

    location, _config = location_from(args)
    path = sqlite_path(location)
    if path is None:
        raise CliError(f"{location.describe()} is a clinic database on a server; restore it "
                       "there with pg_restore.")
    passphrase = passphrase_for(location, path)
    info = inspect(args.file, passphrase)
    stamp = (now_from(args) or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    print(f"Restore {info.path} (schema {info.schema_version}: {info.clients} clients, "
          f"{info.appointments} appointments, {info.audit_events} audit events)\n"
          f"over {path}?")
    if path.exists():
        print(f"The current database will be kept as {path.name}.before-restore-{stamp}.")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("restore replaces the database, so it asks first: run it in a "
                           "terminal, or pass --yes.")
        if input('Type "yes" to restore: ').strip().lower() != "yes":
            print("Nothing was changed.")
            return 1
    kept = restore(args.file, path, stamp, passphrase)
    print(f"Restored {info.path} into {path}."
          + (f" The previous database is kept as {kept}." if kept else ""))
    return 0
