"""The configuration file: the numbers of DOMAIN.md, the clinic's zone, the database, key remaps.

Read from `$CASELOAD_CONFIG`, else `<user config dir>/caseload/config.toml`. Every key is
optional. Example:

    database_url = "postgresql:///caseload"   # a clinic database (else the SQLite file)
    encrypted = true                          # the SQLite file is SQLCipher (asks a passphrase)
    backup_keep = 14                          # daily backups kept (0: none)
    backup_dir = "~/caseload-backups"         # default: backups/ beside the database
    timezone = "America/Chicago"

    [rules]
    srs_cutoff = 36
    counselor_late_minutes = 5
    no_contact_days = 14
    idle_logoff_minutes = 15

    [keys]
    mark_kept = "k"
    privacy = "ctrl+b"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import msgspec

from caseload.domain import dates
from caseload.domain.records import Settings, ValidationError


class Config(msgspec.Struct, frozen=True):
    """Everything read from the configuration file and the environment."""

    settings: Settings = Settings()
    database_url: str | None = None
    database_path: Path | None = None
    keys: dict[str, str] = msgspec.field(default_factory=dict)
    source: Path | None = None
    encrypted: bool = False
    backup_keep: int = 14
    backup_dir: Path | None = None


def config_path() -> Path:
    env = os.environ.get("CASELOAD_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path("caseload") / "config.toml"


def _settings_from(table: dict[str, object], base: Settings) -> Settings:
    known = frozenset(Settings.__struct_fields__)
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in known:
            raise ValidationError(f"Unknown setting '{key}' in [rules].")
        default = getattr(base, key)
        if isinstance(default, bool) or type(value) not in (int, float, str):
            raise ValidationError(f"Setting '{key}' has an unusable value.")
        if isinstance(default, int) and not isinstance(value, int):
            raise ValidationError(f"Setting '{key}' must be a whole number.")
        if isinstance(default, float) and not isinstance(value, int | float):
            raise ValidationError(f"Setting '{key}' must be a number.")
        if isinstance(default, str) and not isinstance(value, str):
            raise ValidationError(f"Setting '{key}' must be text.")
        if isinstance(value, int | float) and value < 0:
            raise ValidationError(f"Setting '{key}' cannot be negative.")
        values[key] = float(value) if isinstance(default, float) and isinstance(
            value, int | float) else value
    settings = msgspec.structs.replace(base, **values)  # type: ignore[arg-type]
    if not 0 <= settings.week_start <= 6:
        raise ValidationError("Setting 'week_start' must be 0 (Monday) to 6 (Sunday).")
    dates.zone_named(settings.timezone)
    return settings


def system_zone() -> str:
    """The machine's own IANA zone name (TZ, /etc/timezone or /etc/localtime), else UTC.

    The clinic's zone defaults to the server's, so a clinic that never configures it still sees
    local times; `timezone` in the config file or CASELOAD_TIMEZONE overrides it.
    """
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name or name.startswith("/"):
            continue
        try:
            dates.zone_named(name)
            return name
        except ValidationError:
            continue
    return "UTC"


def load_config(path: Path | None = None) -> Config:
    """Read the configuration; a missing file gives the defaults, a bad one a clear error."""
    path = path or config_path()
    data: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(f"Cannot read {path}: {exc}") from exc
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ValidationError(f"[rules] in {path} must be a table.")
    rules = {"timezone": system_zone(), **rules}
    if "timezone" in data:
        rules = {**rules, "timezone": data["timezone"]}
    env_tz = os.environ.get("CASELOAD_TIMEZONE")
    if env_tz:
        rules = {**rules, "timezone": env_tz}
    settings = _settings_from(rules, Settings())
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ValidationError(f"[keys] in {path} must map action ids to key names.")
    url = os.environ.get("CASELOAD_DATABASE_URL") or data.get("database_url")
    db_path = data.get("database_path")
    encrypted = data.get("encrypted", False)
    if not isinstance(encrypted, bool):
        raise ValidationError(f"encrypted in {path} must be true or false.")
    keep, backup_dir = data.get("backup_keep", 14), data.get("backup_dir")
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise ValidationError(f"backup_keep in {path} must be a whole number (0: no backups).")
    return Config(
        settings=settings,
        database_url=str(url) if url else None,
        database_path=Path(str(db_path)).expanduser() if db_path else None,
        keys={str(k): str(v) for k, v in keys.items()},
        source=path if path.exists() else None,
        encrypted=encrypted,
        backup_keep=keep,
        backup_dir=Path(str(backup_dir)).expanduser() if backup_dir else None,
    )
