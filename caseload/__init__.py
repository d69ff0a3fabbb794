"""Caseload: a terminal caseload manager for addiction counselors."""

from caseload import drivers as _drivers

__version__ = "0.1.0"

_drivers.install()  # peewee starts without psycopg; store.db loads it for PostgreSQL
