"""A form saves once: Enter again while its save is under way starts no second save."""

from __future__ import annotations

from textual.app import App

from caseload.tui.screens.form import FormScreen
from caseload.tui.workers import WorkFailed


class _Form(FormScreen[str]):  # type: ignore[misc]
    TITLE_TEXT = "A form"

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    def save(self) -> None:
        self.saves += 1  # a worker would run; this one never finishes


async def test_a_second_enter_while_saving_saves_nothing_and_esc_waits() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        form = _Form()
        await app.push_screen(form)
        await pilot.pause()
        form.action_save_form()
        form.action_save_form()  # Enter again before the first save is done
        assert form.saves == 1
        form.action_cancel_form()  # the save may still be stored: the form stays
        await pilot.pause()
        assert app.screen is form
        form.post_message(WorkFailed("form-save", "database is locked", False))
        await pilot.pause()
        form.action_save_form()  # refused: a new try is a new save
        assert form.saves == 2
