"""Exceptions with messages meant for a human; translated at the CLI and HTTP edges."""


class LoupeError(Exception):
    """Base class: the message says what went wrong and what to do."""

    code = "error"


class SourceError(LoupeError):
    """A source file could not be read or parsed."""

    code = "source_error"


class IndexMissing(LoupeError):
    """No index at the given path."""

    code = "index_missing"


class IndexLocked(LoupeError):
    """Another process is building the index."""

    code = "index_locked"
