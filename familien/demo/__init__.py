"""Invented demo records for `manage.py seed_demo`."""
