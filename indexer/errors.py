"""Exceptions with messages meant for a human; translated at the CLI and HTTP edges."""


class LoupeError(Exception):
    """Base class: the message says what went wrong and what to do."""

    code = "error"
    http_status = 400  # what the web app answers; index trouble is a 503
    # True when the message is for whoever runs Loupe (node addresses, commands to run) rather than
    # for a visitor: the web app logs it and shows a generic message instead (webui/errors.py).
    for_operators = False


class SourceError(LoupeError):
    """A source file could not be read or parsed."""

    code = "source_error"


class IndexMissing(LoupeError):
    """No index at the given path."""

    code = "index_missing"
    http_status = 503
    for_operators = True  # names the index directory and the command to run: not for visitors


class IndexLocked(LoupeError):
    """Another process is building the index."""

    code = "index_locked"
    http_status = 409


class IndexCorrupt(LoupeError):
    """The index files cannot be read."""

    code = "index_corrupt"
    http_status = 503
    for_operators = True


class IndexOutdated(IndexCorrupt):
    """The index was built by an older Loupe whose analysis or schema differ."""

    code = "index_outdated"


class IndexShrunk(LoupeError):
    """A rebuild holds fewer documents than the index in use: it is not swapped in unless allowed."""

    code = "index_shrunk"
    http_status = 409
