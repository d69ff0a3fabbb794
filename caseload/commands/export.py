"""`caseload export csv|json|ics`: the caseload in files other programs read.

csv writes one file per kind (clients.csv, goals.csv, series.csv, appointments.csv,
commitments.csv, checkins.csv) into a folder, in exactly the columns `caseload import` reads;
json writes the same tables into one file; ics writes the appointments as an iCalendar file for
calendar programs. Files are created readable by their owner only. `--initials` replaces client
names with initials in every format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from caseload.commands.common import CliError, session_from

if TYPE_CHECKING:
    from caseload.io.rows import ExportData

NAME = "export"
HELP = "export the caseload as CSV, JSON or iCalendar (.ics)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=("csv", "json", "ics"))
    parser.add_argument("--out", type=Path, metavar="PATH",
                        help="the folder (csv) or file (json, ics; '-' for standard output); "
                             "default caseload-export-<date> in the current folder")
    parser.add_argument("--initials", action="store_true",
                        help="replace client names with their initials")
    parser.add_argument("--client", metavar="CLIENT",
                        help="only this client (record number, #id or part of the name)")


def _write_csv(data: ExportData, folder: Path) -> int:
    from caseload.io import csv_io
    from caseload.io.files import private_dir, write_private
    from caseload.io.progress import progress_bar
    from caseload.io.rows import KINDS

    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder} is a file; `export csv` writes a folder of CSV files.")
    private_dir(folder)
    with progress_bar("Exporting", data.row_count) as advance:
        for kind in KINDS:
            rows = data.rows(kind)
            text = csv_io.csv_text(kind, rows)
            write_private(folder / f"{kind}.csv", text.encode("utf-8-sig"))
            advance(len(rows))
    return data.row_count


def run(args: argparse.Namespace) -> int:
    from caseload.io import csv_io, ics
    from caseload.io.files import write_private
    from caseload.services.clients import find_client
    from caseload.services.exporting import load_export

    if args.format == "csv" and str(args.out) == "-":
        raise CliError("`export csv` writes a folder; use json or ics for standard output.")
    session = session_from(args)
    client_ids = [find_client(session, args.client).id] if args.client else None
    data = load_export(session, client_ids)
    if args.initials:
        data = data.with_initials()
    suffix = {"csv": "", "json": ".json", "ics": ".ics"}[args.format]
    out = args.out or Path(f"caseload-export-{session.today().isoformat()}{suffix}")
    if args.format == "csv":
        count = _write_csv(data, out)
        print(f"Wrote {count} rows to {out}/")
        return 0
    payload = (csv_io.to_json(data).encode("utf-8") if args.format == "json"
               else ics.to_ics(data))
    if str(out) == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return 0
    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name for the {args.format} export.")
    write_private(out, payload)
    what = (f"{len(data.appointments)} appointments" if args.format == "ics"
            else f"{data.row_count} rows")
    print(f"Wrote {what} to {out}")
    return 0
