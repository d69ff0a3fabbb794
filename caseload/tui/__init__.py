"""Caseload tui layer."""
