"""Helpers shared by the test suites (real SQLite files, a settable clock)."""
