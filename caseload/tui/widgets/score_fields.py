"""One instrument's item scores as typed fields, each checked in place as it is typed.

Labels are neutral (the item's number and a short name, never licensed item wording); a refused
value shows `instruments.parse_item`'s message under its field ("✗ Item 2 (Goals & topics) must
be between 0.0 and 10.0; got 11.").
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import Grid

from caseload.domain import instruments
from caseload.domain.records import Instrument
from caseload.tui.widgets.parsed_field import ParsedField


class ScoreFields(Grid):
    """The item fields of one instrument, in item order (two columns when there are many)."""

    DEFAULT_CSS = """
    ScoreFields {
        grid-size: 2;
        grid-columns: 1fr 1fr;
        grid-gutter: 0 2;
        height: auto;
        grid-rows: auto;
    }
    ScoreFields.-single {
        grid-size: 1;
        grid-columns: 1fr;
    }
    """

    def __init__(self, instrument: Instrument, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-single" if instrument is not Instrument.WAI_SR else "")
        self.instrument = instrument
        self.spec = instruments.SPECS[instrument]

    def compose(self) -> ComposeResult:
        """One field per item: "1 Relationship", "2 Goals & topics", …"""
        width = max(len(label) for label in self.spec.item_labels) + 4
        for index, label in enumerate(self.spec.item_labels):
            yield ParsedField(f"{index + 1:>2} {label}",
                              partial(instruments.parse_item, self.instrument, index),
                              placeholder=f"{self.spec.bound(self.spec.low)}–"
                                          f"{self.spec.bound(self.spec.high)}",
                              label_width=width,
                              id=f"{self.instrument.value}-item-{index + 1}",
                              classes="score-item")

    @property
    def fields(self) -> list[ParsedField[float]]:
        """The item fields in order."""
        return list(self.query(ParsedField).results(ParsedField))

    def values(self) -> list[float | None]:
        """Each item's score, None where it is missing or refused."""
        return [f.value if f.is_valid else None for f in self.fields]

    def complete(self) -> tuple[float, ...] | None:
        """All scores, when every item is accepted."""
        values = self.values()
        if any(v is None for v in values):
            return None
        return tuple(float(v) for v in values if v is not None)

    def first_refused(self) -> ParsedField[float] | None:
        """Mark every refused item and return the first (None when all are accepted)."""
        refused = [f for f in self.fields if not f.is_valid]
        for field in refused:
            field.show_error()
        return refused[0] if refused else None

    def typed(self) -> bool:
        """Whether anything was typed in any item."""
        return any(f.text.strip() for f in self.fields)
