"""Loupe indexer: everything that reads sources and writes the Whoosh index."""
