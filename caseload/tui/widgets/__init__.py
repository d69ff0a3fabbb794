"""Caseload tui widgets layer."""
