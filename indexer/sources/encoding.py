"""Bytes of a source file → text: BOM, declared charset, UTF-8, Windows-1252, then detection."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from indexer.errors import SourceError

# Single-byte labels that browsers read as Windows-1252 (WHATWG Encoding Standard):
# pages saying "iso-8859-1" use ’ … € and œ from cp1252's 0x80–0x9F block all the time.
_WINDOWS_1252_CODECS = frozenset({"cp1252", "iso8859-1", "ascii"})  # codecs.lookup() names
# Only Western encodings are candidates for detection: unrestricted, charset-normalizer
# reads short French cp1252 text as cp1250 ("à" → "ŕ") or cp850.
_DETECTABLE = ["mac_roman", "cp850", "iso8859_15"]
_HTML_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_UTF16_OR_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# The HTML standard looks at 1,024 bytes; news pages often put scripts before the meta.
HEAD_BYTES = 4096


class UndecodableText(ValueError):
    """The bytes are binary, UTF-16 or in no encoding we can tell; the message says what to do."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the Python codec name that was used, e.g. "utf-8", "cp1252"


def read_source_bytes(path: Path) -> bytes:
    """The file's bytes, or a SourceError saying what to check."""
    try:
        return path.read_bytes()
    except OSError as error:
        reason = f"cannot read the file ({error.strerror or error}); check the path and its permissions"
        raise SourceError(f"{path}: {reason}") from error


def decode_source_bytes(path: Path, data: bytes, declared: str | None = None, detect: bool = True) -> str:
    """The text of a source file's bytes, or a SourceError naming the file and saying what to do."""
    try:
        return decode_bytes(data, declared, detect=detect).text
    except UndecodableText as error:
        raise SourceError(f"{path}: {error}") from None


def declared_html_charset(data: bytes) -> str | None:
    """The charset of `<meta charset>` or `<meta http-equiv=Content-Type>` near the top."""
    found = _HTML_CHARSET.search(data[:HEAD_BYTES])
    return found.group(1).decode("ascii") if found else None


def declared_xml_encoding(data: bytes) -> str | None:
    """The encoding of the `<?xml … encoding="…"?>` declaration, if any."""
    found = _XML_ENCODING.match(data.removeprefix(codecs.BOM_UTF8)[:HEAD_BYTES])
    return found.group(1).decode("ascii") if found else None


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # a typo such as charset="utf8x" counts as no declaration


def _try(data: bytes, encoding: str) -> DecodedText | None:
    try:
        return DecodedText(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        return None


def _from_declared(data: bytes, codec: str) -> DecodedText | None:
    if codec == "utf-8":
        return _try(data, "utf-8")
    if codec in _WINDOWS_1252_CODECS:
        # Valid UTF-8 with accents under a Latin-1 label is a mislabelled UTF-8 page:
        # real cp1252 French text is practically never valid UTF-8 by chance.
        as_utf8 = None if data.isascii() else _try(data, "utf-8")
        return as_utf8 or _try(data, "cp1252")
    return _try(data, codec)


def _detected(data: bytes) -> DecodedText | None:
    best = from_bytes(data, cp_isolation=_DETECTABLE).best()
    return DecodedText(str(best), best.encoding) if best is not None else None


def decode_bytes(data: bytes, declared: str | None = None, *, detect: bool = True) -> DecodedText:
    """Decode a file's bytes: UTF-8 BOM, then `declared`, UTF-8, Windows-1252, detection.

    Windows-1252 comes before detection because it is what French Windows tools
    write; it fails only on the five bytes it leaves undefined, which is what Mac
    Roman (è = 0x8F) or DOS (É = 0x90) French files contain, and where detection
    among Western encodings helps. Raises UndecodableText for binary data (NUL
    bytes), UTF-16/32, and bytes no candidate can decode.
    """
    if data.startswith(codecs.BOM_UTF8):
        decoded = _try(data[len(codecs.BOM_UTF8):], "utf-8")
        if decoded:
            return decoded
        raise UndecodableText("starts with a UTF-8 BOM but is not UTF-8; re-save it as UTF-8")
    if data.startswith(_UTF16_OR_32_BOMS) or b"\x00" in data:
        raise UndecodableText("holds NUL bytes, so it is binary or UTF-16; re-save it as UTF-8")
    codec = _codec_name(declared)
    candidates = [
        lambda: _from_declared(data, codec) if codec else None,
        lambda: _try(data, "utf-8"),
        lambda: _try(data, "cp1252"),
        lambda: _detected(data) if detect else None,
    ]
    for candidate in candidates:
        decoded = candidate()
        if decoded:
            return decoded
    raise UndecodableText("not UTF-8 or Windows-1252 text; re-save it as UTF-8")
