"""`caseload review`: the week's consistency figures and flagged clients, without the UI."""

from __future__ import annotations

import argparse
import sys

from caseload.commands.common import parse_day, session_from

NAME = "review"
HELP = "print the week's consistency figures and flags"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--week", metavar="DATE",
                        help="any day of the week to review (default this week)")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--initials", action="store_true",
                        help="show client initials instead of names")
    parser.add_argument("--names", action="store_true",
                        help="markdown only: show full names (initials by default)")


def run(args: argparse.Namespace) -> int:
    from caseload.io import report
    from caseload.services.review import week_report

    session = session_from(args)
    day = parse_day(args.week, session.today(), "--week") if args.week else None
    data = week_report(session, day)
    if args.format == "json":
        out = report.to_json(data, use_initials=args.initials)
    elif args.format == "markdown":
        out = report.to_markdown(data, use_initials=not args.names)
    else:
        out = report.to_text(data, use_initials=args.initials)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
