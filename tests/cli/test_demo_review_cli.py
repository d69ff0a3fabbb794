"""`caseload demo-data` then `caseload review --format json`, end to end through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caseload.domain.flags import FlagCode

NOW = "2026-11-27T17:00:00-05:00"


def caseload(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "caseload", *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CASELOAD_TIMEZONE": "America/New_York",
            "CASELOAD_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}


def test_demo_data_then_review_json(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "demo.db"
    made = caseload("--db", str(db), "--now", NOW, "demo-data", "--clients", "40",
                    "--weeks", "26", "--seed", "3", env=env)
    assert made.returncode == 0, made.stderr
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    out = caseload("--db", str(db), "--now", NOW, "review", "--format", "json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["week_start"], data["week_end"]) == ("2026-11-23", "2026-11-29")
    figures = data["figures"]
    # The caseload figure is the sum of the clients' figures, exactly.
    for key in ("counselor_reliability", "counselor_follow_through", "client_attendance",
                "client_follow_through", "checkin_regularity"):
        for part in ("numerator", "denominator"):
            assert figures[key][part] == sum(c["figures"][key][part] for c in data["clients"])
        ratio = figures[key]
        assert 0 <= ratio["numerator"] <= ratio["denominator"]
    assert isinstance(figures["streak_weeks"], int) and figures["streak_weeks"] >= 0
    codes = {f["code"] for c in data["clients"] for f in c["flags"]}
    assert codes == {code.value for code in FlagCode}
    flagged = [c for c in data["clients"] if c["flags"]]
    first_client_only = [i for i, c in enumerate(flagged)
                         if all(f["side"] == "client" for f in c["flags"])]
    counselor_side = [i for i, c in enumerate(flagged)
                      if any(f["side"] == "counselor" for f in c["flags"])]
    assert not first_client_only or max(counselor_side) < min(first_client_only)


def test_same_seed_same_review(tmp_path: Path, env: dict[str, str]) -> None:
    outputs = []
    for name in ("a.db", "b.db"):
        db = tmp_path / name
        assert caseload("--db", str(db), "--now", NOW, "demo-data", "--clients", "15",
                        env=env).returncode == 0
        outputs.append(caseload("--db", str(db), "--now", NOW, "review", "--format", "json",
                                env=env).stdout)
    assert outputs[0] == outputs[1] and outputs[0]


def test_demo_data_refuses_a_missing_db_option(env: dict[str, str]) -> None:
    out = caseload("demo-data", env=env)
    assert out.returncode == 2
    assert out.stderr.strip() == ("caseload: demo-data needs --db PATH (the demo is never "
                                  "written to your own database).")


def test_doctor_finds_a_demo_database_healthy(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "demo.db"
    assert caseload("--db", str(db), "--now", NOW, "demo-data", "--clients", "20",
                    env=env).returncode == 0
    out = caseload("--db", str(db), "doctor", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
