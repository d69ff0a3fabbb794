"""Clients and their goals: add, edit, change status, find."""

from __future__ import annotations

from datetime import UTC, date

import msgspec
from peewee import IntegrityError

from caseload.domain.records import ClientFact, ClientStatus, NotFound, ValidationError
from caseload.domain.text import clean_line, quote
from caseload.services import audit
from caseload.services.session import Session
from caseload.store.db import locked
from caseload.store.models import Client, Goal, database
from caseload.store.queries import client_fact, client_facts


class GoalView(msgspec.Struct, frozen=True, gc=False):
    id: int
    client_id: int
    text: str
    active: bool
    created_on: date


def own_client(session: Session, client_id: int, *, lock: bool = False) -> Client:
    """The client row, if it is on this counselor's caseload; `lock` to change it (db.locked)."""
    query = Client.select().where((Client.id == client_id)
                                  & (Client.counselor == session.counselor_id))
    client = (locked(query) if lock else query).first()
    if client is None:
        raise NotFound(f"No client #{client_id} on your caseload.")
    return client


def _fact(client: Client) -> ClientFact:
    return client_fact({
        "id": client.id, "display_name": client.display_name,
        "record_number": client.record_number, "status": client.status,
        "intake_date": client.intake_date, "counselor": client.counselor_id,
        "cadence_days": client.cadence_days})


def _cadence(days: int) -> int:
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise ValidationError("Session cadence must be between 1 and 365 days.")
    return days


def add_client(session: Session, name: str, record_number: str, intake: date | None = None,
               *, cadence_days: int = 7, status: ClientStatus = ClientStatus.ACTIVE
               ) -> ClientFact:
    """Add a client to this counselor's caseload."""
    name = clean_line(name, "Name", max_len=120)
    record_number = clean_line(record_number, "Record number", max_len=40)
    intake = intake or session.today()
    with database.atomic():
        if Client.select().where(Client.record_number == record_number).exists():
            raise ValidationError(f"Record number {record_number} is already in use.",
                                  field="record_number")
        try:
            client = Client.create(display_name=name, record_number=record_number,
                                   intake_date=intake, status=ClientStatus(status).value,
                                   counselor=session.counselor_id,
                                   cadence_days=_cadence(cadence_days),
                                   created_at=session.clock().astimezone(UTC))
        except IntegrityError as exc:
            # The driver's text quotes the values (client data): say what happened instead.
            # On a clinic database another counselor's record number is invisible to the check
            # above, so a clash shows up here.
            raise ValidationError(f"Could not add the client: record number {record_number} "
                                  "may already be in use in this clinic.",
                                  field="record_number") from exc
        audit.record(session, "add", "client", client.id, client.id, None,
                     audit.snapshot(client))
    return _fact(client)


def update_client(session: Session, client_id: int, *, name: str | None = None,
                  record_number: str | None = None, status: ClientStatus | None = None,
                  cadence_days: int | None = None) -> ClientFact:
    """Change a client's details; only what is given changes."""
    with database.atomic():
        client = own_client(session, client_id, lock=True)
        before = audit.snapshot(client)
        if name is not None:
            client.display_name = clean_line(name, "Name", max_len=120)
        if record_number is not None:
            number = clean_line(record_number, "Record number", max_len=40)
            clash = Client.select().where((Client.record_number == number)
                                          & (Client.id != client_id)).exists()
            if clash:
                raise ValidationError(f"Record number {number} is already in use.",
                                      field="record_number")
            client.record_number = number
        if status is not None:
            client.status = ClientStatus(status).value
        if cadence_days is not None:
            client.cadence_days = _cadence(cadence_days)
        client.version += 1
        client.save()
        audit.record(session, "update", "client", client.id, client.id, before,
                     audit.snapshot(client))
    return _fact(client)


def set_status(session: Session, client_id: int, status: ClientStatus) -> ClientFact:
    return update_client(session, client_id, status=status)


def list_clients(session: Session, statuses: list[ClientStatus] | None = None
                 ) -> list[ClientFact]:
    return client_facts(session.counselor_id, statuses)


def get_client(session: Session, client_id: int) -> ClientFact:
    return _fact(own_client(session, client_id))


def find_client(session: Session, ref: str) -> ClientFact:
    """A client by record number, by '#id', or by a unique part of the name."""
    ref = (ref or "").strip()
    if not ref:
        raise ValidationError("Say which client: a record number or part of a name.")
    # Control characters (NUL included, which PostgreSQL refuses in text) never match a client.
    ref = clean_line(ref, "Client", max_len=120)
    mine = Client.counselor == session.counselor_id
    row = Client.get_or_none(mine & (Client.record_number == ref))
    if row is None and ref.startswith("#") and ref[1:].isdigit():
        row = Client.get_or_none(mine & (Client.id == int(ref[1:])))
    if row is not None:
        return _fact(row)
    matches = list(Client.select().where(mine & Client.display_name.contains(ref)).limit(6))
    if len(matches) == 1:
        return _fact(matches[0])
    if not matches:  # `quote`: what was typed, control characters escaped, cut short
        raise NotFound(f"No client matches {quote(ref)}.")
    raise ValidationError(f"{quote(ref)} matches {len(matches)} clients; use the record number.")


def add_goal(session: Session, client_id: int, text: str) -> GoalView:
    text = clean_line(text, "Goal", max_len=300)
    with database.atomic():
        own_client(session, client_id)
        position = Goal.select().where(Goal.client == client_id).count()
        goal = Goal.create(client=client_id, text=text, position=position,
                           created_on=session.today())
        audit.record(session, "add", "goal", goal.id, client_id, None, audit.snapshot(goal))
    return GoalView(goal.id, client_id, goal.text, goal.active, goal.created_on)


def edit_goal(session: Session, goal_id: int, *, text: str | None = None,
              active: bool | None = None) -> GoalView:
    with database.atomic():
        goal = Goal.get_or_none(Goal.id == goal_id)
        if goal is None:
            raise NotFound(f"No goal #{goal_id}.")
        own_client(session, goal.client_id)
        before = audit.snapshot(goal)
        if text is not None:
            goal.text = clean_line(text, "Goal", max_len=300)
        if active is not None:
            goal.active = active
        goal.save()
        audit.record(session, "update", "goal", goal.id, goal.client_id, before,
                     audit.snapshot(goal))
    return GoalView(goal.id, goal.client_id, goal.text, goal.active, goal.created_on)


def goals(session: Session, client_id: int, include_inactive: bool = False) -> list[GoalView]:
    query = Goal.select().join(Client).where((Goal.client == client_id)
                                             & (Client.counselor == session.counselor_id))
    if not include_inactive:
        query = query.where(Goal.active == True)  # noqa: E712
    return [GoalView(g.id, g.client_id, g.text, g.active, g.created_on)
            for g in query.order_by(Goal.position, Goal.id)]
