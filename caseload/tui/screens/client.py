"""Client: one client's header (goals, cadence, figures) and timeline, and what to do about it.

The timeline lists sessions (with outcome symbols), commitments both ways (with status) and
check-ins (with totals and a sparkline) in time order, the cursor starting at today. Session
commands live in `client_sessions`, commitment commands in `commitment_actions`; this module
adds goals, status, commitments and check-ins, and owns loading. A change to a session,
commitment or check-in passes the version shown; when another session changed it meanwhile,
nothing is saved, the message says so and the timeline is read again.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from msgspec.structs import replace
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientStatus,
    CommitmentFact,
    Outcome,
)
from caseload.domain.text import clean_line
from caseload.services import checkins, clients
from caseload.services.client_view import (
    ClientView,
    EntryKind,
    SeriesView,
    TimelineEntry,
    load_client_view,
)
from caseload.services.clients import GoalView
from caseload.tui.commands import Command, bindings
from caseload.tui.screens.checkin import CheckInScreen
from caseload.tui.screens.client_sessions import SESSION_COMMANDS, SessionActions
from caseload.tui.screens.commitment_actions import COMMITMENT_ROW_COMMANDS, CommitmentActions
from caseload.tui.screens.commitment_form import CommitmentFormScreen
from caseload.tui.screens.modals import Choice, ChoiceScreen, TextPromptScreen
from caseload.tui.widgets.client_header import ClientHeader
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.header import ConsistencyHeader, refresh_header
from caseload.tui.widgets.table_fit import fit_last_column
from caseload.tui.widgets.timeline import entry_cells
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

CLIENT_COMMANDS = (
    *SESSION_COMMANDS,
    Command("client_add_commitment", "c", "Commitment",
            tooltip="Add a commitment for this client, yours or theirs"),
    *(replace(command, show=False) for command in COMMITMENT_ROW_COMMANDS),
    Command("client_check_in", "i", "Check-in",
            tooltip="Record check-in scores (for the highlighted session, if past)"),
    Command("client_discussed", "a", "Discussed", show=False,
            tooltip="Mark the highlighted check-in discussed with the client, with a comment"),
    Command("client_add_goal", "g", "Goal", show=False,
            tooltip="Add a goal, in the client's own words"),
    Command("client_edit_goal", "G", "Edit goal", key_display="G", show=False,
            tooltip="Reword a goal, or retire it"),
    Command("client_status", "t", "Status", show=False,
            tooltip="Change the client's status: active, on hold, discharged"),
    Command("client_back", "escape", "Back", tooltip="Back to the previous screen"),
)

# Status before the free text, so a long commitment never pushes the status off screen.
WHEN_WIDTH, STATUS_WIDTH = 16, 22
PAST_LINES_SHOWN = 4

STATUS_CHOICES = (
    Choice("a", "Active", ClientStatus.ACTIVE),
    Choice("h", "On hold", ClientStatus.ON_HOLD),
    Choice("d", "Discharged", ClientStatus.DISCHARGED),
)


def goal_text(text: str) -> str:
    """Preview for a goal typed in the client's words."""
    return f"Goal: {clean_line(text, 'Goal', max_len=300)}"


class ClientScreen(SessionActions, CommitmentActions):
    """One client: header and timeline; every change goes through a worker and reloads."""

    CSS_PATH = Path(__file__).with_name("client.tcss")
    SUB_TITLE = "Client"
    BINDINGS = bindings(*CLIENT_COMMANDS)

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.view: ClientView | None = None
        self.entries: dict[str, TimelineEntry] = {}
        self.shown_before = False  # set by the first ScreenResume (right after mount)
        # Where the timeline is to be scrolled once its rows are laid out (None: done).
        self.scroll_target: float | None = None

    def compose(self) -> ComposeResult:
        """Week header, client header, timeline, footer."""
        yield ConsistencyHeader("Client")
        yield ClientHeader(session_of(self).settings, id="client-header")
        table: DataTable[str | Text] = DataTable(id="client-timeline", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        """Columns, then read."""
        table = self.query_one("#client-timeline", DataTable)
        table.add_column("When", key="when", width=WHEN_WIDTH)
        table.add_column("Status", key="status", width=STATUS_WIDTH)
        table.add_column("What", key="what")
        table.focus()
        self.reload()

    def on_resize(self) -> None:
        """Refill, so the free text takes the new width."""
        if self.view is not None:
            self.call_after_refresh(self.show_view, self.view)

    def on_screen_resume(self) -> None:
        """Back from a form or another screen: read again (not when first shown: the read
        started at mount is the one)."""
        if self.shown_before and self.view is not None:
            self.reload()
        self.shown_before = True

    # Loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the client's view again (worker)."""
        self.load_client()

    @db_work("client-load", verb="load")
    def load_client(self) -> None:
        """Five queries: the client with goals, the history, the series."""
        deliver(self, self.show_view, load_client_view(session_of(self), self.client_id))

    def show_view(self, view: ClientView) -> None:
        """Fill header and timeline; keep the cursor where it was (first load: at today)."""
        first = self.view is None
        table = self.query_one("#client-timeline", DataTable)
        current = self._cursor_key()
        # A refill keeps the timeline where it was (or where it was about to be put).
        keep = table.scroll_y if self.scroll_target is None else self.scroll_target
        self.view = view
        self.query_one(ClientHeader).view = view
        self.entries = {}
        table.clear()
        fit_last_column(table)
        settings = session_of(self).settings
        for entry in view.timeline:
            key = f"{entry.kind.value}:{entry.id}"
            self.entries[key] = entry
            when, what, status = entry_cells(entry, view.now, settings, view.undiscussed)
            table.add_row(when, status, what, key=key)
        if not first and current in self.entries:
            table.move_cursor(row=table.get_row_index(current), scroll=False)
            self._scroll_later(keep)
        elif view.timeline:
            # Today near the top: a few past lines above it, what is coming below.
            row = min(view.first_upcoming(), len(view.timeline) - 1)
            table.move_cursor(row=row, scroll=False)
            self._scroll_later(max(0, row - PAST_LINES_SHOWN))

    def _scroll_later(self, y: float) -> None:
        """Scroll the timeline to `y` once its new rows are laid out. Only the latest target
        counts, whatever order refills and their refreshes come in."""
        self.scroll_target = y
        self.call_after_refresh(self._scroll_now)

    def _scroll_now(self) -> None:
        if self.scroll_target is not None:
            self.query_one("#client-timeline", DataTable).scroll_to(
                y=self.scroll_target, animate=False)
            self.scroll_target = None

    def _cursor_key(self) -> str:
        table = self.query_one("#client-timeline", DataTable)
        if table.row_count == 0:
            return ""
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # the cursor is out of range while the table refills
            return ""

    def _highlighted(self, kind: EntryKind) -> TimelineEntry | None:
        entry = self.entries.get(self._cursor_key())
        return entry if entry is not None and entry.kind is kind else None

    # What the mixins need ----------------------------------------------------------------

    def highlighted_appointment(self) -> AppointmentFact | None:
        """The highlighted session, if the cursor is on one."""
        entry = self._highlighted(EntryKind.APPOINTMENT)
        return entry.appointment if entry is not None else None

    def highlighted_commitment(self) -> tuple[CommitmentFact, str] | None:
        """The highlighted commitment, if the cursor is on one."""
        entry = self._highlighted(EntryKind.COMMITMENT)
        if entry is None or entry.commitment is None:
            return None
        return entry.commitment, self.client_label()

    def highlighted_checkin(self) -> CheckInFact | None:
        """The highlighted check-in, if the cursor is on one."""
        entry = self._highlighted(EntryKind.CHECKIN)
        return entry.checkin if entry is not None else None

    def series_views(self) -> tuple[SeriesView, ...]:
        """The client's open series."""
        return self.view.series if self.view is not None else ()

    def client_label(self) -> str:
        """"Jordan Rivers (CL-1)"."""
        if self.view is None:
            return ""
        return f"{self.view.client.name} ({self.view.client.record_number})"

    # Commitments and check-ins -----------------------------------------------------------

    def action_client_add_commitment(self) -> None:
        """Add a commitment for this client."""
        self.app.push_screen(CommitmentFormScreen(self.client_id), self._commitment_added)

    def _commitment_added(self, fact: CommitmentFact | None) -> None:
        if fact is not None:
            self.commitment_saved(fact, "Added")

    def action_client_check_in(self) -> None:
        """Open the check-in form, tied to the highlighted session when it has begun."""
        appointment = self.highlighted_appointment()
        tied = (appointment.id if appointment is not None and self.view is not None
                and appointment.start <= self.view.now
                and appointment.outcome in (Outcome.KEPT, Outcome.SCHEDULED) else None)
        self.app.push_screen(CheckInScreen(self.client_id, tied))

    def action_client_discussed(self) -> None:
        """Mark the highlighted check-in discussed, with a one-line comment."""
        checkin = self.highlighted_checkin()
        if checkin is None:
            self.notify("Highlight a check-in first.", severity="warning")
            return
        prompt = TextPromptScreen("Discussed with the client — what did you agree? (one line)",
                                  "felt rushed; will start on time",
                                  lambda t: clean_line(t, "Comment", max_len=200),
                                  value=checkin.comment)
        self.app.push_screen(prompt, partial(self._discussed_typed, checkin))

    def _discussed_typed(self, checkin: CheckInFact, comment: str | None) -> None:
        if comment is not None:
            self.save_discussed(checkin, comment)

    @db_work("client-save-discussed")
    def save_discussed(self, checkin: CheckInFact, comment: str) -> None:
        """Write "discussed" and the comment (worker)."""
        checkins.mark_discussed(session_of(self), checkin.id, comment,
                                expected_version=checkin.version)
        deliver(self, self.changed, "✓ Marked discussed")

    def changed(self, summary: str) -> None:
        """A write succeeded: say so, reload, refresh the week's figures."""
        self.notify(summary, timeout=3)
        self.reload()
        refresh_header(self)

    @on(WorkFailed)
    def _client_failed(self, event: WorkFailed) -> None:
        # Nothing was saved (a row changed in another session meanwhile, or a refused write):
        # read again, so what is shown, and the version the next change expects, is current.
        if event.group.startswith("client-save"):
            self.reload()

    # Goals and status --------------------------------------------------------------------

    def action_client_add_goal(self) -> None:
        """Add a goal in the client's own words."""
        self.app.push_screen(TextPromptScreen("New goal, in the client's own words",
                                              "get my license back", goal_text),
                             self._goal_typed)

    def _goal_typed(self, text: str | None) -> None:
        if text is not None:
            self.save_goal(None, text, None)

    @db_work("client-save-goal")
    def save_goal(self, goal_id: int | None, text: str | None, active: bool | None) -> None:
        """Add, reword or retire a goal (worker)."""
        session = session_of(self)
        if goal_id is None:
            clients.add_goal(session, self.client_id, text or "")
            deliver(self, self.changed, "Goal added")
        else:
            clients.edit_goal(session, goal_id, text=text, active=active)
            deliver(self, self.changed, "Goal retired" if active is False else "Goal changed")

    def action_client_edit_goal(self) -> None:
        """Pick a goal (when there are several), then reword or retire it."""
        goals = self.view.goals if self.view is not None else ()
        if not goals:
            self.notify("No goals yet: g adds one.", severity="warning")
        elif len(goals) == 1:
            self.goal_dialog(goals[0])
        else:
            choices = [Choice(str(n), g.text, g) for n, g in enumerate(goals[:9], 1)]
            self.app.push_screen(ChoiceScreen("Which goal?", choices), self._goal_chosen)

    def _goal_chosen(self, goal: GoalView | None) -> None:
        if goal is not None:
            self.goal_dialog(goal)

    @work(exclusive=True, group="client-dialog")
    async def goal_dialog(self, goal: GoalView) -> None:
        """Reword or retire one goal."""
        what = await self.app.push_screen_wait(ChoiceScreen(f"Goal: {goal.text}", [
            Choice("e", "Change the wording", "edit"),
            Choice("r", "Retire it (reached, or no longer a goal)", "retire")]))
        if what == "retire":
            self.save_goal(goal.id, None, False)
        elif what == "edit":
            text = await self.app.push_screen_wait(TextPromptScreen(
                "The goal, in the client's own words", goal.text, goal_text, value=goal.text))
            if text is not None:
                self.save_goal(goal.id, text, None)

    def action_client_status(self) -> None:
        """Active, on hold or discharged."""
        self.app.push_screen(ChoiceScreen(f"Status of {self.client_label()}", STATUS_CHOICES),
                             self._status_chosen)

    def _status_chosen(self, status: ClientStatus | None) -> None:
        if status is not None:
            self.save_status(status)

    @db_work("client-save-status")
    def save_status(self, status: ClientStatus) -> None:
        """Write the new status (worker)."""
        fact = clients.update_client(session_of(self), self.client_id, status=status)
        deliver(self, self.changed, f"Status: {fact.status.label}")

    def action_client_back(self) -> None:
        """Back to where the client was opened from."""
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
