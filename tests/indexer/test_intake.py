"""Checked uploads without HTTP: a source's upload folder, what its glob reads, content checks, saving."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from indexer.intake import UploadRefused, check_content, glob_reads, save_upload, upload_folder
from indexer.registry import RegisteredSource

LIMIT = 1000
JSONL = '{"id": "1", "title": "Titre", "body": "Un texte sur la souveraineté."}\n'.encode()


def save(tmp_path: Path, content: bytes, name: str, path: str = "presse") -> Path:
    (tmp_path / "presse").mkdir(exist_ok=True)
    return save_upload(io.BytesIO(content), name, RegisteredSource("presse", path), tmp_path, LIMIT)


def test_the_upload_folder_is_the_sources_directory_or_the_fixed_part_of_its_glob(tmp_path: Path) -> None:
    (tmp_path / "presse").mkdir()
    (tmp_path / "archive.jsonl").write_bytes(JSONL)
    assert upload_folder(RegisteredSource("a", "presse"), tmp_path) == tmp_path / "presse"
    assert upload_folder(RegisteredSource("b", "presse/2024/*.txt"), tmp_path) == tmp_path / "presse" / "2024"
    assert upload_folder(RegisteredSource("c", "*.jsonl"), tmp_path) == tmp_path
    assert upload_folder(RegisteredSource("d", "archive.jsonl"), tmp_path) is None


@pytest.mark.parametrize(
    ("pattern", "path", "reads"),
    [
        ("presse/*.txt", "presse/article.txt", True),
        ("presse/*.txt", "presse/lot.jsonl", False),
        ("presse/*.txt", "presse/sous/article.txt", False),  # `*` stays inside one folder
        ("presse/**/*.txt", "presse/article.txt", True),  # `**` may be no folder at all
        ("presse/**/*.txt", "presse/a/b/article.txt", True),
        ("**/*.txt", "article.txt", True),
        ("presse/**", "presse/lot.jsonl", True),
        ("presse/*/*.txt", "presse/article.txt", False),
        ("presse/lot-?.jsonl", "presse/lot-1.jsonl", True),
        ("presse/lot-?.jsonl", "presse/lot-12.jsonl", False),
        ("presse/[ab]*.txt", "presse/bilan.txt", True),
        ("presse/[ab]*.txt", "presse/compte.txt", False),
        ("presse/*.txt", "presse/ARTICLE.TXT", False),  # as case-sensitive as Path.glob on POSIX
    ],
)
def test_a_glob_reads_the_paths_path_glob_would_find(pattern: str, path: str, reads: bool) -> None:
    assert glob_reads(Path(pattern).parts, Path(path).parts) is reads


@pytest.mark.parametrize(
    ("content", "extension", "reason"),
    [
        (b"not xz", ".jsonl.xz", "bad_compressed"),
        (b"not gzip", ".jsonl.gz", "bad_compressed"),
        (bytes(range(256)) * 40, ".jsonl", "bad_encoding"),
        (b'{"id": "1"}\n\x00\x01', ".jsonl", "binary"),
    ],
)
def test_content_that_is_not_what_its_extension_says_is_refused(content: bytes, extension: str, reason: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        check_content(content, extension)
    assert refused.value.reason == reason


def test_text_in_windows_1252_and_a_real_gzip_pass_the_content_check() -> None:
    check_content("l'été à Bamako\n".encode("cp1252"), ".txt")
    check_content(gzip.compress(JSONL), ".jsonl.gz")


def test_a_good_file_is_saved_into_the_source_folder_with_no_temporary_file_left(tmp_path: Path) -> None:
    saved = save(tmp_path, JSONL, "lot-2.jsonl")
    assert saved == tmp_path / "presse" / "lot-2.jsonl" and saved.read_bytes() == JSONL
    assert [p.name for p in (tmp_path / "presse").iterdir()] == ["lot-2.jsonl"]


@pytest.mark.parametrize(
    ("content", "name", "path", "reason", "details"),
    [
        (JSONL, "setup.exe", "presse", "bad_type", {"types": ".txt"}),
        (JSONL, "", "presse", "bad_type", {}),
        (b"# notes\n", "README.txt", "presse", "readme", {}),
        (JSONL, "lot.jsonl", "presse/*.txt", "glob", {"pattern": "presse/*.txt"}),
        (JSONL * 20, "gros.jsonl", "presse", "too_large", {}),
        (b"  \n", "vide.jsonl", "presse", "empty", {}),
        (b'<?xml version="1.0"?><urlset></urlset>', "plan.xml", "presse", "not_feed", {}),
    ],
)
def test_a_refused_file_says_why_and_nothing_is_written(tmp_path: Path, content: bytes, name: str, path: str,
                                                         reason: str, details: dict) -> None:
    with pytest.raises(UploadRefused) as refused:
        save(tmp_path, content, name, path)
    assert refused.value.reason == reason
    assert all(value in refused.value.details[key] for key, value in details.items())
    assert not list((tmp_path / "presse").iterdir())


def test_a_single_file_source_takes_no_upload(tmp_path: Path) -> None:
    (tmp_path / "archive.jsonl").write_bytes(JSONL)
    with pytest.raises(UploadRefused) as refused:
        save(tmp_path, JSONL, "lot.jsonl", path="archive.jsonl")
    assert (refused.value.reason, refused.value.details) == ("single_file", {"path": "archive.jsonl"})


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    save(tmp_path, JSONL, "lot.jsonl")
    with pytest.raises(UploadRefused) as refused:
        save(tmp_path, JSONL.replace(b"Titre", b"Autre"), "lot.jsonl")
    assert (refused.value.reason, refused.value.details) == ("exists", {"name": "lot.jsonl"})
    assert (tmp_path / "presse" / "lot.jsonl").read_bytes() == JSONL


@pytest.mark.parametrize("name", ["../evil.jsonl", "sous/lot.jsonl", ".cache.jsonl"])
def test_a_name_that_is_not_a_bare_visible_file_name_is_a_caller_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="bare file name"):
        save(tmp_path, JSONL, name)
    assert not list(tmp_path.rglob("*.jsonl"))
