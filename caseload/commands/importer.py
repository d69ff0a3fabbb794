"""`caseload import KIND FILE`: add rows from a file, all of them or none.

KIND is clients, goals, series, appointments, commitments or checkins with a CSV file (or a
.json file written by `caseload export json`, from which that kind's table is read), or `all`
with a folder written by `caseload export csv` or a .json file. Every row is checked first; if
any is bad, every problem is listed (file:line: column: reason: detail) and nothing changes.
Rows already in the database are left alone, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from caseload.commands.common import CliError, session_from
from caseload.domain.text import printable
from caseload.io.kinds import KINDS  # not io.rows: every start builds this parser

if TYPE_CHECKING:
    from caseload.io.cells import Context
    from caseload.io.csv_io import Table

NAME = "import"
HELP = "import clients, appointments, commitments or check-ins from CSV or JSON (all or none)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=(*KINDS, "all"),
                        help="what the file holds; `all` for a whole export")
    parser.add_argument("file", type=Path,
                        help="a CSV file, a .json export, or (with `all`) an export folder")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row and report, but change nothing")


def read_tables(kind: str, path: Path, ctx: Context) -> list[Table]:
    """Read what `caseload import KIND PATH` imports; CliError when the path does not fit."""
    from caseload.io import csv_io

    kinds = KINDS if kind == "all" else (kind,)
    try:
        if path.is_dir():
            if kind != "all":
                raise CliError(f"{path} is a folder; give a CSV file, or import a whole export "
                               "folder with `caseload import all FOLDER`.")
            tables = csv_io.read_folder(path, ctx)
            wanted = ", ".join(f"{k}.csv" for k in KINDS)
        elif path.suffix.lower() == ".json":
            tables = csv_io.read_json(path, ctx, kinds)
            wanted = "a table " + " or ".join(kinds)
        elif kind == "all":
            raise CliError("`import all` takes a folder written by `caseload export csv` or a "
                           ".json file written by `caseload export json`.")
        else:
            return [csv_io.read_csv(path, kind, ctx)]
    except FileNotFoundError:
        raise CliError(f"No such file: {path}") from None
    except OSError as exc:
        raise CliError(f"Cannot read {path}: {exc.strerror}.") from None
    if not tables:
        raise CliError(f"{path} has nothing to import: no {wanted}.")
    return tables


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def run(args: argparse.Namespace) -> int:
    from caseload.io.progress import progress_bar
    from caseload.services import importing

    if not args.file.exists():
        raise CliError(f"No such file: {args.file}")
    session = session_from(args)
    tables = read_tables(args.kind, args.file, importing.context(session))
    with progress_bar("Importing", sum(len(t.rows) for t in tables)) as advance:
        result = importing.import_tables(session, tables, dry_run=args.dry_run,
                                         progress=advance)
    for table in result.tables:
        if table.ignored:
            names = ", ".join(printable(name) for name in table.ignored)  # from the header
            print(f"{table.source}: ignored columns: {names}", file=sys.stderr)
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        lines = "1 line" if result.bad_rows == 1 else f"{result.bad_rows} lines"
        print(f"caseload: nothing was imported: {len(result.problems)} problem(s) on {lines}.",
              file=sys.stderr)
        return 1
    for table in result.tables:
        print(f"{table.source}: {_rows(table.rows)}: {table.added} new, "
              f"{table.unchanged} already there")
    if args.dry_run:
        print(f"Dry run: every row is valid; {result.added} would be added. Nothing was changed.")
    else:
        print(f"Imported {_rows(result.added)}.")
    return 0
