"""Fixtures and settings of the reliability tests (tests/reliability).

* Hypothesis runs each property twice over: a variant with a moderate number of examples
  (`FAST`) and a `slow`-marked variant with thousands (`SLOW`); `variants` makes both from one
  property. The test command (and so `.ci/run`) runs both; `-m "not slow"` leaves the heavier
  ones out of a quick local run.
* The figures of the run (kills, concurrent writes, fuzzed inputs) are printed at the end
  (tests/conftest.py, which also gathers them from pytest-xdist workers).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability import figures
from tests.tui.conftest import no_cursor_blink, small, tui_db  # noqa: F401 (fixtures)

FAST_EXAMPLES = 150
SLOW_EXAMPLES = 2000
_COMMON = {"deadline": None, "derandomize": False, "print_blob": True,
           "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large]}


def variants(body: Callable[..., Any], *, fast: int = FAST_EXAMPLES, slow: int = SLOW_EXAMPLES,
             **strategies: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Two tests of one property: a CI one and a `slow` one with many more examples.

    `body` takes the generated values by name (`strategies`) and any fixtures; each example it
    runs counts in the run's figures as one fuzzed input.
    """

    def make(examples: int) -> Callable[..., Any]:
        @functools.wraps(body)
        def run(*args: Any, **kwargs: Any) -> Any:
            figures.add("fuzzed_inputs")
            return body(*args, **kwargs)

        return settings(max_examples=examples, **_COMMON)(given(**strategies)(run))

    return make(fast), pytest.mark.slow(make(slow))
