"""Random and corrupted bytes in every source format give Documents or Failures naming the file, never an exception (Hypothesis)."""

from __future__ import annotations

import gzip
import json
import lzma
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engines.whoosh import build_index
from indexer.corpus import read_file
from indexer.document import Document
from indexer.errors import SourceError
from indexer.sources.outcome import Failure
from engines.whoosh.store import open_current

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

_RECORDS = [
    {"id": "f1", "title": "Souveraineté au Mali", "body": "Le gouvernement de transition défend la souveraineté.",
     "author": "AFP", "date": "2020-07-02", "tags": ["Mali", "Sahel"], "url": "https://exemple.fr/1"},
    {"id": "f2", "title": "Coopération", "body": "La coopération régionale au Sahel reprend à Niamey.", "date": "2021-01-05"},
]
_JSONL = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _RECORDS).encode()
_CSV = ("id;title;body;author;date;tags\n"
        "c1;Souveraineté;Le gouvernement défend la souveraineté du Mali.;AFP;02/07/2020;Mali|Sahel\n"
        "c2;Coopération;\"La coopération, régionale; au Sahel\";;2021-01-05;\n").encode()
_TEXT = "Souveraineté au Mali\n\nPublié le 3 février 2026\n\nLe gouvernement de transition défend la souveraineté.\n\nAwa TRAORÉ\n".encode()
_HTML_PAGE = next((FIXTURES / "html" / "orangesum").glob("*.html")).read_bytes()[:60_000]
_RSS = (FIXTURES / "feeds" / "actualites-sahel.rss").read_bytes()
_ATOM = (FIXTURES / "feeds" / "chroniques-culture.atom").read_bytes()

# file name → a valid sample of that format, as bytes on disk.
SAMPLES: dict[str, bytes] = {
    "sample.txt": _TEXT,
    "sample.jsonl": _JSONL,
    "sample.ndjson": _JSONL,
    "sample.jsonl.gz": gzip.compress(_JSONL),
    "sample.jsonl.xz": lzma.compress(_JSONL),
    "sample.html": _HTML_PAGE,
    "sample.rss": _RSS,
    "sample.atom": _ATOM,
    "sample.xml": _RSS,
    "sample.csv": _CSV,
}
NAMES = sorted(SAMPLES)


@st.composite
def corrupted(draw, original: bytes) -> bytes:
    """A valid sample with byte flips, a truncation, an insertion or a deletion."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "splice"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from(
                [b"\x00", b"\xff\xfe", b"<!ENTITY x 'y'>", b"]]>", b"\"", b"\n", b"\r\n", b"<", b"&amp", b"\xc3"]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        else:  # a copy of another part, as a bad concatenation leaves
            start = draw(st.integers(0, len(data) - 1))
            data[at:at] = data[start:start + draw(st.integers(1, 200))]
    return bytes(data)


def _read(name: str, content: bytes) -> tuple[Path, list]:
    """read_file on `content` saved as `name` in a fresh directory: its path and what it yielded."""
    folder = Path(tempfile.mkdtemp(prefix="ingest-fuzz-"))
    path = folder / name
    path.write_bytes(content)
    try:
        return path, list(read_file(path))
    finally:
        path.unlink()
        folder.rmdir()


def _assert_documents_or_failures_naming(path: Path, items: list) -> None:
    for item in items:
        assert isinstance(item, (Document, Failure)), item
        if isinstance(item, Failure):
            assert str(item).startswith(str(path)), str(item)
            assert str(item)[len(str(path)):].strip(": ").strip(), f"a failure without a reason: {item}"
        else:
            # A document with no word in it cannot be found by any search: it should have been a Failure.
            assert item.id and any(c.isalnum() for c in item.title + item.body), item
            assert item.origin.startswith(str(path)), item.origin


@pytest.mark.parametrize("name", NAMES)
def test_each_sample_reads_as_documents(name: str) -> None:
    """The starting points are real files (the RSS fixture holds one deliberately empty entry)."""
    path, items = _read(name, SAMPLES[name])
    assert any(isinstance(item, Document) for item in items), [str(i) for i in items]
    _assert_documents_or_failures_naming(path, items)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_corrupted_sample_gives_documents_or_failures_naming_the_file(name: str, data) -> None:
    content = data.draw(corrupted(SAMPLES[name]), label="content")
    path, items = _read(name, content)
    _assert_documents_or_failures_naming(path, items)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=2048))
def test_random_bytes_give_documents_or_failures_naming_the_file(name: str, content: bytes) -> None:
    path, items = _read(name, content)
    _assert_documents_or_failures_naming(path, items)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    broken=st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
    data=st.data(),
)
def test_a_batch_with_corrupted_files_still_indexes_the_good_one(broken: list[str], data) -> None:
    """build_index over a folder of corrupted files plus one good file: the good one is in, nothing raises."""
    folder = Path(tempfile.mkdtemp(prefix="ingest-batch-"))
    corpus = folder / "corpus"
    corpus.mkdir()
    for number, name in enumerate(broken):
        (corpus / f"broken{number}-{name}").write_bytes(data.draw(corrupted(SAMPLES[name]), label=name))
    good = {"id": "good-doc", "title": "Bon", "body": "Le mot zythophilie n'apparaît que dans ce document."}
    (corpus / "zz-good.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    try:
        try:
            report = build_index([corpus], folder / "index")
        except SourceError as error:  # "nothing to index": the good file rules it out
            pytest.fail(f"the batch failed as a whole: {error}")
        ix, _build = open_current(folder / "index")
        with ix.searcher() as searcher:
            assert "good-doc" in {fields["id"] for fields in searcher.all_stored_fields()}
        for line in report.failed:
            assert line.startswith(str(corpus)), line
    finally:
        shutil.rmtree(folder, ignore_errors=True)
