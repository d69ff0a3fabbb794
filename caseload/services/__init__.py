"""Caseload services layer."""
