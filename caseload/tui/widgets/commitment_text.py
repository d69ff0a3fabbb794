"""How a commitment reads on screen: its owner as a word, its status with a symbol, its history.

Shared by the Commitments screen and the Client timeline, so a promise reads the same on both.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from caseload.domain.records import CommitmentFact, CommitmentStatus, Party

OWNER_WORDS = {Party.COUNSELOR: "You", Party.CLIENT: "Client"}


def owner_word(owner: Party) -> str:
    """The owner as a word, never a colour: "You" or "Client"."""
    return OWNER_WORDS[owner]


def short_day(day: date) -> str:
    """"4 Dec"."""
    return f"{day.day} {day:%b}"


def status_text(c: CommitmentFact, days_overdue: int) -> Text:
    """Where a commitment stands, with a symbol and in words."""
    if c.status is CommitmentStatus.DONE:
        late = c.done_on is not None and c.done_on > c.due
        when = f" {short_day(c.done_on)}" if c.done_on else ""
        return Text(f"✓ done{when}" + (" (late)" if late else ""))
    if c.status is CommitmentStatus.DROPPED:
        return Text("– dropped" + (f": {c.note}" if c.note else ""))
    if days_overdue > 0:
        return Text(f"! overdue {days_overdue} day{'s' if days_overdue != 1 else ''}",
                    style="bold")
    if c.status is CommitmentStatus.RENEGOTIATED:
        return Text("↻ renegotiated")
    return Text("· open")


def history_text(c: CommitmentFact) -> str:
    """The due-date history: "due moved 1 Dec → 4 Dec on 27 Nov (client asked)"."""
    moves = [f"{short_day(h.old_due)} → {short_day(h.new_due)} on {short_day(h.changed_on)}"
             + (f" ({h.reason})" if h.reason else "") for h in c.history]
    return "due moved " + "; ".join(moves) if moves else ""
