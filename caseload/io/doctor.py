"""`caseload doctor`: is the database intact, private, current and fully audited?

Each check gives a verdict and, when something is wrong, one line per problem:

* permissions: the database file (and its -wal/-shm files and backups) owner-only, 0600, and
  their folders 0700 (DOMAIN.md §6);
* integrity: SQLite's `PRAGMA integrity_check`;
* foreign keys: `PRAGMA foreign_key_check` (rows pointing at rows that do not exist, which
  SQLite allows when foreign keys were switched off);
* schema version: the one this Caseload writes;
* audit trail: every client, goal, series, appointment, commitment and check-in has the audit
  event of its creation (an event for it with no "before"; an occurrence booked by its series is
  covered by the series' event); events in id order never go back in time; on SQLite, no id is
  missing (the trail is append-only, so a gap means a deleted event); the append-only triggers
  are in place.

The checks read through a plain `query(sql)` function, so they run on a SQLite file opened
directly (even one the app would refuse to open, e.g. because of its permissions) and on a
PostgreSQL database, where the server's own checks replace the SQLite-only ones.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from caseload.store.migrations import CURRENT_VERSION

Query = Callable[[str], Sequence[Sequence[Any]]]
LIST_LIMIT = 10

# (table, audit entity, label) of the rows whose creation the services audit.
AUDITED = (
    ("client", "client", "client"),
    ("goal", "goal", "goal"),
    ("appointment_series", "appointment_series", "series"),
    ("commitment", "commitment", "commitment"),
    ("checkin", "checkin", "check-in"),
)
_CREATED = "SELECT entity_id FROM audit_event WHERE entity = '{}' AND \"before\" IS NULL"
SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
POSTGRES_TRIGGER = "audit_event_append_only"


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict: ok when it found no problem."""

    name: str
    problems: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _limited(problems: list[str], limit: int = LIST_LIMIT) -> tuple[str, ...]:
    if len(problems) <= limit:
        return tuple(problems)
    return (*problems[:limit], f"… and {len(problems) - limit} more")


def _mode_problem(path: Path, wanted: int) -> str | None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return (f"{path} has mode {mode:03o}: other users can reach it; fix with: "
                f"chmod {wanted:o} '{path}'")
    return None


def check_permissions(db_path: Path, backups: Path | None = None) -> Check:
    """The database, its WAL files, its folder and its backups are private to their owner."""
    paths: list[tuple[Path, int]] = [(db_path.parent, 0o700), (db_path, 0o600)]
    paths += [(db_path.with_name(db_path.name + suffix), 0o600) for suffix in ("-wal", "-shm")]
    if backups is not None and backups.is_dir():
        paths.append((backups, 0o700))
        paths += [(p, 0o600) for p in sorted(backups.iterdir()) if p.is_file()]
    problems = [problem for path, wanted in paths if path.exists()
                and (problem := _mode_problem(path, wanted)) is not None]
    return Check("permissions", tuple(problems))


def check_integrity(query: Query) -> Check:
    rows = [str(r[0]) for r in query("PRAGMA integrity_check")]
    return Check("integrity", () if rows == ["ok"] else _limited(rows))


def check_foreign_keys(query: Query) -> Check:
    columns: dict[tuple[str, int], str] = {}
    problems = []
    for table, rowid, parent, fkid in query("PRAGMA foreign_key_check"):
        if (table, fkid) not in columns:
            for row in query(f"PRAGMA foreign_key_list({table})"):
                columns[(table, row[0])] = str(row[3])
        column = columns.get((table, fkid), "?")
        problems.append(f"{table} row {rowid}: {column} refers to a missing {parent}")
    return Check("foreign keys", _limited(problems))


def check_schema(query: Query) -> Check:
    version = query("SELECT max(version) FROM schema_version")[0][0] or 0
    if version == CURRENT_VERSION:
        return Check("schema version", note=f"{version}")
    if version < CURRENT_VERSION:
        return Check("schema version", (f"schema {version} is older than {CURRENT_VERSION}; "
                                        "open Caseload once to upgrade it",))
    return Check("schema version", (f"schema {version} was written by a newer Caseload (this "
                                    f"one knows up to {CURRENT_VERSION})",))


def _bulk_ranges(query: Query) -> dict[str, list[tuple[int, int]]]:
    """Id ranges whose creation one bulk event records (`demo_data` writes one per table)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for (after,) in query("SELECT after FROM audit_event WHERE action = 'demo_data'"):
        try:
            created = json.loads(after or "{}").get("created_ids", {})
        except ValueError:
            continue
        for table, (low, high) in created.items():
            ranges.setdefault(table, []).append((int(low), int(high)))
    return ranges


def check_audit_coverage(query: Query) -> Check:
    """Every audited row has the event of its creation."""
    problems: list[str] = []
    bulk = _bulk_ranges(query)

    def uncovered(table: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        spans = bulk.get(table, [])
        return [row[0] for row in rows if not any(lo <= row[0] <= hi for lo, hi in spans)]

    for table, entity, label in AUDITED:
        missing = query(f"SELECT id FROM {table} EXCEPT {_CREATED.format(entity)} ORDER BY 1")
        problems += [f"{label} #{id_} has no audit event recording its creation"
                     for id_ in uncovered(table, missing)]
    by_series = _CREATED.format("appointment_series") + " AND entity_id IS NOT NULL"
    missing = query(f"SELECT id FROM appointment WHERE series_id IS NULL OR series_id NOT IN "
                    f"({by_series}) EXCEPT {_CREATED.format('appointment')} ORDER BY 1")
    problems += [f"appointment #{id_} has no audit event recording its creation (nor has "
                 "a series it belongs to)" for id_ in uncovered("appointment", missing)]
    return Check("audit trail: every row's creation recorded", _limited(problems))


def _instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_audit_order(query: Query, *, gaps: bool) -> Check:
    """Audit events in id order never go back in time; with `gaps`, no id is missing."""
    problems = []
    previous_id, previous_at = 0, None
    for id_, at in query("SELECT id, at FROM audit_event ORDER BY id"):
        moment = _instant(at)
        if gaps and id_ != previous_id + 1:
            missing = (f"#{previous_id + 1}" if id_ == previous_id + 2
                       else f"#{previous_id + 1} to #{id_ - 1}")
            problems.append(f"audit events {missing} are missing (deleted?)")
        if previous_at is not None and moment < previous_at:
            problems.append(f"audit event #{id_} ({moment:%Y-%m-%d %H:%M:%S} UTC) is dated before "
                            f"#{previous_id} ({previous_at:%Y-%m-%d %H:%M:%S} UTC)")
        previous_id, previous_at = id_, moment
    return Check("audit trail: in order, nothing missing", _limited(problems))


def check_audit_protected(query: Query, *, sqlite: bool) -> Check:
    """The triggers that make the audit trail append-only exist."""
    if sqlite:
        found = {r[0] for r in query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = [name for name in SQLITE_TRIGGERS if name not in found]
    else:
        found = {r[0] for r in query("SELECT tgname FROM pg_trigger")}
        missing = [POSTGRES_TRIGGER] if POSTGRES_TRIGGER not in found else []
    return Check("audit trail: append-only", tuple(
        f"the trigger {name} is missing, so audit events could be changed or deleted"
        for name in missing))


def _guarded(name: str, run: Callable[[], Check], errors: tuple[type[BaseException], ...]
             ) -> Check:
    try:
        return run()
    except errors as exc:
        return Check(name, (f"could not check: {exc}",))


def examine(query: Query, *, sqlite: bool,
            errors: tuple[type[BaseException], ...] = (Exception,)) -> list[Check]:
    """Run the database checks through `query` (SQLite-only checks when `sqlite`)."""
    steps: list[tuple[str, Callable[[], Check]]] = []
    if sqlite:
        steps += [("integrity", lambda: check_integrity(query)),
                  ("foreign keys", lambda: check_foreign_keys(query))]
    steps += [
        ("schema version", lambda: check_schema(query)),
        ("audit trail: every row's creation recorded", lambda: check_audit_coverage(query)),
        ("audit trail: in order, nothing missing",
         lambda: check_audit_order(query, gaps=sqlite)),
        ("audit trail: append-only", lambda: check_audit_protected(query, sqlite=sqlite)),
    ]
    return [_guarded(name, step, errors) for name, step in steps]


def examine_sqlite(db_path: Path, backups: Path | None = None,
                   passphrase: str | None = None) -> list[Check]:
    """Every check of a SQLite file (SQLCipher given a passphrase), opened directly.

    The app's own refusals (such as a file others can read) are skipped: they are checks here.
    """
    from caseload.io.backup import connect, errors

    checks = [check_permissions(db_path, backups)]
    try:
        with connect(db_path, passphrase) as connection:
            checks += examine(lambda sql: connection.execute(sql).fetchall(), sqlite=True,
                              errors=errors())
    except errors() as exc:
        checks.append(Check("open", (f"cannot open {db_path}: {exc}",)))
    return checks


def report(checks: Sequence[Check]) -> str:
    """The checks as text: one line per check, its problems indented below it."""
    lines = []
    for check in checks:
        verdict = "ok  " if check.ok else "FAIL"
        lines.append(f"{verdict}  {check.name}" + (f": {check.note}" if check.note else ""))
        lines += [f"        {problem}" for problem in check.problems]
    return "\n".join(lines) + "\n"
