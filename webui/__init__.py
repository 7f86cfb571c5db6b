"""Loupe web UI: everything that reads the index and answers researchers."""
