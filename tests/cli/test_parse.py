"""The command line: opening the app parses only the global options; all else the whole parser."""

from __future__ import annotations

import subprocess
import sys

import pytest

from caseload import cli
from caseload.commands import MODULES

APP_ARGS = ["--db", "c.db", "--now", "2026-11-27T15:00:00+00:00", "--demo", "--encrypted"]


def test_opening_the_app_imports_no_subcommand() -> None:
    """Checked in a fresh interpreter: this one's tests import every command."""
    others = [m for m in MODULES if m != "caseload.commands.backup"]  # the daily backup's
    code = ("import sys; from caseload import cli; "
            f"args, commands = cli._parse({APP_ARGS!r}); "
            f"print(args.command, len(commands), sorted(set({others!r}) & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["None", "0", "[]"]


def test_the_app_gets_the_same_options_as_from_the_whole_parser() -> None:
    args, commands = cli._parse(APP_ARGS)
    whole = cli._parser(cli._commands()).parse_args(APP_ARGS)
    assert commands == {} and vars(args) == vars(whole)


def test_a_command_is_parsed_with_its_own_options() -> None:
    args, commands = cli._parse(["--db", "c.db", "review", "--format", "json"])
    assert args.command == "review" and args.format == "json"
    assert set(commands) >= {"review", "export", "doctor"}


@pytest.mark.parametrize("argv", [["--db"], ["--bogus"], ["bogus"], ["--demo", "review", "-x"],
                                  ["-h"], ["--db", "c.db", "--help"]])
def test_help_and_mistakes_come_from_the_whole_parser(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli._parse(argv)
    said = capsys.readouterr()
    assert "COMMAND" in said.out + said.err  # the whole parser's usage lists the commands
