"""The kinds of file an export holds and an import reads, in the order an import must write
them (later kinds refer to earlier ones). Apart from `io.rows` so that the command line can
offer them without importing the row records."""

from __future__ import annotations

KINDS: tuple[str, ...] = ("clients", "goals", "series", "appointments", "commitments",
                          "checkins")
