"""Scores of the alliance and outcome instruments (DOMAIN.md §3), under neutral labels.

Caseload records the *scores* a client gave on a published instrument, never its licensed item
wording. This module knows each instrument's shape (items, ranges, decimals), parses what a
counselor typed from the paper form, computes totals and subscales, and judges a new total against
the cutoff and the client's previous total.

Typed item scores are parsed strictly: surrounding spaces are ignored and a comma is accepted as
the decimal mark ("7,5"), but nothing is rounded or guessed. The number of decimals is judged on
the value, so "7.50" is 7.5 (one decimal) and "3.0" is a whole 3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal

import msgspec

from caseload.domain.records import Instrument, Settings, ValidationError


class InstrumentSpec(msgspec.Struct, frozen=True, gc=False):
    """The shape of one instrument: its items, their range and the range of the total."""

    instrument: Instrument
    name: str
    item_labels: tuple[str, ...]
    low: float
    high: float
    decimals: int
    total_low: float
    total_high: float
    hint: str

    @property
    def count(self) -> int:
        """How many item scores the instrument has."""
        return len(self.item_labels)

    def bound(self, value: float) -> str:
        """An item bound as shown in messages: "0.0" and "10.0", or "1" and "5"."""
        return f"{value:.{self.decimals}f}"


# WAI-SR subscales, as 1-based item numbers (Hatcher & Gillaspy 2006).
WAI_SUBSCALES: dict[str, tuple[int, ...]] = {
    "Task": (1, 2, 10, 12),
    "Bond": (3, 5, 7, 9),
    "Goal": (4, 6, 8, 11),
}

# Each WAI-SR item is labelled only by its subscale: neutral, and useful when checking a form.
_WAI_LABELS = tuple(
    next(name for name, numbers in WAI_SUBSCALES.items() if n in numbers) for n in range(1, 13)
)

SPECS: dict[Instrument, InstrumentSpec] = {
    Instrument.SRS: InstrumentSpec(
        instrument=Instrument.SRS,
        name="SRS-style session rating",
        item_labels=("Relationship", "Goals & topics", "Approach", "Overall"),
        low=0.0,
        high=10.0,
        decimals=1,
        total_low=0.0,
        total_high=40.0,
        hint="0–10, one decimal",
    ),
    Instrument.WAI_SR: InstrumentSpec(
        instrument=Instrument.WAI_SR,
        name="WAI-SR",
        item_labels=_WAI_LABELS,
        low=1.0,
        high=5.0,
        decimals=0,
        total_low=12.0,
        total_high=60.0,
        hint="1–5, whole numbers (1 Seldom … 5 Always)",
    ),
    Instrument.ORS: InstrumentSpec(
        instrument=Instrument.ORS,
        name="ORS-style outcome rating",
        item_labels=("Individually", "Interpersonally", "Socially", "Overall"),
        low=0.0,
        high=10.0,
        decimals=1,
        total_low=0.0,
        total_high=40.0,
        hint="0–10, one decimal",
    ),
}

# ASCII digits only, an optional sign (so "-1" is reported as out of range, not as "not a number"),
# and "." or "," as the decimal mark.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
_ECHO_LIMIT = 24


def spec(instrument: Instrument | str) -> InstrumentSpec:
    """Return the spec of `instrument` (an `Instrument` or its value, e.g. "srs")."""
    try:
        return SPECS[Instrument(instrument)]
    except ValueError:
        raise ValidationError(
            f"Unknown instrument {_echo(str(instrument))}.", field="instrument"
        ) from None


def _echo(text: str) -> str:
    """Quote typed text for a message, with control characters escaped and long text cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(shown) > _ECHO_LIMIT:
        shown = shown[: _ECHO_LIMIT - 1] + "…"
    return f"'{shown}'"


def _number_text(value: float) -> str:
    """A number as shown after "got": "11" for 11.0, otherwise the shortest exact form."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _item_error(sp: InstrumentSpec, index: int, problem: str) -> ValidationError:
    label = sp.item_labels[index]
    return ValidationError(f"Item {index + 1} ({label}) {problem}.", field=f"item{index + 1}")


def _check_index(sp: InstrumentSpec, index: int) -> None:
    if not 0 <= index < sp.count:
        raise IndexError(f"{sp.name} has items 0–{sp.count - 1} (0-based); got {index}")


def _check_value(sp: InstrumentSpec, index: int, value: Decimal, shown: str) -> float:
    """Apply the range and decimals rules to one exact value; `shown` is what to echo."""
    if not Decimal(sp.low) <= value <= Decimal(sp.high):
        raise _item_error(
            sp, index, f"must be between {sp.bound(sp.low)} and {sp.bound(sp.high)}; got {shown}"
        )
    if value % Decimal(1).scaleb(-sp.decimals) != 0:
        if sp.decimals == 0:
            problem = f"must be a whole number from {sp.bound(sp.low)} to {sp.bound(sp.high)}"
        else:
            problem = "allows one decimal at most" if sp.decimals == 1 else "has too many decimals"
        raise _item_error(sp, index, f"{problem}; got {shown}")
    return float(value)


def parse_item(instrument: Instrument | str, index: int, text: str | None) -> float:
    """Parse one typed item score; `index` is 0-based.

    Raises `ValidationError` (field ``item<n>``, 1-based) naming the item by number and label when
    the text is empty, not a number, out of range or has too many decimals, e.g.
    ``Item 2 (Goals & topics) must be between 0.0 and 10.0; got 11.``
    """
    sp = spec(instrument)
    _check_index(sp, index)
    raw = (text or "").strip()
    if not raw:
        raise _item_error(sp, index, f"is missing; enter {sp.hint}")
    if _NUMBER.fullmatch(raw) is None:
        raise _item_error(sp, index, f"must be a number ({sp.hint}); got {_echo(raw)}")
    shown = raw if len(raw) <= _ECHO_LIMIT else raw[: _ECHO_LIMIT - 1] + "…"
    return _check_value(sp, index, Decimal(raw.replace(",", ".")), shown)


def _count_error(sp: InstrumentSpec, got: int) -> ValidationError:
    return ValidationError(f"{sp.name} needs {sp.count} item scores; got {got}.", field="items")


def parse_items(instrument: Instrument | str, texts: Sequence[str]) -> tuple[float, ...]:
    """Parse all typed item scores of one check-in, in item order.

    The count must match the instrument; otherwise the first bad or missing item is reported.
    """
    sp = spec(instrument)
    if isinstance(texts, str):
        return parse_items_text(sp.instrument, texts)
    if len(texts) != sp.count:
        raise _count_error(sp, len(texts))
    return tuple(parse_item(sp.instrument, i, text) for i, text in enumerate(texts))


def parse_items_text(instrument: Instrument | str, text: str) -> tuple[float, ...]:
    """Parse item scores typed on one line, separated by whitespace: ``"8 7.5 9 8,5"``.

    Commas are decimal marks here too, so they cannot separate items.
    """
    sp = spec(instrument)
    parts = (text or "").split()
    if len(parts) != sp.count:
        raise _count_error(sp, len(parts))
    return parse_items(sp.instrument, parts)


def validate_items(instrument: Instrument | str, items: Sequence[float]) -> tuple[float, ...]:
    """Check item scores that are already numbers, with the same rules and messages as typing."""
    sp = spec(instrument)
    if len(items) != sp.count:
        raise _count_error(sp, len(items))
    result = []
    for index, value in enumerate(items):
        if value is None:
            raise _item_error(sp, index, f"is missing; enter {sp.hint}")
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise _item_error(sp, index, f"must be a number ({sp.hint}); got {_echo(str(value))}")
        number = float(value)
        if not math.isfinite(number):
            raise _item_error(sp, index, f"must be a number ({sp.hint}); got {number}")
        # repr() is the shortest text that round-trips, so 7.3 is judged as 7.3, not 7.29999….
        result.append(_check_value(sp, index, Decimal(repr(number)), _number_text(number)))
    return tuple(result)


def total(instrument: Instrument | str, items: Sequence[float]) -> float:
    """The total of valid item scores, rounded to one decimal so float noise never shows."""
    return round(math.fsum(validate_items(instrument, items)), 1)


def subscales(instrument: Instrument | str, items: Sequence[float]) -> dict[str, float]:
    """WAI-SR subscale means (Task, Bond, Goal), rounded to 2 decimals; `{}` for the others."""
    sp = spec(instrument)
    values = validate_items(sp.instrument, items)
    if sp.instrument is not Instrument.WAI_SR:
        return {}
    return {
        name: round(math.fsum(values[n - 1] for n in numbers) / len(numbers), 2)
        for name, numbers in WAI_SUBSCALES.items()
    }


def format_score(value: float) -> str:
    """A score for display, to one decimal at most: "34", "34.5"."""
    if not math.isfinite(value):
        return str(value)
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    if rounded.is_integer():
        return str(int(rounded))
    return f"{rounded:.1f}"


# Totals and changes are rounded to one decimal; this absorbs the float error left in a threshold.
_EPSILON = 1e-9


class Assessment(msgspec.Struct, frozen=True, gc=False):
    """A check-in total judged against the cutoff and the client's previous total.

    - `below_cutoff`: SRS below `srs_cutoff` (alliance concern) or ORS below `ors_cutoff`
      (clinical range); always False for WAI-SR, which has no published cutoff.
    - `dropped`: SRS down by `srs_drop` or more; ORS down by a reliable change
      (`ors_reliable_change`) or more. Always False for WAI-SR: its change is reported, never
      flagged.
    - `reliable_change`: ORS only, a change of `ors_reliable_change` or more either way.
    """

    instrument: Instrument
    total: float
    previous_total: float | None
    change: float | None
    cutoff: float | None
    below_cutoff: bool
    dropped: bool
    reliable_change: bool

    @property
    def needs_discussion(self) -> bool:
        """Whether this score should be talked through with the client."""
        return self.below_cutoff or self.dropped

    def describe(self) -> str:
        """A plain-language one-liner: "34.0, below the cutoff of 36; down 3.0 since last time"."""
        sp = SPECS[self.instrument]
        if sp.decimals == 0:
            parts = [f"{format_score(self.total)} of {format_score(sp.total_high)}"]
        else:
            parts = [f"{self.total:.1f}"]
        if self.cutoff is not None:
            kind = "clinical cutoff" if self.instrument is Instrument.ORS else "cutoff"
            if self.below_cutoff:
                where = "below"
            elif abs(self.total - self.cutoff) < _EPSILON:
                where = "at"
            else:
                where = "above"
            parts[0] += f", {where} the {kind} of {format_score(self.cutoff)}"
        parts.append(self._describe_change(sp))
        return "; ".join(parts)

    def _describe_change(self, sp: InstrumentSpec) -> str:
        if self.change is None:
            return "first check-in"
        if abs(self.change) < _EPSILON:
            return "no change since last time"
        amount = format_score(abs(self.change)) if sp.decimals == 0 else f"{abs(self.change):.1f}"
        text = f"{'up' if self.change > 0 else 'down'} {amount} since last time"
        if self.reliable_change:
            text += " (reliable improvement)" if self.change > 0 else " (reliable deterioration)"
        return text


def assess(
    instrument: Instrument | str,
    total: float,
    previous_total: float | None,
    settings: Settings | None = None,
) -> Assessment:
    """Judge a check-in total against the cutoff and the previous total (None for the first).

    Totals are trusted as computed by `total()`; nothing is validated here, so a review of stored
    check-ins never fails on one odd value.
    """
    settings = settings or Settings()
    kind = spec(instrument).instrument
    change = None if previous_total is None else round(total - previous_total, 1)
    cutoff: float | None = None
    dropped = reliable = False
    if kind is Instrument.SRS:
        cutoff = settings.srs_cutoff
        dropped = change is not None and change <= -settings.srs_drop + _EPSILON
    elif kind is Instrument.ORS:
        cutoff = settings.ors_cutoff
        reliable = change is not None and abs(change) >= settings.ors_reliable_change - _EPSILON
        dropped = reliable and change is not None and change < 0
    below = cutoff is not None and total < cutoff - _EPSILON
    return Assessment(
        instrument=kind,
        total=total,
        previous_total=previous_total,
        change=change,
        cutoff=cutoff,
        below_cutoff=below,
        dropped=dropped,
        reliable_change=reliable,
    )
