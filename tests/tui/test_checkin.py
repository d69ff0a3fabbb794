"""Check-in screen: type scores with the keyboard alone, then check what was saved."""

from __future__ import annotations

from datetime import date

import pytest

from caseload.domain.records import CheckInFact, Instrument
from caseload.services.client_view import load_client_view
from caseload.services.session import Session
from caseload.tui.screens.checkin import CHECKIN_COMMANDS, CheckInScreen
from caseload.tui.screens.modals import ConfirmScreen, TextPromptScreen
from tests.tui.conftest import SmallCaseload, settle
from tests.tui.pilot_helpers import messages, picture, static

SIZE = (100, 32)


def saved(session: Session, client_id: int) -> list[CheckInFact]:
    return [e.checkin for e in load_client_view(session, client_id).timeline
            if e.checkin is not None]


async def open_checkin(pilot, client_id: int, appointment_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.app.run_action(f"check_in({client_id}, {appointment_id})")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CheckInScreen)


async def type_scores(pilot, *scores: str) -> None:  # type: ignore[no-untyped-def]
    for index, score in enumerate(scores):
        if index:
            await pilot.press("tab")
        await pilot.press(*score)
    await pilot.pause()


async def test_low_srs_asks_discussed_and_saves_the_comment(small: SmallCaseload,
                                                            app_for) -> None:
    app = app_for(small.session)
    before = len(saved(small.session, small.blair))
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.blair, small.blair_kept)
        assert "Blair Chen (R-1002)" in static(app, "#checkin-context")
        assert "last SRS-style session rating: 37" in static(app, "#checkin-context")
        await type_scores(pilot, "8", "8.5", "9", "8,5")
        total = static(app, "#checkin-total")
        assert "Total 34.0, below the cutoff of 36; down 3.0 since last time" in total
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discussed with the client?" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"felt rushed; will start on time", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CheckInScreen)
        assert "✓ Saved and marked discussed." in messages(app)
    after = saved(small.session, small.blair)
    assert len(after) == before + 1
    new = after[-1]
    assert (new.instrument, new.total, new.on, new.appointment_id) == (
        Instrument.SRS, 34.0, date(2026, 11, 27), small.blair_kept)
    assert new.discussed and new.comment == "felt rushed; will start on time"


async def test_not_yet_discussed_stays_flagged(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.alex)
        await type_scores(pilot, "5", "6", "7", "6")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert "Saved. It stays flagged until it is discussed." in messages(app)
    new = saved(small.session, small.alex)[-1]
    assert (new.total, new.discussed) == (24.0, False)


async def test_out_of_range_score_is_refused_in_place_and_nothing_saved(
        small: SmallCaseload, app_for) -> None:
    before = saved(small.session, small.casey)
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await type_scores(pilot, "9", "11", "7.55", "9")
        message = "✗ Item 2 (Goals & topics) must be between 0.0 and 10.0; got 11."
        assert static(app, "#srs-item-2 .parsed-preview") == message
        assert "allows one decimal at most" in static(app, "#srs-item-3 .parsed-preview")
        assert static(app, "#checkin-total") == "Total so far 18 (2 of 4 items)"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
        assert f"✗ Not saved: {message[2:]}" in messages(app)
        assert app.screen.focused is app.screen.query_one("#srs-item-2 Input")
        await pilot.press("enter")  # Enter does not save either: it moves on
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
    assert saved(small.session, small.casey) == before


async def test_wai_sr_shows_subscales_live_and_saves_without_asking(small: SmallCaseload,
                                                                    app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await pilot.press("shift+tab", "right", "enter", "tab")  # Instrument: WAI-SR
        await pilot.pause()
        assert app.screen.instrument is Instrument.WAI_SR
        assert app.screen.focused is app.screen.query_one("#wai_sr-item-1 Input")
        # Task items 1, 2, 10, 12; Bond 3, 5, 7, 9; Goal 4, 6, 8, 11.
        await type_scores(pilot, "4", "4", "3", "5", "4", "4", "3", "4", "4", "4", "4", "4")
        total = static(app, "#checkin-total")
        assert "Total 47 of 60; first check-in" in total
        assert "Task 4.00 · Bond 3.50 · Goal 4.25" in total
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, (CheckInScreen, ConfirmScreen))
    new = saved(small.session, small.casey)[-1]
    assert (new.instrument, new.total, new.discussed) == (Instrument.WAI_SR, 47.0, False)


async def test_ors_below_the_clinical_cutoff_asks(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await pilot.press("shift+tab", "left", "enter", "tab")  # Instrument: ORS (the last)
        await type_scores(pilot, "5", "5", "5", "5")
        assert "below the clinical cutoff of 25" in static(app, "#checkin-total")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("escape")  # no comment: still discussed
        await settle(pilot)
    new = saved(small.session, small.casey)[-1]
    assert (new.instrument, new.total, new.discussed, new.comment) == (
        Instrument.ORS, 20.0, True, "")


async def test_a_good_score_saves_without_a_question(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await type_scores(pilot, "9.5", "9", "9.5", "9.5")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, (CheckInScreen, ConfirmScreen))
        assert any(m.startswith("Saved: 37.5, above the cutoff of 36") for m in messages(app))


async def test_future_date_refused(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await type_scores(pilot, "9", "9", "9", "9", "tomorrow")
        assert static(app, "#taken-on .parsed-preview") == (
            "✗ A check-in cannot be dated in the future.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
    assert saved(small.session, small.casey) == []


async def test_escape_asks_before_losing_typed_scores(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await type_scores(pilot, "9")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # stay
        await pilot.pause()
        assert isinstance(app.screen, CheckInScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # leave
        await settle(pilot)
        assert not isinstance(app.screen, CheckInScreen)
    assert saved(small.session, small.casey) == []


async def test_escape_on_an_empty_form_just_leaves(small: SmallCaseload, app_for) -> None:
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (CheckInScreen, ConfirmScreen))


@pytest.mark.parametrize("command", CHECKIN_COMMANDS, ids=lambda c: c.id)
async def test_every_checkin_key_visibly_does_something(small: SmallCaseload, app_for,
                                                        command) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_checkin(pilot, small.casey)
        before = picture(app)
        await pilot.press(command.key)
        await settle(pilot)
        assert picture(app) != before, f"{command.key} ({command.id}) changed nothing"
