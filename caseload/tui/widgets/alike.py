"""Table cells that read alike, made once per fill and shared by every row showing them.

A long table repeats most of its cells: a percentage, a date, "· open", "You", "…" while
counting. One `Text` per cell was most of a thousand-row table's memory (issue 7: ≤ 80 MiB with
every client listed). A shared Text is never changed once made (Rich renders a Text without
changing it, and the tables replace cells rather than edit them), so rows can share one.
A client's name or record number is their own: those are made per row, not here.
"""

from __future__ import annotations

from rich.console import JustifyMethod
from rich.text import Text


class AlikeTexts:
    """The cells of one fill of a table, one `Text` for each distinct look."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[tuple[object, ...], Text] = {}

    def text(self, plain: str, justify: JustifyMethod | None = None) -> Text:
        """A Text of `plain` (unstyled), made the first time it is asked for."""
        return self.same(Text(plain, justify=justify))

    def same(self, text: Text) -> Text:
        """`text`, or one given before that looks the same (only a Text without spans, styled
        as a whole if at all, is shared)."""
        if text.spans:
            return text
        key = (text.plain, text.justify, str(text.style), text.overflow, text.no_wrap, text.end)
        return self._made.setdefault(key, text)
