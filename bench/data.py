"""The benchmark's databases, built once with `caseload.demo.generate` and cached.

Cached under `bench/.cache/` (gitignored), named by what decides their contents: the generator's
version, the schema version and the parameters. A run works on fresh copies (`working_copy`), so
measurements that write (recording outcomes) never change the cache.

* `demo`: the demo caseload `caseload --demo` opens (40 clients, 26 weeks, one counselor).
* `clinic`: the clinic of the issue: 20 counselors, 1,000 clients, five years of weekly history.
  Counselor 1 is the login running the bench, so `caseload review` and the app open as them.
* `clinic_list`: the clinic with every client given to counselor 1, for the screen that lists
  all 1,000 clients.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
RUNS = CACHE / "run"
HOME = CACHE / "home"  # HOME and XDG folders of every program the bench runs
CONFIG = CACHE / "config.toml"

TIMEZONE = "America/New_York"
TODAY = date(2026, 11, 27)  # a Friday; the demo's sessions of the day are over at 17:00
NOW = datetime.combine(TODAY, time(17, 30), ZoneInfo(TIMEZONE)).astimezone(UTC)
NOW_ARG = NOW.isoformat()


@dataclass(frozen=True)
class Spec:
    """One database: the arguments of `demo.generate`."""

    name: str
    clients: int
    weeks: int
    counselors: int
    seed: int = 1
    everyone_to_first: bool = False

    def key(self) -> str:
        import zlib

        from caseload.demo import GENERATOR_VERSION
        from caseload.store.migrations import CURRENT_VERSION
        from caseload.store.models import SNAPSHOT_INDEXES

        indexes = zlib.crc32(" ".join(i._name for _m, i in SNAPSHOT_INDEXES).encode())
        return (f"{self.name}-g{GENERATOR_VERSION}-s{CURRENT_VERSION}.{indexes:x}-c{self.clients}"
                f"-w{self.weeks}-n{self.counselors}-seed{self.seed}-{TODAY.isoformat()}")


DEMO = Spec("demo", clients=40, weeks=26, counselors=1)
CLINIC = Spec("clinic", clients=1000, weeks=260, counselors=20)
CLINIC_LIST = Spec("clinic_list", clients=1000, weeks=260, counselors=20,
                   everyone_to_first=True)


def login() -> str:
    from caseload.services.session import login_name

    return login_name()


def environment() -> dict[str, str]:
    """The environment of every program the bench runs: a private HOME, a fixed config."""
    HOME.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not CONFIG.exists():
        # No daily backup: each run opens fresh copies, and a first-start-of-the-day backup
        # would be timed once per copy.
        CONFIG.write_text(f'timezone = "{TIMEZONE}"\nbackup_keep = 0\n')
    keep = ("PATH", "LANG", "LC_ALL", "USER", "LOGNAME", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({
        "HOME": str(HOME), "XDG_DATA_HOME": str(HOME / "data"),
        "XDG_CONFIG_HOME": str(HOME / "config"), "XDG_STATE_HOME": str(HOME / "state"),
        "XDG_CACHE_HOME": str(HOME / "cache"), "CASELOAD_CONFIG": str(CONFIG),
        "TERM": "xterm-256color", "LANG": env.get("LANG") or "C.UTF-8",
        "USER": login(), "LOGNAME": login()})
    return env


def build(spec: Spec, path: Path) -> dict[str, int]:
    """Generate `spec` into a new SQLite file at `path`; returns the row counts."""
    from caseload.demo import generate
    from caseload.domain.records import Settings
    from caseload.store.db import Location, close_database, open_database
    from caseload.store.migrations import migrate

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(Location(path=path))
    try:
        migrate(db)
        summary = generate(clients=spec.clients, weeks=spec.weeks, seed=spec.seed,
                           counselors=spec.counselors, today=TODAY, login=login(),
                           settings=Settings(timezone=TIMEZONE))
        if spec.everyone_to_first:
            db.execute_sql("UPDATE client SET counselor_id = "
                           "(SELECT min(id) FROM counselor)")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        close_database()
    return summary.as_dict()


def cached(spec: Spec) -> Path:
    """The cached database for `spec`, built on first use."""
    CACHE.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = CACHE / f"{spec.key()}.db"
    if not path.exists():
        for old in CACHE.glob(f"{spec.name}-*.db"):
            old.unlink()
        partial = path.with_name(path.name + ".part")
        print(f"bench: building the {spec.name} database (cached in {CACHE}) ...", flush=True)
        build(spec, partial)
        os.replace(partial, path)
    return path


def working_copy(spec: Spec, name: str | None = None) -> Path:
    """A fresh copy of the cached database for one measurement."""
    source = cached(spec)
    RUNS.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = RUNS / f"{name or spec.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    return target


def counts(path: Path) -> dict[str, int]:
    """Rows per table of a bench database."""
    con = sqlite3.connect(path)
    try:
        return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in ("client", "appointment", "commitment", "checkin",
                              "checkin_item")}
    finally:
        con.close()
