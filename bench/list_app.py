"""Open Caseload straight on its Caseload screen (the list of every client).

The subject of the "screen listing all 1,000 clinic clients" goal: the same start-up as the
`caseload` command (`cli.main` and `cli.open_app`: the collector paused while starting, session,
series materialised, the app), except that the first screen is the client list instead of
Today (so there is no Today read to start early). Usage:

    python bench/list_app.py --db PATH [--now ISO]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from caseload.startup import collector_paused

    with collector_paused():  # as `cli.main`: the app collects again once it has drawn
        return _main(argv)


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="list_app")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--now")
    args = parser.parse_args(argv)
    args.database_url = None
    from caseload.commands.common import session_from
    from caseload.services.appointments import ensure_materialized

    session = session_from(args)
    ensure_materialized(session)
    from caseload.tui import app as caseload_app

    class ListFirstApp(caseload_app.CaseloadApp):
        DEFAULT_MODE = "caseload"
        # Textual resolves CSS_PATH next to the module defining the class: point at the app's.
        CSS_PATH = str(Path(caseload_app.__file__).with_name("app.tcss"))

    app = ListFirstApp(session)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
