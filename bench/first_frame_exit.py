"""Run T (the bare app) or `caseload`, and end the process once its first frame is written.

For `bench/instructions.py`: the instructions a program runs to its first frame. The first
frame is the first one written outside an update batch (for `caseload`, the first of its Today
screen). Textual is patched only once the program would import it anyway: for `caseload`, after
its start-up read (`cli._read_today`), just before the app's own import.

    python bench/first_frame_exit.py bare
    python bench/first_frame_exit.py caseload [caseload's options]
    python bench/first_frame_exit.py list --db PATH [--now ISO]
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _exit_at_first_frame(screen_type: str | None) -> None:
    from textual.app import App

    real = App._display

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        real(self, screen, renderable)
        if renderable is not None and not self._batch_count and (
                screen_type is None or type(screen).__name__ == screen_type):
            writer = getattr(self._driver, "_writer_thread", None)
            if writer is not None:
                writer.stop()  # the frame written out to the terminal, then the end
            os._exit(0)

    App._display = display  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    if argv[:1] == ["bare"]:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        _exit_at_first_frame(None)
        import bare_app  # type: ignore[import-not-found]

        bare_app.BareApp().run()
        return
    if argv[:1] == ["list"]:  # the Caseload screen first, every clinic client (list_app.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import list_app  # type: ignore[import-not-found]

        from caseload.commands import common

        session_from = common.session_from

        def session_then_patch(args: Any) -> Any:  # list_app imports the app right after
            session = session_from(args)
            _exit_at_first_frame("CaseloadScreen")
            return session

        common.session_from = session_then_patch  # type: ignore[assignment]
        list_app.main(argv[1:])
        return
    from caseload import cli

    read_today = cli._read_today

    def read_then_patch(session: Any) -> Any:
        first = read_today(session)
        _exit_at_first_frame("TodayScreen")
        return first

    cli._read_today = read_then_patch  # type: ignore[assignment]
    sys.argv = ["caseload", *argv[1:]]
    cli.entry()


if __name__ == "__main__":
    main(sys.argv[1:])
