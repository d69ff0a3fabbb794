"""Each stylesheet source is parsed once while the CSS variables stay the same (`tui.styles`).

Textual parsed every source again at each mode's first screen (`App._init_mode` refreshes the
CSS, and `Stylesheet.reparse` starts from nothing); the app's start parsed all its CSS twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from textual.color import Color
from textual.css import stylesheet as stylesheet_module
from textual.css.stylesheet import Stylesheet

from caseload.tui.app import CaseloadApp
from caseload.tui.styles import KeptStylesheet
from tests.tui.conftest import SmallCaseload, settle


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> Counter[object]:
    """How many times each source is parsed from its text: by where it was read from, and
    its priority (a widget's styles met again under a closer class are parsed again)."""
    parsed: Counter[object] = Counter()
    real = stylesheet_module.parse

    def counted(scope: str, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        parsed[read_from, kwargs.get("tie_breaker")] += 1
        return real(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr(stylesheet_module, "parse", counted)
    return parsed


def _rules(sheet: Stylesheet) -> list[tuple[object, ...]]:
    """The stylesheet's rules, in order, as values to compare."""
    return [(repr(rule.selector_set), [(name, repr(value)) for name, value in
                                       sorted(rule.styles.get_rules().items())],
             rule.is_default_rules, rule.tie_breaker) for rule in sheet.rules]


async def test_the_start_and_a_first_mode_switch_parse_each_source_once(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _count_parses(monkeypatch)
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.stylesheet, KeptStylesheet)
        at_start = set(parsed)
        assert any("app.tcss" in str(where) for where, _ in at_start)
        await pilot.press("2")  # the Caseload mode's first screen: the CSS is refreshed
        await settle(pilot)
        assert app.current_mode == "caseload"
        assert set(parsed) > at_start  # its new widgets' styles were parsed
        assert max(parsed.values()) == 1, [w for w, n in parsed.items() if n > 1]


async def test_a_refresh_with_the_same_variables_keeps_the_rules_textual_would_parse(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        parsed = _count_parses(monkeypatch)
        app.refresh_css(animate=False)
        await settle(pilot)
        assert not parsed
        # What Textual's own stylesheet makes of the same sources and variables.
        fresh = Stylesheet(variables=app.get_css_variables())
        for where, (css, is_default, tie_breaker, scope) in app.stylesheet.source.items():
            fresh.add_source(css, read_from=where, is_default_css=is_default,
                             tie_breaker=tie_breaker, scope=scope)
        fresh.parse()
        assert _rules(app.stylesheet) == _rules(fresh)


async def test_new_variables_parse_every_source_again_and_show(
        small: SmallCaseload, app_for: Callable[..., CaseloadApp],
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(small.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        sources = {(where, source.tie_breaker)
                   for where, source in app.stylesheet.source.items()}
        dark_background = app.screen.styles.background
        parsed = _count_parses(monkeypatch)
        app.theme = "textual-light"
        await settle(pilot)
        assert sources <= set(parsed)  # each one parsed with the new variables
        light_background = Color.parse(app.get_css_variables()["background"])
        assert app.screen.styles.background == light_background != dark_background

