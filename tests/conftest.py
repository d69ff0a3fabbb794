"""Shared fixtures: a real database and a session with a pinned clock.

The database is a SQLite file under tmp_path, or, with CASELOAD_TEST_BACKEND=postgres, a fresh
PostgreSQL database per test (tests/pg.py). Tests marked `sqlite_only` (pragmas, files, SQLite
backups) are skipped on PostgreSQL; tests marked `postgres_only` (roles, row-level security) run
only there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from caseload.domain.records import Settings
from caseload.services.session import Session, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from tests import pg
from tests.reliability import figures

NY = ZoneInfo("America/New_York")
# Friday 27 November 2026, 17:00 in the clinic's zone: the tests' "now".
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=NY)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: SQLite specifics; skipped on PostgreSQL")
    config.addinivalue_line("markers", "postgres_only: needs CASELOAD_TEST_BACKEND=postgres")
    if pg.ON_POSTGRES and not pg.ADMIN_URL:
        raise pytest.UsageError("CASELOAD_TEST_BACKEND=postgres needs CASELOAD_TEST_POSTGRES_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the heavier `slow` variants first; skip what the backend makes pointless.

    The slow variants (thousands of generated inputs, hundreds of kills) take the longest, so
    they start first and pytest-xdist's workers share the rest around them, rather than one
    worker finishing a long test alone at the end.

    On PostgreSQL, a test that never opens the backend's database (no `db_location` among its
    fixtures: domain rules, tests with their own SQLite file) would only repeat the SQLite pass,
    so it is skipped there; that keeps the two passes well inside CI's time.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable
    for item in items:
        if pg.ON_POSTGRES and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite only"))
        elif (pg.ON_POSTGRES and not item.get_closest_marker("postgres_only")
              and "db_location" not in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason="backend-independent: run in the SQLite pass"))
        if not pg.ON_POSTGRES and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="needs CASELOAD_TEST_BACKEND=postgres"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if pg.ON_POSTGRES:
        pg.drop_template()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: its reliability figures go home
        workeroutput["caseload_figures"] = dict(figures.FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: add a finished worker's reliability figures to the run's."""
    figures.FIGURES.update(getattr(node, "workeroutput", {}).get("caseload_figures", {}))


@pytest.fixture
def db_location(tmp_path: Path) -> Iterator[Location]:
    """Where the test's database is: a new SQLite file, or a new PostgreSQL database."""
    if not pg.ON_POSTGRES:
        yield Location(path=tmp_path / "data" / "caseload.db")
        return
    name = pg.fresh_database()
    yield Location(url=pg.url_for(name))
    close_database()
    pg.drop_database(name)


@pytest.fixture
def db_path(tmp_path: Path, db_location: Location) -> Iterator[Path]:
    """The open, migrated test database; its file path (unused on PostgreSQL)."""
    db = open_database(db_location)
    migrate(db)
    yield db_location.path or tmp_path / "data" / "caseload.db"
    close_database()


@pytest.fixture
def db_args(db_path: Path, db_location: Location) -> list[str]:
    """The `caseload` options that open the test database."""
    if db_location.path is not None:
        return ["--db", str(db_location.path)]
    return ["--database-url", str(db_location.url)]


@pytest.fixture
def session(db_path: Path) -> Session:
    counselor = ensure_counselor("dana", "Dana Example")
    return Session(actor="dana", counselor_id=counselor.id, counselor_name="Dana Example",
                   settings=Settings(timezone="America/New_York"), clock=lambda: NOW)


@pytest.fixture
def other_session(db_path: Path) -> Session:
    counselor = ensure_counselor("sam", "Sam Example")
    return Session(actor="sam", counselor_id=counselor.id, counselor_name="Sam Example",
                   settings=Settings(timezone="America/New_York"), clock=lambda: NOW)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the reliability figures of this run (and write them as JSON when asked)."""
    lines = figures.summary_lines()
    if not lines:
        return
    terminalreporter.section("reliability figures")
    for line in lines:
        terminalreporter.write_line(line)
    figures.write_json()
