"""Free text typed by a counselor: one clean line, never a terminal escape sequence."""

from __future__ import annotations

import unicodedata

from caseload.domain.records import ValidationError


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
               and ch not in "\u200d" for ch in text)


def clean_line(text: str | None, what: str, *, max_len: int = 200,
               required: bool = True) -> str:
    """Return `text` stripped; reject control characters, line breaks and over-long text.

    Control characters include ESC, so a name can never inject terminal escape codes into
    the screen, a report or a log.
    """
    value = (text or "").strip()
    # Nothing visible (only joiners or other format characters) is empty too.
    if required and not any(ch.isprintable() and not ch.isspace() for ch in value):
        raise ValidationError(f"{what} cannot be empty.")
    if _has_control(value):
        raise ValidationError(f"{what} contains control characters or line breaks; "
                              "type plain text on one line.")
    if len(value) > max_len:
        raise ValidationError(f"{what} is too long ({len(value)} characters; at most {max_len}).")
    return value


def quote(text: str, limit: int = 40) -> str:
    """Quote text for a message: control characters escaped, cut to `limit` characters."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


def printable(text: str, limit: int = 40) -> str:
    """`text` as it is if it prints on one line, else `quote`d (a name read from a file)."""
    return text if text.isprintable() else quote(text, limit)


def initials(name: str) -> str:
    """'Jordan Q. Rivers' -> 'J.Q.R.' (initials mode and supervision reports)."""
    parts = [p for p in name.replace("-", " ").split() if p and p[0].isalpha()]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"
