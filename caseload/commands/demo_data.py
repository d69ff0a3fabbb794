"""`caseload demo-data`: write a fictional caseload, deterministically for a seed."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from caseload.commands.common import CliError, location_from, now_from, parse_day

NAME = "demo-data"
HELP = "write a fictional demo caseload to a database (--db PATH)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--counselors", type=int, default=1)
    parser.add_argument("--today", metavar="DATE",
                        help="the day the history ends (default today)")


def run(args: argparse.Namespace) -> int:
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
    location, config = location_from(args)
    now = now_from(args) or datetime.now(UTC)
    local_today = now.astimezone(ZoneInfo(config.settings.timezone)).date()
    today = parse_day(args.today, local_today, "--today") if args.today else local_today
    db = open_database(location)
    migrate(db)
    summary = demo.generate(clients=args.clients, weeks=args.weeks, seed=args.seed,
                            counselors=args.counselors, today=today, login=login_name(),
                            settings=config.settings)
    print(f"Wrote a fictional caseload to {args.db}: {summary}")
    return 0
