"""`caseload handout CLIENT`: one client's page in plain words (appointments, promises, ratings)."""

from __future__ import annotations

import argparse
import sys

from caseload.commands.common import CliError, session_from

NAME = "handout"
HELP = "print a client's handout: next appointments, who will do what by when, ratings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("client", metavar="CLIENT",
                        help="record number, #id, or a unique part of the name")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")


def run(args: argparse.Namespace) -> int:
    from caseload.domain.records import NotFound, ValidationError
    from caseload.io import handout
    from caseload.services.client_view import load_client_view
    from caseload.services.clients import find_client

    session = session_from(args)
    try:
        client = find_client(session, args.client)
    except (NotFound, ValidationError) as exc:
        raise CliError(str(exc.args[0])) from exc
    page = handout.build_handout(load_client_view(session, client.id), session.counselor_name)
    out = handout.to_markdown(page) if args.format == "markdown" else handout.to_text(page)
    sys.stdout.write(out)
    return 0
