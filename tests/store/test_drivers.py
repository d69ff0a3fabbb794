"""caseload.drivers: psycopg is loaded only for PostgreSQL, and peewee then works as usual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ATTRIBUTES = """
import json, peewee
a = peewee.Psycopg3Adapter
print(json.dumps({
    "psycopg": getattr(peewee.psycopg, "__name__", None),
    "status": repr(peewee.TransactionStatus),
    "json": repr(peewee.Json_pg3), "jsonb": repr(peewee.Jsonb_pg3),
    "txn": [repr(a.txn_idle), repr(a.txn_inerror), repr(a.txn_unknown)],
    "adapter": type(peewee.PostgresqlDatabase("x", prefer_psycopg3=True)._adapter).__name__,
}))
"""


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def test_the_review_command_starts_without_psycopg() -> None:
    code = ("import sys, caseload.cli, caseload.commands.review, caseload.store.db, peewee\n"
            "import caseload.services.review, caseload.io.report\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'psycopg'), "
            "peewee.psycopg)")
    assert _run(code) == "[] None"


def test_enabled_psycopg_looks_to_peewee_as_its_own_import() -> None:
    ordinary = json.loads(_run(ATTRIBUTES))  # peewee imported without caseload's hook
    assert ordinary["psycopg"] == "psycopg", "psycopg is a dependency: it must be installed"
    enabled = json.loads(_run("import caseload, peewee\nassert peewee.psycopg is None\n"
                              "from caseload.drivers import enable_psycopg\nenable_psycopg()\n"
                              "enable_psycopg()\n" + ATTRIBUTES))
    assert enabled == ordinary


def test_other_imports_of_psycopg_are_not_refused() -> None:
    assert _run("import caseload, peewee, psycopg\nprint(psycopg.__name__)") == "psycopg"


@pytest.mark.postgres_only
def test_a_postgresql_database_loads_the_driver(session: object) -> None:
    import peewee

    from caseload.store.models import database

    assert peewee.psycopg is not None
    assert database.execute_sql("SELECT 1").fetchone()[0] == 1
