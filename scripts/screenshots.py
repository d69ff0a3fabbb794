"""Render every screen of the app headless on the demo caseload and save SVGs in screenshots/.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--png /tmp/caseload-png]

The caseload is the generated demo (fictional people) in a temporary database, and the clock is
pinned to Friday 27 November 2026, 15:00 in New York, so the pictures change only when the app
does. Each scene is a size plus the keys a counselor would press. Variants show the light theme
and the 256-colour palette (ssh often drops COLORTERM), which terminals approximate by mapping
each colour to the nearest of the xterm 256; the SVG is rewritten the same way here.

When `rsvg-convert` is on the PATH, PNG copies are written to the --png folder for looking at;
only the SVGs are meant to be committed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.color import Color, ColorSystem  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from caseload.domain.records import Settings  # noqa: E402
from caseload.services.session import Session, ensure_counselor  # noqa: E402
from caseload.store.db import Location, close_database, open_database  # noqa: E402
from caseload.store.migrations import migrate  # noqa: E402
from caseload.tui.app import CaseloadApp  # noqa: E402

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo("America/New_York"))
SETTINGS = Settings(timezone="America/New_York")
SMALL = (80, 24)
LARGE = (120, 40)


@dataclass(frozen=True)
class Scene:
    """One picture: a name, a terminal size, keys to press, and options."""

    name: str
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    theme: str | None = None
    colors_256: bool = False
    needs: str | None = None  # a screen module that must exist (another part of the app)
    empty: bool = False


SCENES = (
    Scene("today", SMALL),
    Scene("today-120x40", LARGE),
    Scene("today-light", SMALL, theme="textual-light"),
    Scene("today-256", SMALL, colors_256=True),
    Scene("today-reschedule", SMALL, keys=("down", "down", "down", "down", "r",
                                           *"next tue 2pm")),
    Scene("today-bad-date", SMALL, keys=("down", "down", "down", "down", "r", *"12/01 2pm")),
    Scene("today-late-minutes", SMALL, keys=("down", "m", *"counselor 10")),
    Scene("today-empty", SMALL, empty=True),
    Scene("caseload", SMALL, keys=("2",)),
    Scene("caseload-120x40", LARGE, keys=("2",)),
    Scene("caseload-light-256", SMALL, keys=("2",), theme="textual-light", colors_256=True),
    Scene("caseload-filter", SMALL, keys=("2", "slash", *"ovrd")),
    Scene("caseload-sorted-flags", LARGE, keys=("2", *"ssssss")),
    Scene("help", SMALL, keys=("f1",)),
    Scene("help-caseload-120x40", LARGE, keys=("2", "f1")),
    Scene("palette", SMALL, keys=("ctrl+p",)),
    Scene("commitments", SMALL, keys=("3",), needs="caseload.tui.screens.commitments"),
    Scene("commitments-120x40", LARGE, keys=("3",), needs="caseload.tui.screens.commitments"),
    Scene("client", SMALL, keys=("2", "enter"), needs="caseload.tui.screens.client"),
    Scene("client-120x40", LARGE, keys=("2", "enter"), needs="caseload.tui.screens.client"),
    Scene("checkin", SMALL, keys=("down", "i"), needs="caseload.tui.screens.checkin"),
    Scene("checkin-120x40", LARGE, keys=("down", "i"), needs="caseload.tui.screens.checkin"),
    Scene("review-clear", SMALL, keys=("w",), needs="caseload.tui.screens.review"),
    Scene("review-current", SMALL, keys=("w", "space"), needs="caseload.tui.screens.review"),
    Scene("review-current-120x40", LARGE, keys=("w", "space"),
          needs="caseload.tui.screens.review"),
    Scene("review-help", SMALL, keys=("w", "space", "f1"), needs="caseload.tui.screens.review"),
)

_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")


def to_256_colours(svg: str) -> str:
    """Map every colour in an SVG to the nearest xterm-256 colour, as such a terminal would."""

    def nearest(match: re.Match[str]) -> str:
        colour = Color.parse(f"#{match.group(1)}").downgrade(ColorSystem.EIGHT_BIT)
        triplet = colour.get_truecolor()
        return f"#{triplet.red:02x}{triplet.green:02x}{triplet.blue:02x}"

    return _HEX.sub(nearest, svg)


def prepare(path: Path, *, with_demo: bool) -> Session:
    """Create a database (the demo caseload, or empty) and a session pinned to NOW."""
    db = open_database(Location(path=path))
    migrate(db)
    if with_demo:
        from caseload import demo

        demo.generate(today=NOW.date(), login="dana", settings=SETTINGS)
    counselor = ensure_counselor("dana", "Dana Example")
    session = Session(actor="dana", counselor_id=counselor.id, counselor_name="Dana Example",
                      settings=SETTINGS, clock=lambda: NOW.astimezone(UTC))
    close_database()
    return session


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the database workers and the screen to catch up."""
    for _ in range(20):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.is_running and not w.group.endswith("-dialog")]
        if not busy:
            break
        await pilot.app.workers.wait_for_complete(busy)


async def render(scene: Scene, session: Session) -> str:
    """Run the app headless for one scene and return its SVG."""
    app = CaseloadApp(session)
    async with app.run_test(size=scene.size) as pilot:
        if scene.theme:
            app.theme = scene.theme
        await settle(pilot)
        for key in scene.keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.3)  # a filter's typing pause, a notification's slide-in
        await settle(pilot)
        svg = app.export_screenshot(title=f"Caseload — {scene.name}")
    return to_256_colours(svg) if scene.colors_256 else svg


def available(module: str | None) -> bool:
    """Whether the screen a scene needs is part of this build."""
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Write the SVGs (and PNGs when rsvg-convert exists)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--png", type=Path, default=Path(tempfile.gettempdir())
                        / "caseload-screenshots")
    parser.add_argument("--only", nargs="*", help="scene names to render")
    args = parser.parse_args(argv)
    Input.cursor_blink = False  # type: ignore[assignment]  # steady pictures
    args.out.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    if converter:
        args.png.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {False: Path(tmp) / "demo.db", True: Path(tmp) / "empty.db"}
        sessions = {empty: prepare(path, with_demo=not empty) for empty, path in paths.items()}
        for scene in SCENES:
            if args.only and scene.name not in args.only:
                continue
            if not available(scene.needs):
                print(f"skip {scene.name}: {scene.needs} is not in this build")
                continue
            open_database(Location(path=paths[scene.empty]))
            try:
                svg = asyncio.run(render(scene, sessions[scene.empty]))
            finally:
                close_database()
            path = args.out / f"{scene.name}.svg"
            path.write_text(svg, encoding="utf-8")
            if converter:
                subprocess.run([converter, "-o", str(args.png / f"{scene.name}.png"),
                                str(path)], check=True)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
