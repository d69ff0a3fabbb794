"""Database work off the UI thread, and the one place a failure becomes a message.

Every screen that reads or writes goes through `db_work`, a thin layer over Textual's
``@work(thread=True, group=...)``:

    @db_work("today-save")
    def save_outcome(self, row: AppointmentRow, outcome: Outcome) -> None:
        fact = appointments.record_outcome(session_of(self), row.id, outcome,
                                           expected_version=row.version)
        deliver(self, self.outcome_saved, fact)

* The method body runs in a thread; Peewee gives each thread its own connection. Reads are
  exclusive in their group (the newest read wins); writes are never cancelled by a later one.
* Results come back with `deliver` (``call_from_thread``, skipped when a newer worker of the same
  group superseded this one), never by touching widgets from the thread.
* Any exception is caught here and handed to `report_failure` on the UI thread: a one-line
  notification (`failure_message`) and a `WorkFailed` message to the node that ran the worker.
  Nothing is logged, so no client data and no traceback reach a log or the terminal. The screen
  changes nothing on failure, so the row keeps its previous value.
* A write that changes an existing row passes the version the screen showed
  (`expected_version=fact.version`). When another session changed the row since, the service
  refuses with `StaleRecord` and saves nothing; `WorkFailed.stale` says so, and the screen reads
  the row again (docs/domain.md §7), so the next attempt acts on what is stored now.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from textual import work
from textual.dom import DOMNode
from textual.message import Message
from textual.worker import NoActiveWorker, Worker, get_current_worker

from caseload.domain.records import NotFound, ValidationError
from caseload.services.errors import refusal_of
from caseload.services.session import Session
from caseload.services.versions import StaleRecord

P = ParamSpec("P")
R = TypeVar("R")
N = TypeVar("N", bound=DOMNode)

MAX_MESSAGE = 200


class WorkFailed(Message):
    """A database worker failed; the notification has already been shown.

    `stale` is true when the write was refused because another session changed the row since
    the screen read it (`StaleRecord`): the screen should read the row again.
    """

    def __init__(self, group: str, message: str, stale: bool = False) -> None:
        super().__init__()
        self.group = group
        self.message = message
        self.stale = stale


def session_of(node: DOMNode) -> Session:
    """The working session of the running app (`CaseloadApp.session`)."""
    session = getattr(node.app, "session", None)
    if not isinstance(session, Session):
        raise RuntimeError("This app has no Caseload session.")
    return session


def failure_message(error: BaseException, verb: str = "save") -> str:
    """One line for a counselor: a validation or not-found message as it is, a database error
    as `services.errors.refusal_of` says it (a full disk, a read-only file), else the type only.

    Messages of `ValidationError` (which includes `StaleRecord`) and `NotFound` are written for
    counselors; anything else may carry internals or client data, so only its type is shown.
    """
    refused = refusal_of(error)  # a full disk, a read-only file, a busy database
    if refused is not None or isinstance(error, ValidationError | NotFound) and error.args:
        text = " ".join(str(refused or error.args[0]).split())
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 1] + "…"
        if text:
            return text
    return f"Could not {verb}: {type(error).__name__}"


def report_failure(node: DOMNode, error: BaseException, verb: str = "save",
                   group: str = "") -> None:
    """Show a failed worker's one-line message and tell the node (UI thread only)."""
    message = failure_message(error, verb)
    title = "Not saved" if verb == "save" else f"Could not {verb}"
    node.app.notify(message, title=title, severity="error", timeout=8)
    node.post_message(WorkFailed(group, message, isinstance(error, StaleRecord)))


def deliver(node: DOMNode, callback: Callable[..., Any], *args: Any) -> None:
    """From a worker thread, run `callback(*args)` on the UI thread.

    Skipped when the current worker was cancelled (a newer worker of the same exclusive group
    replaced it), so a slow, stale load never overwrites a fresh one.
    """
    try:
        if get_current_worker().is_cancelled:
            return
    except NoActiveWorker:  # called directly (a test), not from a worker: deliver anyway
        pass
    try:
        node.app.call_from_thread(callback, *args)
    except RuntimeError:  # the app is closing
        pass


READS = ("load", "look up")


def db_work(group: str, *, verb: str = "save", exclusive: bool | None = None
            ) -> Callable[[Callable[Concatenate[N, P], R]],
                          Callable[Concatenate[N, P], Worker[R | None]]]:
    """Decorate a node method to run as ``@work(thread=True, group=group)``.

    `verb` names what failed in the generic message ("Could not save: OperationalError",
    "Could not load: …"). The worker's description is the group name, never its arguments, so
    client data never appears in Textual's worker logs.

    A read is exclusive in its group (a newer read cancels an older one, whose result is then
    dropped). A write is not, unless `exclusive=True` is asked for a write that only the latest
    one matters (a position): Textual cancels a worker that has not started yet outright, so a
    second key pressed quickly would otherwise drop the first key's write without a word.
    """
    if exclusive is None:
        exclusive = verb in READS

    def decorator(method: Callable[Concatenate[N, P], R]
                  ) -> Callable[Concatenate[N, P], Worker[R | None]]:
        @functools.wraps(method)
        def guarded(self: N, *args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:  # the one failure handler: see report_failure
                try:
                    self.app.call_from_thread(report_failure, self, error, verb, group)
                except RuntimeError:  # the app is closing
                    pass
                return None

        decorated = work(thread=True, exclusive=exclusive, group=group, exit_on_error=False,
                         description=group)(guarded)
        return cast(Callable[Concatenate[N, P], Worker[R | None]], decorated)

    return decorator
