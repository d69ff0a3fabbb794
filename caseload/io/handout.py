"""The client handout: one client's page, in plain words, to print or to show on screen.

Transparency: the next three appointments, what the counselor will do and by when, what the
client will do and by when, and the last four session ratings as a small trend. No clinical
words (no instrument names, cutoffs, flags or figures), and nothing about any other client: it
is built from that one client's `ClientView` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from caseload.domain.metrics import sparkline
from caseload.domain.records import Instrument, Outcome, Party
from caseload.services.client_view import ClientView

UPCOMING = 3
RATINGS = 4


@dataclass(frozen=True, slots=True)
class Promise:
    """A commitment in the handout's words."""

    text: str
    due: date
    late: bool


@dataclass(frozen=True, slots=True)
class Handout:
    """What the page says."""

    client_name: str
    counselor: str
    made_on: date
    appointments: tuple[datetime, ...]
    counselor_will: tuple[Promise, ...]
    client_will: tuple[Promise, ...]
    ratings: tuple[tuple[date, float], ...]


def first_name(display_name: str) -> str:
    """"Dana Whitfield (demo)" → "Dana"."""
    return (display_name.split() or ["Your counselor"])[0]


def build_handout(view: ClientView, counselor_name: str) -> Handout:
    """The handout of the client in `view` (times in the clinic's zone, as the view has them)."""
    today = view.now.date()
    upcoming = sorted(e.at for e in view.timeline
                      if e.appointment is not None and e.at is not None
                      and e.appointment.outcome is Outcome.SCHEDULED
                      and e.appointment.start > view.now)
    promises: dict[Party, list[Promise]] = {Party.COUNSELOR: [], Party.CLIENT: []}
    for entry in view.timeline:
        c = entry.commitment
        if c is not None and c.status.outstanding:
            promises[c.owner].append(Promise(c.text, c.due, c.due < today))
    ratings = [(e.checkin.on, e.checkin.total) for e in view.timeline
               if e.checkin is not None and e.checkin.instrument is Instrument.SRS]
    return Handout(view.client.name, first_name(counselor_name), today,
                   tuple(upcoming[:UPCOMING]),
                   tuple(sorted(promises[Party.COUNSELOR], key=lambda p: p.due)),
                   tuple(sorted(promises[Party.CLIENT], key=lambda p: p.due)),
                   tuple(ratings[-RATINGS:]))


def long_day(day: date) -> str:
    """"Wednesday 2 December" (English names, whatever the locale)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _promise(who: str, p: Promise) -> str:
    late = " (not done yet)" if p.late else ""
    return f"{who} will: {p.text} — by {long_day(p.due)}{late}"


def sections(h: Handout) -> list[tuple[str, list[str]]]:
    """The page as headed lists of lines (text and Markdown differ only in the markup)."""
    appointments = [f"{long_day(a.date())} at {a:%H:%M}" for a in h.appointments] or [
        "None booked yet: let's book the next one together."]
    counselor = [_promise(h.counselor, p) for p in h.counselor_will] or [
        f"Nothing open right now. Ask {h.counselor} for anything you need."]
    client = [_promise("You", p) for p in h.client_will] or ["Nothing open right now."]
    if h.ratings:
        scores = " → ".join(f"{total:g}" for _, total in h.ratings)
        trend = sparkline([total for _, total in h.ratings], 0.0, 40.0)
        ratings = [f"Your last {len(h.ratings)} ratings of our sessions (out of 40): "
                   f"{scores}   {trend}",
                   f"Higher means the session worked better for you. Tell {h.counselor} "
                   "what would make our sessions better."]
    else:
        ratings = ["No ratings yet. At the end of a session you can rate how it went."]
    return [("Your next appointments", appointments),
            (f"What {h.counselor} will do", counselor),
            ("What you will do", client),
            ("How our sessions have been going, in your words", ratings)]


def to_text(h: Handout) -> str:
    """The page as plain text (for the screen or a printer)."""
    out = [f"For {h.client_name} — from {h.counselor}, {long_day(h.made_on)} {h.made_on.year}",
           ""]
    for heading, lines in sections(h):
        out += [heading, *(f"  • {line}" for line in lines), ""]
    return "\n".join(out).rstrip() + "\n"


def to_markdown(h: Handout) -> str:
    """The page as Markdown."""
    out = [f"# For {h.client_name}", "",
           f"From {h.counselor}, {long_day(h.made_on)} {h.made_on.year}.", ""]
    for heading, lines in sections(h):
        out += [f"## {heading}", "", *(f"- {line}" for line in lines), ""]
    return "\n".join(out).rstrip() + "\n"
