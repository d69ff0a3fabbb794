"""`python -m caseload`."""

from caseload.cli import entry

entry()
