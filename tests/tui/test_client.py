"""Client screen: press the real keys, then check the database (through services) and the screen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import RadioSet

from caseload.domain.records import ClientStatus, CommitmentStatus, Instrument, Outcome, Party
from caseload.domain.recurrence import Cadence
from caseload.services import appointments, checkins, clients, commitments
from caseload.services.client_view import load_client_view
from caseload.tui.screens.appointment_form import AppointmentFormScreen
from caseload.tui.screens.checkin import CheckInScreen
from caseload.tui.screens.client import CLIENT_COMMANDS, ClientScreen
from caseload.tui.screens.client_form import ClientFormScreen
from caseload.tui.screens.commitment_form import CommitmentFormScreen, RenegotiateFormScreen
from caseload.tui.screens.modals import ChoiceScreen, ConfirmScreen, TextPromptScreen
from caseload.tui.screens.schedule_form import ScheduleFormScreen
from caseload.tui.widgets.client_header import ClientHeader
from tests.tui.conftest import SmallCaseload, at, settle
from tests.tui.pilot_helpers import (
    messages,
    move_to,
    open_client,
    picture,
    replace_text,
    row,
    rows,
    static,
)

TIMELINE = "#client-timeline"
SIZE = (100, 32)


def header(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(ClientHeader).render().plain)


def future_sessions(small: SmallCaseload, client_id: int) -> list:  # type: ignore[type-arg]
    view = load_client_view(small.session, client_id)
    return [e.appointment for e in view.timeline
            if e.appointment is not None and e.appointment.start > view.now
            and e.appointment.outcome is Outcome.SCHEDULED]


async def test_header_and_time_ordered_timeline(small: SmallCaseload, app_for) -> None:
    clients.add_goal(small.session, small.alex, "Keep my job")
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        assert isinstance(app.screen, ClientScreen)
        text = header(app)
        assert "Alex Rivera · R-1001 · ● active · sessions weekly · next Fri 4 Dec 10:00" in text
        assert "Goals: 1. Keep my job" in text
        assert "attended 1/2" in text  # kept the 13th, no-show on the 20th
        lines = rows(app, TIMELINE)
        whens = [line.split(" | ")[0] for line in lines]
        assert whens == ["Fri 13 Nov 10:00", "Fri 13 Nov", "Fri 20 Nov 10:00",
                         "Wed 25 Nov", "Thu 26 Nov 14:00", "Fri 27 Nov 09:00",
                         "Fri 4 Dec 10:00"]
        assert lines[1] == "Fri 13 Nov | ! low, not discussed | SRS 33"
        assert lines[2].startswith("Fri 20 Nov 10:00 | ✗ no show")
        assert lines[3] == "Wed 25 Nov | ! overdue 2 days | You: Call probation officer"
        assert lines[4].startswith("Thu 26 Nov 14:00 | ? needs outcome")
        # The cursor starts at today.
        assert app.screen.highlighted_appointment().id == small.alex_today


async def test_schedule_weekly_series_books_every_week_to_the_horizon(small: SmallCaseload,
                                                                      app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleFormScreen)
        await pilot.press(*"tue 10:00")
        await pilot.pause()
        assert "Tue 1 Dec 2026, 10:00 EST (in 4 days)" in static(app, "#start .parsed-preview")
        assert "Books every Tuesday at 10:00" in static(app, "#plan")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert "Booked 12 sessions." in messages(app)
        starts = [a.start for a in future_sessions(small, small.casey) if a.series_id]
        assert len(starts) == 12
        assert starts[0] == at(1, 10, month=12)
        assert all(b - a == timedelta(weeks=1) for a, b in zip(starts, starts[1:], strict=False))
        assert "Series: every Tuesday at 10:00 (12 ahead)" in header(app)
        assert sum("· series" in line for line in rows(app, TIMELINE)) == 12


async def test_schedule_every_two_weeks_with_a_number_of_sessions(small: SmallCaseload,
                                                                   app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"2026-12-02 15:30")
        await pilot.press("shift+tab", "right", "enter")  # Repeats: every 2 weeks
        await pilot.pause()
        assert app.screen.query_one("#repeats", RadioSet).pressed_index == 1
        await pilot.press("tab", "tab", "tab", *"5")  # Starts → Minutes → Sessions
        await pilot.pause()
        assert "every 2 weeks on Wednesday at 15:30, 5 times" in static(app, "#plan")
        await pilot.press("ctrl+s")
        await settle(pilot)
        starts = [a.start for a in future_sessions(small, small.casey) if a.series_id]
        assert starts == [at(2, 15, 30, month=12) + timedelta(weeks=2 * n) for n in range(5)]


async def test_schedule_custom_rule(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"mon 9:00")
        await pilot.press("shift+tab", "left", "enter")  # Custom rule (the last)
        await pilot.press("tab", "tab", "tab", *"FREQ=WEEKLY;BYDAY=MO,TH", "tab", "4")
        await pilot.pause()
        assert "every Monday and Thursday at 09:00, 4 times" in static(app, "#plan")
        await pilot.press("enter")
        await settle(pilot)
        starts = [a.start for a in future_sessions(small, small.casey) if a.series_id]
        assert starts == [at(30, 9), at(3, 9, month=12), at(7, 9, month=12),
                          at(10, 9, month=12)]


async def test_schedule_single_session(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.drew)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"tomorrow 11am", "tab", *"45")
        await pilot.press("shift+tab", "shift+tab", "right", "right", "enter")  # Once
        await pilot.pause()
        assert static(app, "#plan").startswith("→ One session, Sat 28 Nov 2026, 11:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        booked = future_sessions(small, small.drew)
        assert [(a.start, a.end - a.start, a.series_id) for a in booked] == [
            (at(28, 11), timedelta(minutes=45), None)]


async def test_bad_date_is_refused_in_place_and_nothing_is_saved(small: SmallCaseload,
                                                                 app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        before = future_sessions(small, small.casey)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"12/01 10:00")
        await pilot.pause()
        assert "✗" in static(app, "#start .parsed-preview")
        assert "ambiguous" in static(app, "#start .parsed-preview")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleFormScreen)
        assert "Not saved" in static(app, "#form-message")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert future_sessions(small, small.casey) == before


async def test_edit_one_session_changes_only_its_time(small: SmallCaseload, app_for) -> None:
    future = appointments.schedule_single(small.session, small.alex, at(4, 10, month=12))
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        await move_to(pilot, TIMELINE, f"appointment:{future.id}")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AppointmentFormScreen)
        await pilot.press(*"2026-12-04 11:30", "tab", *"60", "enter")
        await settle(pilot)
        stored = appointments.get(small.session, future.id)
        assert (stored.start, stored.end) == (at(4, 11, 30, month=12), at(4, 12, 30, month=12))
        assert row(app, TIMELINE, f"appointment:{future.id}").startswith("Fri 4 Dec 11:30")


async def test_move_asks_who_asked_and_reschedules(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        await move_to(pilot, TIMELINE, f"appointment:{small.blair_later}")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"mon 14:00", "enter")
        await pilot.pause()
        assert "Say who asked" in static(app, "#form-message")
        await pilot.press("tab", "tab", "enter")  # Who asked: the client
        await pilot.press("ctrl+s")
        await settle(pilot)
        old = appointments.get(small.session, small.blair_later)
        assert (old.outcome, old.requested_by) == (Outcome.RESCHEDULED, Party.CLIENT)
        assert [a.start for a in future_sessions(small, small.blair)] == [at(30, 14)]
        assert "→ rescheduled by client" in row(app, TIMELINE,
                                                f"appointment:{small.blair_later}")


@pytest.mark.parametrize(("key", "outcome"), [("i", Outcome.COUNSELOR_CANCELLED),
                                              ("c", Outcome.CLIENT_CANCELLED),
                                              ("l", Outcome.LATE_CANCEL)])
async def test_cancel_one_session_by_whom(small: SmallCaseload, app_for, key: str,
                                          outcome: Outcome) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        await move_to(pilot, TIMELINE, f"appointment:{small.blair_later}")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press(key)
        await settle(pilot)
        assert appointments.get(small.session, small.blair_later).outcome is outcome
        assert f"{outcome.symbol} {outcome.label}" in row(app, TIMELINE,
                                                         f"appointment:{small.blair_later}")


async def test_this_and_following_moves_the_rest_of_the_series(small: SmallCaseload,
                                                               app_for) -> None:
    series_id, _ = appointments.schedule_series(small.session, small.casey, at(1, 10, month=12),
                                                Cadence.WEEKLY)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        third = [a for a in future_sessions(small, small.casey) if a.series_id][2]
        assert third.start == at(15, 10, month=12)
        await move_to(pilot, TIMELINE, f"appointment:{third.id}")
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"2026-12-15 14:00", "enter")
        await settle(pilot)
        starts = [a.start for a in future_sessions(small, small.casey) if a.series_id]
        assert starts[:2] == [at(1, 10, month=12), at(8, 10, month=12)]
        assert starts[2:4] == [at(15, 14, month=12), at(22, 14, month=12)]
        assert "This and following sessions moved" in " ".join(messages(app))


async def test_remove_series_names_the_count_and_removes_only_future_sessions(
        small: SmallCaseload, app_for) -> None:
    series_id, booked = appointments.schedule_series(small.session, small.casey, at(17, 10),
                                                     Cadence.WEEKLY)
    past = [a for a in load_client_view(small.session, small.casey).timeline
            if a.appointment is not None and a.appointment.series_id == series_id
            and a.appointment.start < small.session.now()]
    appointments.record_outcome(small.session, past[0].id, Outcome.KEPT)
    future = appointments.future_occurrences(small.session, series_id)
    assert future == booked - 2
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "every Tuesday at 10:00" in question
        assert f"deletes its {future} future sessions" in question
        await pilot.press("n")  # keep them
        await settle(pilot)
        assert appointments.future_occurrences(small.session, series_id) == future
        await pilot.press("X")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert f"Series removed: {future} future sessions deleted." in messages(app)
    view = load_client_view(small.session, small.casey)
    assert view.series == ()
    left = [e.appointment for e in view.timeline
            if e.appointment is not None and e.appointment.series_id == series_id]
    assert [(a.start, a.outcome) for a in left] == [(at(17, 10), Outcome.KEPT),
                                                     (at(24, 10), Outcome.SCHEDULED)]


async def test_goals_add_reword_and_retire(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        assert "Goals: none yet" in header(app)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"Get my license back", "enter")
        await settle(pilot)
        assert "Goals: 1. Get my license back" in header(app)
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await replace_text(pilot, "Drive to work by March")
        await pilot.press("enter")
        await settle(pilot)
        assert [g.text for g in clients.goals(small.session, small.alex)] == [
            "Drive to work by March"]
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert clients.goals(small.session, small.alex) == []
        assert "Goals: none yet" in header(app)


async def test_status_change(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("h")
        await settle(pilot)
        assert clients.get_client(small.session, small.alex).status is ClientStatus.ON_HOLD
        assert "◐ on hold" in header(app)


async def test_add_commitment_for_this_client_and_mark_it_done(small: SmallCaseload,
                                                                app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CommitmentFormScreen)
        assert static(app, "#for-client") == "For: Casey Diaz (R-1003)"
        await pilot.press(*"Send the housing list", "tab", *"mon", "enter")
        await settle(pilot)
        added = load_client_view(small.session, small.casey).timeline
        made = [e.commitment for e in added if e.commitment is not None]
        assert [(c.owner, c.text, c.due) for c in made] == [
            (Party.COUNSELOR, "Send the housing list", date(2026, 11, 30))]
        await move_to(pilot, TIMELINE, f"commitment:{made[0].id}")
        await pilot.press("d")
        await settle(pilot)
        done = commitments.get(small.session, made[0].id)
        assert (done.status, done.done_on) == (CommitmentStatus.DONE, date(2026, 11, 27))
        assert "✓ done 27 Nov" in row(app, TIMELINE, f"commitment:{made[0].id}")


async def test_renegotiate_and_drop_from_the_timeline(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    open_one = commitments.add(small.session, small.alex, Party.CLIENT, "Two meetings",
                               date(2026, 11, 30))
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        await move_to(pilot, TIMELINE, f"commitment:{open_one.id}")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RenegotiateFormScreen)
        await pilot.press(*"+1w", "tab", *"client asked", "enter")
        await settle(pilot)
        moved = commitments.get(small.session, open_one.id)
        assert moved.due == date(2026, 12, 4) and moved.status is CommitmentStatus.RENEGOTIATED
        await move_to(pilot, TIMELINE, f"commitment:{open_one.id}")
        await pilot.press("D")
        await pilot.pause()
        await pilot.press(*"no longer relevant", "enter")
        await settle(pilot)
        dropped = commitments.get(small.session, open_one.id)
        assert (dropped.status, dropped.note) == (CommitmentStatus.DROPPED, "no longer relevant")


async def test_check_in_key_opens_the_form_tied_to_the_highlighted_session(
        small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        await move_to(pilot, TIMELINE, f"appointment:{small.blair_kept}")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
        assert (app.screen.client_id, app.screen.appointment_id) == (small.blair,
                                                                     small.blair_kept)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)


async def test_mark_a_low_check_in_discussed(small: SmallCaseload, app_for) -> None:
    low = checkins.record(small.session, small.alex, Instrument.SRS, (7, 8, 8, 8),
                          taken_on=date(2026, 11, 26))
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        key = f"checkin:{low.checkin.id}"
        assert "! low, not discussed" in row(app, TIMELINE, key)
        await move_to(pilot, TIMELINE, key)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"felt rushed; will start on time", "enter")
        await settle(pilot)
        stored = checkins.get(small.session, low.checkin.id).checkin
        assert stored.discussed and stored.comment == "felt rushed; will start on time"
        assert "✓ discussed: felt rushed" in row(app, TIMELINE, key)


async def test_keys_that_need_a_row_say_so(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.drew)  # nothing on the timeline
        for key in ("e", "m", "x", "f", "d", "r", "D", "a", "G", "X"):
            await pilot.press(key)
            await pilot.pause()
        shown = messages(app)
        assert "Highlight a session first." in shown
        assert "Highlight a commitment first." in shown
        assert "Highlight a check-in first." in shown
        assert "No goals yet: g adds one." in shown
        assert "This client has no recurring series." in shown


async def test_escape_goes_back(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ClientScreen)


async def test_failed_write_shows_one_line_and_keeps_the_row(
        small: SmallCaseload, app_for, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full: /home/dana/.local/share/caseload/caseload.db")

    monkeypatch.setattr(appointments, "record_outcome", broken)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        key = f"appointment:{small.blair_later}"
        await move_to(pilot, TIMELINE, key)
        before = row(app, TIMELINE, key)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("i")
        await settle(pilot)
        assert "Could not save: OSError" in messages(app)  # the type only: no path, no data
        assert row(app, TIMELINE, key) == before
        assert appointments.get(small.session, small.blair_later).outcome is Outcome.SCHEDULED


ROW_FOR_COMMAND = {  # which kind of row each command acts on
    "client_edit_session": "series", "client_move_session": "series",
    "client_cancel_session": "series", "client_edit_following": "series",
    "client_remove_series": "series", "commitment_done": "commitment",
    "commitment_renegotiate": "commitment", "commitment_drop": "commitment",
    "client_discussed": "checkin", "client_edit_goal": "goal",
}


@pytest.mark.parametrize("command", CLIENT_COMMANDS, ids=lambda c: c.id)
async def test_every_client_key_visibly_does_something(small: SmallCaseload, app_for,
                                                       command) -> None:  # type: ignore[no-untyped-def]
    series_id, _ = appointments.schedule_series(small.session, small.blair, at(1, 10, month=12))
    clients.add_goal(small.session, small.blair, "Keep my job")
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        view = app.screen.view
        kind = ROW_FOR_COMMAND.get(command.id)
        target = {
            "series": next(f"appointment:{e.id}" for e in view.timeline
                           if e.appointment is not None and e.appointment.series_id == series_id),
            "commitment": next(f"commitment:{e.id}" for e in view.timeline if e.commitment),
            "checkin": next(f"checkin:{e.id}" for e in view.timeline if e.checkin),
        }.get(kind or "")
        if target:
            await move_to(pilot, TIMELINE, target)
        before = picture(app)
        await pilot.press(command.key)
        await settle(pilot)
        assert picture(app) != before, f"{command.key} ({command.id}) changed nothing"
        assert not any(m.startswith("Highlight") for m in messages(app)), command.id


@pytest.mark.parametrize("steps", [
    ("open_client({client})",), ("open_commitments",), ("check_in({client}, None)",),
    ("open_client({client})", "client_schedule")], ids=["client", "commitments", "checkin",
                                                       "form"])
async def test_resizing_down_to_tiny_and_back_never_crashes(small: SmallCaseload, app_for,
                                                            steps: tuple[str, ...]) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for step in steps:
            target = app if not step.startswith("client_") else app.screen
            await target.run_action(step.format(client=small.alex))
            await settle(pilot)
        screen = app.screen
        for size in ((80, 24), (40, 12), (20, 6), (100, 30), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
        assert app.is_running and app.screen is screen


async def test_add_client_form_saves_a_new_client(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action("add_client")
        await pilot.pause()
        assert isinstance(app.screen, ClientFormScreen)
        await pilot.press(*"Jordan Q. Rivers", "tab", *"R-1001", "tab", *"2026-11-02", "tab",
                          *"14")
        await pilot.pause()
        assert static(app, "#intake .parsed-preview") == "→ Mon 2 Nov 2026 (25 days ago)"
        assert static(app, "#cadence .parsed-preview") == "→ every 2 weeks"
        await pilot.press("enter")
        await settle(pilot)
        # The record number is taken: the form stays open with the message, nothing saved.
        assert isinstance(app.screen, ClientFormScreen)
        assert "Record number R-1001 is already in use." in static(app, "#form-message")
        await pilot.press("shift+tab", "shift+tab", *"R-2001", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ClientFormScreen)
    added = clients.find_client(small.session, "R-2001")
    assert (added.name, added.intake, added.cadence_days) == (
        "Jordan Q. Rivers", date(2026, 11, 2), 14)


async def test_a_lower_wai_sr_reads_as_not_discussed_like_the_review_flag(
        small: SmallCaseload, app_for) -> None:
    checkins.record(small.session, small.casey, Instrument.WAI_SR, [4] * 12,
                    taken_on=date(2026, 11, 6))
    lower = checkins.record(small.session, small.casey, Instrument.WAI_SR, [3] * 12,
                            taken_on=date(2026, 11, 20))
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.casey)
        assert row(app, TIMELINE, f"checkin:{lower.checkin.id}").startswith(
            "Fri 20 Nov | ! low, not discussed | WAI-SR 36")
        assert "!talk low score not discussed" in header(app)
