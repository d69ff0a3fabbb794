"""The week's review data: consistency figures, streak, and each client's figures and flags."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import msgspec

from caseload.domain import metrics
from caseload.domain.flags import Flag, client_flags, review_order
from caseload.domain.records import ClientFact, ClientHistory, ClientStatus
from caseload.services.session import Session
from caseload.store.queries import load_histories

if TYPE_CHECKING:
    from caseload.services.overview import Snapshot

# The weeks of history the review reads: those of `overview.load_snapshot` (the screens' read),
# so a review in the app is answered from `store.cache`. Not imported from there: `caseload
# review` needs nothing else of the overview (its records' classes are a few ms to import).
# tests/services/test_review_read.py checks that both read the same.
HISTORY_WEEKS = 53


class ClientReview(msgspec.Struct, frozen=True, gc=False):
    """One client's week: their figures and flags."""

    client: ClientFact
    figures: metrics.Figures
    flags: tuple[Flag, ...]


class WeekReport(msgspec.Struct, frozen=True, gc=False):
    """Everything `caseload review` prints and the review screen starts from."""

    counselor: str
    week: metrics.Window
    figures: metrics.Figures
    streak_weeks: int
    clients: tuple[ClientReview, ...]
    history: tuple[tuple[metrics.Window, metrics.Figures], ...]

    @property
    def flagged(self) -> tuple[ClientReview, ...]:
        return tuple(c for c in self.clients if c.flags)


def week_report(session: Session, week_day: date | None = None, *, history_weeks: int = 4,
                snapshot: Snapshot | None = None) -> WeekReport:
    """The review of the week containing `week_day` (this week by default)."""
    if snapshot is None:
        now, histories = read_histories(session)
    else:
        now, histories = snapshot.now, snapshot.histories
    return _report(session, now, histories, week_day, history_weeks)


def read_histories(session: Session) -> tuple[datetime, tuple[ClientHistory, ...]]:
    """The clock's time and the caseload's histories, read as `overview.load_snapshot` reads
    them: from local midnight `HISTORY_WEEKS` weeks ago."""
    now = session.now()
    since = datetime.combine(now.date() - timedelta(weeks=HISTORY_WEEKS), time(),
                             tzinfo=now.tzinfo)
    return now, tuple(load_histories(session.counselor_id, since, now))


def _report(session: Session, now: datetime, histories: tuple[ClientHistory, ...],
            week_day: date | None, history_weeks: int) -> WeekReport:
    settings = session.settings
    week = metrics.week_of(week_day or now.date(), settings.week_start)
    weeks = [metrics.Window(week.start - timedelta(weeks=n), week.end - timedelta(weeks=n))
             for n in range(history_weeks, 0, -1)]
    # One pass counts the week, the weeks before it, the streak and every client's week.
    counted = metrics.review_figures(histories, week, weeks, now, settings)
    figures, streak = counted.of(week), counted.streak_weeks
    past = [counted.of(w) for w in weeks]
    nothing = metrics.Figures()
    reviews: dict[int, ClientReview] = {}
    for h in histories:
        flags = client_flags(h, now, week, settings)
        if h.client.status is not ClientStatus.ACTIVE and not flags:
            continue
        reviews[h.client.id] = ClientReview(
            h.client, counted.clients.get(h.client.id, nothing), flags)
    ordered = review_order((r.client, r.flags) for r in reviews.values())
    flagged_ids = [c.id for c, _ in ordered]
    rest = sorted((r for r in reviews.values() if not r.flags),
                  key=lambda r: (r.client.name, r.client.id))
    clients = tuple([reviews[i] for i in flagged_ids] + rest)
    return WeekReport(session.counselor_name, week, figures, streak, clients,
                      tuple(zip(weeks, past, strict=True)))
