"""Caseload: a terminal caseload manager for addiction counselors."""

__version__ = "0.1.0"
