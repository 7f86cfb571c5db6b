"""JSON Lines exports in the OrangeSum layout: plain, xz and gzip, bad lines, truncation, duplicates."""

from __future__ import annotations

import gzip
import json
import lzma
from datetime import date
from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.corpus import count_documents, read_file
from indexer.document import Document
from indexer.errors import SourceError
from indexer.sources.jsonl import read_jsonl
from indexer.sources.outcome import Failure
from engines.whoosh.store import open_current

ORANGESUM_RECORD = {
    "id": "00010",
    "url": "https://actu.orange.fr/monde/mali-article-CNT000001.html",
    "title": "Mali : la Chine renforce sa coopération",
    "date": "2020-07-02T19:19:33+02:00",
    "author": None,
    "section": "Monde",
    "tags": ["Mali", "Chine"],
    "summary": "Bamako et Pékin signent un accord.",
    "body": "Premier paragraphe.\n\nSecond paragraphe sur la souveraineté.",
    "source": "Orange Actu (actu.orange.fr)",
    "split": "train",
    "split_title": None,
    "duplicate_of": None,
}


def record(n: int, **fields) -> dict:
    return {
        "id": f"{n:05d}",
        "url": f"https://actu.orange.fr/article-{n}.html",
        "title": f"Article numéro {n}",
        "date": "2019-03-01T10:00:00+01:00",
        "author": "AFP",
        "section": "France",
        "tags": [],
        "summary": "Chapô.",
        "body": f"Corps de l'article {n} sur la coopération.",
        "source": "Orange Actu (actu.orange.fr)",
        **fields,
    }


def jsonl_text(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_plain(path: Path, records: list[dict]) -> Path:
    path.write_text(jsonl_text(records), encoding="utf-8")
    return path


def write_xz(path: Path, records: list[dict]) -> Path:
    path.write_bytes(lzma.compress(jsonl_text(records).encode("utf-8")))
    return path


def write_gz(path: Path, records: list[dict]) -> Path:
    path.write_bytes(gzip.compress(jsonl_text(records).encode("utf-8")))
    return path


def documents_of(path: Path) -> list[Document]:
    items = list(read_jsonl(path))
    assert all(isinstance(item, Document) for item in items), items
    return items


def index_ids(index_dir: Path) -> list[str]:
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


# ---------------------------------------------------------------- the OrangeSum layout

def test_an_orangesum_record_becomes_a_document_with_every_field(tmp_path: Path) -> None:
    path = write_plain(tmp_path / "orangesum.jsonl", [ORANGESUM_RECORD])
    [doc] = documents_of(path)
    assert doc.id == "00010"
    assert doc.url == ORANGESUM_RECORD["url"]
    assert doc.title == "Mali : la Chine renforce sa coopération"
    assert doc.summary == "Bamako et Pékin signent un accord."
    assert doc.body == "Premier paragraphe.\n\nSecond paragraphe sur la souveraineté."
    assert doc.source == "Orange Actu (actu.orange.fr)"
    assert doc.section == "Monde"
    assert doc.language == "fr"
    assert doc.origin == f"{path}:1"
    assert doc.content_hash


def test_the_orangesum_date_becomes_the_published_date(tmp_path: Path) -> None:
    [doc] = documents_of(write_plain(tmp_path / "a.jsonl", [ORANGESUM_RECORD]))
    assert doc.published == date(2020, 7, 2)
    assert type(doc.published) is date


def test_tags_become_a_tuple_in_page_order(tmp_path: Path) -> None:
    [doc] = documents_of(write_plain(tmp_path / "a.jsonl", [ORANGESUM_RECORD]))
    assert doc.tags == ("Mali", "Chine")


def test_a_null_author_becomes_an_empty_string(tmp_path: Path) -> None:
    [doc] = documents_of(write_plain(tmp_path / "a.jsonl", [ORANGESUM_RECORD]))
    assert doc.author == ""


def test_a_record_without_date_has_no_published_date(tmp_path: Path) -> None:
    [doc] = documents_of(write_plain(tmp_path / "a.jsonl", [record(1, date=None)]))
    assert doc.published is None


# ---------------------------------------------------------------- compression and encoding

WRITERS = {"plain": ("a.jsonl", write_plain), "xz": ("a.jsonl.xz", write_xz), "gz": ("a.jsonl.gz", write_gz)}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_plain_xz_and_gzip_files_give_the_same_documents(tmp_path: Path, kind: str) -> None:
    records = [ORANGESUM_RECORD] + [record(n) for n in range(1, 6)]
    name, write = WRITERS[kind]
    docs = documents_of(write(tmp_path / name, records))
    assert [d.id for d in docs] == ["00010", "00001", "00002", "00003", "00004", "00005"]
    assert docs[0].body == ORANGESUM_RECORD["body"]
    assert docs[0].title == ORANGESUM_RECORD["title"]


def test_a_utf8_byte_order_mark_does_not_spoil_the_first_record(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + jsonl_text([record(1), record(2)]).encode("utf-8"))
    docs = documents_of(path)
    assert [d.id for d in docs] == ["00001", "00002"]


def test_blank_lines_are_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text(json.dumps(record(1)) + "\n\n   \n" + json.dumps(record(2)) + "\n", encoding="utf-8")
    assert [d.id for d in documents_of(path)] == ["00001", "00002"]


# ---------------------------------------------------------------- bad lines

@pytest.fixture
def file_with_bad_lines(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps(record(1)),
        '{"id": "00002", "body": "unterminated',  # line 2: not JSON
        json.dumps(record(3, body="")),  # line 3: no body
        json.dumps(record(4)),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_line_that_is_not_json_is_a_failure_named_by_file_and_line(file_with_bad_lines: Path) -> None:
    failures = [str(i) for i in read_jsonl(file_with_bad_lines) if isinstance(i, Failure)]
    assert failures[0].startswith(f"{file_with_bad_lines}:2: ")
    assert "not valid JSON" in failures[0]


def test_a_record_without_body_is_a_failure_named_by_file_and_line(file_with_bad_lines: Path) -> None:
    failures = [str(i) for i in read_jsonl(file_with_bad_lines) if isinstance(i, Failure)]
    assert failures[1] == f"{file_with_bad_lines}:3: record has no body"


def test_the_records_around_bad_lines_are_still_read(file_with_bad_lines: Path) -> None:
    items = list(read_jsonl(file_with_bad_lines))
    assert [i.id for i in items if isinstance(i, Document)] == ["00001", "00004"]
    assert len(items) == 4


def test_a_build_indexes_the_good_records_and_reports_the_bad_lines(file_with_bad_lines: Path, tmp_path: Path) -> None:
    report = build_index([file_with_bad_lines], tmp_path / "index")
    assert report.added == 2
    assert [line.split(": ")[0] for line in report.failed] == [f"{file_with_bad_lines}:2", f"{file_with_bad_lines}:3"]
    assert index_ids(tmp_path / "index") == ["00001", "00004"]


# ---------------------------------------------------------------- truncated archives

@pytest.fixture
def truncated_xz(tmp_path: Path) -> Path:
    records = [record(n, body=f"Article {n}. " + "Texte varié numéro %d. " % n * 40) for n in range(1, 301)]
    whole = lzma.compress(jsonl_text(records).encode("utf-8"))
    path = tmp_path / "cut.jsonl.xz"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def test_reading_a_truncated_xz_file_raises_a_source_error_after_the_records_before_the_cut(truncated_xz: Path) -> None:
    read = []
    with pytest.raises(SourceError) as raised:
        for item in read_jsonl(truncated_xz):
            read.append(item)
    assert str(truncated_xz) in str(raised.value)
    assert 0 < len(read) < 300


def test_a_truncated_xz_file_reports_one_failure_and_keeps_what_was_read(truncated_xz: Path) -> None:
    items = list(read_file(truncated_xz))
    documents = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert 0 < len(documents) < 300
    assert [f.origin for f in failures] == [str(truncated_xz)]
    assert str(failures[0]).startswith(f"{truncated_xz}: ")


def test_a_build_from_a_truncated_xz_file_indexes_what_was_read(truncated_xz: Path, tmp_path: Path) -> None:
    report = build_index([truncated_xz], tmp_path / "index")
    assert 0 < report.added < 300
    assert len(report.failed) == 1
    assert report.failed[0].startswith(f"{truncated_xz}: ")
    assert len(index_ids(tmp_path / "index")) == report.added


def test_a_file_that_is_not_xz_data_is_one_failure_and_the_other_files_are_indexed(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jsonl.xz"
    corrupt.write_bytes(b"this is not xz data at all")
    good = write_plain(tmp_path / "good.jsonl", [record(1)])
    report = build_index([corrupt, good], tmp_path / "index")
    assert report.added == 1
    assert len(report.failed) == 1
    assert report.failed[0].startswith(f"{corrupt}: cannot read")


# ---------------------------------------------------------------- duplicates

def test_records_with_the_same_id_or_url_are_indexed_once(tmp_path: Path) -> None:
    records = [
        record(1),
        record(2),
        record(1, url="https://actu.orange.fr/other-url.html", title="Même id"),  # same id as line 1
        record(3, url=record(2)["url"]),  # same url as line 2
        record(4),
    ]
    path = write_plain(tmp_path / "dups.jsonl", records)
    report = build_index([path], tmp_path / "index")
    assert report.added == 3
    assert len(report.merged) == 2
    assert report.merged[0].startswith(f"{path}:3: ")
    assert "00001" in report.merged[0]
    assert report.merged[1].startswith(f"{path}:4: ")
    assert "00002" in report.merged[1]
    assert report.failed == []
    assert index_ids(tmp_path / "index") == ["00001", "00002", "00004"]


def test_duplicates_across_two_files_are_indexed_once(tmp_path: Path) -> None:
    first = write_plain(tmp_path / "a.jsonl", [record(1), record(2)])
    second = write_gz(tmp_path / "b.jsonl.gz", [record(2), record(3)])
    report = build_index([first, second], tmp_path / "index")
    assert report.added == 3
    assert len(report.merged) == 1
    assert index_ids(tmp_path / "index") == ["00001", "00002", "00003"]


def test_a_compressed_line_too_long_to_be_an_article_is_skipped_and_the_others_are_read(tmp_path: Path) -> None:
    # A few kB of xz that unpack to one 20 MB line between two articles: the bomb of issue 16, smaller.
    path = tmp_path / "bomb.jsonl.xz"
    good = [{"id": "g1", "title": "Avant", "body": "Un article avant."}, {"id": "g2", "title": "Après", "body": "Un article après."}]
    huge = '{"id": "big", "body": "' + "a" * (20 * 1024 * 1024) + '"}'
    lines = [json.dumps(good[0]), huge, json.dumps(good[1])]
    path.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode()))
    assert path.stat().st_size < 100_000
    items = list(read_jsonl(path))
    assert [item.id for item in items if not isinstance(item, Failure)] == ["g1", "g2"]
    (failure,) = [item for item in items if isinstance(item, Failure)]
    assert failure.origin == f"{path}:2" and "longer than 16 MB" in failure.reason
    assert count_documents([path]) == 3  # the progress bar counts it without holding it either


def test_a_file_that_unpacks_past_the_limit_is_reported_with_its_path(tmp_path: Path, monkeypatch) -> None:
    from indexer.sources import jsonl

    monkeypatch.setattr(jsonl, "MAX_FILE_CHARS", 1000)  # the real limit is 4 GiB: too big to write in a test
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps({"id": f"d{n}", "body": "texte " * 20}) + "\n"
                                          for n in range(50)).encode()))
    items = list(read_file(path))
    assert isinstance(items[-1], Failure) and "1,000 characters of text once decompressed" in items[-1].reason
    assert items[-1].origin == str(path)
