"""PostgreSQL's driver is loaded only when a PostgreSQL database is opened.

Peewee imports psycopg (if installed) when peewee itself is imported, and psycopg with its
libpq binding costs about as much as Textual's app module: over half the start-up of
`caseload review` on a counselor's own SQLite file. `install()` (run by `caseload/__init__.py`,
before anything can import peewee) adds an import hook that refuses psycopg *only while peewee's
module body runs*, so peewee starts without it; any other `import psycopg` works as usual.
`enable_psycopg()`, called before a PostgreSQL database is created (`store.db`), imports psycopg
and gives peewee exactly what its own import would have set (the names are checked by
`tests/store/test_drivers.py` against a peewee imported the ordinary way).
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

DEFERRED = ("psycopg",)


class _DeferDuringPeeweeImport:
    """A meta path finder: `import psycopg` fails while peewee is being imported."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        if name in DEFERRED:
            peewee = sys.modules.get("peewee")
            spec = getattr(peewee, "__spec__", None)
            if peewee is not None and getattr(spec, "_initializing", False):
                raise ModuleNotFoundError(f"{name} is loaded when PostgreSQL is used", name=name)
        return None


def install() -> None:
    """Put the hook first on `sys.meta_path` (once)."""
    if not any(isinstance(f, _DeferDuringPeeweeImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferDuringPeeweeImport())


def enable_psycopg() -> None:
    """Import psycopg and hand it to peewee, as if peewee had imported it itself."""
    import peewee

    module: Any = peewee  # the names set below are peewee's module globals
    if module.psycopg is not None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    adapter: Any = module.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
    module.TransactionStatus = TransactionStatus
    module.Json_pg3, module.Jsonb_pg3 = Json, Jsonb
    module.psycopg = psycopg
