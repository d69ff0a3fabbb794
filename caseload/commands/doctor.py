"""`caseload doctor`: check the database's integrity, privacy, schema and audit trail.

Prints one line per check (ok or FAIL, with each problem below it) and exits non-zero when any
check fails. It never changes anything, and opens a SQLite file directly, so it also examines a
database the app refuses to open (for instance one whose permissions are wrong).
"""

from __future__ import annotations

import argparse
import sys

from caseload.commands.backup import passphrase_for, sqlite_path
from caseload.commands.common import location_from

NAME = "doctor"
HELP = "check the database: integrity, foreign keys, schema, permissions, audit trail"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    from caseload.io import doctor
    from caseload.io.backup import backup_folder
    from caseload.store.db import DatabaseError, open_database

    location, config = location_from(args)
    path = sqlite_path(location)
    if path is not None:
        if not path.is_file():
            raise DatabaseError(f"No database at {path}.")
        checks = doctor.examine_sqlite(path, backup_folder(path, config.backup_dir),
                                       passphrase_for(location, path))
    else:
        db = open_database(location, create=False)
        checks = doctor.examine(lambda sql: db.execute_sql(sql).fetchall(), sqlite=False)
    print(f"Checking {path if path is not None else location.describe()}")
    sys.stdout.write(doctor.report(checks))
    failed = [check.name for check in checks if not check.ok]
    if failed:
        print(f"caseload: {len(failed)} check(s) failed: {'; '.join(failed)}.", file=sys.stderr)
        return 1
    print("Everything is in order.")
    return 0
