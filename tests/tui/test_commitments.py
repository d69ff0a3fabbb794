"""Commitments screen: press the real keys, then check the database (via services) and screen."""

from __future__ import annotations

from datetime import date

import pytest

from caseload.domain.records import CommitmentStatus, DueChange, Party
from caseload.services import commitments, overview
from caseload.services.session import Session
from caseload.tui.screens.client import ClientScreen
from caseload.tui.screens.commitment_form import CommitmentFormScreen, RenegotiateFormScreen
from caseload.tui.screens.commitments import COMMITMENTS_COMMANDS, CommitmentsScreen
from caseload.tui.screens.modals import TextPromptScreen
from tests.tui.conftest import SmallCaseload, settle
from tests.tui.pilot_helpers import messages, move_to, picture, rows, static

TABLE = "#commitments-table"
SIZE = (110, 30)


def open_ones(session: Session) -> list[overview.CommitmentRow]:
    return overview.open_commitments(session, overview.load_snapshot(session))


def alex_call(small: SmallCaseload) -> int:
    return next(r.id for r in open_ones(small.session) if r.client_id == small.alex)


async def open_screen(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommitmentsScreen)


async def test_open_commitments_both_ways_overdue_first(small: SmallCaseload, app_for) -> None:
    commitments.add(small.session, small.casey, Party.CLIENT, "Call the IOP intake line",
                    date(2026, 11, 26), made_on=date(2026, 11, 20))
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        assert rows(app, TABLE) == [
            "Wed 25 Nov | ! overdue 2 days | You | Alex Rivera | Call probation officer",
            "Thu 26 Nov | ! overdue 1 day | Client | Casey Diaz | Call the IOP intake line",
            "Mon 30 Nov | · open | Client | Blair Chen | Two meetings this week"]
        assert static(app, "#commitments-summary").startswith("3 open · ! 2 overdue")
        detail = static(app, "#commitment-detail")
        assert detail.startswith("You will: Call probation officer · Alex Rivera (R-1001)")
        assert "due Wed 25 Nov 2026 (2 days ago)" in detail


async def test_add_a_clients_commitment_for_a_client_found_by_record_number(
        small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, CommitmentFormScreen)
        await pilot.press(*"R-1003")
        await settle(pilot)
        assert static(app, "#client .parsed-preview") == "→ Casey Diaz (R-1003)"
        await pilot.press("tab", "right", "enter")  # Whose promise: the client's
        await pilot.press("tab", *"Go to two meetings", "tab", *"+3d")
        await pilot.pause()
        assert static(app, "#due .parsed-preview") == "→ Mon 30 Nov 2026 (in 3 days)"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitmentsScreen)
        added = [r.commitment for r in open_ones(small.session) if r.client_id == small.casey]
        assert [(c.owner, c.text, c.due, c.status) for c in added] == [
            (Party.CLIENT, "Go to two meetings", date(2026, 11, 30), CommitmentStatus.OPEN)]
        assert any(r.endswith("| Client | Casey Diaz | Go to two meetings")
                   for r in rows(app, TABLE))


async def test_unknown_client_and_bad_due_date_are_refused_and_nothing_saved(
        small: SmallCaseload, app_for) -> None:
    before = open_ones(small.session)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Nobody")
        await settle(pilot)
        assert static(app, "#client .parsed-preview") == "✗ No client matches 'Nobody'."
        await pilot.press("tab", "tab", *"Call back", "tab", *"31/12")
        await pilot.pause()
        assert "ambiguous" in static(app, "#due .parsed-preview")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitmentFormScreen)
        assert "Not saved" in static(app, "#form-message")
        assert app.screen.focused is app.screen.query_one("#client Input")
        await pilot.press("escape")
        await settle(pilot)
    assert open_ones(small.session) == before


async def test_done_marks_it_done_today_and_it_leaves_the_list(small: SmallCaseload,
                                                               app_for) -> None:
    call = alex_call(small)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await move_to(pilot, TABLE, str(call))
        await pilot.press("d")
        await settle(pilot)
        done = commitments.get(small.session, call)
        assert (done.status, done.done_on) == (CommitmentStatus.DONE, date(2026, 11, 27))
        assert all("Call probation officer" not in r for r in rows(app, TABLE))
        assert static(app, "#commitments-summary").startswith("1 open")


async def test_renegotiate_moves_the_due_date_and_keeps_the_history(small: SmallCaseload,
                                                                    app_for) -> None:
    call = alex_call(small)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await move_to(pilot, TABLE, str(call))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RenegotiateFormScreen)
        await pilot.press(*"-1d")  # in the past: refused in place
        await pilot.pause()
        assert static(app, "#due .parsed-preview") == "✗ The new due date is in the past."
        await pilot.press("end", "ctrl+u", *"+1w", "tab", *"client asked for next week")
        await pilot.press("enter")
        await settle(pilot)
        moved = commitments.get(small.session, call)
        assert moved.due == date(2026, 12, 4)
        assert moved.status is CommitmentStatus.RENEGOTIATED
        assert moved.history == (DueChange(date(2026, 11, 25), date(2026, 12, 4),
                                           date(2026, 11, 27), "client asked for next week"),)
        await move_to(pilot, TABLE, str(call))
        assert "↻ renegotiated" in rows(app, TABLE)[-1]
        assert ("due moved 25 Nov → 4 Dec on 27 Nov (client asked for next week)"
                in static(app, "#commitment-detail"))


async def test_drop_needs_a_reason(small: SmallCaseload, app_for) -> None:
    call = alex_call(small)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await move_to(pilot, TABLE, str(call))
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press("enter")  # no reason: refused, the prompt stays
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        assert commitments.get(small.session, call).status is CommitmentStatus.OPEN
        await pilot.press(*"officer retired; new one assigned", "enter")
        await settle(pilot)
        dropped = commitments.get(small.session, call)
        assert (dropped.status, dropped.note) == (CommitmentStatus.DROPPED,
                                                  "officer retired; new one assigned")
        assert "– Dropped: Call probation officer" in messages(app)


async def test_owner_filter_cycles_both_yours_clients(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        owners = [[r.split(" | ")[2] for r in rows(app, TABLE)]]
        for _ in range(3):
            await pilot.press("o")
            await pilot.pause()
            owners.append([r.split(" | ")[2] for r in rows(app, TABLE)])
        assert owners == [["You", "Client"], ["You"], ["Client"], ["You", "Client"]]
        await pilot.press("o")
        await pilot.pause()
        assert "showing yours" in static(app, "#commitments-summary")


async def test_enter_opens_the_client(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await move_to(pilot, TABLE, str(alex_call(small)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert app.screen.client_id == small.alex


async def test_keys_on_an_empty_list_say_what_is_missing(empty_session: Session,
                                                         app_for) -> None:
    app = app_for(empty_session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        assert static(app, "#commitments-summary").startswith("No open commitments")
        for key in ("d", "r", "D", "enter"):
            await pilot.press(key)
            await pilot.pause()
        assert messages(app).count("Highlight a commitment first.") == 4


@pytest.mark.parametrize("command", COMMITMENTS_COMMANDS, ids=lambda c: c.id)
async def test_every_commitments_key_visibly_does_something(small: SmallCaseload, app_for,
                                                            command) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        before = picture(app)
        await pilot.press(command.key)
        await settle(pilot)
        assert picture(app) != before, f"{command.key} ({command.id}) changed nothing"
