"""`python -m bench` (or `python3 dev.py bench`): build the data, measure every goal, write
bench/RESULTS.md.

    python -m bench                  # everything (about a quarter of an hour)
    python -m bench --quick          # fewer repeats, for a look while working
    python -m bench --only review_json cursor_key
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from bench import data, measures
from bench.measures import Result, Settings

GROUPS: dict[str, tuple[str, ...]] = {
    "cold_start": ("cold_start", "memory_demo"),
    "long_list": ("long_list",),
    "review_json": ("review_json",),
    "review_in_process": ("review_one", "review_clinic"),
    "statements": ("statements",),
    "plans": ("plans",),
    "cursor_key": ("cursor_key",),
    "scroll_key": ("scroll_key",),
    "record_outcome": ("record_outcome",),
    "clinic_memory": ("memory_clinic", "memory_clinic_list"),
    "generate": ("generate",),  # last: it holds the clinic's rows in this process
}


def _runners(settings: Settings, env: dict[str, str]) -> dict[str, Callable[[], object]]:
    return {
        "statements": lambda: measures.statements(settings),
        "plans": lambda: measures.plans(settings),
        "review_in_process": lambda: measures.review_in_process(settings),
        "review_json": lambda: measures.review_json(settings, env),
        "cold_start": lambda: measures.cold_start(settings, env),
        "long_list": lambda: measures.long_list(settings, env),
        "cursor_key": lambda: measures.cursor_keys(settings, env),
        "scroll_key": lambda: measures.scroll_keys(settings, env),
        "record_outcome": lambda: measures.record_outcome(settings, env),
        "clinic_memory": lambda: measures.clinic_memory(settings, env),
        "generate": lambda: measures.generate_clinic(settings),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), metavar="NAME",
                        help=f"only these measurements: {', '.join(GROUPS)}")
    parser.add_argument("--no-write", action="store_true",
                        help="print the results without writing bench/RESULTS.md")
    args = parser.parse_args(argv)
    settings = (Settings(repeats=5, key_presses=16, warmup=1, start_pairs=9) if args.quick
                else Settings())
    started, load = datetime.now(UTC), os.getloadavg()
    env = data.environment()
    counts = {spec.name: data.counts(data.cached(spec))
              for spec in (data.DEMO, data.CLINIC, data.CLINIC_LIST)}
    results: list[Result] = []
    runners = _runners(settings, env)
    for name in args.only or list(GROUPS):
        print(f"bench: {name} ...", flush=True)
        try:
            found = runners[name]()
        except Exception as exc:  # report it and go on with the other goals
            traceback.print_exc()
            found = [Result(key, key, "—", f"error: {type(exc).__name__}: {exc}"[:200], False)
                     for key in GROUPS[name]]
        for result in found if isinstance(found, list) else [found]:
            mark = "pass" if result.passed else "FAIL"
            print(f"  {result.key}: {result.measured} (goal {result.goal}) {mark}\n"
                  f"      {result.detail}", flush=True)
            results.append(result)
    if not args.no_write and not args.only:
        path = measures_report(results, started, load, counts, argv)
        print(f"bench: wrote {path}")
    return 0 if all(r.passed for r in results) else 1


def measures_report(results: list[Result], started: datetime, load: tuple[float, float, float],
                    counts: dict[str, dict[str, int]], argv: list[str]) -> object:
    from bench.report import write

    return write(results, started, load, counts, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
