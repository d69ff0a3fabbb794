"""The frame every data-entry dialog shares: a title, fields, a message line, Save and Cancel.

A form is a modal screen that saves itself in a thread worker and dismisses the saved record
(or None on Escape). Save refuses while any visible field is refused, marks each one under the
field, and puts the cursor in the first; a failed write keeps the form open with the one-line
message, so nothing typed is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioSet, Static

from caseload.services.session import Session
from caseload.tui.commands import Command, bindings
from caseload.tui.widgets.footer import KeysFooter
from caseload.tui.widgets.parsed_field import ERROR_MARK, ParsedField
from caseload.tui.workers import WorkFailed, session_of

T = TypeVar("T")

FORM_COMMANDS = (
    Command("save_form", "ctrl+s", "Save", tooltip="Save what is typed (Enter also saves)"),
    Command("close_dialog", "escape", "Cancel", action="cancel_form",
            tooltip="Close without saving"),
)


class FormScreen(ModalScreen[T | None]):
    """Base for forms: subclasses compose their fields and implement `save`."""

    CSS_PATH = Path(__file__).with_name("forms.tcss")
    BINDINGS = bindings(*FORM_COMMANDS)
    TITLE_TEXT = "Form"
    KEYS_TEXT = "Tab next field · Enter or Ctrl+S save · Esc cancel"

    def compose(self) -> ComposeResult:
        """The frame; `compose_fields` fills it."""
        with VerticalScroll(classes="dialog form"):
            yield Label(self.form_title(), classes="dialog-title", markup=False)
            yield from self.compose_fields()
            yield Static("", id="form-message", markup=False)
            yield Static(self.KEYS_TEXT, classes="dialog-keys", markup=False)
        yield KeysFooter()

    def form_title(self) -> str:
        """The dialog's title line."""
        return self.TITLE_TEXT

    def compose_fields(self) -> ComposeResult:
        """The form's own fields."""
        yield from ()

    @property
    def session(self) -> Session:
        """The app's working session."""
        return session_of(self)

    def visible_fields(self) -> list[ParsedField[object]]:
        """The parsed fields currently shown (hidden ones are not part of the answer)."""
        return [f for f in self.query(ParsedField) if f.display]

    def say(self, message: str) -> None:
        """Show one line under the fields (none: the line goes away)."""
        line = self.query_one("#form-message", Static)
        line.update(message)
        line.display = bool(message)

    saving = False  # a save is under way: Enter again does not start a second one

    def action_save_form(self) -> None:
        """Save if every field is accepted; otherwise mark the refused ones and go to the first."""
        if self.saving:  # writes are never cancelled, so a second Enter would save twice
            return
        refused = [f for f in self.visible_fields() if not f.is_valid]
        for field in refused:
            field.show_error()
        if refused:
            refused[0].focus_input()
            self.say(f"{ERROR_MARK} Not saved: fix the field marked {ERROR_MARK} first.")
            return
        problem = self.check()
        if problem:
            self.say(f"{ERROR_MARK} {problem}")
            return
        self.say("Saving…")
        self.saving = True
        self.save()

    def check(self) -> str | None:
        """A last whole-form check before saving; a message means refuse."""
        return None

    def save(self) -> None:
        """Start the worker that saves (subclasses); it calls `saved` with the result."""
        raise NotImplementedError

    def saved(self, result: T) -> None:
        """The write succeeded (UI thread): close with the saved record."""
        self.dismiss(result)

    def action_cancel_form(self) -> None:
        """Close without saving (not while a save is under way: it would still be stored)."""
        if self.saving:
            self.say("Saving… (Esc once it is saved or refused)")
            return
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_saves(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save_form()

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        self.saving = False
        self.say(f"{ERROR_MARK} Not saved: {event.message}")

    def radio_index(self, selector: str) -> int:
        """The pressed button's index in a `RadioSet` (0 when none is pressed)."""
        index = self.query_one(selector, RadioSet).pressed_index
        return max(index, 0)
