"""Forms for commitments: add one (either owner) and renegotiate its due date.

`CommitmentFormScreen(client_id)` is what other screens open to add a commitment for a client
(Today offers it after a second no-show); without a client id it asks which client, looked up
as it is typed (record number, "#id" or part of the name). Both forms dismiss the saved
`CommitmentFact`, or None on Escape.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, Static

from caseload.domain.records import (
    ClientFact,
    CommitmentFact,
    NotFound,
    Party,
    ValidationError,
)
from caseload.domain.text import clean_line
from caseload.services import clients, commitments
from caseload.tui.screens.form import FormScreen
from caseload.tui.screens.modals import date_preview
from caseload.tui.widgets.commitment_text import owner_word
from caseload.tui.widgets.parsed_field import ParsedField
from caseload.tui.widgets.parsers import date_parser
from caseload.tui.workers import WorkFailed, db_work, deliver

OWNERS = (Party.COUNSELOR, Party.CLIENT)
LOOKING_UP = "Looking up…"


def client_label(client: ClientFact) -> str:
    """"Jordan Rivers (CL-1)"."""
    return f"{client.name} ({client.record_number})"


class CommitmentFormScreen(FormScreen[CommitmentFact]):
    """Add a commitment: for whom, whose promise, what, and by when."""

    TITLE_TEXT = "New commitment"

    def __init__(self, client_id: int | None = None, *, text: str = "",
                 owner: Party = Party.COUNSELOR, due: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.client: ClientFact | None = None
        self._initial_text = text
        self._initial_owner = Party(owner)
        self._initial_due = due
        self._lookups: dict[str, ClientFact | str] = {}

    def compose_fields(self) -> ComposeResult:
        """Client (unless given), owner, text and due date."""
        if self.client_id is None:
            yield ParsedField("Client", self._parse_client, preview=self._client_preview,
                              placeholder="record number or part of the name",
                              hint="Type a record number or part of a name.", id="client")
        else:
            yield Static("For: …", id="for-client", classes="form-context", markup=False)
        yield Label("Whose promise?", classes="form-row-label")
        with RadioSet(id="owner"):
            for party in OWNERS:
                yield RadioButton(f"{owner_word(party)} will…",
                                  value=party is self._initial_owner)
        yield ParsedField("What", lambda t: clean_line(t, "Commitment", max_len=200),
                          value=self._initial_text, placeholder="call J. about Thursday",
                          id="text")
        yield ParsedField("Due", self._parse_due, preview=date_preview(self.session),
                          value=self._initial_due, placeholder="today, fri, +3d, 2026-12-04",
                          hint="e.g. today, fri, +1w or 2026-12-04", id="due")

    def on_mount(self) -> None:
        """Name the client when it was given; otherwise start in the client field."""
        if self.client_id is not None:
            self.load_client(self.client_id)
            self.query_one("#text", ParsedField).focus_input()
        else:
            self.query_one("#client", ParsedField).focus_input()

    # The client ----------------------------------------------------------------------------

    @db_work("commitment-form-client", verb="load")
    def load_client(self, client_id: int) -> None:
        """Read the given client's name (worker)."""
        deliver(self, self._show_client, clients.get_client(self.session, client_id))

    def _show_client(self, client: ClientFact) -> None:
        self.client = client
        self.query_one("#for-client", Static).update(f"For: {client_label(client)}")

    def _parse_client(self, text: str) -> ClientFact:
        if not text.strip():
            raise ValidationError("Say which client: a record number or part of a name.")
        found = self._lookups.get(text.strip())
        if isinstance(found, ClientFact):
            return found
        raise ValidationError(found or LOOKING_UP)

    def _client_preview(self, text: str) -> str:
        return client_label(self._parse_client(text))

    @on(ParsedField.Changed, "#client")
    def _client_typed(self, event: ParsedField.Changed) -> None:
        key = event.field.text.strip()
        if key and key not in self._lookups:
            self.find_client(key)

    @db_work("commitment-form-find", verb="look up")
    def find_client(self, ref: str) -> None:
        """Resolve what was typed to one client (worker); a miss is a message, not a failure."""
        try:
            result: ClientFact | str = clients.find_client(self.session, ref)
        except (NotFound, ValidationError) as error:
            result = str(error.args[0])
        deliver(self, self._client_found, ref, result)

    def _client_found(self, ref: str, result: ClientFact | str) -> None:
        self._lookups[ref] = result
        field = self.query_one("#client", ParsedField)
        if field.text.strip() == ref:
            field.reparse(announce=False)

    # Saving --------------------------------------------------------------------------------

    def _parse_due(self, text: str) -> date:
        due = date_parser(self.session)(text)
        if due < self.session.today():
            raise ValidationError("The due date is in the past; a new promise is due from "
                                  "today on.")
        return due

    def chosen_client(self) -> int | None:
        """The client the commitment is for, once known."""
        if self.client_id is not None:
            return self.client_id
        found = self.query_one("#client", ParsedField).value
        return found.id if isinstance(found, ClientFact) else None

    def save(self) -> None:
        """Add the commitment (worker)."""
        client_id = self.chosen_client()
        owner = OWNERS[self.radio_index("#owner")]
        text = self.query_one("#text", ParsedField).value
        due = self.query_one("#due", ParsedField).value
        assert client_id is not None and isinstance(text, str) and isinstance(due, date)
        self.save_commitment(client_id, owner, text, due)

    @db_work("commitment-form-save")
    def save_commitment(self, client_id: int, owner: Party, text: str, due: date) -> None:
        """Write the new commitment (worker)."""
        fact = commitments.add(self.session, client_id, owner, text, due)
        deliver(self, self.saved, fact)


class RenegotiateFormScreen(FormScreen[CommitmentFact]):
    """Move a commitment's due date, with the reason; the old date stays in its history.

    The save expects the commitment as the form shows it (its version). When another session
    changed it meanwhile, nothing is saved, the message says so, and the form reads the
    commitment again (what is typed stays), so a second Save acts on what is stored now.
    """

    TITLE_TEXT = "Renegotiate the due date"

    def __init__(self, commitment: CommitmentFact, client_name: str = "") -> None:
        super().__init__()
        self.commitment = commitment
        self.client_name = client_name

    def context_text(self) -> str:
        """What was promised and when it is due, as the form last read it."""
        c = self.commitment
        who = f"{owner_word(c.owner)} will: {c.text}"
        context = f"{self.client_name} · {who}" if self.client_name else who
        return f"{context}\nDue now: {date_preview(self.session)(c.due.isoformat())}"

    def compose_fields(self) -> ComposeResult:
        """What was promised, when it was due, the new date and why."""
        yield Static(self.context_text(), id="renegotiate-context", classes="form-context",
                     markup=False)
        yield ParsedField("New due", self._parse_due, preview=date_preview(self.session),
                          placeholder="fri, +1w, 2026-12-04", id="due")
        yield ParsedField("Reason", lambda t: clean_line(t, "Reason", max_len=200,
                                                         required=False),
                          required=False, placeholder="agreed with the client: …", id="reason")

    def on_mount(self) -> None:
        """Start in the date field."""
        self.query_one("#due", ParsedField).focus_input()

    def _parse_due(self, text: str) -> date:
        due = date_parser(self.session)(text)
        if due < self.session.today():
            raise ValidationError("The new due date is in the past.")
        if due == self.commitment.due:
            raise ValidationError("That is the same due date.")
        return due

    def save(self) -> None:
        """Renegotiate (worker)."""
        due = self.query_one("#due", ParsedField).value
        reason = self.query_one("#reason", ParsedField).value or ""
        assert isinstance(due, date)
        self.save_renegotiation(due, str(reason))

    @db_work("commitment-renegotiate")
    def save_renegotiation(self, due: date, reason: str) -> None:
        """Write the new due date (worker)."""
        fact = commitments.renegotiate(self.session, self.commitment.id, due, reason,
                                       expected_version=self.commitment.version)
        deliver(self, self.saved, fact)

    @on(WorkFailed)
    def _stale(self, event: WorkFailed) -> None:
        if event.stale:
            self.reload_commitment()

    @db_work("commitment-renegotiate-reload", verb="load")
    def reload_commitment(self) -> None:
        """Read the commitment as another session left it (worker)."""
        deliver(self, self._show_commitment, commitments.get(self.session, self.commitment.id))

    def _show_commitment(self, fact: CommitmentFact) -> None:
        self.commitment = fact
        self.query_one("#renegotiate-context", Static).update(self.context_text())
        self.query_one("#due", ParsedField).reparse(announce=False)
