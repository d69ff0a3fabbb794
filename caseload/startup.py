"""No cyclic garbage collection while Caseload starts.

Starting makes tens of thousands of long-lived objects (modules, classes, the app's widgets and
styles) and next to no garbage, yet the collector walks them again and again as they are made:
about 7 % of the start's CPU before the first frame (issue 7: cold start). `cli.main` switches
it off first thing; `collect_again` switches it back on once started (a subcommand about to
run, the app once it has drawn).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection inside, unless `collect_again` is called; as it was afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def collect_again() -> None:
    """Switch collection back on (once started).

    Nothing is frozen out of its passes (`gc.freeze`): the start's objects that are dropped
    later (a footer's first keys, the first screen's widgets) would never be collected; that
    kept 3–5 MiB more with every client listed.
    """
    gc.enable()
