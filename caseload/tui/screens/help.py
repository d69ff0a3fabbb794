"""Help (F1): the keys of the screen it was opened from, built from that screen's bindings.

Because the list comes from the active bindings, it shows remapped keys as remapped, and a
screen's keys, the app-wide keys and the focused list's keys each under their own heading. A
legend of the outcome symbols and flag badges follows, since neither relies on colour.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from caseload.domain.flags import FLAG_BADGES, FLAG_LABELS, SEVERITY
from caseload.domain.records import Outcome
from caseload.tui.commands import Command, HelpRow, bindings, help_rows
from caseload.tui.widgets.footer import KeysFooter

HEADINGS = {"screen": "On this screen", "app": "Everywhere", "widget": "In the list or field"}

NAVIGATION = ("Each screen has a number key (see the tab line at the top). In a list, ↑ ↓ "
              "PgUp PgDn move and Enter opens; Tab moves between fields; Esc goes back or "
              "cancels. Ctrl+P searches every command. To change a key, put its [id] in the "
              "[keys] table of the config file, e.g. mark_kept = \"K\".")


KEY_WIDTH = 9


def shown_rows(rows: list[HelpRow]) -> list[HelpRow]:
    """Caseload's own commands (they have ids); Textual's built-in keys are explained in words."""
    return [row for row in rows
            if (row.id or row.action == "command_palette") and row.scope != "widget"]


def _grid() -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=KEY_WIDTH, no_wrap=True)
    table.add_column(ratio=1)
    return table


def keys_tables(rows: list[HelpRow]) -> list[tuple[str, Table]]:
    """The keys grouped by where they work, each row: key, words, and the id to remap it by."""
    sections: list[tuple[str, Table]] = []
    for row in shown_rows(rows):
        heading = HEADINGS[row.scope]
        if not sections or sections[-1][0] != heading:
            sections.append((heading, _grid()))
        words = Text(row.description[:1].upper() + row.description[1:], style="bold")
        if row.tooltip and row.tooltip != row.description:
            words.append(f" — {row.tooltip}", style="not bold")
        if row.id:
            words.append(f"  [{row.id}]", style="dim not bold")
        sections[-1][1].add_row(Text(row.key, style="bold"), words)
    return sections


def legend_tables() -> list[tuple[str, Table]]:
    """Outcome symbols and flag badges, so a monochrome screen still reads."""
    outcomes = _grid()
    outcomes.add_row("?", "needs outcome (the session is over, nothing recorded yet)")
    for outcome in Outcome:
        outcomes.add_row(outcome.symbol, outcome.label)
    flags = _grid()
    for code in SEVERITY:
        flags.add_row(FLAG_BADGES[code], FLAG_LABELS[code])
    return [("Outcomes", outcomes),
            ("Flags — ! or ? first: about you; a letter first: about the client", flags)]


class HelpScreen(ModalScreen[None]):
    """The keys of one screen, and what the symbols mean."""

    BINDINGS = bindings(
        Command("close_help", "escape,f1,question_mark,q", "Close", key_display="Esc",
                tooltip="Back to the screen"),
    )

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.rows = help_rows(screen)
        self.screen_name = screen.sub_title or getattr(screen, "SUB_TITLE", "") or "Caseload"
        self.screen_help = getattr(screen, "HELP", None) or ""

    def compose(self) -> ComposeResult:
        """The keys, the navigation scheme and the legend, scrollable at small sizes."""
        with VerticalScroll(id="help-body"):
            yield Static(Text(f"Keys — {self.screen_name}", style="bold"), classes="help-title")
            if self.screen_help:
                yield Static(self.screen_help, classes="help-note", markup=False)
            for heading, table in keys_tables(self.rows):
                yield Static(Text(heading, style="bold underline"), classes="help-heading")
                yield Static(table, classes="help-keys")
            yield Static(NAVIGATION, classes="help-note", markup=False)
            for heading, table in legend_tables():
                yield Static(Text(heading, style="bold underline"), classes="help-heading")
                yield Static(table, classes="help-legend")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Scroll with the arrow keys straight away."""
        self.query_one("#help-body").focus()

    def action_close_help(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
