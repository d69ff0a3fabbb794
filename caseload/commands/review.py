"""`caseload review`: the week's consistency figures and flagged clients, without the UI."""

from __future__ import annotations

import argparse
import sys

from caseload.commands.common import parse_day, session_from

NAME = "review"
# Reads through the session's connection only: `cli.entry` closes it and skips the
# interpreter's last collection.
QUICK_EXIT = True
HELP = "print the week's consistency figures and flags (markdown: the supervision report)"


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
    if args.format == "markdown":  # the supervision report: 12 weeks, and the saved review
        # Imported here: text and JSON need none of the review flow (a fifth of their start).
        from caseload.services.weekly_review import TREND_WEEKS, review_for_week

        data = week_report(session, day, history_weeks=TREND_WEEKS - 1)
        saved = review_for_week(session, data.week.start)
        out = report.to_markdown(data, use_initials=not args.names, review=saved)
    elif args.format == "json":
        data = week_report(session, day)
        out = report.to_json(data, use_initials=args.initials)
    else:
        out = report.to_text(week_report(session, day), use_initials=args.initials)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
