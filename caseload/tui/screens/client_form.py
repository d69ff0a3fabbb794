"""Add a client to the caseload: name, record number, intake date and session cadence.

Reached from the Caseload screen and from the empty-caseload greeting. Dismisses the new
`ClientFact`, or None on Escape.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult

from caseload.domain.records import ClientFact
from caseload.domain.text import clean_line
from caseload.services import clients
from caseload.tui.screens.form import FormScreen
from caseload.tui.screens.modals import date_preview
from caseload.tui.widgets.parsed_field import ParsedField
from caseload.tui.widgets.parsers import date_parser, whole_number
from caseload.tui.workers import db_work, deliver


def cadence_preview(text: str) -> str:
    """"weekly", "every 2 weeks", "every 10 days"."""
    days = int(text.strip())
    if days == 7:
        return "weekly"
    if days % 7 == 0:
        return f"every {days // 7} weeks"
    return "daily" if days == 1 else f"every {days} days"


class ClientFormScreen(FormScreen[ClientFact]):
    """A new client on this counselor's caseload."""

    TITLE_TEXT = "Add a client"

    def compose_fields(self) -> ComposeResult:
        """Name, record number, intake date, cadence."""
        yield ParsedField("Name", lambda t: clean_line(t, "Name", max_len=120),
                          placeholder="as you call them: Jordan R.", id="name")
        yield ParsedField("Record no.", lambda t: clean_line(t, "Record number", max_len=40),
                          placeholder="the clinic's record number", id="record")
        yield ParsedField("Intake", date_parser(self.session), preview=date_preview(self.session),
                          value="today", placeholder="today, 2026-11-02", id="intake")
        yield ParsedField("Every (days)", whole_number("Cadence", 1, 365),
                          preview=cadence_preview, value="7", id="cadence")

    def on_mount(self) -> None:
        """Start in the name field."""
        self.query_one("#name", ParsedField).focus_input()

    def save(self) -> None:
        """Add the client (worker)."""
        values = {f.id: f.value for f in self.visible_fields()}
        intake, cadence = values["intake"], values["cadence"]
        assert isinstance(intake, date) and isinstance(cadence, int)
        self.save_client(str(values["name"]), str(values["record"]), intake, cadence)

    @db_work("client-form-save")
    def save_client(self, name: str, record: str, intake: date, cadence: int) -> None:
        """Write the new client (worker)."""
        fact = clients.add_client(self.session, name, record, intake, cadence_days=cadence)
        deliver(self, self.saved, fact)
