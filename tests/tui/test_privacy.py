"""Privacy on a shared screen, under Pilot: automatic logoff (fake clock), blank, initials.

Also the team (supervisor) view, and that the app refuses to be served over the web.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date

import msgspec.structs
import pytest
from textual import constants
from textual.widgets import DataTable

from caseload.domain.records import Settings
from caseload.services import clients, team, weekly_review
from caseload.services.audit import ReadOnlySession
from caseload.services.session import Session
from caseload.tui import privacy
from caseload.tui.app import CaseloadApp
from caseload.tui.screens.supervisor import SupervisorScreen, TeamReviewScreen
from caseload.tui.screens.today import TodayScreen
from tests.tui.conftest import SETTINGS, SmallCaseload, make_session, screen_text, settle


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


def is_blank(app: CaseloadApp) -> bool:
    """Nothing on screen (the screenshot's own window title aside)."""
    return screen_text(app).strip() in ("", app.title)


def with_clock(app: CaseloadApp) -> FakeClock:
    clock = FakeClock()
    app.idle_clock = clock
    app.note_activity()
    return clock


# Automatic logoff -------------------------------------------------------------------------


async def test_logs_off_after_15_idle_minutes_and_a_key_restarts_the_clock(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock = with_clock(app)
        clock.advance(14)
        await app.check_inactivity()
        assert not app.logged_off
        await pilot.press("down")  # someone is there: the 15 minutes start again
        clock.advance(14)
        await app.check_inactivity()
        assert not app.logged_off and "Alex Rivera" in screen_text(app)
        clock.advance(1)
        await app.check_inactivity()
        assert app.logged_off and app.blanked
        assert is_blank(app)  # blank at once, before the exit
        await pilot.pause()
    assert app.return_code == 0
    assert app._exit_renderables == []  # nothing is printed on the terminal afterwards


async def test_logoff_lets_a_running_save_finish(small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    saved = threading.Event()

    def slow_save() -> None:
        time.sleep(0.3)
        saved.set()

    async with app.run_test() as pilot:
        await settle(pilot)
        clock = with_clock(app)
        app.run_worker(slow_save, thread=True, group="test-save")
        clock.advance(15)
        await app.check_inactivity()
        assert saved.is_set()  # exit waited for the save
        await pilot.pause()
    assert app.logged_off


async def test_the_limit_comes_from_the_settings_and_zero_turns_it_off(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    five = dataclasses.replace(small.session,
                               settings=msgspec.structs.replace(SETTINGS, idle_logoff_minutes=5))
    app = app_for(five)
    async with app.run_test() as pilot:
        await settle(pilot)
        clock = with_clock(app)
        clock.advance(5)
        await app.check_inactivity()
        assert app.logged_off
    never = dataclasses.replace(small.session,
                                settings=msgspec.structs.replace(SETTINGS, idle_logoff_minutes=0))
    app = app_for(never)
    async with app.run_test() as pilot:
        await settle(pilot)
        clock = with_clock(app)
        clock.advance(24 * 60)
        await app.check_inactivity()
        assert not app.logged_off


# Blank and unblank ------------------------------------------------------------------------


async def test_the_privacy_key_blanks_at_once_and_only_unblank_brings_it_back(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Alex Rivera" in screen_text(app)
        await pilot.press("ctrl+b")
        assert app.blanked and is_blank(app)
        await pilot.press("2", "q", "escape", "ctrl+p", "k")  # ignored while blank
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.current_mode == "today"
        assert is_blank(app) and app.is_running
        await pilot.press("ctrl+r")
        assert not app.blanked and "Alex Rivera" in screen_text(app)


async def test_blank_works_inside_a_form_and_hides_notifications(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("plus")  # the new-client form (a modal screen)
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+b")
        app.notify("Alex Rivera: 2 no-shows in a row")
        await pilot.pause()
        assert is_blank(app)
        await pilot.press("ctrl+r")
        assert app.screen is form


async def test_the_blank_and_unblank_keys_can_be_remapped(small: SmallCaseload,
                                                          app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session, {"privacy": "f12", "unblank": "f11"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f12")
        assert app.blanked
        await pilot.press("ctrl+r")
        assert app.blanked
        await pilot.press("f11")
        assert not app.blanked


# Initials mode ----------------------------------------------------------------------------


async def test_initials_mode_shows_initials_and_record_numbers(
        small: SmallCaseload, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        text = screen_text(app)
        for name, initials in (("Alex Rivera", "A.R."), ("Blair Chen", "B.C."),
                               ("Casey Diaz", "C.D.")):
            assert name not in text and name.split()[0] not in text and initials in text
        assert "A.R." in text and "R-1001" in text and "R-1003" in text
        await pilot.press("2")  # another screen: still initials
        await settle(pilot)
        text = screen_text(app)
        assert "Drew" not in text and "Blair" not in text and "R-1002" in text
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "Blair Chen" in screen_text(app)


def test_names_are_masked_whole_by_word_and_cut_short() -> None:
    pattern, prefixes = privacy.name_pattern(["Alex Rivera", "Mary-Jo O'Neil", "Al"])
    assert pattern is not None

    def masked(text: str) -> str:
        edits = privacy.mask_edits(text, pattern, prefixes)
        out = text
        for start, end, replacement in reversed(edits):
            out = out[:start] + replacement + out[end:]
        assert len(out) == len(text)  # the layout never moves
        return out

    assert masked("Alex Rivera (R-1001)") == "A.R.        (R-1001)"
    assert masked("Call alex about it") == "Call A.   about it"
    assert masked("Mary-Jo O'Neil · Alexander") == "M.J.O.         · Alexander"
    assert masked("| Alex Riv… |") == "| A.R.    … |"
    assert masked("Reviewer Alban") == "Reviewer Alban"


def test_masking_keeps_each_segments_style() -> None:
    from rich.segment import Segment
    from rich.style import Style
    from textual.color import Color

    bold, plain = Style(bold=True), Style()
    filt = privacy.InitialsFilter(["Alex Rivera"])
    out = filt.apply([Segment("Alex ", bold), Segment("Rivera", plain), Segment(" ok", plain)],
                     Color(0, 0, 0))
    assert "".join(s.text for s in out) == "A.R.        ok"
    assert out[0].style == bold


# The team (supervisor) view ----------------------------------------------------------------


@pytest.fixture
def team_session(tui_db) -> Session:  # type: ignore[no-untyped-def]
    demo = pytest.importorskip("caseload.demo")
    from tests.tui.conftest import TUI_NOW

    demo.generate(clients=9, weeks=14, seed=5, counselors=3, today=TUI_NOW.date(),
                  login="dana", settings=SETTINGS)
    return make_session()


async def test_team_view_shows_every_counselor_side_by_side(team_session: Session,
                                                            app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(team_session)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        text = screen_text(app)
        assert "Reliability" in text and "Check-ins" in text and "read-only" in text
        view = team.team_view(team_session)
        first = view.counselors[0]
        assert first.name[:12] in text and first.figures.counselor_reliability.percent in text


async def test_drill_into_a_counselors_review_summary(team_session: Session,
                                                      app_for) -> None:  # type: ignore[no-untyped-def]
    state = weekly_review.start_or_resume(team_session)
    weekly_review.finish(team_session, state.id)
    app = app_for(team_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(team_session.counselor_id)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamReviewScreen)
        text = screen_text(app)
        assert "latest weekly review" in text and "read-only" in text and "Week " in text
        await pilot.press("escape")
        assert isinstance(app.screen, SupervisorScreen)


async def test_a_supervisor_starts_on_the_team_view_and_writes_nothing(
        team_session: Session, app_for) -> None:  # type: ignore[no-untyped-def]
    marcus = dataclasses.replace(make_session("marcus", "Marcus Lee"), read_only=True)
    app = app_for(marcus)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        assert app.screen.query_one(DataTable).row_count == 3  # marcus has no clients
    with pytest.raises(ReadOnlySession):
        clients.add_client(marcus, "New Client", "N-1", date(2026, 11, 2))


def test_the_app_is_never_served_over_the_web(small: SmallCaseload,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.web_driver:WebDriver")
    with pytest.raises(privacy.ServedRefused, match="textual serve"):
        CaseloadApp(small.session)


def test_settings_default_to_15_minutes() -> None:
    assert Settings().idle_logoff_minutes == 15
