"""The client handout on screen: the page `caseload handout` prints, for showing the client.

Opened from the review's client step (H). Nothing is written to a file from here: on a shared
server a file is one more copy of client data; `caseload handout CLIENT` prints it when needed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from caseload.io import handout
from caseload.services.client_view import load_client_view
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.workers import db_work, deliver, session_of

HANDOUT_COMMANDS = (
    Command("close_handout", "escape", "Close", tooltip="Back to where you were"),
)


class HandoutScreen(ModalScreen[None]):
    """One client's handout, read-only."""

    BINDINGS = bindings(*HANDOUT_COMMANDS)

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.page: handout.Handout | None = None

    def compose(self) -> ComposeResult:
        """The page, scrollable, and the keys."""
        with VerticalScroll(classes="dialog", id="handout-body"):
            yield Static("Loading…", id="handout-text", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        """Read the client's view (worker)."""
        self.query_one("#handout-body").focus()
        self.load_handout()

    @db_work("handout-load", verb="load")
    def load_handout(self) -> None:
        """Five queries: the client's view; the page is built from it alone."""
        session = session_of(self)
        view = load_client_view(session, self.client_id)
        deliver(self, self.show, handout.build_handout(view, session.counselor_name))

    def show(self, page: handout.Handout) -> None:
        """Show the page."""
        self.page = page
        self.query_one("#handout-text", Static).update(handout.to_text(page))

    def action_close_handout(self) -> None:
        """Close."""
        self.dismiss(None)
