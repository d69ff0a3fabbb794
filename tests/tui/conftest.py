"""Fixtures for the app's Pilot and snapshot tests.

* A real SQLite file under tmp_path (the workers' threads each open their own connection).
* A Session whose clock is pinned to Friday 27 November 2026, 15:00 in New York.
* `small_session`: a hand-built caseload whose every row the tests know by name;
  `demo_session`: the generated demo caseload (caseload.demo) the snapshots and screenshots use.
* The text cursor does not blink, so screenshots do not depend on timing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from caseload.domain.records import ClientStatus, Instrument, Outcome, Party, Settings
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.session import Session, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from caseload.store.migrations import migrate
from caseload.tui.app import CaseloadApp

NY = ZoneInfo("America/New_York")
TUI_NOW = datetime(2026, 11, 27, 15, 0, tzinfo=NY)  # a Friday afternoon
SETTINGS = Settings(timezone="America/New_York")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A wall time in the clinic's zone in November 2026 (or another month)."""
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A steady cursor: snapshots must not depend on when the blink timer last fired."""
    monkeypatch.setattr(Input, "cursor_blink", False)


@pytest.fixture
def tui_db(tmp_path: Path) -> Iterator[Path]:
    """An empty, migrated database file."""
    path = tmp_path / "data" / "caseload.db"
    db = open_database(Location(path=path))
    migrate(db)
    yield path
    close_database()


def make_session(login: str = "dana", name: str = "Dana Example") -> Session:
    """A session on the open database with the pinned clock."""
    counselor = ensure_counselor(login, name)
    return Session(actor=login, counselor_id=counselor.id, counselor_name=name,
                   settings=SETTINGS, clock=lambda: TUI_NOW.astimezone(UTC))


@pytest.fixture
def empty_session(tui_db: Path) -> Session:
    """A counselor with no clients yet."""
    return make_session()


@dataclass(frozen=True)
class SmallCaseload:
    """The hand-built caseload's ids, by what each is for."""

    session: Session
    alex: int          # prior no-show; today 09:00 over, no outcome; Thu 26 needs an outcome
    blair: int         # today 11:00 kept; today 16:00 still to come
    casey: int         # today 13:00 over, no outcome
    drew: int          # on hold
    alex_yesterday: int
    alex_today: int
    blair_kept: int
    blair_later: int
    casey_today: int


def build_small(session: Session) -> SmallCaseload:
    """Three active clients and one on hold, with a week of history around Friday 27 Nov."""
    alex = clients.add_client(session, "Alex Rivera", "R-1001", date(2026, 9, 1)).id
    blair = clients.add_client(session, "Blair Chen", "R-1002", date(2026, 9, 1)).id
    casey = clients.add_client(session, "Casey Diaz", "R-1003", date(2026, 10, 1)).id
    drew = clients.add_client(session, "Drew Ellis", "R-1004", date(2026, 8, 1),
                              status=ClientStatus.ON_HOLD).id
    # Last week: Alex kept on the 13th, missed on the 20th; Blair kept both.
    for client, day, outcome in ((alex, 13, Outcome.KEPT), (alex, 20, Outcome.NO_SHOW),
                                 (blair, 13, Outcome.KEPT), (blair, 20, Outcome.KEPT),
                                 (casey, 20, Outcome.KEPT)):
        fact = appointments.schedule_single(session, client, at(day, 10))
        appointments.record_outcome(session, fact.id, outcome)
    alex_yesterday = appointments.schedule_single(session, alex, at(26, 14)).id
    alex_today = appointments.schedule_single(session, alex, at(27, 9)).id
    blair_kept = appointments.schedule_single(session, blair, at(27, 11)).id
    appointments.record_outcome(session, blair_kept, Outcome.KEPT)
    casey_today = appointments.schedule_single(session, casey, at(27, 13)).id
    blair_later = appointments.schedule_single(session, blair, at(27, 16)).id
    for client, start in ((alex, at(4, 10, month=12)), (casey, at(3, 10, month=12))):
        appointments.schedule_single(session, client, start)
    for client, day, scores in ((blair, date(2026, 11, 13), (9, 9, 9, 9)),
                                (blair, date(2026, 11, 20), (9.5, 9, 9.5, 9)),
                                (alex, date(2026, 11, 13), (8, 8, 9, 8))):
        checkins.record(session, client, Instrument.SRS, scores, taken_on=day)
    commitments.add(session, alex, Party.COUNSELOR, "Call probation officer",
                    date(2026, 11, 25), made_on=date(2026, 11, 20))
    commitments.add(session, blair, Party.CLIENT, "Two meetings this week",
                    date(2026, 11, 30), made_on=date(2026, 11, 20))
    return SmallCaseload(session, alex, blair, casey, drew, alex_yesterday, alex_today,
                         blair_kept, blair_later, casey_today)


@pytest.fixture
def small(tui_db: Path) -> SmallCaseload:
    """The hand-built caseload."""
    return build_small(make_session())


@pytest.fixture
def demo_session(tui_db: Path) -> Session:
    """The generated demo caseload, pinned to the tests' Friday."""
    demo = pytest.importorskip("caseload.demo")
    demo.generate(clients=24, weeks=16, seed=7, counselors=1, today=TUI_NOW.date(),
                  login="dana", settings=SETTINGS)
    return make_session()


async def settle(pilot: Pilot[object]) -> None:
    """Let workers finish and their results reach the screen."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        # Database workers only: a dialog's worker waits for the user, by design.
        busy = [w for w in app.workers if w.is_running and not w.group.endswith("-dialog")]
        if not busy:
            return
        await app.workers.wait_for_complete(busy)


@pytest.fixture
def app_for() -> Callable[[Session], CaseloadApp]:
    """Build the app for a session."""

    def build(session: Session, keys: dict[str, str] | None = None) -> CaseloadApp:
        return CaseloadApp(session, keys)

    return build


def screen_text(app: CaseloadApp) -> str:
    """The text on screen, from the same rendering a screenshot uses."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def days(n: int) -> timedelta:
    """Shorthand for test arithmetic."""
    return timedelta(days=n)

