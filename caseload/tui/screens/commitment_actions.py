"""Done, renegotiate and drop: the commitment commands shared by the Commitments and Client
screens, declared once here and bound on both.

A screen mixes in `CommitmentActions` and says which commitment is highlighted
(`highlighted_commitment`) and how to show fresh data (`reload`). Each write runs in a worker
and passes the version the screen showed; on success the screen reloads. On failure the one
failure handler explains, nothing is saved, and the screen reloads too: a commitment changed in
another session meanwhile is refused (`StaleRecord`) and then shown as it now is.
"""

from __future__ import annotations

from textual import on, work
from textual.screen import Screen

from caseload.domain.dates import describe_date
from caseload.domain.records import CommitmentFact
from caseload.domain.text import clean_line
from caseload.services import commitments
from caseload.tui.commands import Command
from caseload.tui.screens.commitment_form import RenegotiateFormScreen
from caseload.tui.screens.modals import TextPromptScreen
from caseload.tui.widgets.commitment_text import owner_word
from caseload.tui.widgets.header import refresh_header
from caseload.tui.workers import WorkFailed, db_work, deliver, session_of

COMMITMENT_ROW_COMMANDS = (
    Command("commitment_done", "d", "Done", tooltip="Mark the highlighted commitment done today"),
    Command("commitment_renegotiate", "r", "New date",
            tooltip="Renegotiate the highlighted commitment's due date (the old one is kept)"),
    Command("commitment_drop", "D", "Drop", key_display="D",
            tooltip="Drop the highlighted commitment, with a reason"),
)


class CommitmentActions(Screen[object]):
    """Mixin for screens that list commitments: done, renegotiate, drop."""

    def highlighted_commitment(self) -> tuple[CommitmentFact, str] | None:
        """The highlighted commitment and its client's name (screens override)."""
        return None

    def reload(self) -> None:
        """Read the screen's data again (screens override)."""

    def _commitment_or_hint(self) -> tuple[CommitmentFact, str] | None:
        found = self.highlighted_commitment()
        if found is None:
            self.notify("Highlight a commitment first.", severity="warning")
        elif not found[0].status.outstanding:
            self.notify(f"This commitment is already {found[0].status.value}.",
                        severity="warning")
            return None
        return found

    def action_commitment_done(self) -> None:
        """Mark the highlighted commitment done today."""
        found = self._commitment_or_hint()
        if found is not None:
            self.save_done(found[0])

    @db_work("commitment-save")
    def save_done(self, commitment: CommitmentFact) -> None:
        """Write "done" (worker)."""
        fact = commitments.complete(session_of(self), commitment.id,
                                    expected_version=commitment.version)
        deliver(self, self.commitment_saved, fact, "✓ Done")

    def action_commitment_renegotiate(self) -> None:
        """Ask for the new due date and the reason."""
        found = self._commitment_or_hint()
        if found is not None:
            self.app.push_screen(RenegotiateFormScreen(*found), self._renegotiated)

    def _renegotiated(self, fact: CommitmentFact | None) -> None:
        if fact is not None:
            session = session_of(self)
            self.commitment_saved(fact, f"↻ Now due {describe_date(fact.due, session.today())}")

    def action_commitment_drop(self) -> None:
        """Ask why, then drop the highlighted commitment."""
        found = self._commitment_or_hint()
        if found is not None:
            self.drop_dialog(found[0])

    @work(exclusive=True, group="commitment-dialog")
    async def drop_dialog(self, commitment: CommitmentFact) -> None:
        """The reason is required: the drop is kept in the record with it."""

        def check(text: str) -> str:
            return f"Drop: {clean_line(text, 'Reason for dropping', max_len=200)}"

        reason = await self.app.push_screen_wait(TextPromptScreen(
            f"Drop “{owner_word(commitment.owner)} will: {commitment.text}” — why?",
            "no longer needed: client found housing", check))
        if reason:
            self.save_drop(commitment, reason)

    @db_work("commitment-save-drop")
    def save_drop(self, commitment: CommitmentFact, reason: str) -> None:
        """Write the drop (worker)."""
        fact = commitments.drop(session_of(self), commitment.id, reason,
                                expected_version=commitment.version)
        deliver(self, self.commitment_saved, fact, "– Dropped")

    def commitment_saved(self, fact: CommitmentFact, what: str) -> None:
        """Confirm briefly, reload the screen and the week's figures."""
        self.notify(f"{what}: {fact.text}", timeout=3)
        self.reload()
        refresh_header(self)

    @on(WorkFailed)
    def _commitment_failed(self, event: WorkFailed) -> None:
        # Nothing was saved (changed in another session, or refused): show what is stored now.
        if event.group.startswith("commitment-save"):
            self.reload()
