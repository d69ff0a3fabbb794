"""`caseload review --format markdown`: the supervision report, on the hand-computed caseload."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from caseload.domain.records import Party, Settings
from caseload.services import commitments, weekly_review
from caseload.services.session import Session, current_login, ensure_counselor
from caseload.store.db import Location, close_database, open_database
from tests.cli import test_review_cli
from tests.cli.test_review_cli import NOW, run_review

# The small caseload's fixtures, shared with test_review_cli.
small_db = test_review_cli.small_db
clinic_zone = test_review_cli.clinic_zone


def save_a_review(db: list[str]) -> None:
    """Review the week: a focus for Blake, an outreach commitment, then finish."""
    open_database(Location(path=Path(db[1])) if db[0] == "--db" else Location(url=db[1]))
    login = current_login()
    s = Session(actor=login, counselor_id=ensure_counselor(login).id,
                counselor_name="Dana Example", settings=Settings(timezone="America/New_York"),
                clock=lambda: NOW)
    state = weekly_review.start_or_resume(s)
    blake = weekly_review.load_review(s, state).flagged[1].client.id
    commitments.add(s, blake, Party.COUNSELOR, "Call B. about Monday", date(2026, 11, 30))
    weekly_review.set_note(s, state.id, blake, focus="outreach first", reviewed=True)
    weekly_review.finish(s, state.id)
    close_database()


def test_markdown_report_trend_flags_and_decisions(small_db: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = run_review(small_db, capsys, "--format", "markdown")
    assert "## Trend, last 12 weeks" in before
    # Reliability by week, by hand: 2, 9 and 16 Nov held 1 of 1; this week 2 of 4.
    assert "| 2026-11-16 | 1/1 (100 %) | 1/1 (100 %) | 0/1 (0 %) | — | — |" in before
    assert "| 2026-11-23 | 2/4 (50 %) | 1/2 (50 %) | 2/3 (67 %) | 0/1 (0 %) | 1/2 (50 %) |" \
        in before
    assert before.count("| 2026-") == 12
    assert "- Counselor reliability: `" in before
    assert "No review of this week has been saved yet." in before
    save_a_review(small_db)
    after = run_review(small_db, capsys, "--format", "markdown")
    assert "Reviewed 1 of 2 flagged clients; 0 outcomes recorded." in after
    assert ("- B.C. (CL-B): New commitment — You will: Call B. about Monday (by Mon 30 Nov)"
            in after)
    assert "- Focus for next week: outreach first" in after
    assert "Blake" not in after and "Alex" not in after
    named = run_review(small_db, capsys, "--format", "markdown", "--names")
    assert "- Blake Chen (CL-B): New commitment" in named
