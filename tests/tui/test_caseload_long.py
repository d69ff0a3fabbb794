"""A long Caseload list is shown lazily: names first, then figures; rows a page at a time."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from caseload import demo
from caseload.services import clients
from caseload.tui.screens import caseload as caseload_screen
from caseload.tui.screens.caseload import PAGE, PENDING, CaseloadScreen
from tests.tui.conftest import SETTINGS, TUI_NOW, make_session, settle


async def test_every_row_arrives_and_the_last_can_be_highlighted(tui_db: Path,
                                                                   app_for) -> None:
    demo.generate(clients=PAGE * 2 + 37, weeks=6, seed=5, counselors=1,
                  today=TUI_NOW.date(), login="dana", settings=SETTINGS)
    session = make_session()
    active = [c for c in clients.list_clients(session) if c.status.value == "active"]
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        for _ in range(20):  # the lazy fill adds a chunk after each frame
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = screen.query_one("#caseload-table", DataTable)
        assert table.row_count == len(active) > PAGE
        cells = [str(getattr(c, "plain", c)) for c in table.get_row_at(table.row_count - 1)]
        assert PENDING not in cells  # figures, not placeholders
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert screen.current_client_id() == max(active, key=lambda c: (c.name.lower(), c.id)).id
        count = str(screen.query_one("#caseload-count", Static).render())
        assert f"{len(active)} of {len(active)} clients" in count


async def test_names_show_before_the_figures(tui_db: Path, app_for, monkeypatch) -> None:
    demo.generate(clients=12, weeks=6, seed=5, counselors=1, today=TUI_NOW.date(),
                  login="dana", settings=SETTINGS)
    session = make_session()
    shown: list[list[str]] = []
    original = CaseloadScreen.show_names

    def spy(self: CaseloadScreen, facts: list) -> None:  # type: ignore[type-arg]
        original(self, facts)
        table = self.query_one("#caseload-table", DataTable)
        shown.extend([str(getattr(c, "plain", c)) for c in table.get_row_at(i)]
                     for i in range(table.row_count))

    monkeypatch.setattr(CaseloadScreen, "show_names", spy)
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen) and screen.counted
        names = sorted(c.name for c in clients.list_clients(session)
                       if c.status.value == "active")
        assert sorted(row[0] for row in shown) == names
        assert all(row[1:-1] == [PENDING] * (len(row) - 2) for row in shown)
        table = screen.query_one("#caseload-table", DataTable)
        first = [str(getattr(c, "plain", c)) for c in table.get_row_at(0)]
        assert PENDING not in first


def test_pending_cells_keep_name_and_record() -> None:
    from caseload.domain.records import ClientFact, ClientStatus

    fact = ClientFact(7, "Robin Example", "CL-7", ClientStatus.ON_HOLD, TUI_NOW.date())
    cells = caseload_screen.pending_cells(caseload_screen.name_row(fact), TUI_NOW.date())
    assert cells[0].plain.startswith("Robin Example") and cells[-1].plain == "CL-7"
    assert {c.plain for c in cells[1:-1]} == {PENDING}
