"""Caseload io layer."""
