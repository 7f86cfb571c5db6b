"""What citation managers and spreadsheets make of our exports: names, dates, types, and hostile documents.

Zotero's readers are ported from zotero/translators (RIS.js, BibTeX.js) in a few lines
each; citation-js runs for real (npm, tests/webui/read_citations.js).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import date

import bibtexparser
import pytest
import rispy

from search.exports import FORMULA_STARTS
from tests.conftest import NODE_MODULES, REPO
from webui.app import create_app

# The bylines of the issue: agencies and desks, never split into a person's names.
AGENCIES = ["AFP", "6Medias, avec L'Express", "Huffington Post", "Non Stop Zapping", "BFM TV", "Orange avec AFP"]
PEOPLE = {  # byline → (family, given)
    "Florian Lautre": ("Lautre", "Florian"),
    "Haoua SANGARÉ": ("SANGARÉ", "Haoua"),
    "Charles de Gaulle": ("de Gaulle", "Charles"),
    "Éloïse Dupré-Lefèvre": ("Dupré-Lefèvre", "Éloïse"),
}


def article(doc_id: str, **fields) -> dict:
    return {
        "id": doc_id, "title": f"Le zébu du marché {doc_id}", "summary": "", "body": "Le zébu se vend bien à Kati.",
        "url": f"https://exemple.ml/{doc_id}", "source": "Maliweb", "author": "Awa Traoré",
        "date": "2020-02-10T09:00:00+01:00", "section": "Économie", "tags": ["Élevage"], **fields,
    }


BYLINES = [article(f"a{n}", author=byline) for n, byline in enumerate(AGENCIES + list(PEOPLE))]
HOSTILE = [
    article("h1\nER  - \n\nTY  - JOUR\nTI  - forged", title="Le zébu\nER  - \nTY  - JOUR\nTI  - forged record",
            url="https://exemple.ml/h1\nER  - \nTY  - JOUR"),
    article("h2", title="=HYPERLINK(\"https://evil.example\",\"zébu\")", author="+cmd|' /C calc'!A0",
            source="@SUM(1+1)", section="-2+3", tags=["=1+1", "\tfoo"]),
    article("h3", title="Le zébu }, author = {Forged Author} , x = {",
            url="https://exemple.ml/h3}, author = {Forged}, note = {", author="Jean } Dupont"),
    article("h4", title="Zébu { ouvert et \\ barre", section="Économie } {"),
    article("h5", title="Le zébu sans date", date=""),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from engines.whoosh import build_index
    from tests.conftest import write_jsonl

    folder = tmp_path_factory.mktemp("conformance")
    corpus = write_jsonl(folder / "corpus.jsonl", BYLINES + HOSTILE)
    build_index([corpus], folder / "index")
    return create_app({"INDEX_DIR": str(folder / "index"), "TESTING": True}).test_client()


def export_text(client, fmt: str, params: str = "q=zébu") -> str:
    response = client.get(f"/api/v1/export/{fmt}?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- Zotero's readers, ported --------------------------------------------------------------

def zotero_ris_creator(value: str) -> dict:
    """RIS.js: the family name is what precedes the first comma; no comma is one institutional name."""
    last = re.split(r"\s*,\s*", value)[0]
    first = re.sub(r"^\s*,\s*", "", value[len(last):])
    return {"lastName": last, "firstName": first} if first else {"lastName": value, "fieldMode": 1}


def split_unprotected(text: str, separator: str) -> list[str]:
    """BibTeX.js's splitUnprotected: split on `separator` outside braces."""
    pieces, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|" + separator, text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            pieces.append(text[start:match.start()])
            start = match.end()
    return pieces + [text[start:]]


def zotero_bibtex_creators(raw: str) -> list[dict]:
    """BibTeX.js: `Last, First`; `First Last` split at the last space; one braced word is institutional."""
    creators = []
    for name in split_unprotected(raw.strip(), r"\s+and\s+"):
        pieces = split_unprotected(name, r"\s*,\s*")
        if len(pieces) > 1:
            creators.append({"lastName": pieces[0].strip("{}"), "firstName": pieces[-1].strip("{}")})
        elif len(split_unprotected(name, r" +")) > 1:
            first, _, last = name.rpartition(" ")
            creators.append({"lastName": last, "firstName": first})
        else:
            creators.append({"lastName": name.strip("{}"), "fieldMode": 1})
    return creators


def ris_by_title(client) -> dict[str, dict]:
    return {e["title"]: e for e in rispy.loads(export_text(client, "ris"))}


def bibtex_by_title(client) -> dict[str, dict]:
    library = bibtexparser.parse_string(export_text(client, "bibtex"))
    assert library.failed_blocks == []
    return {entry.fields_dict["title"].value: {k: v.value for k, v in entry.fields_dict.items()}
            for entry in library.entries}


def title_of(byline: str) -> str:
    return next(r["title"] for r in BYLINES if r["author"] == byline)


@pytest.mark.parametrize("byline", AGENCIES)
def test_ris_gives_an_agency_as_one_institutional_name_in_zotero(client, byline):
    (author,) = ris_by_title(client)[title_of(byline)]["authors"]
    assert zotero_ris_creator(author) == {"lastName": byline.replace(",", " ").replace("  ", " "), "fieldMode": 1}


@pytest.mark.parametrize("byline", list(PEOPLE))
def test_ris_gives_a_person_family_name_first(client, byline):
    (author,) = ris_by_title(client)[title_of(byline)]["authors"]
    family, given = PEOPLE[byline]
    assert author == f"{family}, {given}"
    assert zotero_ris_creator(author) == {"lastName": family, "firstName": given}


@pytest.mark.parametrize("byline", AGENCIES)
def test_bibtex_gives_an_agency_in_double_braces_read_as_one_name(client, byline):
    fields = bibtex_by_title(client)["{" + title_of(byline) + "}"]
    assert fields["author"] == "{" + byline + "}"  # the field's own braces are off: {{…}} in the file
    assert zotero_bibtex_creators(fields["author"]) == [{"lastName": byline, "fieldMode": 1}]


@pytest.mark.parametrize("byline", list(PEOPLE))
def test_bibtex_gives_a_person_that_zotero_splits_into_first_and_last_name(client, byline):
    fields = bibtex_by_title(client)["{" + title_of(byline) + "}"]
    family, given = PEOPLE[byline]
    (creator,) = zotero_bibtex_creators(fields["author"])
    if " " in family:  # BibTeX's von part: Zotero's simple split cannot know it, biber and citation-js do
        assert fields["author"] == byline
    else:
        assert creator == {"lastName": family, "firstName": given}


def test_ris_dates_carry_the_day_and_the_year_apart(client):
    entry = ris_by_title(client)[title_of("AFP")]
    assert entry["date"] == "2020/02/10/"
    assert entry["year"] == "2020"
    assert entry["access_date"] == date.today().strftime("%Y/%m/%d/")


def test_jsonl_writes_a_missing_date_as_null_like_the_api(client):
    items = {item["id"]: item for item in map(json.loads, export_text(client, "jsonl").splitlines())}
    assert items["h5"]["published"] is None
    assert items["a0"]["published"] == "2020-02-10"
    api_hit = next(h for h in client.get("/api/v1/search?q=sans+date").get_json()["hits"] if h["id"] == "h5")
    assert api_hit["published"] is None


# --- hostile documents ---------------------------------------------------------------------

def test_ris_newlines_in_id_title_and_url_cannot_forge_a_record(client):
    text = export_text(client, "ris")
    entries = rispy.loads(text)
    assert len(entries) == len(BYLINES) + len(HOSTILE)
    assert {e["type_of_reference"] for e in entries} == {"NEWS"}
    forged = next(e for e in entries if e["title"].startswith("Le zébu ER"))
    assert forged["title"] == "Le zébu ER - TY - JOUR TI - forged record"
    assert forged["id"] == "h1 ER - TY - JOUR TI - forged"
    assert forged["urls"] == ["https://exemple.ml/h1%20ER%20-%20TY%20-%20JOUR"]
    for line in text.splitlines():
        assert line == "" or re.match(r"^[A-Z][A-Z0-9]  - ", line), line


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote(client):
    rows = list(csv.DictReader(io.StringIO(export_text(client, "csv"))))
    row = next(r for r in rows if r["id"] == "h2")
    assert row["title"] == "'=HYPERLINK(\"https://evil.example\",\"zébu\")"
    assert row["author"] == "'+cmd|' /C calc'!A0"
    assert row["source"] == "'@SUM(1+1)"
    assert row["section"] == "'-2+3"
    assert row["tags"].startswith("'=1+1")
    for r in rows:
        for value in r.values():
            assert not value.startswith(FORMULA_STARTS), (r["id"], value)


def test_concordance_and_trends_csv_neutralise_formulas_too(client):
    concordance = client.get("/concordance.csv?q=zébu").get_data(as_text=True)
    trends = client.get("/trends.csv?q=-zébu&q=%3Dzébu").get_data(as_text=True)
    for text in (concordance, trends):
        for row in csv.reader(io.StringIO(text)):
            for value in row:
                assert not value.startswith(FORMULA_STARTS), value
    assert "'-zébu" in trends and "'=zébu" in trends


def test_bibtex_braces_in_titles_and_urls_cannot_forge_a_field(client):
    library = bibtexparser.parse_string(export_text(client, "bibtex"))
    assert library.failed_blocks == []
    assert len(library.entries) == len(BYLINES) + len(HOSTILE)
    for entry in library.entries:
        assert set(entry.fields_dict) <= {"title", "author", "journal", "entrysubtype", "date", "year", "note",
                                          "keywords", "url", "urldate"}, entry.fields_dict.keys()
        assert "Forged" not in entry.fields_dict.get("author", bibtexparser.model.Field("author", "")).value
    h3 = next(e for e in library.entries if "h3" in e.fields_dict["url"].value)
    assert h3.fields_dict["url"].value == "https://exemple.ml/h3%7D,%20author%20=%20%7BForged%7D,%20note%20=%20%7B"
    assert h3.fields_dict["title"].value == r"{Le zébu \textbraceright{}, author = \{Forged Author\} , x = \textbraceleft{}}"


def test_every_bibtex_value_has_balanced_braces_as_bibtex_counts_them(client):
    """BibTeX counts braces even after a backslash: every field must balance on its own."""
    text = export_text(client, "bibtex")
    for line in text.splitlines():
        if " = {" in line:
            value = line.split(" = ", 1)[1].rstrip(",")
            depth = 0
            for char in value:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, line
            assert depth == 0, line


# --- citation-js, as reference managers built on it read our files -------------------------

def citation_js(fmt: str, text: str) -> list[dict]:
    if not (NODE_MODULES / "@citation-js").is_dir():
        pytest.fail("citation-js is missing: run `npm ci` at the repository root (make test does)")
    script = REPO / "tests" / "webui" / "read_citations.js"
    done = subprocess.run(["node", str(script), fmt], input=text, capture_output=True, text=True, timeout=60,
                          cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_citation_js_reads_our_ris_as_newspaper_articles_with_title_source_url_and_dates(client):
    items = {item["title"]: item for item in citation_js("ris", export_text(client, "ris"))}
    item = items[title_of("Florian Lautre")]
    assert item["type"] == "article-newspaper"
    assert item["container-title"] == "Maliweb"
    assert item["URL"].startswith("https://exemple.ml/")
    assert item["accessed"] == {"date-parts": [[date.today().year, date.today().month, date.today().day]]}
    # citation-js maps a NEWS record's date from PY alone (its RIS table has no DA for NEWS):
    # it reads the year; Zotero, EndNote and Mendeley read the day from DA.
    assert item["issued"] == {"date-parts": [[2020]]}
    assert item["reporter"] == "Lautre, Florian"  # CSL's reporter is a plain text variable


def test_citation_js_reads_our_bibtex_names_people_split_and_agencies_whole(client):
    items = {item["title"]: item for item in citation_js("bibtex", export_text(client, "bibtex"))}
    for byline in AGENCIES:
        assert items[title_of(byline)]["author"] == [{"family": byline}], byline
    for byline, (family, given) in PEOPLE.items():
        (name,) = items[title_of(byline)]["author"]
        assert (name.get("non-dropping-particle", "") + " " + name["family"]).strip() == family
        assert name["given"] == given
    item = items[title_of("AFP")]
    assert item["issued"] == {"date-parts": [[2020, 2, 10]]}
    assert item["genre"] == "newspaper"  # biblatex's entrysubtype; the type stays a journal article
    assert item["type"] == "article-journal"


def test_citation_js_reads_hostile_bibtex_titles_back_as_written(client):
    items = citation_js("bibtex", export_text(client, "bibtex"))
    titles = {item["title"] for item in items}
    assert "Le zébu }, author = {Forged Author} , x = {" in titles
    assert "Zébu { ouvert et \\ barre" in titles
