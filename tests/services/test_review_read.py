"""The review reads what the screens read (`overview.load_snapshot`) without importing them."""

from __future__ import annotations

from caseload import demo
from caseload.domain.records import Outcome
from caseload.services import overview, review
from caseload.services.session import Session
from caseload.store import cache
from tests.conftest import NOW


def test_the_review_reads_the_window_the_screens_read(session: Session) -> None:
    # Two years of history: facts before the window, which neither read may return.
    demo.generate(clients=8, weeks=104, today=NOW.date(), login=session.actor,
                  settings=session.settings)
    cache.clear()
    now, histories = review.read_histories(session)
    snapshot = overview.load_snapshot(session)
    assert review.HISTORY_WEEKS == overview.HISTORY_WEEKS
    assert (now, histories) == (snapshot.now, snapshot.histories)
    since = overview.window_start(now).astimezone(NOW.tzinfo)
    # From before the window, only past sessions still needing an outcome.
    assert all(a.outcome is Outcome.SCHEDULED for h in histories for a in h.appointments
               if a.start < since)
    assert sum(len(h.appointments) for h in histories) > 0
    # The same report whether the review reads itself or is handed the screens' snapshot.
    assert review.week_report(session) == review.week_report(session, snapshot=snapshot)
