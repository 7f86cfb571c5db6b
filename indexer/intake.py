"""Checked uploads: which folder of a source takes new files, and whether one file may go there.

Nothing here knows HTTP: a file arrives as a stream and a bare file name (the
web route makes the name safe and adapts its upload object). A refusal is an
UploadRefused whose `reason` and `details` the caller turns into words.
"""

from __future__ import annotations

import os
import re
import secrets
from fnmatch import fnmatchcase
from pathlib import Path, PurePath
from typing import BinaryIO

from indexer.corpus import KNOWN_EXTENSIONS, format_of
from indexer.errors import LoupeError
from indexer.registry import RegisteredSource

COMPRESSED_MAGIC = {".xz": b"\xfd7zXZ\x00", ".gz": b"\x1f\x8b"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
GLOB_CHARACTERS = "*?["


class UploadRefused(LoupeError):
    """One uploaded file is not saved. `reason` names why (bad_type, readme, single_file, glob,
    too_large, empty, bad_compressed, bad_encoding, binary, exists, not_feed); `details` fill the message."""

    code = "upload_refused"

    def __init__(self, reason: str, **details: str) -> None:
        super().__init__(f"upload refused: {reason}" + "".join(f"; {k}: {v}" for k, v in details.items()))
        self.reason = reason
        self.details = details


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in GLOB_CHARACTERS)


def upload_folder(source: RegisteredSource, base: Path) -> Path | None:
    """The folder uploads for `source` go to: its directory, or the fixed part of its glob; None for one file."""
    if _is_glob(source.path):
        fixed = []
        for part in Path(source.path).parts:
            if _is_glob(part):
                break
            fixed.append(part)
        return base.joinpath(*fixed)
    path = base / source.path
    return path if path.is_dir() else None


def glob_reads(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Would Path.glob(pattern) read `path` (both as parts)? `**` is any number of folders, down to none.

    Python 3.11's PurePath.match has no `**`, so each other part is matched to one
    name by fnmatch, as Path.glob does; a trailing `**` takes everything below.
    """
    if not pattern:
        return not path
    if pattern[0] == "**":
        return any(glob_reads(pattern[1:], path[skip:]) for skip in range(len(path) + 1))
    return bool(path) and fnmatchcase(path[0], pattern[0]) and glob_reads(pattern[1:], path[1:])


def _extension_of(name: str) -> str | None:
    lowered = name.lower()
    return next((ext for ext in sorted(KNOWN_EXTENSIONS, key=len, reverse=True) if lowered.endswith(ext)), None)


def check_content(content: bytes, extension: str) -> None:
    """Raise UploadRefused unless `content` looks like a file of that type."""
    for suffix, magic in COMPRESSED_MAGIC.items():
        if extension.endswith(suffix):
            if not content.startswith(magic):
                raise UploadRefused("bad_compressed", ext=suffix)
            return
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused("bad_encoding")
    if CONTROL_CHARACTERS.search(text):
        raise UploadRefused("binary")


def save_upload(stream: BinaryIO, name: str, source: RegisteredSource, base: Path, limit: int) -> Path:
    """Check one file and save it as `name` into the source's folder; UploadRefused says why not.

    `name` must already be a bare, safe file name (the route passes it through secure_filename).
    """
    if name and (name != PurePath(name).name or name.startswith(".")):
        raise ValueError(f"save_upload takes a bare file name, not {name!r}: keep only its last part")
    extension = _extension_of(name)
    if not name or extension is None:
        raise UploadRefused("bad_type", types=", ".join(KNOWN_EXTENSIONS))
    if name.lower().startswith("readme"):
        raise UploadRefused("readme")
    folder = upload_folder(source, base)
    if folder is None:
        raise UploadRefused("single_file", path=source.path)
    if _is_glob(source.path):
        relative = (folder / name).relative_to(base)
        if not glob_reads(Path(source.path).parts, relative.parts):
            raise UploadRefused("glob", pattern=source.path)
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise UploadRefused("too_large", limit=megabytes(limit))
    if not content.strip():
        raise UploadRefused("empty")
    check_content(content, extension)
    destination = folder / name
    if destination.exists():
        raise UploadRefused("exists", name=name)
    folder.mkdir(parents=True, exist_ok=True)
    # A hidden temporary file (the indexer skips those), then a link that fails rather than overwrite.
    partial = folder / f".upload-{secrets.token_hex(8)}-{name}"
    try:
        partial.write_bytes(content)
        if format_of(partial) is None:  # an .xml that is not an RSS/Atom feed, say
            raise UploadRefused("not_feed")
        os.link(partial, destination)
    except FileExistsError:
        raise UploadRefused("exists", name=name) from None
    finally:
        partial.unlink(missing_ok=True)
    return destination
