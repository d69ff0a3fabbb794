"""Small typed dialogs that `dismiss()` a value: confirm, prompt for text, choose one option.

Use them with a callback or, inside a worker/async action, with ``push_screen_wait``:

    self.app.push_screen(ConfirmScreen("Remove 9 future sessions?"), self.removal_confirmed)
    self.app.push_screen(
        TextPromptScreen("New date and time", "fri 2pm", datetime_preview(session)),
        self.new_time_typed)
    self.app.push_screen(ChoiceScreen("Who asked?", [Choice("c", "Client", Party.CLIENT),
                                                      Choice("s", "Counselor", Party.COUNSELOR)]),
                         self.requester_chosen)

`ConfirmScreen` dismisses True/False, `TextPromptScreen` the typed text (stripped) or None,
`ChoiceScreen` the chosen option's value or None. Escape always cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Generic, TypeVar

import msgspec
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from caseload.domain.dates import (
    describe_date,
    describe_datetime,
    is_ambiguous,
    localize,
    parse_date,
    parse_datetime,
)
from caseload.services.session import Session
from caseload.tui.commands import Command, bindings

T = TypeVar("T")

Preview = Callable[[str], str]
"""Parses typed text and returns how it was understood; raises ValueError (or ValidationError)
with a message fit to show when it cannot be read."""


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses True for yes, False for no or Escape."""

    BINDINGS = bindings(
        Command("confirm_yes", "y", "Yes", tooltip="Answer yes"),
        Command("confirm_no", "n", "No", tooltip="Answer no"),
        Command("close_dialog", "escape", "Cancel", tooltip="Close without doing anything"),
    )

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        """The question and the two answers with their keys."""
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title", markup=False)  # may name a client
            yield Static(f"[b]y[/b] {self.yes_label}   [b]n[/b] {self.no_label}   "
                         "[b]Esc[/b] cancel", classes="dialog-keys")

    def action_confirm_yes(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    def action_confirm_no(self) -> None:
        """Answer no."""
        self.dismiss(False)

    def action_close_dialog(self) -> None:
        """Escape: the same as no."""
        self.dismiss(False)


class TextPromptScreen(ModalScreen[str | None]):
    """Ask for one line of text, showing how it is understood while it is typed.

    `validator` turns the text into a preview ("Fri 4 Dec 2026, 14:00 (in 7 days)") or raises
    ValueError with a message, shown in place; Enter accepts only text the validator accepts.
    Dismisses the stripped text, or None on Escape.
    """

    BINDINGS = bindings(
        Command("close_dialog", "escape", "Cancel", tooltip="Close without saving"),
    )

    def __init__(self, title: str, placeholder: str = "", validator: Preview | None = None, *,
                 value: str = "", hint: str = "Enter to accept · Esc to cancel") -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.validator = validator
        self.initial = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        """Title, the field, the live preview and the keys."""
        with Vertical(classes="dialog"):
            yield Label(self.prompt_title, classes="dialog-title", markup=False)
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-preview", classes="preview", markup=False)
            yield Static(self.hint, classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        """Show the preview of any initial text."""
        self._preview(self.initial)

    def _preview(self, text: str) -> bool:
        """Show how `text` reads; returns whether it can be accepted."""
        preview = self.query_one("#prompt-preview", Static)
        if self.validator is None:
            preview.update("")
            return bool(text.strip())
        if not text.strip():
            preview.set_class(False, "error")
            preview.update(f"e.g. {self.placeholder}" if self.placeholder else "")
            return False
        try:
            understood = self.validator(text)
        except ValueError as error:
            message = error.args[0] if error.args else "Cannot read that."
            preview.set_class(True, "error")
            preview.update(f"✗ {message}")
            return False
        preview.set_class(False, "error")
        preview.update(f"→ {understood}")
        return True

    @on(Input.Changed, "#prompt-input")
    def _changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._preview(event.value):
            self.dismiss(event.value.strip())

    def action_close_dialog(self) -> None:
        """Close without a value."""
        self.dismiss(None)


class Choice(msgspec.Struct, Generic[T], frozen=True):
    """One option of a `ChoiceScreen`: the key that picks it, its words, its value."""

    key: str
    label: str
    value: T


class ChoiceScreen(ModalScreen[T | None], Generic[T]):
    """Pick one of a few options by its key (or arrows and Enter); Escape cancels."""

    BINDINGS = bindings(
        Command("close_dialog", "escape", "Cancel", tooltip="Close without choosing"),
    )

    def __init__(self, title: str, options: Sequence[Choice[T]]) -> None:
        super().__init__()
        keys = [o.key for o in options]
        if len(set(keys)) != len(keys):
            raise ValueError("ChoiceScreen options need distinct keys")
        self.choice_title = title
        self.options = tuple(options)
        for index, option in enumerate(self.options):
            # The option keys are data (one dialog's answers), bound per dialog.
            self._bindings.bind(option.key, f"choose({index})", option.label, show=False)

    def compose(self) -> ComposeResult:
        """The title and the options, each with its key."""
        with Vertical(classes="dialog"):
            yield Label(self.choice_title, classes="dialog-title", markup=False)
            yield OptionList(*[Option(f"{o.key}  {o.label}", id=f"choice-{i}")
                               for i, o in enumerate(self.options)], id="choice-list")
            yield Static("key or ↑↓ Enter · Esc to cancel", classes="dialog-keys",
                         markup=False)

    def action_choose(self, index: int) -> None:
        """Pick the option at `index`."""
        self.dismiss(self.options[index].value)

    @on(OptionList.OptionSelected, "#choice-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option_index)

    def action_close_dialog(self) -> None:
        """Close without a choice."""
        self.dismiss(None)


def datetime_preview(session: Session, default_time: time | None = None) -> Preview:
    """A validator for a typed date and time in the clinic's zone ("fri 2pm", "tomorrow 9:00").

    Shows e.g. "Fri 4 Dec 2026, 14:00 EST (in 7 days)"; a repeated wall time (clocks going
    back) says which one is meant.
    """

    def preview(text: str) -> str:
        naive = parse_datetime(text, session.today(), session.settings.week_start, default_time)
        aware = localize(naive, session.tz)
        shown = describe_datetime(aware, session.today())
        if is_ambiguous(naive, session.tz):
            shown += " — the first of the two (summer time)"
        return shown

    return preview


def parse_local_datetime(session: Session, text: str,
                         default_time: time | None = None) -> datetime:
    """The aware datetime that `datetime_preview` showed for `text`."""
    naive = parse_datetime(text, session.today(), session.settings.week_start, default_time)
    return localize(naive, session.tz)


def date_preview(session: Session) -> Preview:
    """A validator for a typed date ("fri", "+2w", "2026-12-01")."""

    def preview(text: str) -> str:
        return describe_date(parse_date(text, session.today(), session.settings.week_start),
                             session.today())

    return preview
