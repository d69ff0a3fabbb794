"""The weekly review, driven with the real keys: a whole review, resuming, the keystroke budget."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from caseload.domain.flags import FlagCode
from caseload.domain.records import Instrument, Outcome, Party
from caseload.services import appointments, audit, checkins, clients, commitments, weekly_review
from caseload.services.session import Session
from caseload.services.weekly_review import Step
from caseload.tui.screens.handout import HandoutScreen
from caseload.tui.screens.review import ReviewScreen
from caseload.tui.screens.review_list import ReviewRecordScreen
from caseload.tui.widgets.review_client import CurrentStep
from tests.tui.conftest import at, make_session, settle


class Keys:
    """Presses keys and counts them; typed text is counted apart (the budget excludes it)."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.keys = 0
        self.typed = 0

    async def press(self, *keys: str) -> None:
        """Keys a counselor presses (each one counts)."""
        for key in keys:
            self.keys += 1
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        """Text a counselor types (counted as characters, not keys)."""
        self.typed += len(text)
        await self.pilot.press(*text)
        await settle(self.pilot)


def review_screen(app: Any) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen), screen
    return screen


def on_screen(app: Any) -> Any:
    """The flagged client on screen (step 2), as the screen's state says, and as shown."""
    screen = review_screen(app)
    week = screen.data.flagged[screen.data.client_index(screen.state.position)]
    shown = app.screen.query_one(CurrentStep).week
    assert shown is None or shown.client.id == week.client.id
    return week


@pytest.fixture(autouse=True)
def private_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Exports go under tmp_path (platformdirs follows XDG_DATA_HOME)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


async def test_a_whole_review_of_the_demo_caseload(demo_session: Session, app_for,
                                                   private_data: Path) -> None:
    app = app_for(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys.press("w")
        screen = review_screen(app)
        pending = len(screen.data.pending)
        assert pending > 0 and screen.state.step is Step.CLEAR
        await keys.press(*["k"] * pending)  # every past session kept; then step 2 by itself
        assert screen.state.step is Step.CURRENT and not screen.data.pending
        flagged = [c.client.id for c in screen.data.flagged]
        assert screen.state.order == tuple(flagged)
        first = True
        for client_id in flagged:
            week = on_screen(app)
            assert week.client.id == client_id
            codes = {f.code for f in week.flags}
            if first:  # an outreach call, for the first (worst) client
                await keys.press("c")
                await keys.type("call about next week")
                await keys.press("tab")
                await keys.type("+2d")
                await keys.press("enter")
                first = False
            if FlagCode.NOT_DISCUSSED in codes:
                await keys.press("a")
                await keys.type("talked it through")
                await keys.press("enter")
            await keys.press("f")
            await keys.type(f"focus {client_id}")
            await keys.press("enter")
            await keys.press("space")
        assert screen.state.step is Step.AHEAD
        await keys.press("space")
        assert screen.state.step is Step.SUMMARY
        await keys.press("space")
        assert screen.state.finished
        await keys.press("e")

    summary = weekly_review.open_review(demo_session, screen.state.id)
    assert [c.client_id for c in summary.clients] == flagged
    assert all(c.reviewed and c.focus == f"focus {c.client_id}" for c in summary.clients)
    assert summary.outcomes_recorded == pending and summary.needs_outcome_left == 0
    texts = [d.text for d in summary.decisions]
    assert texts[0] == "New commitment — You will: call about next week (by Sun 29 Nov)"
    assert any(t.startswith("Discussed the check-in") for t in texts)
    added = [c for c in commitments_of(demo_session, flagged[0])
             if c.text == "call about next week"]
    assert len(added) == 1 and added[0].due == date(2026, 11, 29)
    actions = [(e.entity, e.action) for e in audit.events(demo_session)]
    assert actions.count(("review_note", "note")) == 2 * len(flagged)
    assert ("weekly_review", "finish") in actions
    assert ("checkin", "discussed") in actions
    report = private_data / "caseload" / "reports" / "review-2026-11-23.md"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "## Decisions taken" in text and "call about next week" in text
    assert not any(c.name in text for c in clients.list_clients(demo_session))


def commitments_of(session: Session, client_id: int) -> list[Any]:
    from caseload.services.overview import load_snapshot

    history = load_snapshot(session, client_ids=[client_id]).history(client_id)
    assert history is not None
    return list(history.commitments)


async def test_an_interrupted_review_resumes_on_the_same_step_and_client(
        demo_session: Session, app_for) -> None:
    app = app_for(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = review_screen(app)
        await pilot.press(*["k"] * len(screen.data.pending))
        await settle(pilot)
        await pilot.press("space", "n")  # first reviewed; then past the second to the third
        await settle(pilot)
        where = on_screen(app).client.id
        assert where == screen.data.flagged[2].client.id
    # A new app on the same database, as after a lost connection.
    again = app_for(make_session())
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = review_screen(again)
        assert screen.state.step is Step.CURRENT
        assert on_screen(again).client.id == where
        assert screen.state.note(screen.data.flagged[0].client.id).reviewed
        await pilot.press("b")  # back to step 1: nothing left, and it stays there
        await settle(pilot)
        assert screen.state.step is Step.CLEAR
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(again.screen, ReviewScreen)


async def test_past_reviews_open_read_only(demo_session: Session, app_for) -> None:
    state = weekly_review.start_or_resume(demo_session, date(2026, 11, 16))
    weekly_review.finish(demo_session, state.id)
    app = app_for(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w", "h")
        await settle(pilot)
        assert app.screen.query_one("#review-list").row_count == 2
        await pilot.press("down", "enter")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, ReviewRecordScreen) and record.summary is not None
        assert record.summary.week.start == date(2026, 11, 16)
        assert record.summary.finished_at is not None
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_the_handout_opens_from_the_client_step(demo_session: Session, app_for) -> None:
    app = app_for(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*["k"] * len(review_screen(app).data.pending))
        await settle(pilot)
        client = on_screen(app).client
        await pilot.press("H")
        await settle(pilot)
        page = app.screen.page
        assert isinstance(app.screen, HandoutScreen) and page is not None
        assert page.client_name == client.name and len(page.appointments) <= 3
        shown = str(app.screen.query_one("#handout-text").render())
        others = [c.name for c in clients.list_clients(demo_session) if c.id != client.id]
        assert client.name in shown and not any(name in shown for name in others)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)


# The keystroke budget: Dana's Friday (USERS.md), 40 clients, 8 flagged -------------------------

FRIDAY = date(2026, 11, 27)


def dana_friday(s: Session) -> dict[str, int]:
    """40 active clients; 2 sessions today without an outcome; 8 clients flagged."""
    ids: dict[str, int] = {}
    for n in range(40):
        client = clients.add_client(s, f"Client {n:02d} Test", f"F-{n:03d}", date(2026, 9, 1))
        ids[f"c{n}"] = client.id
        if n < 8:
            continue
        mon = appointments.schedule_single(s, client.id, at(23, 9 + n % 8))
        appointments.record_outcome(s, mon.id, Outcome.KEPT)
        checkins.record(s, client.id, Instrument.SRS, [9.5] * 4, taken_on=date(2026, 11, 23),
                        appointment_id=mon.id)
        appointments.schedule_single(s, client.id, at(30, 9 + n % 8))
        if n in (8, 9):  # today's first sessions: no outcome yet
            appointments.schedule_single(s, client.id, at(27, 9 + n - 8))
    c = [ids[f"c{n}"] for n in range(8)]
    for client_id in c:
        if client_id != c[2]:
            appointments.schedule_single(s, client_id, at(1, 10, month=12))
    for client_id in (c[0], c[1], c[2], c[3], c[4], c[7]):
        kept = appointments.schedule_single(s, client_id, at(24, 11))
        appointments.record_outcome(s, kept.id, Outcome.KEPT)
        score = 8.5 if client_id in (c[3], c[4]) else 9.5
        checkins.record(s, client_id, Instrument.SRS, [score] * 4, taken_on=date(2026, 11, 24),
                        appointment_id=kept.id, discussed=True)
    wed = appointments.schedule_single(s, c[0], at(25, 10))
    appointments.record_outcome(s, wed.id, Outcome.COUNSELOR_CANCELLED)
    commitments.add(s, c[1], Party.COUNSELOR, "Send the housing list", date(2026, 11, 24),
                    made_on=date(2026, 11, 20))
    for week in (3, 2, 1):
        day = FRIDAY - timedelta(weeks=week)
        lapsed = appointments.schedule_single(s, c[5], at(day.day, 10, month=day.month))
        appointments.record_outcome(s, lapsed.id, Outcome.KEPT)
    for day in (17, 24):
        missed = appointments.schedule_single(s, c[6], at(day, 14))
        appointments.record_outcome(s, missed.id, Outcome.NO_SHOW)
    kept = appointments.schedule_single(s, c[6], at(13, 14))
    appointments.record_outcome(s, kept.id, Outcome.KEPT)
    commitments.add(s, c[6], Party.COUNSELOR, "Outreach call", date(2026, 11, 28),
                    made_on=date(2026, 11, 24))
    commitments.add(s, c[7], Party.CLIENT, "Two meetings", date(2026, 11, 25),
                    made_on=date(2026, 11, 20))
    return ids


async def test_a_practised_review_of_40_clients_with_8_flagged_fits_the_budget(
        tui_db: Path, app_for, capsys: pytest.CaptureFixture[str]) -> None:
    session = make_session()
    dana_friday(session)
    app = app_for(session)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys.press("w")
        screen = review_screen(app)
        assert len(screen.data.pending) == 2
        await keys.press("k", "k")
        assert screen.state.step is Step.CURRENT
        assert len(screen.data.flagged) == 8
        while screen.state.step is Step.CURRENT:
            codes = {f.code for f in on_screen(app).flags}
            if codes & {FlagCode.COUNSELOR_CANCELLED, FlagCode.NOT_SCHEDULED}:
                await keys.press("s")  # a make-up session, or next week's
                await keys.type("mon 9:00")
                await keys.press("enter")
            if FlagCode.COUNSELOR_COMMITMENT_OVERDUE in codes:
                await keys.press("d")  # the housing list went out this morning
            if codes & {FlagCode.CHECKIN_LAPSED, FlagCode.CLIENT_COMMITMENT_OVERDUE}:
                await keys.press("f")
                await keys.type("check in at the start of the session")
                await keys.press("enter")
            await keys.press("space")
        await keys.press("space", "space", "e")
        assert screen.state.finished
    summary = weekly_review.open_review(session, screen.state.id)
    assert summary.reviewed == 8 and len(summary.clients) == 8
    assert sum(1 for d in summary.decisions if d.text.startswith("Booked")) == 2
    assert sum(1 for d in summary.decisions if d.text.startswith("Done")) == 1
    with capsys.disabled():
        print(f"\nweekly review, 40 clients / 8 flagged: {keys.keys} keystrokes "
              f"+ {keys.typed} typed characters")
    assert keys.keys <= 60
