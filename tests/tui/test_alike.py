"""`widgets.alike`: cells that look the same are one Text; anything that differs is not."""

from __future__ import annotations

from rich.text import Text

from caseload.tui.widgets.alike import AlikeTexts


def test_texts_that_look_the_same_are_one_and_others_are_not() -> None:
    alike = AlikeTexts()
    first = alike.text("100%", "right")
    assert alike.text("100%", "right") is first
    assert alike.text("100%", "left") is not first
    assert alike.text("50%", "right") is not first
    bold = alike.same(Text("! overdue 2 days", style="bold"))
    assert alike.same(Text("! overdue 2 days", style="bold")) is bold
    assert alike.same(Text("! overdue 2 days")) is not bold
    assert alike.same(Text("! overdue 2 days", style="bold", no_wrap=True)) is not bold
    assert alike.same(Text("x", overflow="ellipsis")) is not alike.text("x")


def test_a_text_with_spans_is_never_shared() -> None:
    alike = AlikeTexts()
    spanned = Text("Robin (on hold)")
    spanned.stylize("italic", 6)
    again = Text("Robin (on hold)")
    again.stylize("italic", 6)
    assert alike.same(spanned) is spanned and alike.same(again) is again


def test_fills_do_not_share() -> None:
    assert AlikeTexts().text("·") is not AlikeTexts().text("·")
