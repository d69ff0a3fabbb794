"""A lost terminal: on SIGHUP (a dropped ssh connection) or SIGTERM the app saves and leaves.

Textual does not handle either signal, and their default action ends the process at once: the
terminal is left in the app's modes and a save a worker was making is cut off (its transaction
rolls back, so nothing half-written remains, but the counselor's last change is lost). Here both
signals go through the automatic logoff instead (`PrivacyApp.log_off`): the screen is blanked,
database work still running is allowed to finish, and the app exits through Textual, which
restores the terminal if it is still there. A form never submitted is discarded, as on logoff;
the weekly review keeps its place because every move through it is saved when it is made.

The exit code says what happened: 129 after SIGHUP, 143 after SIGTERM (128 + the signal).
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any, Protocol

SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class LeavingApp(Protocol):
    """What this module needs of the app (`CaseloadApp`)."""

    hangup_code: int | None

    async def log_off(self) -> None: ...


_tasks: set[asyncio.Task[Any]] = set()


def install(app: LeavingApp) -> None:
    """Handle SIGHUP and SIGTERM in the app's event loop (call from the running app)."""
    loop = asyncio.get_running_loop()
    for number in SIGNALS:
        loop.add_signal_handler(number, leave, app, 128 + number)


def leave(app: LeavingApp, code: int) -> None:
    """Save and exit with `code` (a second signal while leaving changes nothing)."""
    if app.hangup_code is not None:
        return
    app.hangup_code = code
    task = asyncio.get_running_loop().create_task(app.log_off())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
