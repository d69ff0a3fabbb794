"""Cold start in instructions: `caseload` and T to their first frames, counted by valgrind.

The cold-start goal is timed against T in alternated pairs (`bench/measures.py`), and on a
shared machine a pair's ratio moves by ±0.3. The instructions a start runs barely move (±0.2 %
from run to run), so comparing two versions of the code by them shows a change of 1 % that
timed runs cannot. Each program runs in the bench's pseudo-terminal under `valgrind
--tool=cachegrind --cache-sim=no` and ends itself as its first frame is written
(`bench/first_frame_exit.py`). Valgrind runs them ≈ 50 times slower: a count takes ≈ 20 s.
Needs valgrind (Debian: `valgrind`); not part of `python3 dev.py bench`.

    python -m bench.instructions                  # T and this checkout's caseload
    python -m bench.instructions /tmp/a /tmp/b    # caseload from other checkouts (PYTHONPATH)
    python -m bench.instructions --list           # and the 1,000-client list (bench/list_app.py)

Ratios are against T counted in the same run; the counts include the interpreter's own start.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import data
from bench.measures import COLUMNS, PYTHON, ROWS
from bench.terminal import Terminal

LAUNCHER = str(Path(__file__).with_name("first_frame_exit.py"))


def count(args: list[str], env: dict[str, str], timeout: float = 300.0) -> int:
    """Instructions run by `first_frame_exit.py args` to its first frame."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("bench.instructions: needs valgrind (Debian: apt install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "valgrind.log"
        argv = [valgrind, "--tool=cachegrind", "--cache-sim=no",
                "--cachegrind-out-file=/dev/null", f"--log-file={log}",
                PYTHON, LAUNCHER, *args]
        with Terminal(argv, env, COLUMNS, ROWS, cwd=str(data.ROOT)) as term:
            deadline = time.perf_counter() + timeout
            while term.pump(0.2):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"{args[0]}: no first frame within {timeout:.0f} s")
            end = term.close()
        found = re.search(r"I\s+refs:\s+([\d,]+)", log.read_text())
    if end.status != 0 or found is None:
        raise RuntimeError(f"{args[0]} ended with status {end.status} and no count")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", metavar="CHECKOUT",
                        help="run caseload from these checkouts (default: this one)")
    parser.add_argument("--list", action="store_true",
                        help="also the list of all 1,000 clinic clients to its first frame")
    args = parser.parse_args(argv)
    env = data.environment()
    programs = {"caseload": ["caseload", "--db", str(data.working_copy(data.DEMO, "instructions")),
                             "--now", data.NOW_ARG]}
    if args.list:
        programs["the list"] = ["list", "--db", str(data.working_copy(data.CLINIC_LIST,
                                                                      "instructions-list")),
                                "--now", data.NOW_ARG]
    t = count(["bare"], env)
    print(f"T: {t / 1e6:,.0f} M instructions to its first frame")
    for tree in args.trees or [str(data.ROOT)]:
        for name, program in programs.items():
            n = count(program, {**env, "PYTHONPATH": str(Path(tree).resolve())})
            print(f"{name} ({tree}): {n / 1e6:,.0f} M instructions, {n / t:.3f} T")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
