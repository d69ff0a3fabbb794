"""Today: press the real keys, then check the database (through the services) and the screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from caseload.domain.records import Outcome, Party
from caseload.services import appointments, overview
from caseload.tui.screens.modals import ChoiceScreen, TextPromptScreen
from caseload.tui.screens.today import TodayScreen
from caseload.tui.widgets.header import ConsistencyHeader
from tests.tui.conftest import SmallCaseload, at, settle


def header_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(ConsistencyHeader).render().plain)


def table(app) -> DataTable:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#today-table", DataTable)


def row_texts(app) -> list[str]:  # type: ignore[no-untyped-def]
    t = table(app)
    return [" | ".join(str(getattr(c, "plain", c)) for c in t.get_row_at(i))
            for i in range(t.row_count)]


async def go_to(pilot, app, appointment_id: int) -> None:  # type: ignore[no-untyped-def]
    t = table(app)
    t.move_cursor(row=t.get_row_index(str(appointment_id)))
    await pilot.pause()


async def test_today_lists_overdue_first_then_today_in_time_order(small: SmallCaseload,
                                                                   app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        rows = row_texts(app)
        assert rows[0].startswith("Thu 26 Nov 14:00 | Alex Rivera | R-1001 | ? needs outcome")
        assert [r.split(" | ")[0] for r in rows[1:]] == [
            "09:00–09:50", "11:00–11:50", "13:00–13:50", "16:00–16:50"]
        assert rows[2].endswith("✓ kept")
        assert rows[4].endswith("· scheduled")
        summary = str(app.screen.query_one("#today-summary", Static).render())
        assert "4 sessions today" in summary and "? 3 need an outcome" in summary


@pytest.mark.parametrize(("key", "outcome"), [
    ("k", Outcome.KEPT), ("n", Outcome.NO_SHOW), ("l", Outcome.LATE_CANCEL),
    ("c", Outcome.CLIENT_CANCELLED), ("x", Outcome.COUNSELOR_CANCELLED)])
async def test_each_outcome_key_saves_and_updates_row_and_header(
        small: SmallCaseload, app_for, key: str, outcome: Outcome) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = header_text(app)
        await go_to(pilot, app, small.casey_today)
        await pilot.press(key)
        await settle(pilot)
        stored = appointments.get(small.session, small.casey_today)
        assert stored.outcome is outcome
        row = table(app).get_row(str(small.casey_today))
        assert str(row[3]).startswith(f"{outcome.symbol} {outcome.label}")
        after = header_text(app)
        assert after != before  # the week's figures (or the needs-outcome count) moved
        expected = overview.week_header(small.session, overview.load_snapshot(small.session))
        assert expected.reliability.text("kept") in after


async def test_kept_raises_kept_count_in_header(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "kept 1 of 1" in header_text(app)   # this week so far: Blair's 11:00
        await go_to(pilot, app, small.alex_today)
        await pilot.press("k")
        await settle(pilot)
        assert "kept 2 of 2" in header_text(app)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("x")
        await settle(pilot)
        assert "kept 2 of 3" in header_text(app)


async def test_second_no_show_in_a_row_suggests_outreach(small: SmallCaseload,
                                                        app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.alex_yesterday)
        await pilot.press("n")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("2 no-shows in a row" in m and "press o" in m.lower() for m in messages)


async def test_first_no_show_does_not_suggest_outreach(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("n")
        await settle(pilot)
        assert not any("in a row" in n.message for n in app._notifications)


async def test_reschedule_with_typed_date_and_requester(small: SmallCaseload,
                                                        app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.blair_later)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"next tue 10am")
        await pilot.pause()
        preview = str(app.screen.query_one("#prompt-preview", Static).render())
        assert "Tue 1 Dec 2026, 10:00 EST (in 4 days)" in preview
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("c")
        await settle(pilot)
        old = appointments.get(small.session, small.blair_later)
        assert old.outcome is Outcome.RESCHEDULED
        assert old.requested_by is Party.CLIENT
        row = table(app).get_row(str(small.blair_later))
        assert "→ rescheduled by client" in str(row[3])
        snapshot = overview.load_snapshot(small.session)
        history = snapshot.history(small.blair)
        assert history is not None
        assert any(a.start == at(1, 10, month=12) and a.outcome is Outcome.SCHEDULED
                   for a in history.appointments)


async def test_bad_date_shows_error_in_place_and_saves_nothing(small: SmallCaseload,
                                                               app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.blair_later)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"12/01 2pm")
        await pilot.pause()
        preview = app.screen.query_one("#prompt-preview", Static)
        assert "ambiguous" in str(preview.render())
        assert preview.has_class("error")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)  # still asking
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert appointments.get(small.session, small.blair_later).outcome is Outcome.SCHEDULED


async def test_late_minutes_saves_kept_with_minutes(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"counselor 10")
        await pilot.pause()
        assert "you 10 min late" in str(app.screen.query_one("#prompt-preview").render())
        await pilot.press("enter")
        await settle(pilot)
        stored = appointments.get(small.session, small.casey_today)
        assert (stored.outcome, stored.counselor_late_min, stored.client_late_min) == (
            Outcome.KEPT, 10, 0)
        assert "you 10 min late" in str(table(app).get_row(str(small.casey_today))[3])
        # Ten minutes late counts against reliability (more than 5).
        assert "kept 1 of 2" in header_text(app)


async def test_late_minutes_without_whose_is_refused_in_place(small: SmallCaseload,
                                                              app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("m", "5", "enter")
        await pilot.pause()
        assert "Say whose minutes" in str(app.screen.query_one("#prompt-preview").render())
        await pilot.press("escape")
        await settle(pilot)
        assert appointments.get(small.session, small.casey_today).outcome is Outcome.SCHEDULED


async def test_refused_write_keeps_row_and_shows_one_line(small: SmallCaseload,
                                                          app_for) -> None:
    """Kept on a session that has not started: the service refuses, the row stays."""
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.blair_later)
        await pilot.press("k")
        await settle(pilot)
        assert appointments.get(small.session, small.blair_later).outcome is Outcome.SCHEDULED
        assert str(table(app).get_row(str(small.blair_later))[3]) == "· scheduled"
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and errors[-1].message.startswith("This session has not started yet")
        assert "\n" not in errors[-1].message


async def test_unexpected_error_shows_type_only(small: SmallCaseload, app_for,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("Alex Rivera R-1001 secret detail")

    monkeypatch.setattr(appointments, "record_outcome", broken)
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("k")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["Could not save: RuntimeError"]
        assert "? needs outcome" in str(table(app).get_row(str(small.casey_today))[3])


async def test_empty_caseload_greets_new_user(empty_session, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(empty_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        greeting = app.screen.query_one("#today-empty", Static)
        assert greeting.display
        text = str(greeting.render())
        assert "add your first client" in text and "caseload --demo" in text
        assert not table(app).display


async def test_o_after_a_no_show_offers_an_outreach_commitment(small: SmallCaseload,
                                                              app_for) -> None:
    form = pytest.importorskip("caseload.tui.screens.commitment_form").CommitmentFormScreen
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.alex_yesterday)
        await pilot.press("n")
        await settle(pilot)
        await go_to(pilot, app, small.alex_today)  # the missed session left the list
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, form)
        assert app.screen.client_id == small.alex
        assert app.screen._initial_text == "Reach out after the missed session"


async def test_enter_opens_the_sessions_client(small: SmallCaseload, app_for) -> None:
    client_screen = pytest.importorskip("caseload.tui.screens.client").ClientScreen
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, small.casey_today)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, client_screen)
        assert app.screen.client_id == small.casey
