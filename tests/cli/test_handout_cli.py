"""`caseload handout` and the handout page, on the small hand-computed caseload."""

from __future__ import annotations

import pytest

from caseload.cli import main
from tests.cli import test_review_cli
from tests.cli.test_review_cli import NOW

# The small caseload's fixtures, shared with test_review_cli.
small_db = test_review_cli.small_db
clinic_zone = test_review_cli.clinic_zone

# By hand (build_small_caseload, now Fri 27 Nov 17:00): Alex's next sessions are Tue 1 Dec
# 10:00 only (today's 16:00 is past); the counselor's open promise is "Call probation officer",
# due Thu 26 Nov (late); the client's open one is "Attend two meetings", due today; one session
# rating, 38. Blake: sessions Mon 30 Nov 14:00; "Call sponsor" renegotiated to Sat 28 Nov.


def handout(db: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main([*db, "--now", NOW.isoformat(), "handout", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_handout_text_is_plain_and_right(small_db: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = handout(small_db, capsys, "CL-A")
    assert text.splitlines()[0] == "For Alex Moreno — from Dana, Friday 27 November 2026"
    assert "  • Tuesday 1 December at 10:00\n" in text
    assert "Friday 27 November at 16:00" not in text
    assert ("  • Dana will: Call probation officer — by Thursday 26 November (not done yet)"
            in text)
    assert "  • You will: Attend two meetings — by Friday 27 November\n" in text
    assert "(out of 40): 38" in text
    for jargon in ("SRS", "alliance", "cutoff", "flag", "reliability", "no_show"):
        assert jargon.lower() not in text.lower()


def test_handout_holds_nothing_of_another_client(small_db: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    alex = handout(small_db, capsys, "Alex")
    blake = handout(small_db, capsys, "CL-B", "--format", "markdown")
    for other in ("Blake", "Chen", "CL-B", "Call sponsor", "Monday 30 November"):
        assert other not in alex
    for other in ("Alex", "Moreno", "CL-A", "probation", "Attend two meetings",
                  "Tuesday 1 December"):
        assert other not in blake
    assert blake.startswith("# For Blake Chen\n")
    assert "- You will: Call sponsor — by Saturday 28 November" in blake
    assert "- Monday 30 November at 14:00" in blake
    assert "No ratings yet" in blake


def test_unknown_client_is_one_line(small_db: list[str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*small_db, "handout", "nobody"]) != 0
    err = capsys.readouterr().err
    assert "No client matches" in err and err.count("\n") == 1
