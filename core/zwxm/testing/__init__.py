"""Scenario files and the pytest plugin that runs them, for district authors."""
