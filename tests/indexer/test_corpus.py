"""Finding corpus files: recursive walk, files passed over, explicit bad paths, and a build over the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.corpus import corpus_files, count_documents, format_of, read_sources
from indexer.document import Document
from indexer.sources.outcome import Failure
from engines.whoosh.store import open_current

SEED_000 = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "000_20293e5f2294f2d7.txt"


def write_jsonl(path: Path, ids: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "title": f"Titre {i}", "body": f"Texte de l'article {i}."}) for i in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A corpus tree with nested folders, a README, hidden files and a stray PDF."""
    root = tmp_path / "corpus"
    write_jsonl(root / "2019" / "mars" / "a.jsonl", ["a1", "a2"])
    write_jsonl(root / "2020" / "b.ndjson", ["b1"])
    (root / "seeds").mkdir()
    shutil.copy(SEED_000, root / "seeds" / SEED_000.name)
    (root / "README.md").write_text("# Corpus\n", encoding="utf-8")
    (root / "readme.txt").write_text("Ce dossier contient le corpus.\n", encoding="utf-8")
    write_jsonl(root / ".cache" / "hidden.jsonl", ["hidden1"])
    write_jsonl(root / "2020" / ".hidden.jsonl", ["hidden2"])
    (root / "2020" / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "LICENSE").write_text("CC BY-SA 4.0\n", encoding="utf-8")
    return root


def relative(paths, root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_a_directory_is_walked_recursively_in_sorted_order(corpus_dir: Path) -> None:
    files = list(corpus_files([corpus_dir]))
    assert relative(files, corpus_dir) == [
        "2019/mars/a.jsonl",
        "2020/b.ndjson",
        f"seeds/{SEED_000.name}",
    ]


def test_readme_hidden_and_unknown_files_inside_a_directory_are_passed_over_silently(corpus_dir: Path) -> None:
    items = list(corpus_files([corpus_dir]))
    assert not any(isinstance(item, Failure) for item in items)
    names = {item.name for item in items}
    assert names.isdisjoint({"README.md", "readme.txt", "hidden.jsonl", ".hidden.jsonl", "scan.pdf", "LICENSE"})


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.jsonl", "jsonl"),
        ("a.JSONL", "jsonl"),
        ("a.jsonl.xz", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("page.txt", "text"),
        ("notes.pdf", None),
        ("archive.tar.xz", None),
    ],
)
def test_the_format_comes_from_the_file_name(name: str, expected: str | None) -> None:
    assert format_of(Path(name)) == expected


def test_an_explicitly_named_file_of_unknown_type_is_a_failure_naming_it(tmp_path: Path) -> None:
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    [failure] = list(corpus_files([pdf]))
    assert isinstance(failure, Failure)
    assert failure.origin == str(pdf)
    assert str(failure).startswith(f"{pdf}: unknown file type")


def test_a_missing_path_is_a_failure_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    [failure] = list(corpus_files([missing]))
    assert isinstance(failure, Failure)
    assert str(missing) in str(failure)
    assert "no such file or directory" in failure.reason


def test_an_explicitly_named_known_file_is_read_even_if_hidden(tmp_path: Path) -> None:
    hidden = write_jsonl(tmp_path / ".later.jsonl", ["x1"])
    assert list(corpus_files([hidden])) == [hidden]


def test_read_sources_gives_documents_of_every_file_and_failures_for_bad_paths(corpus_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    items = list(read_sources([corpus_dir, pdf, tmp_path / "absent"]))
    documents = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert sorted(d.id for d in documents if not d.origin.endswith(".txt")) == ["a1", "a2", "b1"]
    assert len(documents) == 4
    assert [f.origin for f in failures] == [str(pdf), str(tmp_path / "absent")]


def test_a_build_indexes_the_rest_when_some_paths_fail(corpus_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    missing = tmp_path / "absent"
    report = build_index([pdf, corpus_dir, missing], tmp_path / "index")
    assert report.added == 4
    assert len(report.failed) == 2
    assert report.failed[0].startswith(f"{pdf}: unknown file type")
    assert report.failed[1].startswith(f"{missing}: ")
    ix, _ = open_current(tmp_path / "index")
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 4


def test_a_text_file_that_cannot_be_decoded_is_a_failure_and_the_rest_is_read(tmp_path: Path) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes("Titre\n\nTexte".encode("utf-16"))
    good = write_jsonl(tmp_path / "good.jsonl", ["g1"])
    items = list(read_sources([binary, good]))
    assert [i.id for i in items if isinstance(i, Document)] == ["g1"]
    [failure] = [i for i in items if isinstance(i, Failure)]
    assert failure.origin == str(binary)


def test_count_documents_counts_jsonl_records_and_one_per_text_file(corpus_dir: Path) -> None:
    assert count_documents([corpus_dir]) == 2 + 1 + 1


def test_count_documents_passes_over_a_corrupt_xz_file_instead_of_raising(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jsonl.xz"
    corrupt.write_bytes(b"this is not xz data at all")
    good = write_jsonl(tmp_path / "good.jsonl", ["g1", "g2"])
    assert count_documents([corrupt, good]) == 2
