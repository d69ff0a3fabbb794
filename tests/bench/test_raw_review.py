"""R, the benchmark's raw-sqlite3 review (bench/raw_review.py), gives the real code's numbers.

The bench compares `services.review.week_report` with R; the comparison means something only
if both count the same things. Checked on a demo clinic for every counselor, this week and
weeks before, with the streak.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bench.raw_review import Tally, raw_review
from caseload import demo
from caseload.domain import metrics
from caseload.domain.records import Settings
from caseload.services.review import week_report
from caseload.services.session import Session, session_for
from tests.conftest import NY

TODAY = date(2026, 11, 27)
RULES = Settings(timezone="America/New_York")


def _figures(f: metrics.Figures) -> tuple[object, ...]:
    ratios = (f.counselor_reliability, f.counselor_follow_through, f.client_attendance,
              f.client_follow_through, f.checkin_regularity)
    return (*((r.numerator, r.denominator) for r in ratios), f.needs_outcome, tuple(f.dropped))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("hour", [17, 9])
def test_raw_review_matches_week_report(session: Session, db_path: Path, hour: int) -> None:
    demo.generate(clients=36, weeks=70, counselors=3, seed=7, today=TODAY, login=session.actor,
                  settings=RULES)
    now = datetime.combine(TODAY, time(hour, 30), NY)
    con = sqlite3.connect(db_path)
    checked, streaks = 0, []
    for login in (session.actor, "demo02", "demo03"):
        counselor = session_for(login, RULES, clock=lambda: now)
        for week_day, history in ((None, 4), (TODAY - timedelta(weeks=3), 2)):
            report = week_report(counselor, week_day, history_weeks=history)
            raw = raw_review(con, counselor.counselor_id, now, timezone=RULES.timezone,
                             history_weeks=history, week_day=week_day)
            assert raw.week_start == report.week.start
            assert raw.week.as_tuple() == _figures(report.figures)
            assert [t.as_tuple() for _, t in raw.history] == [
                _figures(f) for _, f in report.history]
            assert raw.streak_weeks == report.streak_weeks
            streaks.append(raw.streak_weeks)
            for client in report.clients:
                assert raw.clients.get(client.client.id, Tally()).as_tuple() == _figures(
                    client.figures), client.client.id
                checked += 1
    con.close()
    assert checked > 50
    assert any(streaks), "no streak to compare"
