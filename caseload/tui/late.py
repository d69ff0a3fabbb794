"""Late minutes typed on the Today screen: "client 5", "counselor 10", "client 5 counselor 10".

Whose minutes must be said (a bare "5" is refused: it matters whether the counselor was late).
A side not mentioned keeps its current value; "none" clears both.
"""

from __future__ import annotations

import re

from caseload.domain.records import ValidationError

MAX_LATE = 600
_WHO = {"client": 0, "cl": 0, "c": 0, "counselor": 1, "counsellor": 1, "co": 1, "me": 1,
        "i": 1, "you": 1}
_PART = r"([a-z]+)\s*:?\s*([0-9]+)\s*(?:m|min|mins|minutes?)?"  # compiled at first use


def parse_late(text: str, current: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """(client minutes, counselor minutes) from typed text; raises ValidationError."""
    cleaned = " ".join(text.lower().replace(",", " ").replace(";", " ").split())
    if not cleaned:
        raise ValidationError("Type whose minutes: 'client 5' or 'counselor 10'.")
    if cleaned in ("none", "0", "no", "on time"):
        return (0, 0)
    values = list(current)
    position = 0
    said: set[int] = set()
    while position < len(cleaned):
        match = re.compile(_PART).match(cleaned, position)
        if match is None or match.group(1) not in _WHO:
            if re.fullmatch(r"[0-9]+\s*(m|min|mins|minutes?)?", cleaned):
                raise ValidationError("Say whose minutes: 'client 5' or 'counselor 10'.")
            raise ValidationError(f"Could not read '{text.strip()[:40]}'; type e.g. "
                                  "'client 5', 'counselor 10' or 'client 5 counselor 10'.")
        side = _WHO[match.group(1)]
        if side in said:
            raise ValidationError("Each side once, please: 'client 5 counselor 10'.")
        said.add(side)
        minutes = int(match.group(2))
        if minutes > MAX_LATE:
            raise ValidationError(f"Late minutes must be between 0 and {MAX_LATE}.")
        values[side] = minutes
        position = match.end()
        while position < len(cleaned) and cleaned[position] == " ":
            position += 1
    return (values[0], values[1])


def describe_late(client: int, counselor: int) -> str:
    """Plain words for a kept session's late minutes ("" when nobody was late)."""
    parts = []
    if client:
        parts.append(f"client {client} min late")
    if counselor:
        parts.append(f"you {counselor} min late")
    return ", ".join(parts)
