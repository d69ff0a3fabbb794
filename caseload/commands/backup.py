"""`caseload backup`: a consistent, owner-only copy of the database, even while the app is open.

Without --out the copy goes to the backups folder (`backups/` beside the database, or
`backup_dir` in the configuration) as caseload-<date>T<time>.db. The app also makes one backup a
day when it starts, caseload-daily-<date>.db, keeping the newest `backup_keep` (14; 0 turns it
off). A clinic (PostgreSQL) database is backed up on the server with pg_dump.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from caseload.commands.common import location_from, now_from

if TYPE_CHECKING:
    from caseload.store.db import Location

NAME = "backup"
HELP = "write a consistent, owner-only copy of the database (works while the app is open)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="where to write the copy (default: the backups folder)")


def sqlite_path(location: Location) -> Path | None:
    """The SQLite file of a location (a path or a sqlite:/// URL); None for a server."""
    if location.path is not None:
        return location.path.expanduser()
    url = location.url or ""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):].split("?", 1)[0]).expanduser()
    return None


def passphrase_for(location: Location, path: Path) -> str | None:
    """The passphrase to read `path` with: None for a plain file; refuses an encrypted file
    opened without --encrypted, as the app does."""
    from caseload.store import cipher
    from caseload.store.db import DatabaseError

    if location.passphrase is None and path.is_file() and cipher.is_encrypted(path):
        raise DatabaseError(f"{path} is encrypted: add --encrypted (or `encrypted = true` in "
                            "the config file).")
    return location.passphrase


def pg_dump_guidance(location: Location) -> str:
    """What to do instead for a clinic database (the password is never shown)."""
    return (f"{location.describe()} is a clinic database on a server; back it up there with "
            "pg_dump, e.g. pg_dump --format=custom --file=caseload-$(date +%F).dump "
            f"'{location.describe()}' (keep the dump owner-only: chmod 600), and restore it "
            "with pg_restore.")


def daily_on_start(args: argparse.Namespace, today: date) -> None:
    """The automatic backup at the first start of a day; a failure is reported, not fatal."""
    from caseload.io.backup import daily_backup
    from caseload.store.db import DatabaseError

    if getattr(args, "demo", False):
        return
    location, config = location_from(args)
    path = sqlite_path(location)
    if path is None:
        return
    try:
        daily_backup(path, today, config.backup_keep, config.backup_dir,
                     passphrase_for(location, path))
    except (DatabaseError, OSError) as exc:
        print(f"caseload: the daily backup failed ({exc}); opening anyway.", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from caseload.io.backup import backup_folder, backup_to
    from caseload.io.progress import progress_bar

    location, config = location_from(args)
    path = sqlite_path(location)
    if path is None:
        print(f"caseload: {pg_dump_guidance(location)}", file=sys.stderr)
        return 1
    now = (now_from(args) or datetime.now(UTC)).astimezone(ZoneInfo(config.settings.timezone))
    out = args.out or backup_folder(path, config.backup_dir) / f"caseload-{now:%Y-%m-%dT%H%M%S}.db"
    passphrase = passphrase_for(location, path)
    with progress_bar("Backing up", None):
        written = backup_to(path, out, passphrase)
    size = written.stat().st_size
    encrypted = ", encrypted" if passphrase is not None else ""
    print(f"Backed up {path} to {written} ({size / 1024:.0f} KiB{encrypted}, integrity check "
          "passed).")
    return 0
