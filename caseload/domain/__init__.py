"""Caseload domain layer."""
