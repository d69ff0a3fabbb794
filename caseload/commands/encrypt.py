"""`caseload encrypt`: encrypt your SQLite database in place with SQLCipher.

The new passphrase is asked for twice, without echo. The database is exported into a new
encrypted file, checked table by table, and only then put in place of the plain one; the plain
copy is kept until the encrypted one checks, then deleted. Afterwards open it with
`caseload --encrypted`, or put `encrypted = true` in the config file.
"""

from __future__ import annotations

import argparse

from caseload.commands.common import CliError, ask_passphrase

NAME = "encrypt"
HELP = "encrypt your SQLite database with a passphrase (SQLCipher)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the database is the one --db (or the config) names."""


def run(args: argparse.Namespace) -> int:
    from caseload.config import load_config
    from caseload.store import cipher
    from caseload.store.db import default_path

    config = load_config()
    if args.db is None and (getattr(args, "database_url", None) or config.database_url):
        raise CliError("`caseload encrypt` encrypts a SQLite file; a clinic database on "
                       "PostgreSQL is protected by the server (README: Security notes).")
    path = (args.db or config.database_path or default_path()).expanduser()
    if not path.exists():
        raise CliError(f"No database at {path}. (A new database is created encrypted by "
                       "`caseload --encrypted`.)")
    if cipher.is_encrypted(path):
        raise CliError(f"{path} is already encrypted.")
    passphrase = ask_passphrase(path, new=True)
    result = cipher.encrypt_file(path, passphrase)
    for step in result.steps:
        print(f"- {step}")
    print(f"Encrypted {result.path} ({result.tables} tables, {result.rows} rows). Open it with "
          "`caseload --encrypted` or set `encrypted = true` in the config file.")
    backups = path.parent / "backups"
    if backups.is_dir() and any(backups.iterdir()):
        print(f"Note: earlier backups in {backups} are not encrypted; delete them once a new "
              "backup has been taken.")
    return 0
