"""Nothing on screen can drive the terminal: control characters are dropped from every line.

Caseload's services refuse control characters in what is typed or imported, but a database can
hold text written another way (an older version, another tool, a clinic server's own scripts).
Textual writes a segment's text to the terminal as it is, so an escape sequence in a client's
name would change the window title, clear the screen or recolour it. `ControlFilter` runs over
every line the app draws (dialogs, tables, notifications, the footer) and removes C0 and C1
control characters and the bidirectional overrides that can make text read backwards; they
take no cells, so the layout is unchanged.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

_DROPPED = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                          *range(0x2066, 0x206A)])


def without_controls(text: str) -> str:
    """`text` with control characters and bidirectional overrides removed."""
    return text.translate(_DROPPED)


class ControlFilter(LineFilter):
    """Drop control characters from the text of every segment (not from control segments,
    which are Textual's own cursor moves)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [s if s.control or s.text.isprintable() else
                Segment(without_controls(s.text), s.style, s.control) for s in segments]
