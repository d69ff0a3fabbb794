"""The figures a reliability run produces: kills survived, concurrent writes, fuzzed inputs.

Tests add to `FIGURES`; `conftest.pytest_terminal_summary` prints them at the end of the run, and
with CASELOAD_RELIABILITY_FIGURES=path they are also written there as JSON (docs/reliability.md
quotes the last run).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

FIGURES: Counter[str] = Counter()

LABELS = {
    "kills": "child processes killed (SIGKILL) mid-write, database checked after each",
    "kill_writes": "writes the killed children reported committed (all found)",
    "concurrent_writes": "writes by concurrent sessions (each found exactly once)",
    "stale_refusals": "concurrent edits refused as stale (optimistic versions)",
    "fuzzed_inputs": "generated inputs (hypothesis examples)",
    "hangups": "SIGHUPs sent to a running app",
    "terminal_sizes": "terminal sizes and live resizes rendered",
    "bad_form_values": "bad values typed into forms",
    "disk_full_refusals": "writes refused on a full disk (all earlier writes intact)",
}


def add(name: str, amount: int = 1) -> None:
    """Count `amount` more of figure `name`."""
    FIGURES[name] += amount


def summary_lines() -> list[str]:
    """One line per figure counted in this run."""
    return [f"{FIGURES[name]:>8,}  {LABELS.get(name, name)}"
            for name in LABELS if FIGURES[name]]


def write_json() -> None:
    """Write the figures where CASELOAD_RELIABILITY_FIGURES says (nothing when unset)."""
    target = os.environ.get("CASELOAD_RELIABILITY_FIGURES")
    if target and FIGURES:
        Path(target).write_text(json.dumps(dict(FIGURES), indent=2, sort_keys=True) + "\n")
