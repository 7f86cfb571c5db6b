"""Tidying text taken out of markup (HTML pages, feeds): one clean line, and the language of a tag."""

from __future__ import annotations

import unicodedata

# Soft hyphen, zero-width spaces and joiners, word joiner, BOM: invisible, and they split words.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
DEFAULT_LANGUAGE = "fr"


def clean_line(text: str | None) -> str:
    """NFC, invisible characters removed, every run of white space (NBSP included) as one space."""
    return " ".join(unicodedata.normalize("NFC", text or "").translate(_INVISIBLE).split())


def primary_language(tag: str | None) -> str:
    """`fr-FR` → `fr`; French when the tag is missing or is no language subtag."""
    primary = (tag or "").strip().lower().split("-")[0]
    return primary if primary.isalpha() and len(primary) in (2, 3) else DEFAULT_LANGUAGE
