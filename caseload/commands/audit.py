"""`caseload audit`: the audit trail of your clients: who changed what, when, before and after.

    caseload audit                       every event of your caseload, oldest first
    caseload audit --client CL-1042      one client's history
    caseload audit --since mon           events since Monday (any date the app accepts)
    caseload audit --format json         one JSON object per line, with the full before/after

The trail is append-only: nothing in Caseload can change or delete it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from caseload.commands.common import parse_day, session_from

NAME = "audit"
HELP = "show the audit trail: who changed what, when, before and after"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client", metavar="CLIENT",
                        help="one client: record number, #id or a unique part of the name")
    parser.add_argument("--since", metavar="DATE", help="events on or after this day")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields that differ, as 'field: old → new' (added or removed fields as well)."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key not in before:
            lines.append(f"{key}: {_show(new)}")
        elif key not in after:
            lines.append(f"{key}: {_show(old)} → (removed)")
        else:
            lines.append(f"{key}: {_show(old)} → {_show(new)}")
    return lines


def run(args: argparse.Namespace) -> int:
    from caseload.services import audit, clients

    session = session_from(args)
    client_id = clients.find_client(session, args.client).id if args.client else None
    since = parse_day(args.since, session.today(), "--since") if args.since else None
    events = audit.events(session, client_id=client_id, since=since)
    numbers = {c.id: c.record_number for c in clients.list_clients(session)}
    out = sys.stdout
    if not events:
        print("No audit events" + (" for that client" if client_id else "")
              + (f" since {since.isoformat()}" if since else "") + ".")
        return 0
    for e in events:
        at = e.at.astimezone(session.tz)
        client = numbers.get(e.client_id or -1, f"#{e.client_id}") if e.client_id else None
        if args.format == "json":
            out.write(json.dumps({
                "id": e.id, "at": at.isoformat(), "actor": e.actor, "action": e.action,
                "entity": e.entity, "entity_id": e.entity_id, "client": client,
                "before": _load(e.before) or None, "after": _load(e.after) or None,
            }, ensure_ascii=False) + "\n")
            continue
        what = f"{e.action} {e.entity}" + (f" #{e.entity_id}" if e.entity_id else "")
        about = f" (client {client})" if client else ""
        out.write(f"{at:%Y-%m-%d %H:%M %Z}  {e.actor}  {what}{about}\n")
        for line in changes(_load(e.before), _load(e.after)):
            out.write(f"    {line}\n")
    return 0
