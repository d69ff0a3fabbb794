"""Review flags (DOMAIN.md §5): each flag firing and not at its boundary, and review order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from caseload.domain.flags import (
    FLAG_ACTIONS,
    FLAG_BADGES,
    FLAG_LABELS,
    FLAG_SIDES,
    SEVERITY,
    Flag,
    FlagCode,
    client_flags,
    flag_rank,
    review_order,
)
from caseload.domain.metrics import week_of
from caseload.domain.records import (
    AppointmentFact,
    CheckInFact,
    ClientFact,
    ClientHistory,
    ClientStatus,
    CommitmentFact,
    CommitmentStatus,
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
F, P, CS = FlagCode, Party, CommitmentStatus
INTAKE = date(2026, 1, 5)


def nov(day: int) -> date:
    return date(2026, 11, day)


def at(day: date | int, hour: int = 10, minute: int = 0) -> datetime:
    d = nov(day) if isinstance(day, int) else day
    return datetime.combine(d, time(hour, minute), NY)


NEXT = AppointmentFact(900, 1, at(nov(30)), at(nov(30), 11), Outcome.SCHEDULED)


def appt(id: int, start: datetime, outcome: Outcome = Outcome.KEPT, **kw) -> AppointmentFact:
    return AppointmentFact(id, 1, start, start + timedelta(minutes=50), outcome, **kw)


def commit(
    id: int,
    due: date,
    status: CommitmentStatus = CS.OPEN,
    owner: Party = P.COUNSELOR,
    text: str = "Call probation officer",
) -> CommitmentFact:
    return CommitmentFact(id, 1, owner, text, due - timedelta(days=14), due, status)


def srs(id: int, on: date, total: float, discussed: bool = False, **kw) -> CheckInFact:
    return CheckInFact(id, 1, Instrument.SRS, on, total, discussed=discussed, **kw)


def client(
    status: ClientStatus = ClientStatus.ACTIVE,
    id: int = 1,
    name: str = "Alex Example",
    intake: date = INTAKE,
) -> ClientFact:
    return ClientFact(id, name, f"R{id}", status, intake)


def flags_of(
    appointments=(),
    commitments=(),
    checkins=(),
    status: ClientStatus = ClientStatus.ACTIVE,
    settings: Settings = S,
    intake: date = INTAKE,
    booked: bool = True,
    recent: bool = True,
) -> tuple[Flag, ...]:
    """Flags for one client. By default the client has a next session booked and a kept session
    with a check-in this week, so only the flags a test is about fire."""
    appts = list(appointments)
    checks = list(checkins)
    if booked:
        appts.append(NEXT)
    if recent:
        appts.append(appt(901, at(23, 8)))
        checks.append(CheckInFact(901, 1, Instrument.ORS, nov(23), 30.0, appointment_id=901))
    history = ClientHistory(
        client(status, intake=intake), tuple(appts), tuple(commitments), tuple(checks)
    )
    return client_flags(history, NOW, WEEK, settings)


def codes(flags: tuple[Flag, ...]) -> list[FlagCode]:
    return [f.code for f in flags]


def only(flags: tuple[Flag, ...], code: FlagCode) -> Flag:
    found = [f for f in flags if f.code is code]
    assert len(found) == 1, codes(flags)
    return found[0]


# --- The vocabulary ----------------------------------------------------------------------------


def test_flag_codes_are_exactly_the_documented_ones() -> None:
    assert [c.value for c in FlagCode] == [
        "needs_outcome", "counselor_cancelled", "counselor_late", "counselor_commitment_overdue",
        "counselor_commitment_due", "no_show_streak", "no_contact", "not_scheduled",
        "alliance_below_cutoff", "alliance_drop", "not_discussed", "checkin_lapsed",
        "client_commitment_overdue",
    ]  # fmt: skip


def test_severity_order() -> None:
    assert [c.value for c in SEVERITY] == [
        "needs_outcome", "counselor_cancelled", "counselor_late", "counselor_commitment_overdue",
        "counselor_commitment_due", "not_scheduled", "not_discussed", "checkin_lapsed",
        "alliance_below_cutoff", "alliance_drop", "no_show_streak", "no_contact",
        "client_commitment_overdue",
    ]  # fmt: skip
    assert [c.severity for c in SEVERITY] == list(range(len(FlagCode)))


def test_sides() -> None:
    client_side = {F.NO_SHOW_STREAK, F.NO_CONTACT, F.CLIENT_COMMITMENT_OVERDUE,
                   F.ALLIANCE_BELOW_CUTOFF, F.ALLIANCE_DROP}  # fmt: skip
    for code in FlagCode:
        assert code.side is (P.CLIENT if code in client_side else P.COUNSELOR)
        assert FLAG_SIDES[code] is code.side


def test_badges_short_unique_and_complete() -> None:
    assert FLAG_BADGES[F.NEEDS_OUTCOME] == "?out"
    assert set(FLAG_BADGES) == set(FlagCode) == set(FLAG_LABELS) == set(FLAG_ACTIONS)
    assert len(set(FLAG_BADGES.values())) == len(FlagCode)
    assert all(0 < len(b) <= 6 for b in FLAG_BADGES.values())
    # The side is readable from the badge alone, without colour.
    assert all(c.badge[0] in "!?" for c in FlagCode if c.side is P.COUNSELOR)
    assert all(c.badge[0].isalpha() for c in FlagCode if c.side is P.CLIENT)


def test_quiet_client_has_no_flags() -> None:
    assert flags_of() == ()


# --- needs outcome -----------------------------------------------------------------------------


def test_needs_outcome_fires_for_any_past_date() -> None:
    flags = flags_of(
        [appt(1, at(nov(2)), Outcome.SCHEDULED), appt(2, at(27, 16, 10), Outcome.SCHEDULED)]
    )
    flag = only(flags, F.NEEDS_OUTCOME)
    assert flag.refs == (1, 2)
    assert flag.side is P.COUNSELOR
    assert flag.reason == "2 past sessions have no outcome recorded (2 Nov, 27 Nov)."
    assert flag.action == "Record what happened."


def test_needs_outcome_not_before_the_session_ends() -> None:
    assert F.NEEDS_OUTCOME not in codes(flags_of([appt(1, at(27, 16, 11), Outcome.SCHEDULED)]))


# --- counselor cancelled / late ----------------------------------------------------------------


def test_counselor_cancelled_this_week() -> None:
    flag = only(flags_of([appt(1, at(25), Outcome.COUNSELOR_CANCELLED)]), F.COUNSELOR_CANCELLED)
    assert flag.reason == "You cancelled Wed 25 Nov."
    assert flag.action == "Offer a make-up session this week."
    assert flag.refs == (1,)


def test_counselor_cancelled_later_this_week_still_fires() -> None:
    flags = flags_of([appt(1, at(28), Outcome.COUNSELOR_CANCELLED)])
    assert F.COUNSELOR_CANCELLED in codes(flags)


def test_counselor_reschedule_fires_client_reschedule_does_not() -> None:
    mine = appt(1, at(24), Outcome.RESCHEDULED, requested_by=P.COUNSELOR)
    theirs = appt(2, at(25), Outcome.RESCHEDULED, requested_by=P.CLIENT)
    flag = only(flags_of([mine, theirs]), F.COUNSELOR_CANCELLED)
    assert flag.refs == (1,) and flag.reason == "You rescheduled Tue 24 Nov."
    assert F.COUNSELOR_CANCELLED not in codes(flags_of([theirs]))


def test_cancellation_in_the_clinic_zone_last_week_does_not_fire() -> None:
    # 23:30 Sunday local is already Monday in UTC, but belongs to last week.
    sunday_night = at(22, 23, 30).astimezone(UTC)
    assert F.COUNSELOR_CANCELLED not in codes(
        flags_of([appt(1, sunday_night, Outcome.COUNSELOR_CANCELLED)])
    )


@pytest.mark.parametrize(("minutes", "fires"), [(5, False), (6, True)])
def test_counselor_late_boundary(minutes: int, fires: bool) -> None:
    flags = flags_of([appt(1, at(25), counselor_late_min=minutes)])
    assert (F.COUNSELOR_LATE in codes(flags)) is fires
    if fires:
        assert only(flags, F.COUNSELOR_LATE).reason == "You were 6 min late on Wed 25 Nov."


def test_counselor_late_only_this_week() -> None:
    assert F.COUNSELOR_LATE not in codes(flags_of([appt(1, at(20), counselor_late_min=20)]))


# --- commitments -------------------------------------------------------------------------------


def test_counselor_commitment_overdue() -> None:
    flag = only(flags_of(commitments=[commit(1, nov(24))]), F.COUNSELOR_COMMITMENT_OVERDUE)
    assert flag.reason == "Call probation officer — due Tue 24 Nov, 3 days overdue."
    assert flag.action == "Do it or renegotiate the date with the client."
    assert flag.refs == (1,)
    one_day = only(flags_of(commitments=[commit(1, nov(26))]), F.COUNSELOR_COMMITMENT_OVERDUE)
    assert one_day.reason.endswith("1 day overdue.")


def test_renegotiated_commitment_can_be_overdue() -> None:
    flags = flags_of(commitments=[commit(1, nov(24), CS.RENEGOTIATED)])
    assert F.COUNSELOR_COMMITMENT_OVERDUE in codes(flags)


@pytest.mark.parametrize("status", [CS.DONE, CS.DROPPED])
def test_finished_commitments_do_not_flag(status: CommitmentStatus) -> None:
    assert flags_of(commitments=[commit(1, nov(24), status)]) == ()


def test_due_today_is_due_not_overdue() -> None:
    flags = flags_of(commitments=[commit(1, TODAY)])
    assert codes(flags) == [F.COUNSELOR_COMMITMENT_DUE]
    assert flags[0].reason == "Call probation officer — due today."


@pytest.mark.parametrize(("days", "fires"), [(1, True), (7, True), (8, False)])
def test_counselor_commitment_due_soon_boundary(days: int, fires: bool) -> None:
    flags = flags_of(commitments=[commit(1, TODAY + timedelta(days=days))])
    assert (F.COUNSELOR_COMMITMENT_DUE in codes(flags)) is fires


def test_due_soon_wording() -> None:
    soon = only(flags_of(commitments=[commit(1, nov(28))]), F.COUNSELOR_COMMITMENT_DUE)
    assert soon.reason == "Call probation officer — due tomorrow, Sat 28 Nov."
    later = only(flags_of(commitments=[commit(1, date(2026, 12, 1))]), F.COUNSELOR_COMMITMENT_DUE)
    assert later.reason == "Call probation officer — due Tue 1 Dec, in 4 days."


def test_client_commitment_overdue_boundary() -> None:
    owed = commit(1, nov(26), owner=P.CLIENT, text="Attend two meetings")
    flag = only(flags_of(commitments=[owed]), F.CLIENT_COMMITMENT_OVERDUE)
    assert flag.side is P.CLIENT
    assert flag.reason == "Attend two meetings — due Thu 26 Nov, 1 day overdue."
    assert flags_of(commitments=[commit(1, TODAY, owner=P.CLIENT)]) == ()
    # A client commitment is never "due soon" for the counselor.
    assert flags_of(commitments=[commit(1, nov(28), owner=P.CLIENT)]) == ()


# --- no-shows and contact ----------------------------------------------------------------------


def test_no_show_streak_fires() -> None:
    flags = flags_of(
        [appt(1, at(11), Outcome.KEPT), appt(2, at(18), Outcome.NO_SHOW),
         appt(3, at(25), Outcome.NO_SHOW)],
        recent=False,
    )  # fmt: skip
    flag = only(flags, F.NO_SHOW_STREAK)
    assert flag.reason == "Two no-shows in a row (18 Nov, 25 Nov)."
    assert flag.action == "Reach out: call or send a letter."
    assert flag.refs == (2, 3) and flag.side is P.CLIENT


def test_no_show_streak_ignores_other_outcomes_between() -> None:
    appts = [
        appt(1, at(11), Outcome.NO_SHOW),
        appt(2, at(18), Outcome.CLIENT_CANCELLED),
        appt(3, at(19), Outcome.COUNSELOR_CANCELLED),
        appt(4, at(20), Outcome.NO_SHOW),
    ]
    flags = flags_of(appts, recent=False)
    assert only(flags, F.NO_SHOW_STREAK).refs == (1, 4)


@pytest.mark.parametrize("breaker", [Outcome.KEPT, Outcome.LATE_CANCEL])
def test_no_show_streak_broken(breaker: Outcome) -> None:
    between = [appt(1, at(11), Outcome.NO_SHOW), appt(2, at(18), breaker),
               appt(3, at(20), Outcome.NO_SHOW)]  # fmt: skip
    assert F.NO_SHOW_STREAK not in codes(flags_of(between, recent=False))
    after = [appt(1, at(11), Outcome.NO_SHOW), appt(2, at(18), Outcome.NO_SHOW),
             appt(3, at(20), breaker)]  # fmt: skip
    assert F.NO_SHOW_STREAK not in codes(flags_of(after, recent=False))


def test_no_show_streak_length_follows_settings() -> None:
    two = [appt(1, at(18), Outcome.NO_SHOW), appt(2, at(25), Outcome.NO_SHOW)]
    assert F.NO_SHOW_STREAK not in codes(flags_of(two, settings=Settings(no_show_streak=3)))


@pytest.mark.parametrize(("day", "fires"), [(13, True), (14, False)])
def test_no_contact_boundary(day: int, fires: bool) -> None:
    flags = flags_of([appt(1, at(day))], recent=False)
    assert (F.NO_CONTACT in codes(flags)) is fires
    if fires:
        assert only(flags, F.NO_CONTACT).reason == "No kept session since Fri 13 Nov (14 days)."


@pytest.mark.parametrize(("days", "fires"), [(14, False), (15, True)])
def test_no_contact_needs_intake_older_than_the_limit(days: int, fires: bool) -> None:
    flags = flags_of(intake=TODAY - timedelta(days=days), recent=False)
    assert (F.NO_CONTACT in codes(flags)) is fires
    if fires:
        assert only(flags, F.NO_CONTACT).reason == (
            "No kept session since intake on Thu 12 Nov (15 days)."
        )


def test_no_show_is_not_contact() -> None:
    assert F.NO_CONTACT in codes(flags_of([appt(1, at(25), Outcome.NO_SHOW)], recent=False))


def test_not_scheduled() -> None:
    flag = only(flags_of(booked=False), F.NOT_SCHEDULED)
    assert flag.action == "Schedule the next session." and flag.side is P.COUNSELOR
    # A past session still awaiting its outcome is not a booking.
    flags = flags_of([appt(1, at(27, 9), Outcome.SCHEDULED)], booked=False)
    assert F.NOT_SCHEDULED in codes(flags)
    assert F.NOT_SCHEDULED not in codes(flags_of(booked=True))


# --- alliance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "fires"), [(35.9, True), (36.0, False)])
def test_alliance_below_cutoff_boundary(total: float, fires: bool) -> None:
    flags = flags_of(checkins=[srs(1, nov(25), total, discussed=True)])
    assert (F.ALLIANCE_BELOW_CUTOFF in codes(flags)) is fires
    if fires:
        flag = only(flags, F.ALLIANCE_BELOW_CUTOFF)
        assert flag.reason == "Latest session rating 35.9 of 40 on Wed 25 Nov (cutoff 36)."
        assert flag.refs == (1,) and flag.side is P.CLIENT


def test_only_the_latest_rating_counts_for_the_cutoff() -> None:
    checks = [srs(1, nov(18), 30.0, discussed=True), srs(2, nov(25), 38.0, discussed=True)]
    assert flags_of(checkins=checks) == ()


@pytest.mark.parametrize(("latest", "fires"), [(31.3, True), (31.4, False)])
def test_alliance_drop_boundary(latest: float, fires: bool) -> None:
    # 32.3 - 31.3 is 0.99999… in binary floating point: still a drop of 1 point as written.
    checks = [srs(1, nov(18), 32.3, discussed=True), srs(2, nov(25), latest, discussed=True)]
    flags = flags_of(checkins=checks)
    assert (F.ALLIANCE_DROP in codes(flags)) is fires
    if fires:
        flag = only(flags, F.ALLIANCE_DROP)
        assert flag.reason == "Session rating fell from 32.3 to 31.3 (Wed 18 Nov → Wed 25 Nov)."
        assert flag.refs == (2,) and flag.side is P.CLIENT


def test_alliance_drop_alone() -> None:
    checks = [srs(1, nov(18), 39.0, discussed=True), srs(2, nov(25), 38.0, discussed=True)]
    assert codes(flags_of(checkins=checks)) == [F.ALLIANCE_DROP]
    checks = [srs(1, nov(18), 39.0, discussed=True), srs(2, nov(25), 38.1, discussed=True)]
    assert flags_of(checkins=checks) == ()


def test_low_score_not_discussed() -> None:
    flags = flags_of(checkins=[srs(1, nov(18), 39.0, discussed=True), srs(2, nov(25), 35.0)])
    assert codes(flags) == [F.NOT_DISCUSSED, F.ALLIANCE_BELOW_CUTOFF, F.ALLIANCE_DROP]
    flag = flags[0]
    assert flag.refs == (2,) and flag.side is P.COUNSELOR
    assert flag.reason == "A low score on Wed 25 Nov was not discussed."
    assert flag.action == "Ask about it and mark it discussed."


def test_old_low_scores_stay_flagged_until_discussed() -> None:
    checks = [srs(1, nov(4), 30.0), srs(2, nov(11), 39.0, discussed=True), srs(3, nov(18), 37.5)]
    flag = only(flags_of(checkins=checks), F.NOT_DISCUSSED)
    assert flag.refs == (1, 3)  # 3 dropped 1.5 from 39.0
    assert flag.reason == "Two low scores not discussed (4 Nov, 18 Nov)."


def test_discussed_scores_do_not_flag_as_not_discussed() -> None:
    flags = flags_of(checkins=[srs(1, nov(25), 30.0, discussed=True)])
    assert F.NOT_DISCUSSED not in codes(flags)


def test_wai_sr_lower_than_previous_not_discussed() -> None:
    def wai(id: int, day: int, total: float) -> CheckInFact:
        return CheckInFact(id, 1, Instrument.WAI_SR, nov(day), total)

    assert only(flags_of(checkins=[wai(1, 4, 50), wai(2, 25, 49)]), F.NOT_DISCUSSED).refs == (2,)
    assert F.NOT_DISCUSSED not in codes(flags_of(checkins=[wai(1, 4, 50), wai(2, 25, 50)]))


def test_low_ors_is_not_an_alliance_flag() -> None:
    ors = CheckInFact(1, 1, Instrument.ORS, nov(25), 10.0)
    assert flags_of(checkins=[ors]) == ()


# --- feedback loop -----------------------------------------------------------------------------


def kept3() -> list[AppointmentFact]:
    return [appt(1, at(11)), appt(2, at(18)), appt(3, at(25))]


def test_checkin_lapsed_fires() -> None:
    flag = only(flags_of(kept3(), recent=False), F.CHECKIN_LAPSED)
    assert flag.reason == "No check-in in the last 3 kept sessions (11 Nov, 18 Nov, 25 Nov)."
    assert flag.action == "Do a check-in at the next session."
    assert flag.refs == (1, 2, 3)


def test_checkin_lapsed_needs_enough_sessions() -> None:
    assert F.CHECKIN_LAPSED not in codes(flags_of(kept3()[1:], recent=False))


def test_checkin_lapsed_not_when_one_had_a_checkin_by_id_or_date() -> None:
    by_id = [CheckInFact(1, 1, Instrument.ORS, nov(19), 30.0, appointment_id=2)]
    assert F.CHECKIN_LAPSED not in codes(flags_of(kept3(), checkins=by_id, recent=False))
    by_date = [CheckInFact(1, 1, Instrument.ORS, nov(11), 30.0)]
    assert F.CHECKIN_LAPSED not in codes(flags_of(kept3(), checkins=by_date, recent=False))


def test_checkin_lapsed_looks_only_at_the_last_sessions() -> None:
    appts = [appt(9, at(4)), *kept3()]
    old = [CheckInFact(1, 1, Instrument.ORS, nov(4), 30.0, appointment_id=9)]
    assert F.CHECKIN_LAPSED in codes(flags_of(appts, checkins=old, recent=False))


# --- clients who are not active ----------------------------------------------------------------


@pytest.mark.parametrize("status", [ClientStatus.ON_HOLD, ClientStatus.DISCHARGED])
def test_inactive_clients_only_surface_the_counselors_loose_ends(status: ClientStatus) -> None:
    flags = flags_of(
        [appt(1, at(18), Outcome.NO_SHOW), appt(2, at(24), Outcome.SCHEDULED),
         appt(3, at(25), Outcome.COUNSELOR_CANCELLED)],
        commitments=[commit(1, nov(24)), commit(2, nov(28)), commit(3, nov(20), owner=P.CLIENT)],
        checkins=[srs(1, nov(25), 20.0)],
        status=status,
        booked=False,
        recent=False,
    )  # fmt: skip
    assert codes(flags) == [F.NEEDS_OUTCOME, F.COUNSELOR_COMMITMENT_OVERDUE]


def test_flags_come_in_severity_order() -> None:
    flags = flags_of(
        [appt(1, at(20), Outcome.NO_SHOW), appt(2, at(24), Outcome.SCHEDULED),
         appt(3, at(25), Outcome.NO_SHOW)],
        commitments=[commit(1, nov(28)), commit(2, nov(20), owner=P.CLIENT), commit(3, nov(24))],
        checkins=[srs(1, nov(18), 37.0), srs(2, nov(25), 20.0)],
        booked=False,
        recent=False,
    )  # fmt: skip
    assert codes(flags) == [
        F.NEEDS_OUTCOME, F.COUNSELOR_COMMITMENT_OVERDUE, F.COUNSELOR_COMMITMENT_DUE,
        F.NOT_SCHEDULED, F.NOT_DISCUSSED, F.ALLIANCE_BELOW_CUTOFF, F.ALLIANCE_DROP,
        F.NO_SHOW_STREAK, F.NO_CONTACT, F.CLIENT_COMMITMENT_OVERDUE,
    ]  # fmt: skip


# --- review order ------------------------------------------------------------------------------


def flag(code: FlagCode) -> Flag:
    return Flag(code, code.side, "reason", "action")


def test_review_order() -> None:
    a = client(id=1, name="Avery")
    b = client(id=2, name="Blake")
    c = client(id=3, name="casey")
    d = client(id=4, name="Drew")
    e = client(id=5, name="Blake")
    quiet = client(id=6, name="Aaron")
    items = [
        (a, (flag(F.NO_SHOW_STREAK), flag(F.NO_CONTACT), flag(F.ALLIANCE_DROP))),  # client side
        (b, (flag(F.NOT_SCHEDULED),)),
        (c, (flag(F.NOT_SCHEDULED), flag(F.CHECKIN_LAPSED))),  # same worst, more flags
        (d, (flag(F.NEEDS_OUTCOME),)),
        (e, (flag(F.NOT_SCHEDULED),)),  # same name as b: id decides
        (quiet, ()),
    ]
    ordered = [cl.id for cl, _ in review_order(items)]
    assert ordered == [4, 3, 2, 5, 1]


def test_flag_rank() -> None:
    assert flag_rank([flag(F.NO_CONTACT)]) == (1, F.NO_CONTACT.severity, -1)
    assert flag_rank([flag(F.NO_CONTACT), flag(F.CHECKIN_LAPSED)]) == (
        0, F.CHECKIN_LAPSED.severity, -2,
    )  # fmt: skip
    assert flag_rank([]) > flag_rank([flag(F.CLIENT_COMMITMENT_OVERDUE)])


def test_review_order_uses_real_flags() -> None:
    late = ClientHistory(client(id=1, name="Zed"), (appt(1, at(25), counselor_late_min=9), NEXT))
    quiet_appt = appt(2, at(25))
    gone = ClientHistory(client(id=2, name="Amy"), (quiet_appt,))  # only not_scheduled
    items = [(h.client, client_flags(h, NOW, WEEK, S)) for h in (gone, late)]
    assert [cl.name for cl, _ in review_order(items)] == ["Zed", "Amy"]


# --- properties --------------------------------------------------------------------------------


@st.composite
def random_history(draw: st.DrawFn) -> ClientHistory:
    day = st.integers(-40, 15).map(lambda n: TODAY + timedelta(days=n))
    appts = tuple(
        appt(i, datetime.combine(draw(day), time(draw(st.integers(0, 23))), NY),
             draw(st.sampled_from(list(Outcome))), counselor_late_min=draw(st.integers(0, 9)),
             requested_by=draw(st.sampled_from([None, P.CLIENT, P.COUNSELOR])))
        for i in range(draw(st.integers(0, 10)))
    )  # fmt: skip
    commitments = tuple(
        commit(i, draw(day), draw(st.sampled_from(list(CS))), draw(st.sampled_from(list(P))))
        for i in range(draw(st.integers(0, 5)))
    )
    checkins = tuple(
        CheckInFact(i, 1, draw(st.sampled_from(list(Instrument))), draw(day),
                    draw(st.floats(0, 40)), discussed=draw(st.booleans()),
                    appointment_id=draw(st.sampled_from([None, *(a.id for a in appts)])))
        for i in range(draw(st.integers(0, 5)))
    )  # fmt: skip
    status = draw(st.sampled_from(list(ClientStatus)))
    intake = draw(day)
    return ClientHistory(client(status, intake=intake), appts, commitments, checkins)


@hyp_settings(max_examples=200, deadline=None)
@given(random_history())
def test_flags_are_well_formed(history: ClientHistory) -> None:
    flags = client_flags(history, NOW, WEEK, S)
    assert [f.code.severity for f in flags] == sorted(f.code.severity for f in flags)
    for f in flags:
        assert f.side is f.code.side and f.reason and f.action
    if history.client.status is not ClientStatus.ACTIVE:
        assert set(codes(flags)) <= {F.NEEDS_OUTCOME, F.COUNSELOR_COMMITMENT_OVERDUE}
    # Codes that concern one thing as a whole appear at most once.
    per_commitment = {F.COUNSELOR_COMMITMENT_OVERDUE, F.COUNSELOR_COMMITMENT_DUE,
                      F.CLIENT_COMMITMENT_OVERDUE}  # fmt: skip
    singles = [c for c in codes(flags) if c not in per_commitment]
    assert len(singles) == len(set(singles))


@hyp_settings(max_examples=200, deadline=None)
@given(random_history(), st.randoms(use_true_random=False))
def test_flags_do_not_depend_on_the_order_facts_come_in(history: ClientHistory, rnd) -> None:
    """The store hands facts over in time order (a shortcut skips sorting them); any other
    order gives the same flags."""
    in_order = ClientHistory(
        history.client, tuple(sorted(history.appointments, key=lambda a: (a.start, a.id))),
        history.commitments, tuple(sorted(history.checkins, key=lambda c: (c.on, c.id))))
    shuffled = [list(history.appointments), list(history.commitments), list(history.checkins)]
    for facts in shuffled:
        rnd.shuffle(facts)
    mixed = ClientHistory(history.client, *(tuple(facts) for facts in shuffled))
    assert client_flags(mixed, NOW, WEEK, S) == client_flags(in_order, NOW, WEEK, S)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata"])
def test_the_review_week_is_the_clinic_zones_in_far_zones(zone: str) -> None:
    """Sessions are stored in UTC: the week's edges are local midnights, whatever the offset."""
    tz = ZoneInfo(zone)
    rules = Settings(timezone=zone)
    now = datetime.combine(nov(27), time(17), tz)

    def cancelled(id: int, day: date, hour: int, minute: int = 0) -> AppointmentFact:
        start = datetime.combine(day, time(hour, minute), tz).astimezone(UTC)
        return AppointmentFact(id, 1, start, start + timedelta(minutes=50),
                               Outcome.COUNSELOR_CANCELLED)

    appts = (cancelled(1, nov(22), 23, 30), cancelled(2, nov(23), 0, 10),
             cancelled(3, nov(29), 23, 0), cancelled(4, nov(30), 0, 0), NEXT)
    history = ClientHistory(client(), appts)
    flag = only(client_flags(history, now, WEEK, rules), F.COUNSELOR_CANCELLED)
    assert flag.refs == (2, 3)
