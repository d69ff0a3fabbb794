"""Caseload tui screens layer."""
