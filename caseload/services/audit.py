"""The audit trail: every change records who, when, what, and the values before and after."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import msgspec
from peewee import Model

from caseload.domain.records import ValidationError
from caseload.services.session import Session
from caseload.store.models import AuditEvent, Client


def snapshot(row: Model | None) -> dict[str, Any] | None:
    """A row's column values as plain JSON-able data (foreign keys as ids)."""
    if row is None:
        return None
    data: dict[str, Any] = {}
    for name, fld in row._meta.fields.items():
        value = row.__data__.get(name)
        data[getattr(fld, "column_name", name)] = value
    return data


def _json(value: Any) -> str | None:
    if value is None:
        return None

    def default(obj: Any) -> Any:
        if isinstance(obj, datetime):
            return obj.astimezone(UTC).isoformat() if obj.tzinfo else obj.isoformat()
        if isinstance(obj, date):
            return obj.isoformat()
        return str(obj)

    return json.dumps(value, default=default, sort_keys=True, ensure_ascii=False)


class ReadOnlySession(ValidationError):
    """A read-only (supervisor) session tried to change something; nothing was saved."""


def record(session: Session, action: str, entity: str, entity_id: int | None,
           client_id: int | None, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    """Append one audit event; call inside the write's own transaction.

    Every write goes through here, so this is where a read-only session is stopped: raising
    rolls the write's transaction back (the database refuses a supervisor's writes as well).
    """
    if session.read_only:
        if session.read_only_reason:
            raise ReadOnlySession(f"Read-only: {session.read_only_reason}; nothing was saved.")
        raise ReadOnlySession("You are signed in read-only (supervisor); nothing was saved.")
    AuditEvent.create(**event_values(session, action, entity, entity_id, client_id, before,
                                     after))


def event_values(session: Session, action: str, entity: str, entity_id: int | None,
                 client_id: int | None, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> dict[str, Any]:
    """The columns of one audit event, as `record` writes it (for writes of many rows at once,
    which insert the events in batches; they check `session.read_only` themselves)."""
    return {"at": session.clock().astimezone(UTC), "actor": session.actor, "action": action,
            "entity": entity, "entity_id": entity_id, "client_id": client_id,
            "before": _json(before), "after": _json(after)}


class AuditView(msgspec.Struct, frozen=True, gc=False):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    client_id: int | None
    before: str | None
    after: str | None


def events(session: Session, *, client_id: int | None = None, since: date | None = None,
           limit: int | None = None) -> list[AuditView]:
    """Audit events of this counselor's clients (or one of them), oldest first.

    Events about no client (e.g. a counselor row) are included when this login made them. A
    client transferred away takes its events along, as on a clinic database's policies.
    `since` is a day in the clinic's zone.
    """
    query = AuditEvent.select().order_by(AuditEvent.id)
    own = Client.select(Client.id).where(Client.counselor == session.counselor_id)
    if client_id is not None:
        query = query.where((AuditEvent.client_id == client_id)
                            & AuditEvent.client_id.in_(own))
    else:
        query = query.where(AuditEvent.client_id.in_(own)
                            | (AuditEvent.client_id.is_null()
                               & (AuditEvent.actor == session.actor)))
    if since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(since, time(), session.tz))
    if limit is not None:
        query = query.limit(limit)
    return [AuditView(e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.client_id,
                      e.before, e.after) for e in query]
