"""`overview.week_header` keeps the streak's weekly figures between calls; after every change it
equals the header counted from scratch (`week_header_from_scratch`).

On the demo caseload: outcomes recorded in the current week, on a past session still needing its
outcome, on sessions weeks and months back (the streak's weeks), commitments done, renegotiated
and dropped, and the clock moving past a session's end.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from caseload import demo
from caseload.domain.records import CommitmentStatus, Outcome
from caseload.services import appointments, commitments, overview
from caseload.services.session import Session
from caseload.store import cache
from tests.conftest import NOW


def both(session: Session) -> tuple[overview.WeekHeader, overview.WeekHeader]:
    snapshot = overview.load_snapshot(session)
    return (overview.week_header(session, snapshot),
            overview.week_header_from_scratch(session, snapshot))


def demo_session(session: Session) -> Session:
    demo.generate(clients=12, weeks=40, today=NOW.date(), login=session.actor,
                  settings=session.settings)
    cache.clear()
    overview.forget_header()
    return session


def test_header_after_each_outcome_equals_a_header_counted_from_scratch(
        session: Session) -> None:
    session = demo_session(session)
    kept, scratch = both(session)
    assert kept == scratch and scratch.streak_weeks + scratch.reliability.denominator > 0
    client_id = overview.load_snapshot(session).histories[0].client.id
    for days_back in (10, 23):  # past sessions still needing their outcome (new facts)
        start = (NOW - timedelta(days=days_back)).replace(hour=8, minute=0)
        appointments.schedule_single(session, client_id, start)
        kept, scratch = both(session)
        assert kept == scratch
    snapshot = overview.load_snapshot(session)
    facts = [a for h in snapshot.histories for a in h.appointments
             if a.start <= NOW and a.outcome is not Outcome.RESCHEDULED]
    this_week = [a for a in facts if scratch.week.contains(a.start.astimezone(NOW.tzinfo).date())]
    waiting = [a for a in facts if a.outcome is Outcome.SCHEDULED and a.end <= NOW
               and not scratch.week.contains(a.start.astimezone(NOW.tzinfo).date())]
    assert this_week and len(waiting) >= 2
    rng = random.Random(7)
    older = rng.sample([a for a in facts if a not in this_week], 20)
    outcomes = [o for o in Outcome if o not in (Outcome.SCHEDULED, Outcome.RESCHEDULED)]
    seen = set()
    for fact in [*this_week, *waiting, *older, *this_week]:
        current = appointments.get(session, fact.id)
        outcome = rng.choice([o for o in outcomes if o is not current.outcome])
        late = rng.choice([0, 0, 20]) if outcome is Outcome.KEPT else 0
        appointments.record_outcome(session, fact.id, outcome, counselor_late_min=late,
                                    expected_version=current.version)
        kept, scratch = both(session)
        assert kept == scratch, (fact, outcome)
        seen.add((scratch.streak_weeks, scratch.reliability))
    assert len(seen) > 3  # the figures did move


def test_header_after_commitment_changes_equals_a_header_counted_from_scratch(
        session: Session) -> None:
    session = demo_session(session)
    both(session)
    snapshot = overview.load_snapshot(session)
    open_ones = [c for h in snapshot.histories for c in h.commitments
                 if c.status is CommitmentStatus.OPEN]
    rng = random.Random(3)
    for i, c in enumerate(rng.sample(open_ones, min(9, len(open_ones)))):
        if i % 3 == 0:
            commitments.complete(session, c.id, expected_version=c.version)
        elif i % 3 == 1:
            commitments.renegotiate(session, c.id, NOW.date() + timedelta(days=3), "later",
                                    expected_version=c.version)
        else:
            commitments.drop(session, c.id, "no longer needed", expected_version=c.version)
        kept, scratch = both(session)
        assert kept == scratch


def test_header_as_the_clock_passes_session_ends_equals_one_counted_from_scratch(
        session: Session) -> None:
    session = demo_session(session)
    client_id = overview.load_snapshot(session).histories[0].client.id
    for start in (NOW + timedelta(minutes=30), NOW + timedelta(hours=2)):  # ending this evening
        appointments.schedule_single(session, client_id, start)
    kept, scratch = both(session)
    assert kept == scratch
    needs = {scratch.needs_outcome}
    for minutes in [*range(0, 60 * 6, 7), *range(60 * 6, 60 * 30, 37)]:  # to tomorrow morning
        moved = replace(session, clock=lambda m=minutes: NOW + timedelta(minutes=m))
        kept, scratch = both(moved)
        assert kept == scratch, minutes
        needs.add(scratch.needs_outcome)
    assert len(needs) == 3  # the two sessions came to need their outcomes
    back = replace(session, clock=lambda: NOW - timedelta(hours=5))
    kept, scratch = both(back)
    assert kept == scratch


def test_today_rows_match_the_rule_session_by_session(session: Session) -> None:
    session = demo_session(session)
    snapshot = overview.load_snapshot(session)
    tz = session.tz
    for day in (NOW.date(), NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=1)):
        rows = overview.today_rows(session, snapshot, day)
        expected_today = sorted(
            (a.start, a.id) for h in snapshot.histories for a in h.appointments
            if a.start.astimezone(tz).date() == day)
        expected_overdue = sorted(
            (a.start, a.id) for h in snapshot.histories for a in h.appointments
            if a.outcome is Outcome.SCHEDULED and a.end <= snapshot.now
            and a.start.astimezone(tz).date() < day)
        assert [(r.start, r.id) for r in rows] == expected_overdue + expected_today
