"""The configuration file: defaults, overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseload.config import load_config, system_zone
from caseload.domain.records import ValidationError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CASELOAD_TIMEZONE", "CASELOAD_DATABASE_URL", "TZ"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults_in_the_system_zone(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.settings.srs_cutoff == 36.0 and config.source is None
    assert config.settings.timezone == system_zone()


def test_tz_variable_sets_the_default_zone(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert load_config(tmp_path / "absent.toml").settings.timezone == "Europe/Berlin"


def test_rules_keys_and_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'timezone = "America/Chicago"\ndatabase_url = "postgresql:///c"\n'
                           "[rules]\nsrs_cutoff = 35\nno_contact_days = 21\n"
                           '[keys]\nmark_kept = "K"\n')
    config = load_config(path)
    assert config.settings.timezone == "America/Chicago"
    assert config.settings.srs_cutoff == 35.0 and config.settings.no_contact_days == 21
    assert config.keys == {"mark_kept": "K"} and config.database_url == "postgresql:///c"
    monkeypatch.setenv("CASELOAD_DATABASE_URL", "postgresql:///other")
    monkeypatch.setenv("CASELOAD_TIMEZONE", "Europe/London")
    config = load_config(path)
    assert config.database_url == "postgresql:///other"
    assert config.settings.timezone == "Europe/London"


@pytest.mark.parametrize("text,message", [
    ("[rules]\nsrs_cutof = 35\n", "Unknown setting 'srs_cutof'"),
    ("[rules]\nno_contact_days = 1.5\n", "must be a whole number"),
    ("[rules]\nno_contact_days = -3\n", "cannot be negative"),
    ("[rules]\nweek_start = 9\n", "week_start"),
    ('timezone = "Mars/Olympus"\n', "Unknown time zone 'Mars/Olympus'"),
    (f'timezone = "{"x" * 300}"\n', "Unknown time zone 'xxx"),
    ("this is not toml", "Cannot read"),
    ("[keys]\nmark_kept = 3\n", "must map action ids to key names"),
])
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_config(write(tmp_path, text))
