"""What a failed database call means, in one line a counselor can read (for the app's workers).

The screens may not import Peewee or the store; they ask here. Driver messages can quote client
data, so the line comes from `store.db.refusal` (the kind of error, never its text), or from
`store.db.DatabaseError`, whose messages are written for counselors (a read-only file, ...).
"""

from __future__ import annotations

import sqlite3

from peewee import DatabaseError as PeeweeError

from caseload.store.db import DatabaseError, refusal


def refusal_of(error: BaseException) -> str | None:
    """One line for a database error; None when `error` is not one."""
    if isinstance(error, DatabaseError):
        return str(error.args[0]) if error.args else None
    if isinstance(error, PeeweeError | sqlite3.Error):
        return refusal(error)
    return None
