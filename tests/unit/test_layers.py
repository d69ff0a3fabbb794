"""The layering rules of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "caseload"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_domain_imports_neither_textual_nor_peewee_nor_upper_layers(path: Path) -> None:
    bad = {n for n in _imports(path)
           if n.split(".")[0] in {"textual", "peewee", "playhouse", "rich"}
           or n.startswith(("caseload.store", "caseload.services", "caseload.tui",
                            "caseload.io"))}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules("tui"), ids=lambda p: p.name)
def test_tui_never_touches_the_database(path: Path) -> None:
    bad = {n for n in _imports(path)
           if n.split(".")[0] in {"peewee", "playhouse"} or n.startswith("caseload.store")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules("store"), ids=lambda p: p.name)
def test_store_does_not_import_services_or_ui(path: Path) -> None:
    bad = {n for n in _imports(path)
           if n.split(".")[0] == "textual"
           or n.startswith(("caseload.services", "caseload.tui"))}
    assert not bad, f"{path.name} imports {bad}"


def test_importing_the_domain_loads_no_textual_or_peewee() -> None:
    code = ("import sys, importlib, pkgutil, caseload.domain as d\n"
            "for m in pkgutil.iter_modules(d.__path__):\n"
            "    importlib.import_module('caseload.domain.' + m.name)\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in "
            "('textual', 'peewee', 'playhouse')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_review_command_path_does_not_import_textual() -> None:
    code = ("import sys, caseload.cli, caseload.services.review, caseload.io.report\n"
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_review_command_imports_neither_the_screens_read_models_nor_dateutil() -> None:
    """`caseload review` reads through `store.queries` itself: `services.overview` (the screens'
    read models) is not imported, nor `dateutil` (only typed date offsets need it)."""
    code = ("import sys, caseload.cli, caseload.commands.review, caseload.services.review, "
            "caseload.io.report, caseload.config\n"
            "print(sorted(m for m in ('caseload.services.overview', 'dateutil') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_the_app_imports_only_what_its_first_frame_needs() -> None:
    """Today is the first screen: the client list, the team view and the weekly-review flow
    (with the client view it reads) are imported when first used, not at every start; so are
    the help screen (F1), the dialogs and dateutil (a series is booked ahead at the day's
    first start)."""
    later = ("caseload.tui.screens.caseload", "caseload.services.team",
             "caseload.services.weekly_review", "caseload.services.client_view",
             "caseload.tui.screens.help", "caseload.tui.screens.modals", "dateutil")
    code = ("import sys, caseload.cli, caseload.tui.app, caseload.services.appointments\n"
            f"print(sorted(m for m in {later!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
