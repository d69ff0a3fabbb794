"""Baseline T: a bare Textual app (Header, Static, Footer), run in the pty to its first frame."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

MARKER = "Bare Textual app for the benchmark"


class BareApp(App[None]):
    """The smallest app that looks like an app: what any Textual program costs to start."""

    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(MARKER)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
