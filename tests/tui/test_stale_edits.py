"""Two sessions, one record: a change made from a screen that is no longer current is refused.

docs/domain.md §7: every row carries a version, and the screens pass the version they showed.
Each test opens a screen, changes the same row through the services as another session (the same
counselor in a second terminal), then acts on the row in the app: the counselor reads the one-line
message, the database keeps what the other session saved (and its version), the audit trail has
no event from the refused attempt, and after the screen reloads the same action works.
"""

from __future__ import annotations

import json
from datetime import date

from textual.widgets import DataTable

from caseload.domain.records import CommitmentStatus, Instrument, Outcome, Party
from caseload.services import appointments, audit, checkins, commitments, overview
from caseload.services.session import Session
from caseload.tui.screens.appointment_form import AppointmentFormScreen
from caseload.tui.screens.client import ClientScreen
from caseload.tui.screens.commitment_form import RenegotiateFormScreen
from caseload.tui.screens.commitments import CommitmentsScreen
from caseload.tui.screens.modals import TextPromptScreen
from caseload.tui.screens.today import TodayScreen
from tests.tui.conftest import SmallCaseload, at, make_session, settle
from tests.tui.pilot_helpers import move_to, open_client, replace_text, row, static

SIZE = (110, 32)
TIMELINE = "#client-timeline"


def trail(session: Session, entity: str, entity_id: int) -> list[tuple[str, int]]:
    """(action, version after) of every audit event of one row, oldest first."""
    return [(e.action, json.loads(e.after or "{}")["version"])
            for e in audit.events(session) if e.entity == entity and e.entity_id == entity_id]


def errors(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications if n.severity == "error"]


def alex_call(small: SmallCaseload) -> int:
    snapshot = overview.load_snapshot(small.session)
    return next(r.id for r in overview.open_commitments(small.session, snapshot)
                if r.client_id == small.alex)


async def test_done_on_a_commitment_renegotiated_in_another_session_is_refused(
        small: SmallCaseload, app_for) -> None:
    call = alex_call(small)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, CommitmentsScreen)
        await move_to(pilot, "#commitments-table", str(call))
        # The other terminal moves the due date while this one shows it overdue.
        commitments.renegotiate(make_session(), call, date(2026, 12, 4), "agreed by phone")
        await pilot.press("d")
        await settle(pilot)
        assert errors(app) == ["This commitment was changed in another session; "
                               "it has been reloaded, nothing was saved."]
        stored = commitments.get(small.session, call)
        assert (stored.status, stored.due, stored.done_on, stored.version) == (
            CommitmentStatus.RENEGOTIATED, date(2026, 12, 4), None, 2)
        assert trail(small.session, "commitment", call) == [("add", 1), ("renegotiate", 2)]
        # Reloaded: the row shows the new date and carries version 2; done now works.
        shown = app.screen.rows[str(call)]
        assert (shown.commitment.due, shown.commitment.version) == (date(2026, 12, 4), 2)
        assert "↻ renegotiated" in row(app, "#commitments-table", str(call))
        await move_to(pilot, "#commitments-table", str(call))
        await pilot.press("d")
        await settle(pilot)
        done = commitments.get(small.session, call)
        assert (done.status, done.done_on, done.version) == (
            CommitmentStatus.DONE, date(2026, 11, 27), 3)
        assert trail(small.session, "commitment", call) == [
            ("add", 1), ("renegotiate", 2), ("complete", 3)]
        assert len(errors(app)) == 1


async def test_renegotiate_form_refuses_a_stale_commitment_and_reads_it_again(
        small: SmallCaseload, app_for) -> None:
    call = alex_call(small)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await move_to(pilot, "#commitments-table", str(call))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RenegotiateFormScreen)
        assert "Due now: Wed 25 Nov 2026" in static(app, ".form-context")
        await pilot.press(*"2026-12-07", "tab", *"client asked")
        commitments.renegotiate(make_session(), call, date(2026, 12, 4), "agreed by phone")
        await pilot.press("enter")
        await settle(pilot)
        # The form stays, says why, and now shows the date the other session set.
        assert isinstance(app.screen, RenegotiateFormScreen)
        assert static(app, "#form-message").startswith(
            "✗ Not saved: This commitment was changed in another session")
        assert "Due now: Fri 4 Dec 2026" in static(app, ".form-context")
        stored = commitments.get(small.session, call)
        assert (stored.due, stored.version) == (date(2026, 12, 4), 2)
        assert [h.reason for h in stored.history] == ["agreed by phone"]
        assert trail(small.session, "commitment", call) == [("add", 1), ("renegotiate", 2)]
        await pilot.press("ctrl+s")  # what is typed was kept: a second save acts on version 2
        await settle(pilot)
        assert isinstance(app.screen, CommitmentsScreen)
        moved = commitments.get(small.session, call)
        assert (moved.due, moved.version) == (date(2026, 12, 7), 3)
        assert [h.reason for h in moved.history] == ["agreed by phone", "client asked"]


async def test_an_outcome_on_a_session_recorded_in_another_session_is_refused(
        small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        key = str(small.casey_today)
        table = app.screen.query_one("#today-table", DataTable)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.pause()
        assert "? needs outcome" in str(table.get_row(key)[3])
        appointments.record_outcome(make_session(), small.casey_today, Outcome.NO_SHOW)
        await pilot.press("k")
        await settle(pilot)
        assert errors(app) == ["This appointment was changed in another session; "
                               "it has been reloaded, nothing was saved."]
        stored = appointments.get(small.session, small.casey_today)
        assert (stored.outcome, stored.version) == (Outcome.NO_SHOW, 2)
        assert trail(small.session, "appointment", small.casey_today) == [
            ("schedule", 1), ("outcome", 2)]
        # Reloaded: the row shows the no-show; the counselor corrects it on purpose.
        assert str(table.get_row(key)[3]).startswith(f"{Outcome.NO_SHOW.symbol} no show")
        assert app.screen.rows[key].version == 2
        await pilot.press("k")
        await settle(pilot)
        kept = appointments.get(small.session, small.casey_today)
        assert (kept.outcome, kept.version) == (Outcome.KEPT, 3)
        assert str(table.get_row(key)[3]).startswith(f"{Outcome.KEPT.symbol} kept")
        assert len(errors(app)) == 1


async def test_discussed_on_a_check_in_changed_in_another_session_is_refused(
        small: SmallCaseload, app_for) -> None:
    low = checkins.record(small.session, small.alex, Instrument.SRS, (7, 8, 8, 8),
                          taken_on=date(2026, 11, 26)).checkin
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.alex)
        key = f"checkin:{low.id}"
        await move_to(pilot, TIMELINE, key)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        checkins.mark_discussed(make_session(), low.id, "talked on the phone")
        await pilot.press(*"felt rushed", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert errors(app) == ["This check-in was changed in another session; "
                               "it has been reloaded, nothing was saved."]
        stored = checkins.get(small.session, low.id).checkin
        assert (stored.discussed, stored.comment, stored.version) == (
            True, "talked on the phone", 2)
        assert trail(small.session, "checkin", low.id) == [("add", 1), ("discussed", 2)]
        assert "✓ discussed: talked on the phone" in row(app, TIMELINE, key)
        # Reloaded: the prompt now starts from the other session's comment, and saving works.
        await move_to(pilot, TIMELINE, key)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("Input").value == "talked on the phone"
        await replace_text(pilot, "felt rushed; will start on time")
        await pilot.press("enter")
        await settle(pilot)
        saved = checkins.get(small.session, low.id).checkin
        assert (saved.comment, saved.version) == ("felt rushed; will start on time", 3)
        assert "✓ discussed: felt rushed" in row(app, TIMELINE, key)
        assert len(errors(app)) == 1


async def test_moving_a_session_edited_in_another_session_is_refused_in_the_form(
        small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_client(pilot, small.blair)
        await move_to(pilot, TIMELINE, f"appointment:{small.blair_later}")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, AppointmentFormScreen)
        assert "Now: Fri 27 Nov 2026, 16:00" in static(app, ".form-context")
        await pilot.press(*"mon 14:00", "tab", "tab", "enter")  # who asked: the client
        appointments.edit_occurrence(make_session(), small.blair_later, start=at(27, 17))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentFormScreen)
        assert "changed in another session" in static(app, "#form-message")
        assert "Now: Fri 27 Nov 2026, 17:00" in static(app, ".form-context")
        stored = appointments.get(small.session, small.blair_later)
        assert (stored.outcome, stored.start, stored.version) == (
            Outcome.SCHEDULED, at(27, 17), 2)
        assert trail(small.session, "appointment", small.blair_later) == [
            ("schedule", 1), ("edit", 2)]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        moved = appointments.get(small.session, small.blair_later)
        assert (moved.outcome, moved.requested_by, moved.version) == (
            Outcome.RESCHEDULED, Party.CLIENT, 3)
