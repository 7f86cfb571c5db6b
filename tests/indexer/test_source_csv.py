"""CSV exports: column mapping, sniffed delimiters, bad rows reported as file:line, encodings."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from indexer.corpus import count_documents, format_of, read_file
from indexer.document import Document
from indexer.errors import SourceError
from indexer.sources.csv_source import read_csv, sniff_delimiter
from indexer.sources.outcome import Failure

JSONL_LAYOUT = (
    "id,title,summary,body,url,source,author,date,section,tags\n"
    'a1,Sécurité au Sahel,Le chapô.,"Premier paragraphe, avec une virgule.",https://a.example/1,'
    "Le Républicain,Awa Traoré,2024-03-02,Monde,sécurité;Mali|Sahel\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def documents(items) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def failures(items) -> list[str]:
    return [str(item) for item in items if isinstance(item, Failure)]


def test_csv_in_the_jsonl_layout_needs_no_mapping(tmp_path: Path) -> None:
    [doc] = list(read_csv(write(tmp_path / "export.csv", JSONL_LAYOUT)))
    assert (doc.id, doc.title, doc.summary, doc.body) == (
        "a1", "Sécurité au Sahel", "Le chapô.", "Premier paragraphe, avec une virgule."
    )
    assert (doc.url, doc.source, doc.author, doc.section) == (
        "https://a.example/1", "Le Républicain", "Awa Traoré", "Monde"
    )
    assert doc.published == date(2024, 3, 2)
    assert doc.tags == ("sécurité", "Mali", "Sahel")  # separated by ";" or "|"
    assert doc.origin == f"{tmp_path / 'export.csv'}:2"


def test_column_mapping_names_the_columns_of_a_french_export(tmp_path: Path) -> None:
    path = write(tmp_path / "archives.csv", (
        "Titre;Texte;Auteur;Date de parution;Rubrique\n"
        "La crue de la Loire;Les quais sont inondés depuis lundi.;Jean Martin;02/07/2020;Régions\n"
    ))
    mapping = {"title": "Titre", "body": "Texte", "author": "Auteur", "published": "Date de parution", "section": "Rubrique"}
    [doc] = list(read_csv(path, mapping))
    assert (doc.title, doc.body, doc.author, doc.section) == (
        "La crue de la Loire", "Les quais sont inondés depuis lundi.", "Jean Martin", "Régions"
    )
    assert doc.published == date(2020, 7, 2)  # DD/MM/YYYY, as French spreadsheets write it


def test_mapping_with_a_field_that_documents_do_not_have_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", JSONL_LAYOUT)
    with pytest.raises(SourceError, match=re.escape(str(path)) + ": unknown Document field 'titre'"):
        list(read_csv(path, {"titre": "Titre"}))


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, name: str) -> None:
    header = delimiter.join(["title", "body", "tags"])
    row = delimiter.join(["Budget 2025", '"Le déficit, dit-il; reste élevé."', '"économie;budget"'])
    [doc] = list(read_csv(write(tmp_path / f"{name}.csv", f"{header}\n{row}\n")))
    assert doc.body == "Le déficit, dit-il; reste élevé."
    assert doc.tags == ("économie", "budget")


def test_comma_in_french_prose_does_not_fool_the_delimiter_sniffer() -> None:
    assert sniff_delimiter("titre;texte, long;auteur") == ";"


def test_bad_rows_are_reported_as_file_and_line_and_the_rest_goes_on(tmp_path: Path) -> None:
    path = write(tmp_path / "mixte.csv", (
        "id,title,body,date\n"
        "1,Bon,Texte du premier.,2024-01-05\n"
        "2,Sans texte,,2024-01-06\n"
        "3,Mauvaise date,Texte.,hier\n"
        "4,Trop de colonnes,Texte,2024-01-07,en trop\n"
        '5,Sur deux lignes,"Premier paragraphe.\n\nSecond paragraphe.",2024-01-08\n'
        "\n"
        "6,Impossible,Texte.,31/02/2024\n"
        "7,Dernier,Texte du dernier.,\n"
    ))
    items = list(read_csv(path))
    assert [doc.id for doc in documents(items)] == ["1", "5", "7"]
    assert documents(items)[1].body == "Premier paragraphe.\n\nSecond paragraphe."
    assert failures(items) == [
        f"{path}:3: record has no body",
        f"{path}:4: date 'hier' is not ISO 8601 (YYYY-MM-DD)",
        f"{path}:5: 5 columns where the header has 4; check the quoting",
        f"{path}:10: date '31/02/2024' is not a calendar date (DD/MM/YYYY)",
    ]


def test_file_without_a_body_column_is_a_source_error_naming_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "sans-texte.csv", "titre,auteur\nUn titre,Moi\n")
    with pytest.raises(SourceError, match=re.escape(str(path)) + r": no column 'body'.*\(columns: titre, auteur\)"):
        list(read_csv(path))


def test_cp1252_file_is_read_as_windows_french_text(tmp_path: Path) -> None:
    text = "title;body\nL’été à Pékin;Le ministre a reçu l’ambassadeur… pour 5 €.\n"
    path = write(tmp_path / "windows.csv", text, "cp1252")
    [doc] = list(read_csv(path))
    assert (doc.title, doc.body) == ("L’été à Pékin", "Le ministre a reçu l’ambassadeur… pour 5 €.")


def test_utf8_file_with_bom_keeps_its_first_column_name(tmp_path: Path) -> None:
    [doc] = list(read_csv(write(tmp_path / "bom.csv", JSONL_LAYOUT, "utf-8-sig")))
    assert doc.id == "a1"


def test_csv_files_are_read_and_counted_in_a_corpus(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", JSONL_LAYOUT + "a2,Deux,,Texte deux.,,,,,,\n")
    assert format_of(path) == "csv"
    assert count_documents([path]) == 2
    assert [doc.id for doc in documents(read_file(path))] == ["a1", "a2"]
