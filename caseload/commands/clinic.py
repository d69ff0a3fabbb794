"""`caseload clinic`: set up and run a shared clinic database on PostgreSQL (administrators).

    caseload --database-url postgresql:///caseload clinic init
    caseload --database-url postgresql:///caseload clinic add-counselor dana --name "Dana Reyes"
    caseload --database-url postgresql:///caseload clinic add-supervisor marcus
    caseload --database-url postgresql:///caseload clinic transfer CL-1042 sam

Run these as the role that owns the clinic database's tables (the one that ran `clinic init`).
Each prints every step it took. See the README, "Clinic setup (PostgreSQL)".
"""

from __future__ import annotations

import argparse
import getpass

from caseload.commands.common import CliError, location_from, now_from

NAME = "clinic"
HELP = "set up a PostgreSQL clinic database: init, add-counselor, add-supervisor, transfer"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="clinic_command", metavar="ACTION", required=True)
    sub.add_parser("init", help="create the schema, group roles and row-level security "
                                "policies (again after an upgrade: brings them up to date)")
    for action, who in (("add-counselor", "counselor"), ("add-supervisor", "supervisor")):
        add = sub.add_parser(action, help=f"create a {who}'s login role (if missing), put it in "
                                          f"the {who} group and create its counselor row")
        add.add_argument("login", metavar="LOGIN",
                         help="the login name (the OS user on the clinic server)")
        add.add_argument("--name", metavar="TEXT", help="display name (default: from the OS)")
        add.add_argument("--password", action="store_true",
                         help="also set a password (asked for twice, without echo) for "
                              "connections that use one; the local socket needs none")
    move = sub.add_parser("transfer", help="give a client, with the whole history, to another "
                                           "counselor")
    move.add_argument("client", metavar="CLIENT", help="record number, or #id")
    move.add_argument("counselor", metavar="LOGIN", help="the new counselor's login")


def _ask_password(login: str) -> str:
    """A new password, asked twice without echo (never taken from the command line)."""
    first = getpass.getpass(f"New password for {login}: ")
    if len(first) < 12:
        raise CliError("Use a password of at least 12 characters.")
    if getpass.getpass("Again: ") != first:
        raise CliError("The two passwords differ; nothing was changed.")
    return first


def _print_steps(steps: list[str] | tuple[str, ...]) -> None:
    for step in steps:
        print(f"- {step}")


def run(args: argparse.Namespace) -> int:
    from caseload.services import clinic
    from caseload.store.db import close_database, open_database
    from caseload.store.migrations import migrate

    location, config = location_from(args)
    action = args.clinic_command
    if action != "transfer" and not location.is_postgres:
        raise CliError(f"`caseload clinic {action}` needs a PostgreSQL database: "
                       "--database-url postgresql://… (README: Clinic setup).")
    password = (_ask_password(args.login)
                if action.startswith("add-") and args.password else None)
    db = open_database(location)
    try:
        if not location.is_postgres:
            migrate(db)
        fixed = now_from(args)
        session = clinic.admin_session(config.settings, (lambda: fixed) if fixed else None)
        if action == "init":
            _print_steps(clinic.init())
        elif action in ("add-counselor", "add-supervisor"):
            member = clinic.add_member(session, args.login, supervisor=action == "add-supervisor",
                                       display_name=args.name, password=password)
            _print_steps(member.steps)
            print(f"{member.login} can now run `caseload` with this database "
                  f"(as the OS user {member.login} over the local socket, or with a password).")
        else:
            moved = clinic.transfer(session, args.client, args.counselor)
            print(f"Transferred {moved.client.record_number} from {moved.from_login} to "
                  f"{moved.to_login}, with its history: {moved.appointments} appointments, "
                  f"{moved.commitments} commitments, {moved.checkins} check-ins, "
                  f"{moved.audit_events} audit events.")
    finally:
        close_database()
    return 0
