"""What reading a source yields besides Documents: a failure with its place and reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """A file or record that could not be indexed; `origin` is `path` or `path:line`."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"
