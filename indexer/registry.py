"""The source registry, corpus/sources.toml: what a librarian declared, one table per source.

    [sources.seeds]
    path = "seeds/*.txt"          # a file, a directory or a glob, relative to this file
    source = "Presse malienne"    # publication name for documents that carry none
    section = "Afrique"           # default section
    language = "fr"

    [sources.exports.columns]     # CSV only: Document field = column name
    body = "texte"
    published = "date_parution"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import CorpusSource
from indexer.errors import LoupeError

REGISTRY_FILE = "sources.toml"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FIELDS = ("path", "source", "section", "language")
TABLES = ("columns",)


class RegistryError(LoupeError):
    """The registry file is malformed or an operation on it is not possible."""

    code = "registry_error"


@dataclass(frozen=True)
class RegisteredSource:
    name: str
    path: str  # as written in the registry: relative to the registry's folder
    source: str = ""
    section: str = ""
    language: str = "fr"
    columns: tuple[tuple[str, str], ...] = ()  # CSV column mapping

    def files(self, base: Path) -> tuple[Path, ...]:
        """The paths this source covers: a glob is expanded, sorted."""
        if any(ch in self.path for ch in "*?["):
            return tuple(sorted(base.glob(self.path)))
        return (base / self.path,)

    def corpus_source(self, base: Path) -> CorpusSource:
        return CorpusSource(self.name, self.files(base), self.source, self.section, self.language, self.columns)


def load_registry(path: Path) -> list[RegisteredSource]:
    """Sources declared in `path`; [] when the file does not exist."""
    if not path.exists():
        return []
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8")).get("sources", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RegistryError(f"{path} is not valid TOML ({error}); fix it or remove it") from None
    sources = []
    for name, table in tables.items():
        if not isinstance(table, dict) or not isinstance(table.get("path"), str):
            raise RegistryError(f"{path}: [sources.{name}] needs a path = \"…\" line")
        unknown = set(table) - set(FIELDS) - set(TABLES)
        if unknown:
            allowed = ", ".join(FIELDS + TABLES)
            raise RegistryError(f"{path}: [sources.{name}] has unknown keys {sorted(unknown)}; allowed: {allowed}")
        columns = table.get("columns", {})
        if not isinstance(columns, dict):
            raise RegistryError(f"{path}: [sources.{name}.columns] must be a table of field = \"column\"")
        plain = {k: str(v) for k, v in table.items() if k in FIELDS}
        sources.append(RegisteredSource(name=name, columns=tuple((str(k), str(v)) for k, v in columns.items()), **plain))
    return sources


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def save_registry(path: Path, sources: list[RegisteredSource]) -> None:
    """Write the registry atomically (a reader never sees half a file)."""
    blocks = ["# Loupe source registry: one [sources.NAME] table per source (see README)."]
    for s in sources:
        lines = [f"[sources.{s.name}]", f"path = {_toml_string(s.path)}"]
        lines += [f"{key} = {_toml_string(getattr(s, key))}" for key in FIELDS[1:] if getattr(s, key)]
        if s.columns:
            lines += ["", f"[sources.{s.name}.columns]"]
            lines += [f"{field} = {_toml_string(column)}" for field, column in s.columns]
        blocks.append("\n".join(lines))
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    tmp.replace(path)


def add_source(path: Path, new: RegisteredSource) -> list[RegisteredSource]:
    if not NAME_PATTERN.match(new.name):
        raise RegistryError(f"source name {new.name!r} must be letters, digits, '-', '_' or '.' (up to 64)")
    sources = load_registry(path)
    if any(s.name == new.name for s in sources):
        raise RegistryError(f"a source named {new.name!r} exists; remove it first or pick another name")
    sources.append(new)
    save_registry(path, sources)
    return sources


def remove_source(path: Path, name: str) -> list[RegisteredSource]:
    sources = load_registry(path)
    if not any(s.name == name for s in sources):
        known = ", ".join(s.name for s in sources) or "none"
        raise RegistryError(f"no source named {name!r} (registered: {known})")
    sources = [s for s in sources if s.name != name]
    save_registry(path, sources)
    return sources
