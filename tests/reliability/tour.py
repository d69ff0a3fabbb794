"""A tour of every screen and dialog of the app, on a caseload full of hostile text.

`hostile_caseload()` writes a caseload whose every free-text field a counselor can fill (client
names, record numbers, commitments, notes, goals, locations, kinds, comments, review focus lines)
holds Rich/Textual markup that would crash or restyle the screen if it were read as markup
("[/]", "[link=…]", "[@click=…]"), and one client name that another tool wrote straight into
the database with terminal escape sequences (a title change, a screen clear, colours), which
Caseload's own services refuse. `STOPS` are the keys that reach each screen or dialog from a
fresh start, and the screen class expected there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseload.domain.records import Instrument, Outcome, Party
from caseload.services import appointments, checkins, clients, commitments, weekly_review
from caseload.services.session import Session
from tests.tui.conftest import at

# Markup that crashes Textual if parsed ("[/]" closes nothing), makes a link, or an action.
MARKUP_NAME = "Ana [/]Ruiz"
LINK_NAME = "Bo [link=http://evil.example]Link[/link] Lee"
ACTION_NAME = "Cy [@click=app.quit]Quit[/] Fox"
ESCAPE_NAME = "Dee \x1b]0;PWNED\x07\x1b[31mRED\x1b[0m\x1b[2J Eve"
ESCAPE_SEQUENCES = (b"\x1b]0;PWNED", b"\x1b[31mRED", b"\x1b[2J")
TEXTS = "[/] call the [link=x]officer[/link]"


def hostile_caseload(session: Session, db_file: Path | None) -> dict[str, int]:
    """The caseload of the tour; its client ids by first name."""
    ids = {}
    for number, name in enumerate((MARKUP_NAME, LINK_NAME, ACTION_NAME, "Dee Placeholder"),
                                  start=1):
        ids[name.split()[0]] = clients.add_client(session, name, f"R-[b]{number}[/b]",
                                                  date(2026, 9, 1)).id
    ana, bo, cy, dee = ids["Ana"], ids["Bo"], ids["Cy"], ids["Dee"]
    # Ana: two no-shows in a row, a session this morning with no outcome yet, a series.
    for day in (13, 20):
        missed = appointments.schedule_single(session, ana, at(day, 10), location="[/]room",
                                              kind="[b]group[/b]")
        appointments.record_outcome(session, missed.id, Outcome.NO_SHOW)
    appointments.schedule_single(session, ana, at(27, 9), location="[/]room")
    appointments.schedule_series(session, ana, at(2, 14, month=12), location="[link=x]y")
    for client in (bo, cy, dee):
        appointments.schedule_single(session, client, at(26, 11))
        appointments.schedule_single(session, client, at(3, 11, month=12))
    goal = clients.add_goal(session, ana, TEXTS)
    commitments.add(session, ana, Party.COUNSELOR, TEXTS, date(2026, 11, 25),
                    made_on=date(2026, 11, 18), goal_id=goal.id, note="[/]note")
    for client in (bo, cy, dee):
        commitments.add(session, client, Party.CLIENT, TEXTS, date(2026, 11, 24),
                        made_on=date(2026, 11, 17))
        checkins.record(session, client, Instrument.SRS, [9, 9, 9, 9],
                        taken_on=date(2026, 11, 13), comment="[/]fine")
        checkins.record(session, client, Instrument.SRS, [6, 5, 6, 5],
                        taken_on=date(2026, 11, 20), comment="[link=x]low")
    last_week = weekly_review.start_or_resume(session, date(2026, 11, 16))
    weekly_review.set_note(session, last_week.id, ana, focus="[/]focus", reviewed=True)
    weekly_review.finish(session, last_week.id)
    if db_file is not None:  # another tool's write: Caseload's services refuse control codes
        with sqlite3.connect(db_file) as con:
            con.execute("UPDATE client SET display_name = ? WHERE id = ?", (ESCAPE_NAME, dee))
        con.close()
    return ids


@dataclass(frozen=True)
class Stop:
    """Keys that reach a screen or dialog from a fresh start, and its class name there."""

    name: str
    keys: tuple[str, ...]
    screen: str


STOPS = (
    Stop("today", (), "TodayScreen"),
    Stop("today-late-minutes", ("m",), "TextPromptScreen"),
    Stop("today-reschedule", ("r",), "TextPromptScreen"),
    Stop("today-check-in", ("i",), "CheckInScreen"),
    Stop("today-commitment", ("o",), "CommitmentFormScreen"),
    Stop("today-no-show", ("n",), "TodayScreen"),
    Stop("today-third-no-show", ("down", "down", "down", "n"), "TodayScreen"),  # a notice
    Stop("add-client", ("plus",), "ClientFormScreen"),
    Stop("caseload", ("2",), "CaseloadScreen"),
    Stop("caseload-filter", ("2", "slash", "[", "/", "]"), "CaseloadScreen"),
    Stop("client", ("2", "enter"), "ClientScreen"),
    Stop("client-commitment", ("2", "enter", "c"), "CommitmentFormScreen"),
    Stop("client-goal", ("2", "enter", "g"), "TextPromptScreen"),
    Stop("client-status", ("2", "enter", "t"), "ChoiceScreen"),
    Stop("client-schedule", ("2", "enter", "s"), "ScheduleFormScreen"),
    Stop("client-edit-session", ("2", "enter", "e"), "AppointmentFormScreen"),
    Stop("client-remove-series", ("2", "enter", "X"), "ConfirmScreen"),
    Stop("commitments", ("3",), "CommitmentsScreen"),
    Stop("commitments-renegotiate", ("3", "r"), "RenegotiateFormScreen"),
    Stop("commitments-drop", ("3", "D"), "TextPromptScreen"),
    Stop("commitments-add", ("3", "a"), "CommitmentFormScreen"),
    Stop("review", ("w",), "ReviewScreen"),
    Stop("review-current", ("w", "space"), "ReviewScreen"),
    Stop("review-focus", ("w", "space", "f"), "TextPromptScreen"),
    Stop("review-handout", ("w", "space", "H"), "HandoutScreen"),
    Stop("review-ahead", ("w", "space", "space", "space", "space", "space", "space"),
         "ReviewScreen"),
    Stop("past-reviews", ("w", "h"), "ReviewListScreen"),
    Stop("past-review", ("w", "h", "down", "enter"), "ReviewRecordScreen"),
    Stop("help", ("f1",), "HelpScreen"),
    Stop("palette", ("ctrl+p",), "CommandPalette"),
)
