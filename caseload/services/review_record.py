"""A weekly review as it is saved: its summary (figures, previous weeks, clients, decisions),
stored as JSON on the review row, and the decisions read back from the audit trail.

**Decisions taken during the review** are the counselor's own audited changes between the
review's start and its finish (or now): commitments added, done, renegotiated or dropped,
sessions booked or moved, check-ins marked discussed; outcomes recorded are counted apart. The
audit trail is the record of what was done, so the list cannot drift from what was saved.
Decision texts never hold a client's name: the name and record number sit beside them, so a
report can show initials instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import msgspec
from peewee import fn

from caseload.domain import metrics
from caseload.domain.records import ClientFact, Party
from caseload.services.session import Session
from caseload.store.models import AuditEvent, utc_from_db

PREVIOUS_WEEKS = 4
FIGURE_KEYS = ("counselor_reliability", "counselor_follow_through", "client_attendance",
               "client_follow_through", "checkin_regularity")


class Decision(msgspec.Struct, frozen=True, gc=False):
    """One thing decided during the review, in words, with the client it is about."""

    kind: str
    text: str
    client_id: int | None = None
    client_name: str = ""
    record_number: str = ""


class ClientLine(msgspec.Struct, frozen=True, gc=False):
    """A flagged client in the saved summary: flags, reviewed or not, focus for next week."""

    client_id: int
    name: str
    record_number: str
    flags: tuple[str, ...]
    reviewed: bool
    focus: str


class ReviewSummary(msgspec.Struct, frozen=True, gc=False):
    """What a review is saved as, and what the summary step and a past review show."""

    week: metrics.Window
    counselor: str
    figures: metrics.Figures
    streak_weeks: int
    previous: tuple[tuple[metrics.Window, metrics.Figures], ...]
    clients: tuple[ClientLine, ...]
    decisions: tuple[Decision, ...]
    outcomes_recorded: int
    needs_outcome_left: int
    finished_at: datetime | None = None

    @property
    def reviewed(self) -> int:
        """How many flagged clients were marked reviewed."""
        return sum(1 for c in self.clients if c.reviewed)

    def focus_lines(self) -> tuple[ClientLine, ...]:
        """The clients given a focus for next week."""
        return tuple(c for c in self.clients if c.focus)


# Decisions, from the audit trail ------------------------------------------------------------

_DECISION_EVENTS = {
    ("commitment", "add"), ("commitment", "complete"), ("commitment", "renegotiate"),
    ("commitment", "drop"), ("appointment", "schedule"), ("appointment", "reschedule"),
    ("appointment_series", "schedule_series"), ("checkin", "discussed"),
    ("appointment", "outcome"),
}


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _local(value: Any, session: Session) -> datetime | None:
    when = utc_from_db(value) if value else None
    return when.astimezone(session.tz) if when is not None else None


def _when(value: Any, session: Session) -> str:
    when = _local(value, session)
    return f"{when:%a} {when.day} {when:%b} {when:%H:%M}" if when is not None else "?"


def _day(value: Any) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day:%a} {day.day} {day:%b}"


def _owner(value: Any) -> str:
    return "You" if value == Party.COUNSELOR.value else "Client"


def _decision_text(entity: str, action: str, after: dict[str, Any], session: Session) -> str:
    """The decision in words (never a client's name: that is added where it is shown)."""
    if entity == "commitment":
        promise = f"{_owner(after.get('owner'))} will: {after.get('text', '')}"
        if action == "add":
            return f"New commitment — {promise} (by {_day(after.get('due'))})"
        if action == "complete":
            return f"Done — {promise}"
        if action == "renegotiate":
            return f"New date — {promise} (now by {_day(after.get('due'))})"
        return f"Dropped — {promise}" + (f" ({after['note']})" if after.get("note") else "")
    if entity == "appointment_series":
        return (f"Booked a series from {_when(after.get('dtstart'), session)}"
                f" ({after.get('booked', '?')} sessions)")
    if entity == "checkin":
        comment = after.get("comment") or ""
        return (f"Discussed the check-in of {_day(after.get('taken_on'))}"
                + (f": {comment}" if comment else ""))
    return f"Booked a session for {_when(after.get('starts_at'), session)}"


def _marker(review_id: int, action: str) -> Any:
    """The id of the review's own "start" or "finish" audit row, as a scalar subquery."""
    marker = AuditEvent.alias()
    return (marker.select(fn.MIN(marker.id))
            .where((marker.entity == "weekly_review") & (marker.entity_id == review_id)
                   & (marker.action == action)))


def decisions_since(session: Session, review_id: int, clients: Iterable[ClientFact]
                    ) -> tuple[tuple[Decision, ...], int]:
    """The decisions taken between a review's start and its finish (or now), and how many
    outcomes were recorded meanwhile (one query).

    "Between" is by position in the audit trail (after the review's "start" row, before its
    "finish" row), not by clock, so it holds however close together the writes are.
    """
    query = (AuditEvent.select(AuditEvent.entity, AuditEvent.action, AuditEvent.client_id,
                               AuditEvent.after)
             .where((AuditEvent.actor == session.actor)
                    & (AuditEvent.id > _marker(review_id, "start"))
                    & (AuditEvent.id < fn.COALESCE(_marker(review_id, "finish"), 2**62))
                    & AuditEvent.entity.in_(["commitment", "appointment", "appointment_series",
                                             "checkin"]))
             .order_by(AuditEvent.id))
    by_id = {c.id: c for c in clients}
    decisions: list[Decision] = []
    moved_to: set[int] = set()
    outcomes = 0
    rows = cast(Iterable[tuple[Any, ...]], query.tuples())
    for entity, action, client_id, after_text in rows:
        if (entity, action) not in _DECISION_EVENTS:
            continue
        after = _loads(after_text)
        if action == "outcome":
            outcomes += 1
            continue
        if action == "reschedule":
            moved_to.add(int(after.get("rescheduled_to_id") or 0))
            continue  # said with the new session's booking below
        text = _decision_text(entity, action, after, session)
        if entity == "appointment" and after.get("id") in moved_to:
            text = text.replace("Booked a session for", "Moved a session to")
        client = by_id.get(client_id) if client_id is not None else None
        decisions.append(Decision(
            "session" if entity.startswith("appointment") else entity, text, client_id,
            client.name if client else "", client.record_number if client else ""))
    return tuple(decisions), outcomes


# The saved summary ----------------------------------------------------------------------


def _figures_data(f: metrics.Figures) -> dict[str, Any]:
    data: dict[str, Any] = {k: [getattr(f, k).numerator, getattr(f, k).denominator]
                            for k in FIGURE_KEYS}
    data["needs_outcome"] = f.needs_outcome
    return data


def _figures(data: dict[str, Any]) -> metrics.Figures:
    r = [metrics.Ratio(*data.get(k, (0, 0))) for k in FIGURE_KEYS]
    return metrics.Figures(r[0], r[1], r[2], r[3], r[4],
                           needs_outcome=int(data.get("needs_outcome", 0)))


def _window(start: str) -> metrics.Window:
    day = date.fromisoformat(start)
    return metrics.Window(day, day + timedelta(days=7))


def summary_to_json(s: ReviewSummary, *, order: Sequence[int] = ()) -> str:
    """The summary as the review row stores it."""
    return json.dumps({
        "version": 1,
        "order": list(order),
        "week_start": s.week.start.isoformat(),
        "counselor": s.counselor,
        "figures": _figures_data(s.figures),
        "streak_weeks": s.streak_weeks,
        "previous": [{"week_start": w.start.isoformat(), "figures": _figures_data(f)}
                     for w, f in s.previous],
        "clients": [{"id": c.client_id, "name": c.name, "record_number": c.record_number,
                     "flags": list(c.flags), "reviewed": c.reviewed, "focus": c.focus}
                    for c in s.clients],
        "decisions": [{"kind": d.kind, "text": d.text, "client_id": d.client_id,
                       "name": d.client_name, "record_number": d.record_number}
                      for d in s.decisions],
        "outcomes_recorded": s.outcomes_recorded,
        "needs_outcome_left": s.needs_outcome_left,
        "finished_at": s.finished_at.astimezone(UTC).isoformat() if s.finished_at else None,
    }, ensure_ascii=False, sort_keys=True)


def summary_from_json(text: str) -> ReviewSummary:
    """A stored summary, back as a `ReviewSummary`."""
    d = json.loads(text)
    finished = d.get("finished_at")
    return ReviewSummary(
        week=_window(d["week_start"]), counselor=d.get("counselor", ""),
        figures=_figures(d["figures"]), streak_weeks=int(d.get("streak_weeks", 0)),
        previous=tuple((_window(p["week_start"]), _figures(p["figures"]))
                       for p in d.get("previous", ())),
        clients=tuple(ClientLine(int(c["id"]), c["name"], c["record_number"],
                                 tuple(c.get("flags", ())), bool(c.get("reviewed")),
                                 c.get("focus", "")) for c in d.get("clients", ())),
        decisions=tuple(Decision(x["kind"], x["text"], x.get("client_id"), x.get("name", ""),
                                 x.get("record_number", "")) for x in d.get("decisions", ())),
        outcomes_recorded=int(d.get("outcomes_recorded", 0)),
        needs_outcome_left=int(d.get("needs_outcome_left", 0)),
        finished_at=datetime.fromisoformat(finished) if finished else None)


def figure_series(trend: Sequence[tuple[metrics.Window, metrics.Figures]], key: str
                  ) -> list[float | None]:
    """One figure's weekly rates (None where nothing was due), for a sparkline."""
    return [getattr(f, key).value for _, f in trend]


def figure_sparkline(trend: Sequence[tuple[metrics.Window, metrics.Figures]], key: str) -> str:
    """A 0–100 % sparkline of one figure over the given weeks."""
    return metrics.sparkline(figure_series(trend, key), 0.0, 1.0)
