"""The footer builds its keys again only when they change (`widgets.footer.KeysFooter`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

import pytest
from textual.widgets._footer import FooterKey

from caseload.services import overview
from caseload.services.overview import TodayView
from caseload.tui.app import CaseloadApp
from caseload.tui.widgets.footer import KeysFooter
from tests.tui.conftest import SmallCaseload, settle


def _footer(app: CaseloadApp) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.screen.query(FooterKey)]


async def test_the_footer_is_built_once_and_again_only_when_its_keys_change(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    composed: list[int] = []
    real = KeysFooter.compose

    def counted(self: KeysFooter):  # type: ignore[no-untyped-def]
        keys = list(real(self))
        if keys:
            composed.append(len(keys))
        return iter(keys)

    monkeypatch.setattr(KeysFooter, "compose", counted)
    first: Future[TodayView] = Future()  # as `caseload` starts: the day is there at mount
    first.set_result(overview.today_view(small.session))
    app = CaseloadApp(small.session, None, first)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert len(composed) == 1  # Textual asks for it on mount, on focus and for the rows
        assert ("k", "Kept") in _footer(app)
        app.screen.set_focus(None)  # the bindings are asked for again; the same keys show
        await settle(pilot)
        app.screen.query_one("#today-table").focus()
        await settle(pilot)
        assert len(composed) == 1
        app.set_keymap({"mark_kept": "K"})  # a different key: built again, with it
        await settle(pilot)
        assert len(composed) == 2
        assert ("K", "Kept") in _footer(app) and ("k", "Kept") not in _footer(app)
