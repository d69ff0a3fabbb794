"""The team, as a supervisor sees it: each counselor's figures side by side, read-only.

`team_view` reads every client the session may see in the four queries of `load_histories`
(on a clinic database the server decides what that is: a supervisor sees the team, a counselor
only their own caseload), plus one query for the counselors and one for their reviews, and
computes each counselor's figures over the last 12 weeks and week by week.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import timedelta

import msgspec

from caseload.domain import metrics
from caseload.domain.records import ClientHistory, ClientStatus, NotFound
from caseload.services import weekly_review
from caseload.services.review_record import ReviewSummary
from caseload.services.session import Session
from caseload.store import postgres
from caseload.store.db import is_postgres
from caseload.store.models import Client, Counselor, WeeklyReview, database
from caseload.store.queries import load_histories

TEAM_WEEKS = 12


class CounselorRow(msgspec.Struct, frozen=True, gc=False):
    """One counselor's line in the team view."""

    counselor_id: int
    login: str
    name: str
    active_clients: int
    figures: metrics.Figures  # over the whole window
    weekly: tuple[metrics.Figures, ...]  # one per week, oldest first
    last_review: metrics.Window | None  # the latest finished weekly review's week

    def trend(self, key: str) -> str:
        """A sparkline of one figure (an attribute of `metrics.Figures`), week by week."""
        return metrics.sparkline([getattr(f, key).value for f in self.weekly], 0.0, 1.0)


class TeamView(msgspec.Struct, frozen=True, gc=False):
    window: metrics.Window
    weeks: tuple[metrics.Window, ...]
    counselors: tuple[CounselorRow, ...]


def _team(session: Session) -> list[Counselor]:
    """The counselors to show: on a clinic database the counselor group, else every row."""
    rows = list(Counselor.select().order_by(Counselor.display_name, Counselor.id))
    if is_postgres():
        if not session.read_only:  # a counselor's figures are their own business
            return [c for c in rows if c.id == session.counselor_id]
        members = postgres.counselor_logins(database.obj)
        rows = [c for c in rows if c.login in members]
    return rows


def team_view(session: Session, weeks: int = TEAM_WEEKS) -> TeamView:
    """Every visible counselor's figures over the last `weeks` weeks (six queries)."""
    settings = session.settings
    now = session.now()
    this_week = metrics.week_of(now.date(), settings.week_start)
    windows = metrics.weeks_back(this_week, weeks)
    window = metrics.spanning(windows)
    since = now - timedelta(weeks=weeks + 1)
    histories = load_histories(None, since, now)
    by_counselor: dict[int, list[ClientHistory]] = defaultdict(list)
    for h in histories:
        by_counselor[int(h.client.counselor_id or 0)].append(h)
    reviewed: dict[int, metrics.Window] = {}
    for row in (WeeklyReview.select(WeeklyReview.counselor, WeeklyReview.week_start)
                .where(WeeklyReview.finished_at.is_null(False))
                .order_by(WeeklyReview.week_start)):
        start = row.week_start
        reviewed[int(row.counselor_id)] = metrics.Window(start, start + timedelta(days=7))
    rows = []
    for c in _team(session):
        own = by_counselor.get(c.id, [])
        mine = c.id == session.counselor_id and not session.read_only
        if not own and not mine and c.id not in reviewed and not is_postgres():
            continue  # nothing to show: a supervisor's or an administrator's own row
        rows.append(CounselorRow(
            c.id, c.login, c.display_name,
            sum(1 for h in own if h.client.status is ClientStatus.ACTIVE),
            metrics.caseload_figures(own, window, now, settings),
            tuple(metrics.weekly_figures(own, windows, now, settings)),
            reviewed.get(c.id)))
    return TeamView(window, tuple(windows), tuple(rows))


def as_counselor(session: Session, counselor_id: int) -> Session:
    """A read-only session that looks at another counselor's caseload (for drilling down)."""
    row = Counselor.get_or_none(Counselor.id == counselor_id)
    if row is None:
        raise NotFound(f"No counselor #{counselor_id}.")
    return dataclasses.replace(session, counselor_id=row.id, counselor_name=row.display_name,
                               read_only=True)


def latest_review(session: Session, counselor_id: int) -> ReviewSummary | None:
    """A counselor's latest finished weekly review, as saved (read-only)."""
    viewer = as_counselor(session, counselor_id)
    for item in weekly_review.list_reviews(viewer):
        if item.finished_at is not None:
            return weekly_review.open_review(viewer, item.id)
    return None


def client_names(session: Session) -> list[str]:
    """The names of every client this session may see (what initials mode hides)."""
    return [str(r["display_name"]) for r in
            Client.select(Client.display_name).dicts().iterator()]
