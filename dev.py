#!/usr/bin/env python3
"""Set up Caseload's development environment and run it: needs only Python >= 3.11.

    python3 dev.py demo    # create .venv from the lock file, then open the app on the demo
    python3 dev.py test    # create .venv from the lock file, then lint, type-check, run all tests
    python3 dev.py shell   # print how to activate the environment
    python3 dev.py bench   # measure issue 7's performance goals, write bench/RESULTS.md

The virtual environment is rebuilt whenever requirements.lock or pyproject.toml changes.
Extra arguments after `test` go to pytest; after `demo` they go to `caseload`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".caseload-lock-stamp"
LINTED = ("caseload", "tests", "bench", "scripts", "dev.py")


def _bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / name


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    """Create or refresh .venv so it holds exactly the locked versions."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an old Python
        sys.exit("Caseload needs Python 3.11 or newer.")
    wanted = _lock_digest()
    if STAMP.exists() and STAMP.read_text() == wanted and _bin("caseload").exists():
        return
    if not _bin("python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installing locked dependencies ...", flush=True)
    pip = [_bin("python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(*pip, "install", "-r", LOCK)
    _run(*pip, "install", "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(wanted)


def _workers() -> str:
    """pytest-xdist processes: two per core, at most 8 (CASELOAD_TEST_WORKERS overrides).

    The app's tests wait on the terminal about half of their time, so two per core keep the
    cores busy: on a 2-core machine the suite took 5 min 56 s with 4 workers, 6 min 38 s (and
    that without the slow variants) with 2.
    """
    return os.environ.get("CASELOAD_TEST_WORKERS") or str(min(2 * (os.cpu_count() or 1), 8))


def run_tests(extra: list[str]) -> int:
    """Lint, type-check and run the whole test suite; returns the exit code.

    pytest runs on every core (pytest-xdist). With CASELOAD_TEST_POSTGRES_URL set (`.ci/run`
    starts a server and sets it), it runs a second time with every test that opens the
    database on PostgreSQL, except those marked sqlite_only; the `slow` variants (thousands
    of generated inputs, hundreds of kills) run on SQLite only, the fast ones on both.
    """
    pytest = [_bin("python"), "-m", "pytest", "-n", _workers()]
    steps: list[tuple[list[str | Path], dict[str, str]]] = [
        ([_bin("ruff"), "check", *[p for p in LINTED if (ROOT / p).exists()]], {}),
        ([_bin("mypy")], {}),
    ]
    steps.append(([*pytest, *extra], {"CASELOAD_TEST_BACKEND": "sqlite"}))
    if os.environ.get("CASELOAD_TEST_POSTGRES_URL"):
        steps.append(([*pytest, "-m", "not sqlite_only and not slow", *extra],
                      {"CASELOAD_TEST_BACKEND": "postgres"}))
    for step, env in steps:
        shown = " ".join(Path(str(s)).name if i == 0 else str(s) for i, s in enumerate(step))
        print("$", *[f"{k}={v}" for k, v in env.items()], shown, flush=True)
        code = subprocess.run([str(s) for s in step], cwd=ROOT,
                              env={**os.environ, **env}).returncode
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command == "demo":
        ensure_venv()
        return subprocess.run([str(_bin("caseload")), "--demo", *argv[1:]], cwd=ROOT).returncode
    if command == "test":
        ensure_venv()
        return run_tests(argv[1:])
    if command == "bench":  # slow (minutes): not part of `test`; arguments go to `-m bench`
        ensure_venv()
        return subprocess.run([str(_bin("python")), "-m", "bench", *argv[1:]],
                              cwd=ROOT).returncode
    if command == "setup":
        ensure_venv()
        return 0
    if command == "shell":
        ensure_venv()
        print(f"source {VENV / 'bin' / 'activate'}")
        return 0
    print(__doc__)
    return 0 if command in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
