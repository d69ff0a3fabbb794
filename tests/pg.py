"""The PostgreSQL side of the test suite: a fresh database per test, from a migrated template.

`CASELOAD_TEST_BACKEND=postgres` runs the suite on the server named by
`CASELOAD_TEST_POSTGRES_URL` (a role that may create databases and roles; `.ci/postgres` starts
such a server). The schema is migrated once into a template database; each test gets a copy
(CREATE DATABASE ... TEMPLATE, a file copy: about 20 ms) and drops it afterwards.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import urlsplit, urlunsplit

BACKEND = os.environ.get("CASELOAD_TEST_BACKEND", "sqlite")
ADMIN_URL = os.environ.get("CASELOAD_TEST_POSTGRES_URL", "")
SOCKET_DIR = os.environ.get("CASELOAD_TEST_POSTGRES_SOCKET", "")
ON_POSTGRES = BACKEND == "postgres"

PREFIX = f"caseload_test_{os.getpid()}"
_counter = itertools.count(1)
_template: str | None = None


def url_for(dbname: str, *, user: str | None = None, password: str | None = None) -> str:
    """The admin URL pointed at another database (and optionally another role)."""
    parts = urlsplit(ADMIN_URL)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{user}:{password}@{host}" if password else f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + dbname, parts.query, parts.fragment))


def socket_url(dbname: str) -> str:
    """A URL for the local socket with no password: peer authentication, as on a clinic server."""
    return f"postgresql:///{dbname}?host={SOCKET_DIR}&port={urlsplit(ADMIN_URL).port or 5432}"


def admin():  # type: ignore[no-untyped-def]
    """An autocommit connection of the admin role to its maintenance database."""
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True)


def _drop_leftovers() -> None:
    """Databases of earlier runs that died before cleaning up (their process is gone)."""
    with admin() as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE "
                            "'caseload\\_test\\_%'").fetchall()
        for (name,) in rows:
            pid = int(name.split("_")[2])
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except PermissionError:
                pass


def template() -> str:
    """The migrated template database of this test run (created on first use)."""
    global _template
    if _template is None:
        from caseload.store.db import Location, close_database, open_database
        from caseload.store.migrations import migrate

        _drop_leftovers()
        name = f"{PREFIX}_template"
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        migrate(open_database(Location(url=url_for(name))))
        close_database()
        _template = name
    return _template


def fresh_database(*, empty: bool = False) -> str:
    """A new database for one test (migrated unless `empty`); returns its name."""
    name = f"{PREFIX}_{next(_counter)}"
    source = "template0" if empty else template()
    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    return name


def drop_database(name: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_template() -> None:
    global _template
    if _template is not None:
        drop_database(_template)
        _template = None
