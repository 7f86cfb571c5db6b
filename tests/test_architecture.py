"""The import rules of ARCHITECTURE.md, read from every module's imports with ast: a forbidden one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("indexer", "engines", "search", "webui")
# The engine seam's own vocabulary: what search/ and webui/ may import from engines/.
SEAM = ("engines.base", "engines.query", "engines.dates", "engines.factory")

# package → import prefixes its modules must not use
FORBIDDEN = {
    "indexer": ("flask", "werkzeug", "search", "webui", "engines"),
    "engines": ("flask", "werkzeug", "search", "webui"),
    "search": ("flask", "werkzeug", "whoosh", "webui", "engines.whoosh", "engines.solr"),
    "webui": ("whoosh", "engines.whoosh", "engines.solr"),
}
# Seam modules name no backend library either, so search/ and webui/ stay engine-free through them.
SEAM_FORBIDDEN = ("whoosh", "requests", "engines.whoosh", "engines.solr")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, including those inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(path: Path, forbidden: tuple[str, ...], allowed: tuple[str, ...] = (), root: Path = REPO) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line} imports {name}"
        for line, name in imports_of(path)
        if any(_matches(name, prefix) for prefix in forbidden) and not any(_matches(name, ok) for ok in allowed)
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_what_its_rules_forbid(package: str) -> None:
    allowed = SEAM if package in ("search", "webui") else ()
    found = [v for path in modules(package) for v in violations(path, FORBIDDEN[package], allowed)]
    assert found == []


@pytest.mark.parametrize("seam_module", SEAM)
def test_the_engine_seam_names_no_backend(seam_module: str) -> None:
    path = REPO / (seam_module.replace(".", "/") + ".py")
    top_level = [(line, name) for line, name in imports_of(path)]
    # The factory imports backends inside its function, only for the engine a deployment names.
    if seam_module == "engines.factory":
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [(n.lineno, n.module) for n in tree.body if isinstance(n, ast.ImportFrom) and n.module]
    bad = [f"{seam_module}:{line} imports {name}" for line, name in top_level
           if any(_matches(name, prefix) for prefix in SEAM_FORBIDDEN)]
    assert bad == []


def test_the_rules_catch_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself: a module of webui/ importing whoosh is reported with its line."""
    bad = tmp_path / "webui" / "probe.py"
    bad.parent.mkdir()
    bad.write_text("from __future__ import annotations\n\ndef f():\n    import whoosh.query\n", encoding="utf-8")
    assert violations(bad, FORBIDDEN["webui"], SEAM, root=tmp_path) == ["webui/probe.py:4 imports whoosh.query"]


def test_every_module_of_the_packages_is_checked() -> None:
    names = {module_name(path) for package in PACKAGES for path in modules(package)}
    assert {"webui.app", "search.service", "engines.whoosh.engine", "indexer.build"} <= names
