"""Shared fixtures: a real SQLite file under tmp_path and a session with a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caseload.domain.records import Settings
from caseload.services.session import Session, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate

NY = ZoneInfo("America/New_York")
# Friday 27 November 2026, 17:00 in the clinic's zone: the tests' "now".
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=NY)


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data" / "caseload.db"
    db = open_database(Location(path=path))
    migrate(db)
    yield path
    close_database()


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
