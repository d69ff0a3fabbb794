"""A progress bar for long work, on stderr when it is a terminal, and silence otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

# Below this many steps the work is over before a bar could be read.
MIN_STEPS = 200


@contextmanager
def progress_bar(description: str, total: int | None, *, stream: TextIO | None = None
                 ) -> Iterator[Callable[[int], None]]:
    """Yield `advance(n)`; draws a transient bar (a spinner when `total` is None) on a TTY.

    Piped or redirected output, and short work, get a no-op: nothing is written at all.
    """
    out = stream if stream is not None else sys.stderr
    if not out.isatty() or (total is not None and total < MIN_STEPS):
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TaskProgressColumn())
    with Progress(*columns, console=Console(file=out), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
