"""Caseload store layer."""
