"""Consistency figures (DOMAIN.md §4): hand-computed cases for every rule, then properties."""

from __future__ import annotations

import operator
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from caseload.domain.metrics import (
    Figures,
    Ratio,
    Window,
    caseload_figures,
    client_figures,
    clinic_today,
    spanning,
    sparkline,
    streak_weeks,
    week_of,
    weekly_figures,
    weeks_back,
)
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
    DueChange,
    Instrument,
    Outcome,
    Party,
    Settings,
)

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=NY)  # a Friday
TODAY = date(2026, 11, 27)
S = Settings()
WEEK = week_of(TODAY)  # Mon 23 Nov – Sun 29 Nov
P, CS = Party, CommitmentStatus


def nov(day: int) -> date:
    return date(2026, 11, day)


def at(day: date | int, hour: int = 10, minute: int = 0) -> datetime:
    """A clinic-local moment; ``day`` as a date or a day of November 2026."""
    d = nov(day) if isinstance(day, int) else day
    return datetime.combine(d, time(hour, minute), NY)


def appt(
    id: int,
    start: datetime,
    outcome: Outcome = Outcome.KEPT,
    minutes: int = 50,
    client_id: int = 1,
    **kw: object,
) -> AppointmentFact:
    return AppointmentFact(
        id,
        client_id,
        start,
        start + timedelta(minutes=minutes),
        outcome,
        **kw,  # type: ignore[arg-type]
    )


def commit(
    id: int,
    due: date,
    status: CommitmentStatus = CS.OPEN,
    owner: Party = P.COUNSELOR,
    done_on: date | None = None,
    history: tuple[DueChange, ...] = (),
    client_id: int = 1,
) -> CommitmentFact:
    made = due - timedelta(days=30)
    return CommitmentFact(
        id, client_id, owner, "Call probation officer", made, due, status, done_on, history
    )


def checkin(
    id: int,
    on: date,
    appointment_id: int | None = None,
    client_id: int = 1,
    instrument: Instrument = Instrument.SRS,
    total: float = 38.0,
) -> CheckInFact:
    return CheckInFact(id, client_id, instrument, on, total, appointment_id=appointment_id)


def hist(client_id: int = 1, appointments=(), commitments=(), checkins=()) -> ClientHistory:
    client = ClientFact(
        client_id, f"Client {client_id}", f"R{client_id}", ClientStatus.ACTIVE, date(2025, 1, 6)
    )
    return ClientHistory(client, tuple(appointments), tuple(commitments), tuple(checkins))


def figs(history: ClientHistory, window: Window = WEEK, settings: Settings = S) -> Figures:
    return client_figures(history, window, NOW, settings)


def total(items) -> Figures:
    return reduce(operator.add, items, Figures())


# --- Ratio -------------------------------------------------------------------------------------


def test_ratio_value_percent_text() -> None:
    r = Ratio(18, 19)
    assert r.value == pytest.approx(18 / 19)
    assert r.percent == "95 %"
    assert r.text("kept") == "kept 18 of 19"
    assert not r.perfect
    assert Ratio(3, 3).perfect and Ratio(3, 3).percent == "100 %"


def test_empty_ratio() -> None:
    r = Ratio(0, 0)
    assert r.value is None and r.percent == "—" and not r.perfect
    assert r.text("kept") == "kept 0 of 0"


def test_percent_never_rounds_to_perfect_or_to_nothing() -> None:
    assert Ratio(199, 200).percent == "99 %"
    assert Ratio(1, 300).percent == "1 %"
    assert Ratio(0, 3).percent == "0 %"
    assert Ratio(1, 2).percent == "50 %"
    assert Ratio(1, 8).percent == "13 %"  # 12.5 rounds half up


def test_ratio_adds_parts() -> None:
    assert Ratio(1, 2) + Ratio(3, 3) == Ratio(4, 5)


@pytest.mark.parametrize(("num", "den"), [(2, 1), (-1, 1), (0, -1)])
def test_ratio_rejects_nonsense(num: int, den: int) -> None:
    with pytest.raises(ValueError):
        Ratio(num, den)


# --- Windows -----------------------------------------------------------------------------------


def test_week_of_starts_monday_by_default() -> None:
    assert WEEK == Window(nov(23), nov(30))
    assert week_of(nov(23)) == WEEK and week_of(nov(29)) == WEEK
    assert week_of(nov(30)) == Window(nov(30), date(2026, 12, 7))


def test_week_of_with_sunday_start() -> None:
    assert week_of(TODAY, week_start=6) == Window(nov(22), nov(29))
    assert week_of(nov(22), week_start=6).start == nov(22)


def test_window_is_half_open() -> None:
    assert WEEK.contains(nov(23)) and WEEK.contains(nov(29))
    assert not WEEK.contains(nov(30)) and not WEEK.contains(nov(22))
    assert WEEK.days == 7


def test_previous_following_and_weeks_back() -> None:
    assert WEEK.previous() == Window(nov(16), nov(23))
    assert WEEK.previous(2) == Window(nov(9), nov(16))
    assert WEEK.following() == Window(nov(30), date(2026, 12, 7))
    weeks = weeks_back(WEEK, 3)
    assert weeks == (WEEK.previous(2), WEEK.previous(), WEEK)
    assert spanning(weeks) == Window(nov(9), nov(30))
    assert weeks_back(WEEK, 0) == ()


def test_window_rejects_backwards() -> None:
    with pytest.raises(ValueError):
        Window(nov(2), nov(1))


def test_clinic_today_uses_clinic_zone() -> None:
    late_evening_utc = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 22:00 Friday in New York
    assert clinic_today(late_evening_utc, S) == TODAY


# --- Counselor reliability and attendance --------------------------------------------------------

RELIABILITY_CASES = [
    (appt(1, at(25)), (1, 1)),
    (appt(1, at(25), counselor_late_min=5), (1, 1)),
    (appt(1, at(25), counselor_late_min=6), (0, 1)),
    (appt(1, at(25), Outcome.NO_SHOW), (1, 1)),
    (appt(1, at(25), Outcome.LATE_CANCEL), (1, 1)),
    (appt(1, at(25), Outcome.CLIENT_CANCELLED), (1, 1)),
    (appt(1, at(25), Outcome.COUNSELOR_CANCELLED), (0, 1)),
    (appt(1, at(25), Outcome.RESCHEDULED, requested_by=P.COUNSELOR), (0, 1)),
    (appt(1, at(25), Outcome.RESCHEDULED, requested_by=P.CLIENT), (1, 1)),
    (appt(1, at(25), Outcome.RESCHEDULED), (1, 1)),  # nobody recorded as asking: not held against
    (appt(1, at(25), Outcome.SCHEDULED), (0, 0)),  # needs an outcome: in no figure
    (appt(1, at(28), Outcome.COUNSELOR_CANCELLED), (0, 0)),  # tomorrow: not due yet
    (appt(1, at(27, 16, 30)), (0, 0)),  # ends 17:20, after now
    (appt(1, at(27, 16, 10)), (1, 1)),  # ends exactly at now
]


@pytest.mark.parametrize(("appointment", "expected"), RELIABILITY_CASES)
def test_each_outcome_effect_on_reliability(appointment, expected) -> None:
    f = figs(hist(appointments=[appointment]))
    assert (f.counselor_reliability.numerator, f.counselor_reliability.denominator) == expected


def test_late_threshold_follows_settings() -> None:
    h = hist(appointments=[appt(1, at(25), counselor_late_min=6)])
    assert figs(h, settings=Settings(counselor_late_minutes=10)).counselor_reliability == Ratio(
        1, 1
    )


def test_needs_outcome_counted_separately() -> None:
    h = hist(
        appointments=[
            appt(1, at(24), Outcome.SCHEDULED),
            appt(2, at(25)),
            appt(3, at(28), Outcome.SCHEDULED),
        ]
    )
    f = figs(h)
    assert f.needs_outcome == 1
    assert f.counselor_reliability == Ratio(1, 1)
    assert f.client_attendance == Ratio(1, 1)


def test_reliability_header_text() -> None:
    appts = [appt(i, at(nov(2) + timedelta(days=i))) for i in range(18)]
    appts.append(appt(99, at(20), Outcome.COUNSELOR_CANCELLED))
    f = figs(hist(appointments=appts), Window(nov(1), nov(30)))
    assert f.counselor_reliability.text("kept") == "kept 18 of 19"


def test_client_attendance() -> None:
    outcomes = [
        Outcome.KEPT,
        Outcome.NO_SHOW,
        Outcome.LATE_CANCEL,
        Outcome.CLIENT_CANCELLED,
        Outcome.COUNSELOR_CANCELLED,
        Outcome.RESCHEDULED,
        Outcome.KEPT,
    ]
    h = hist(appointments=[appt(i, at(23, 8 + i), o) for i, o in enumerate(outcomes)])
    assert figs(h).client_attendance == Ratio(2, 4)


def test_week_boundary_in_clinic_zone() -> None:
    # 23:30 Sunday 22 Nov in New York is 04:30 Monday 23 Nov in UTC: it belongs to Sunday's week.
    start = at(22, 23, 30).astimezone(UTC)
    assert start.date() == nov(23)
    h = hist(appointments=[appt(1, start, Outcome.COUNSELOR_CANCELLED)])
    assert figs(h).counselor_reliability == Ratio(0, 0)
    assert figs(h, WEEK.previous()).counselor_reliability == Ratio(0, 1)
    weekly = weekly_figures([h], [WEEK.previous(), WEEK], NOW, S)
    assert [w.counselor_reliability.denominator for w in weekly] == [1, 0]


def test_week_start_setting_moves_the_boundary() -> None:
    sunday_weeks = Settings(week_start=6)
    h = hist(appointments=[appt(1, at(22, 23, 30))])
    week = week_of(TODAY, sunday_weeks.week_start)
    assert client_figures(h, week, NOW, sunday_weeks).counselor_reliability == Ratio(1, 1)


# --- Follow-through ----------------------------------------------------------------------------


def ft(*commitments: CommitmentFact, window: Window = WEEK) -> Ratio:
    return figs(hist(commitments=commitments), window).counselor_follow_through


def test_done_on_time_and_on_the_due_date() -> None:
    assert ft(commit(1, nov(24), CS.DONE, done_on=nov(24))) == Ratio(1, 1)
    assert ft(commit(1, nov(24), CS.DONE, done_on=nov(20))) == Ratio(1, 1)


def test_done_late_is_a_miss() -> None:
    assert ft(commit(1, nov(24), CS.DONE, done_on=nov(25))) == Ratio(0, 1)


def test_done_without_a_date_is_not_on_time() -> None:
    assert ft(commit(1, nov(24), CS.DONE)) == Ratio(0, 1)


def test_open_past_due_is_a_miss() -> None:
    assert ft(commit(1, nov(26))) == Ratio(0, 1)


def test_open_due_today_is_not_counted_yet() -> None:
    assert ft(commit(1, TODAY)) == Ratio(0, 0)
    assert ft(commit(1, TODAY, CS.RENEGOTIATED)) == Ratio(0, 0)


def test_done_early_counts_in_the_window_of_its_due_date() -> None:
    c = commit(1, nov(29), CS.DONE, done_on=nov(25))
    assert ft(c) == Ratio(1, 1)
    assert ft(c, window=WEEK.previous()) == Ratio(0, 0)


def test_renegotiated_before_the_due_date_is_not_a_miss() -> None:
    moved = DueChange(old_due=nov(24), new_due=date(2026, 12, 3), changed_on=nov(23))
    assert ft(commit(1, date(2026, 12, 3), CS.RENEGOTIATED, history=(moved,))) == Ratio(0, 0)


def test_renegotiated_on_the_due_date_is_not_a_miss() -> None:
    moved = DueChange(old_due=nov(24), new_due=date(2026, 12, 3), changed_on=nov(24))
    assert ft(commit(1, date(2026, 12, 3), CS.RENEGOTIATED, history=(moved,))) == Ratio(0, 0)


def test_renegotiated_after_the_due_date_is_a_miss_at_the_old_date() -> None:
    moved = DueChange(old_due=nov(18), new_due=nov(25), changed_on=nov(20))
    c = commit(1, nov(25), CS.DONE, done_on=nov(25), history=(moved,))
    assert ft(c) == Ratio(1, 1)  # the new date was kept …
    assert ft(c, window=WEEK.previous()) == Ratio(0, 1)  # … the old one passed silently
    assert ft(c, window=spanning([WEEK.previous(), WEEK])) == Ratio(1, 2)


def test_renegotiated_status_is_outstanding_with_the_new_date() -> None:
    moved = DueChange(old_due=nov(20), new_due=nov(25), changed_on=nov(19))
    assert ft(commit(1, nov(25), CS.RENEGOTIATED, history=(moved,))) == Ratio(0, 1)


def test_dropped_excluded_and_listed() -> None:
    silent = DueChange(old_due=nov(18), new_due=nov(24), changed_on=nov(20))
    h = hist(
        commitments=[
            commit(7, nov(24), CS.DROPPED, history=(silent,)),
            commit(8, nov(25), CS.DONE, done_on=nov(25)),
        ]
    )
    f = figs(h)
    assert f.counselor_follow_through == Ratio(1, 1)
    assert f.dropped == (7,)
    previous = figs(h, WEEK.previous())
    assert previous.counselor_follow_through == Ratio(0, 0) and previous.dropped == ()


def test_client_commitments_counted_on_the_client_side() -> None:
    h = hist(
        commitments=[
            commit(1, nov(24), owner=P.CLIENT),
            commit(2, nov(25), CS.DONE, owner=P.CLIENT, done_on=nov(24)),
            commit(3, nov(25), CS.DONE, done_on=nov(25)),
        ]
    )
    f = figs(h)
    assert f.client_follow_through == Ratio(1, 2)
    assert f.counselor_follow_through == Ratio(1, 1)


# --- Check-in regularity -----------------------------------------------------------------------


def regularity(appointments, checkins) -> Ratio:
    return figs(hist(appointments=appointments, checkins=checkins)).checkin_regularity


def test_checkin_matched_by_appointment_id() -> None:
    assert regularity([appt(1, at(24))], [checkin(1, nov(26), appointment_id=1)]) == Ratio(1, 1)


def test_checkin_matched_by_date() -> None:
    assert regularity([appt(1, at(24))], [checkin(1, nov(24))]) == Ratio(1, 1)
    assert regularity([appt(1, at(24))], [checkin(1, nov(25))]) == Ratio(0, 1)


def test_linked_checkin_does_not_match_by_date() -> None:
    appts = [appt(1, at(24, 9)), appt(2, at(24, 11))]
    assert regularity(appts, [checkin(1, nov(24), appointment_id=2)]) == Ratio(1, 2)


def test_checkin_date_matched_in_clinic_zone() -> None:
    evening = at(25, 21, 30).astimezone(UTC)  # 02:30 on the 26th in UTC
    assert regularity([appt(1, evening)], [checkin(1, nov(25))]) == Ratio(1, 1)


def test_only_kept_sessions_count_for_regularity() -> None:
    appts = [appt(1, at(24)), appt(2, at(25), Outcome.NO_SHOW)]
    assert regularity(appts, [checkin(1, nov(25))]) == Ratio(0, 1)


def test_another_clients_checkin_does_not_count() -> None:
    h1 = hist(1, appointments=[appt(1, at(24))])
    h2 = hist(2, checkins=[checkin(9, nov(24), client_id=2)])
    assert caseload_figures([h1, h2], WEEK, NOW, S).checkin_regularity == Ratio(0, 1)


# --- Caseload and weeks ------------------------------------------------------------------------


def test_caseload_is_the_sum_of_clients() -> None:
    h1 = hist(
        1,
        appointments=[appt(1, at(24)), appt(2, at(25), Outcome.COUNSELOR_CANCELLED)],
        commitments=[commit(1, nov(24), CS.DROPPED)],
    )
    h2 = hist(
        2,
        appointments=[appt(3, at(24), Outcome.NO_SHOW, client_id=2)],
        commitments=[
            commit(2, nov(24), owner=P.CLIENT, client_id=2),
            commit(3, nov(23), CS.DROPPED, client_id=2),
        ],
    )
    whole = caseload_figures([h1, h2], WEEK, NOW, S)
    assert whole == figs(h1) + figs(h2)
    assert whole.counselor_reliability == Ratio(2, 3)
    assert whole.client_attendance == Ratio(1, 2)
    assert whole.dropped == (1, 3)


def test_weekly_figures_buckets_each_fact_once() -> None:
    h = hist(appointments=[appt(i, at(nov(2) + timedelta(days=i))) for i in range(25)])
    weeks = weeks_back(WEEK, 4)
    weekly = weekly_figures([h], weeks, NOW, S)
    assert [w.counselor_reliability.denominator for w in weekly] == [7, 7, 7, 4]
    assert total(weekly) == figs(h, spanning(weeks))


def test_weekly_figures_with_no_windows() -> None:
    assert weekly_figures([hist()], [], NOW, S) == []


# --- Streak ------------------------------------------------------------------------------------


def wed(weeks_ago: int) -> datetime:
    return at(WEEK.previous(weeks_ago).start + timedelta(days=2))


def streak_of(results: dict[int, Outcome], commitments=(), max_weeks: int = 104) -> int:
    """Streak for a caseload with one session, of the given outcome, per listed week back."""
    appts = [appt(k, wed(k), outcome) for k, outcome in results.items()]
    return streak_weeks([hist(appointments=appts, commitments=commitments)], NOW, S, max_weeks)


def test_streak_counts_perfect_weeks_and_the_current_one() -> None:
    results = {k: Outcome.KEPT for k in range(5)} | {5: Outcome.COUNSELOR_CANCELLED}
    assert streak_of(results) == 5  # four complete weeks + this week so far


def test_streak_skips_a_vacation_week() -> None:
    results = {
        1: Outcome.KEPT,
        2: Outcome.KEPT,
        4: Outcome.KEPT,
        5: Outcome.KEPT,
        6: Outcome.COUNSELOR_CANCELLED,
    }
    assert streak_of(results) == 4


def test_imperfect_current_week_neither_breaks_nor_adds() -> None:
    results = {
        0: Outcome.COUNSELOR_CANCELLED,
        1: Outcome.KEPT,
        2: Outcome.KEPT,
        3: Outcome.KEPT,
        4: Outcome.COUNSELOR_CANCELLED,
    }
    assert streak_of(results) == 3


def test_current_week_with_nothing_due_adds_nothing() -> None:
    assert streak_of({1: Outcome.KEPT, 2: Outcome.KEPT}) == 2


def test_imperfect_week_two_back_stops_the_streak() -> None:
    assert (
        streak_of(
            {0: Outcome.KEPT, 1: Outcome.KEPT, 2: Outcome.COUNSELOR_CANCELLED, 3: Outcome.KEPT}
        )
        == 2
    )


def test_client_outcomes_do_not_break_the_streak() -> None:
    assert streak_of({1: Outcome.NO_SHOW, 2: Outcome.LATE_CANCEL, 3: Outcome.KEPT}) == 3


def test_follow_through_miss_breaks_the_streak() -> None:
    missed = commit(1, WEEK.previous().start + timedelta(days=1))
    assert streak_of({1: Outcome.KEPT, 2: Outcome.KEPT}, commitments=[missed]) == 0


def test_open_commitment_later_this_week_does_not_break() -> None:
    assert streak_of({0: Outcome.KEPT, 1: Outcome.KEPT}, commitments=[commit(1, nov(28))]) == 2


def test_streak_is_capped_and_empty_is_zero() -> None:
    assert streak_of({k: Outcome.KEPT for k in range(1, 11)}, max_weeks=4) == 4
    assert streak_of({}) == 0


# --- Sparkline ---------------------------------------------------------------------------------


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([None, None]) == "  "
    assert sparkline([0.0, 0.5, 1.0], low=0, high=1) == "▁▅█"
    assert sparkline([1.0, None, 3.0]) == "▁ █"
    assert sparkline([1.0, 1.0]) == "▄▄"
    assert sparkline([2.0, -1.0], low=0, high=1) == "█▁"


# --- Properties --------------------------------------------------------------------------------

OUTCOMES = list(Outcome)
STATUSES = list(CommitmentStatus)
SPAN = 35  # days before today that generated facts reach


@st.composite
def histories(draw: st.DrawFn, client_id: int) -> ClientHistory:
    day = st.integers(-SPAN, 10).map(lambda n: TODAY + timedelta(days=n))
    appts = []
    for i in range(draw(st.integers(0, 12))):
        start = datetime.combine(
            draw(day), time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))), NY
        )
        if draw(st.booleans()):
            start = start.astimezone(UTC)
        appts.append(
            AppointmentFact(
                client_id * 1000 + i,
                client_id,
                start,
                start + timedelta(minutes=draw(st.sampled_from([30, 50, 90]))),
                draw(st.sampled_from(OUTCOMES)),
                counselor_late_min=draw(st.integers(0, 10)),
                requested_by=draw(st.sampled_from([None, P.CLIENT, P.COUNSELOR])),
            )
        )
    commitments = []
    for i in range(draw(st.integers(0, 6))):
        due = draw(day)
        history = tuple(
            DueChange(old, due, old + timedelta(days=draw(st.integers(-3, 3))))
            for old in draw(st.lists(day, max_size=2))
        )
        status = draw(st.sampled_from(STATUSES))
        done_on = due + timedelta(days=draw(st.integers(-4, 4))) if status is CS.DONE else None
        commitments.append(
            CommitmentFact(
                client_id * 1000 + i,
                client_id,
                draw(st.sampled_from(list(Party))),
                "x",
                due,
                due,
                status,
                done_on,
                history,
            )
        )
    ids = [a.id for a in appts]
    checkins = [
        CheckInFact(
            client_id * 1000 + i,
            client_id,
            Instrument.SRS,
            draw(day),
            38.0,
            appointment_id=draw(st.sampled_from([None, *ids])),
        )
        for i in range(draw(st.integers(0, 5)))
    ]
    client = ClientFact(client_id, f"C{client_id}", "R", ClientStatus.ACTIVE, date(2025, 1, 1))
    return ClientHistory(client, tuple(appts), tuple(commitments), tuple(checkins))


caseloads = st.integers(1, 4).flatmap(lambda n: st.tuples(*(histories(i + 1) for i in range(n))))
FOUR_WEEKS = weeks_back(week_of(TODAY + timedelta(days=7)), 6)  # reaches past the generated span


def ratios(f: Figures) -> list[Ratio]:
    return [
        f.counselor_reliability,
        f.counselor_follow_through,
        f.client_attendance,
        f.client_follow_through,
        f.checkin_regularity,
    ]


@hyp_settings(max_examples=150, deadline=None)
@given(caseloads)
def test_rates_within_bounds_and_clients_sum_to_caseload(hs: tuple[ClientHistory, ...]) -> None:
    window = spanning(FOUR_WEEKS)
    per_client = [client_figures(h, window, NOW, S) for h in hs]
    for f in per_client:
        for r in ratios(f):
            assert 0 <= r.numerator <= r.denominator
            assert r.value is None or 0.0 <= r.value <= 1.0
    assert total(per_client) == caseload_figures(hs, window, NOW, S)


@hyp_settings(max_examples=150, deadline=None)
@given(caseloads)
def test_weeks_add_up_to_the_whole_window(hs: tuple[ClientHistory, ...]) -> None:
    weeks = weeks_back(WEEK, 4)
    parts = [caseload_figures(hs, w, NOW, S) for w in weeks]
    assert total(parts) == caseload_figures(hs, spanning(weeks), NOW, S)


@hyp_settings(max_examples=150, deadline=None)
@given(caseloads)
def test_weekly_figures_equals_figures_per_window(hs: tuple[ClientHistory, ...]) -> None:
    weekly = weekly_figures(hs, FOUR_WEEKS, NOW, S)
    assert weekly == [total(client_figures(h, w, NOW, S) for h in hs) for w in FOUR_WEEKS]
    uneven = [Window(nov(1), nov(4)), Window(nov(4), nov(14)), Window(nov(10), nov(28))]
    assert weekly_figures(hs, uneven, NOW, S) == [caseload_figures(hs, w, NOW, S) for w in uneven]


@hyp_settings(max_examples=100, deadline=None)
@given(caseloads)
def test_streak_is_bounded(hs: tuple[ClientHistory, ...]) -> None:
    assert 0 <= streak_weeks(hs, NOW, S, max_weeks=8) <= 9


@given(st.lists(st.one_of(st.none(), st.floats(-5, 5)), max_size=20))
def test_sparkline_one_char_per_value(values: list[float | None]) -> None:
    line = sparkline(values)
    assert len(line) == len(values) and line == sparkline(values)
    assert all(ch in " ▁▂▃▄▅▆▇█" for ch in line)


def _figures_by_the_rules(hs: tuple[ClientHistory, ...], window: Window) -> Figures:
    """The module doc's rules, fact by fact, with nothing shared with `metrics`' pass: the
    pass counts each fact as a kind (a bit set of held, attended, kept and covered) instead."""
    zone, late = ZoneInfo(S.timezone), S.counselor_late_minutes
    today = NOW.astimezone(zone).date()
    held = due = kept = attended = covered = needs = 0
    fell = {P.COUNSELOR: [0, 0], P.CLIENT: [0, 0]}  # on time, fell due
    dropped: set[int] = set()
    for h in hs:
        for a in h.appointments:
            day = a.start.astimezone(zone).date()
            if a.end > NOW or not window.contains(day):
                continue
            if a.outcome is Outcome.SCHEDULED:
                needs += 1
                continue
            due += 1
            held += not (a.outcome is Outcome.COUNSELOR_CANCELLED
                         or (a.outcome is Outcome.RESCHEDULED and a.requested_by is P.COUNSELOR)
                         or (a.outcome is Outcome.KEPT and a.counselor_late_min > late))
            attended += a.outcome in (Outcome.KEPT, Outcome.NO_SHOW, Outcome.LATE_CANCEL)
            if a.outcome is Outcome.KEPT:
                kept += 1
                covered += any(c.appointment_id == a.id if c.appointment_id is not None
                               else (c.client_id, c.on) == (a.client_id, day)
                               for c in h.checkins)
        for c in h.commitments:
            if c.status is CS.DROPPED:
                if window.contains(c.due):
                    dropped.add(c.id)
                continue
            if window.contains(c.due) and (c.status is CS.DONE or c.due < today):
                fell[c.owner][1] += 1
                fell[c.owner][0] += (c.status is CS.DONE and c.done_on is not None
                                     and c.done_on <= c.due)
            fell[c.owner][1] += sum(1 for change in c.history if change.changed_on
                                    > change.old_due and window.contains(change.old_due))
    return Figures(Ratio(held, due), Ratio(*fell[P.COUNSELOR]), Ratio(kept, attended),
                   Ratio(*fell[P.CLIENT]), Ratio(covered, kept), needs, tuple(sorted(dropped)))


@hyp_settings(max_examples=150, deadline=None)
@given(caseloads)
def test_figures_follow_the_rules_fact_by_fact(hs: tuple[ClientHistory, ...]) -> None:
    for window in (*FOUR_WEEKS, spanning(FOUR_WEEKS)):
        assert caseload_figures(hs, window, NOW, S) == _figures_by_the_rules(hs, window)
