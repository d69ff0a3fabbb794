"""A labelled one-line input that parses as you type and says what it understood.

Under the input, one line shows either the parsed value in plain words ("→ Fri 4 Dec 2026,
14:30 (in 7 days)") or why it was refused ("✗ Item 2 (Goals & topics) must be between 0.0 and
10.0; got 11."). The symbols carry the meaning, so nothing depends on colour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

T = TypeVar("T")

OK_MARK = "→"
ERROR_MARK = "✗"


class ParsedField(Vertical, Generic[T]):
    """An input whose text is parsed on every change; `value` is the parsed result or None.

    `parse` raises `ValueError` (usually `ValidationError`) with a message fit to show for text
    it refuses. An empty input is valid (value None) unless `required`. `preview` turns accepted
    text into the words shown under it (the modals' `datetime_preview` and `date_preview` fit);
    without it the line stays blank while the text is valid.
    """

    DEFAULT_CSS = """
    ParsedField {
        height: auto;
        width: 1fr;
    }
    ParsedField > Horizontal {
        height: 1;
    }
    ParsedField > Horizontal > Label {
        width: auto;
        min-width: 12;
        padding-right: 1;
        color: $text-muted;
    }
    ParsedField > Horizontal > Input {
        width: 1fr;
        background: $boost;
    }
    ParsedField > Horizontal > Input:focus {
        background: $primary 25%;
    }
    ParsedField > .parsed-preview {
        height: auto;
        color: $text-muted;
        padding-left: 2;
    }
    ParsedField.-invalid > .parsed-preview {
        color: $text-error;
        text-style: bold;
    }
    ParsedField.-blank > .parsed-preview {
        display: none;
    }
    """

    class Changed(Message):
        """The text changed and was parsed again (valid or not)."""

        def __init__(self, field: ParsedField[Any]) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> ParsedField[Any]:
            return self.field

    def __init__(self, label: str, parse: Callable[[str], T], *,
                 preview: Callable[[str], str] | None = None, value: str = "",
                 placeholder: str = "", hint: str = "", required: bool = True,
                 label_width: int | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._label = label
        self._parse = parse
        self._preview = preview
        self._initial = value
        self._placeholder = placeholder
        self.hint = hint
        self.required = required
        self._label_width = label_width
        self.value: T | None = None
        self.error: str | None = None
        self.touched = False

    def compose(self) -> ComposeResult:
        with Horizontal():
            label = Label(self._label)
            if self._label_width is not None:
                label.styles.min_width = self._label_width
            yield label
            # Focus selects what is there, so typing replaces a default ("50", "today").
            yield Input(self._initial, placeholder=self._placeholder, compact=True)
        yield Static(self.hint, classes="parsed-preview", markup=False)

    def on_mount(self) -> None:
        self.reparse(announce=False)

    @property
    def input(self) -> Input:
        """The text input inside the field."""
        return self.query_one(Input)

    @property
    def text(self) -> str:
        """What is typed, as it is."""
        return self.input.value

    @property
    def is_valid(self) -> bool:
        """Whether the text parses (or is empty and not required)."""
        return self.error is None

    def set_text(self, text: str) -> None:
        """Replace the typed text (parsing it again)."""
        self.input.value = text

    def set_parser(self, parse: Callable[[str], T]) -> None:
        """Parse with another function from now on (e.g. another instrument), and re-parse."""
        self._parse = parse
        self.reparse()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.touched = True
        self.reparse()

    def reparse(self, *, announce: bool = True) -> None:
        """Parse the current text again and update the preview line."""
        text = self.input.value if self.is_mounted else self._initial
        preview = self.query_one(".parsed-preview", Static)
        self.value, self.error = None, None
        if not text.strip() and not self.required:
            preview.update(self.hint)
        else:
            try:
                self.value = self._parse(text)
                understood = self._preview(text) if self._preview is not None else ""
            except ValueError as error:
                self.value = None
                self.error = str(error.args[0]) if error.args else "Cannot read that."
            if self.error is not None:
                shown = self.touched or bool(text.strip())
                preview.update(f"{ERROR_MARK} {self.error}" if shown else self.hint)
            else:
                preview.update(f"{OK_MARK} {understood}" if understood else "")
        self.set_class(not str(preview.render()).strip(), "-blank")
        # Only text the counselor typed is shown as wrong; an empty new field is just a hint.
        self.set_class(self.error is not None and (self.touched or bool(text.strip())),
                       "-invalid")
        if announce:
            self.post_message(self.Changed(self))

    def show_error(self) -> None:
        """Show the refusal even on an untouched field (on Save)."""
        self.touched = True
        self.reparse(announce=False)

    def focus_input(self) -> None:
        """Put the cursor in this field."""
        self.input.focus()
