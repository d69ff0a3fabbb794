"""metrics.review_figures: one pass gives what the separate figure functions give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from caseload import demo
from caseload.domain import metrics
from caseload.domain.records import Settings
from caseload.services.session import Session
from caseload.store.queries import load_histories
from tests.conftest import NY

RULES = Settings(timezone="America/New_York")
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("now", [datetime(2026, 11, 27, 17, 30, tzinfo=NY),
                                 datetime(2026, 11, 23, 8, 0, tzinfo=NY),
                                 datetime(2026, 11, 29, 23, 59, tzinfo=NY)])
def test_one_pass_equals_the_separate_functions(session: Session, now: datetime) -> None:
    demo.generate(clients=20, weeks=40, counselors=1, seed=3, today=TODAY, login=session.actor,
                  settings=RULES)
    histories = load_histories(session.counselor_id, now - timedelta(weeks=53), now)
    week = metrics.week_of(now.date(), RULES.week_start)
    earlier = [week.previous(n) for n in (3, 2, 1)]
    odd = metrics.Window(week.start - timedelta(days=400), week.start - timedelta(days=390))
    for chosen, before in ((week, earlier), (week.previous(60), [odd]), (week.following(), [])):
        counted = metrics.review_figures(histories, chosen, before, now, RULES)
        assert counted.streak_weeks == metrics.streak_weeks(histories, now, RULES)
        assert counted.of(chosen) == metrics.caseload_figures(histories, chosen, now, RULES)
        assert [counted.of(w) for w in before] == metrics.weekly_figures(histories, before,
                                                                         now, RULES)
        for h in histories:
            assert counted.clients[h.client.id] == metrics.client_figures(h, chosen, now, RULES)
    quick = metrics.review_figures(histories, week, (), now, RULES, per_client=False)
    assert quick.clients == {} and quick.of(week) == metrics.caseload_figures(
        histories, week, now, RULES)


def test_empty_caseload() -> None:
    now = datetime(2026, 11, 27, 22, tzinfo=UTC)
    week = metrics.week_of(date(2026, 11, 27))
    counted = metrics.review_figures([], week, [week.previous()], now, RULES)
    assert counted.streak_weeks == 0 and counted.of(week) == metrics.Figures()
