"""Exports of a whole search (CSV, JSON Lines, RIS, BibTeX) on a real index, checked with parser libraries."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import bibtexparser
import pytest
import rispy


CSV_COLUMNS = ["id", "title", "author", "source", "published", "section", "tags", "url", "archive_url"]
SOURCES = ["Maliweb", "RFI", "Jeune Afrique"]


def girafe(number: int) -> dict:
    day = date(2018, 1, 3) + timedelta(days=23 * number)
    # Some articles say "girafe" more often, so relevance order differs from date order.
    mentions = " ".join(["La girafe du parc broute."] * (1 + number % 4))
    return {
        "id": f"g{number:02d}",
        "title": f"Au parc de Bamako, épisode {number}",
        "summary": f"Chronique animalière numéro {number}.",
        "body": f"{mentions} Les visiteurs photographient les animaux.",
        "url": f"https://exemple.ml/g{number:02d}",
        "source": SOURCES[number % 3],
        "author": ["Awa Traoré", "Jean Dupont"][number % 2],
        "date": f"{day.isoformat()}T10:00:00+01:00",
        "section": ["Société", "Environnement"][number % 2],
        "tags": ["Faune", "Bamako"] if number % 2 else ["Faune"],
    }


GIRAFES = [girafe(n) for n in range(25)]
OTHERS = [
    {
        "id": "o01",
        "title": "Le cours du coton remonte",
        "summary": "",
        "body": "Les égreneuses de Koutiala tournent à plein régime.",
        "url": "https://exemple.ml/o01",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": "2019-05-02T10:00:00+02:00",
        "section": "Économie",
        "tags": ["Coton"],
    },
    {
        "id": "o02",
        "title": "Match nul au stade du 26-Mars",
        "summary": "",
        "body": "Les Aigles ont concédé un match nul devant leur public.",
        "url": "https://exemple.ml/o02",
        "source": "RFI",
        "author": "Jean Dupont",
        "date": "2019-06-02T10:00:00+02:00",
        "section": "Sport",
        "tags": ["Football"],
    },
]

TRICKY_TITLE = 'Budget {2020} : "100 %" des crédits & le #hashtag {} de l’État'
TRICKY = [
    {
        "id": "t01",
        "title": TRICKY_TITLE,
        "summary": "Le zébu au marché.",
        "body": "Le zébu se vend bien au marché de bétail de Kati.",
        "url": "https://exemple.ml/t01",
        "source": "Le Républicain",
        "author": "Haoua SANGARÉ",
        "date": "2020-02-10T09:00:00+01:00",
        "section": "Économie",
        "tags": ["Élevage", "Marché"],
    },
    {
        "id": "t02",
        "title": "L’« élan » du zébu : 50 % de hausse & {accolades} #2",
        "summary": "",
        "body": "Le prix du zébu a doublé à Ségou.",
        "url": "https://exemple.ml/t02",
        "source": "Maliweb",
        "author": "Éloïse Dupré-Lefèvre",
        "date": "2020-03-11T09:00:00+01:00",
        "section": "Économie",
        "tags": ["Élevage"],
    },
    {
        "id": "t03",
        "title": "Zébu : les éleveurs s’organisent",
        "summary": "",
        "body": "Une coopérative de zébu voit le jour à Nioro.",
        "url": "https://exemple.ml/t03",
        "source": "OrangeSum",
        "author": "Orange avec AFP",
        "date": "2020-04-12T09:00:00+01:00",
        "section": "Économie",
        "tags": ["Élevage"],
    },
]
BY_ID = {r["id"]: r for r in GIRAFES + OTHERS + TRICKY}


@pytest.fixture
def client(make_client):
    return make_client(GIRAFES + OTHERS + TRICKY)


def search_ids(client, params: str) -> list[str]:
    """Every hit id of a search, page after page of the JSON API."""
    ids: list[str] = []
    page = 1
    while True:
        answer = client.get(f"/api/v1/search?{params}&per_page=10&page={page}").get_json()
        ids += [hit["id"] for hit in answer["hits"]]
        if len(answer["hits"]) < 10:
            return ids
        page += 1


def export(client, fmt: str, params: str):
    response = client.get(f"/api/v1/export/{fmt}?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def csv_rows(client, params: str) -> list[dict]:
    text = export(client, "csv", params).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text)))


def ris_entries(client, params: str) -> list[dict]:
    return rispy.loads(export(client, "ris", params).get_data(as_text=True))


def bibtex_library(client, params: str):
    library = bibtexparser.parse_string(export(client, "bibtex", params).get_data(as_text=True))
    assert library.failed_blocks == []
    return library


def unbrace(value: str) -> str:
    """A BibTeX field value back to text: outer braces off, LaTeX escapes of specials undone."""
    while value.startswith("{") and value.endswith("}") and _balanced(value[1:-1]):
        value = value[1:-1]
    return re.sub(r"\\([{}%&#$_])", r"\1", value)


def _balanced(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        if text[i - 1 : i] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_csv_export_holds_every_hit_of_the_search_not_only_the_first_page(client):
    rows = csv_rows(client, "q=girafe&per_page=10")
    assert len(rows) == 25
    assert {row["id"] for row in rows} == {r["id"] for r in GIRAFES}


@pytest.mark.parametrize("sort", ["", "date", "-date", "relevance"])
def test_csv_export_lists_hits_in_the_order_of_the_search(client, sort):
    params = f"q=girafe&sort={sort}"
    assert [row["id"] for row in csv_rows(client, params)] == search_ids(client, params)


def test_csv_export_has_the_documented_columns_and_the_article_values(client):
    text = export(client, "csv", "q=girafe").get_data(as_text=True)
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == CSV_COLUMNS
    rows = {row["id"]: row for row in csv_rows(client, "q=girafe")}
    row, record = rows["g03"], BY_ID["g03"]
    assert row["title"] == record["title"]
    assert row["author"] == record["author"]
    assert row["source"] == record["source"]
    assert row["published"] == record["date"][:10]
    assert row["section"] == record["section"]
    assert row["tags"] == "; ".join(record["tags"])
    assert row["url"] == record["url"]
    assert row["archive_url"].endswith("/articles/g03")
    assert row["archive_url"].startswith("http")


def test_csv_export_respects_the_source_filter(client):
    rows = csv_rows(client, "q=girafe&source=RFI")
    expected = [r["id"] for r in GIRAFES if r["source"] == "RFI"]
    assert sorted(row["id"] for row in rows) == sorted(expected)
    assert {row["source"] for row in rows} == {"RFI"}


def test_csv_export_respects_year_and_date_range_filters(client):
    in_2018 = {r["id"] for r in GIRAFES if r["date"].startswith("2018")}
    assert {row["id"] for row in csv_rows(client, "q=girafe&year=2018")} == in_2018
    ranged = {r["id"] for r in GIRAFES if "2018-06-01" <= r["date"][:10] <= "2018-12-31"}
    rows = csv_rows(client, "q=girafe&date_from=2018-06-01&date_to=2018-12-31")
    assert {row["id"] for row in rows} == ranged
    assert ranged


def test_csv_export_respects_author_section_and_tag_filters(client):
    params = "q=girafe&author=Jean+Dupont&section=Environnement&tag=Bamako"
    expected = {
        r["id"] for r in GIRAFES if r["author"] == "Jean Dupont" and r["section"] == "Environnement" and "Bamako" in r["tags"]
    }
    assert {row["id"] for row in csv_rows(client, params)} == expected
    assert expected


def test_export_without_a_query_holds_the_whole_archive_in_the_search_order(client):
    rows = csv_rows(client, "")
    assert len(rows) == len(BY_ID)
    assert [row["id"] for row in rows] == search_ids(client, "q=")


def test_export_stops_at_the_configured_cap(make_client):
    capped = make_client(GIRAFES, EXPORT_CAP=7)
    rows = csv_rows(capped, "q=girafe&sort=-date")
    assert [row["id"] for row in rows] == search_ids(capped, "q=girafe&sort=-date")[:7]


def test_jsonl_export_has_one_parsable_line_per_hit_in_search_order(client):
    text = export(client, "jsonl", "q=girafe&sort=-date").get_data(as_text=True)
    lines = text.splitlines()
    items = [json.loads(line) for line in lines]
    assert [item["id"] for item in items] == search_ids(client, "q=girafe&sort=-date")
    first = items[0]
    record = BY_ID[first["id"]]
    assert first["title"] == record["title"]
    assert first["published"] == record["date"][:10]
    assert first["tags"] == record["tags"]
    assert first["archive_url"].endswith(f"/articles/{record['id']}")


def test_jsonl_export_keeps_accented_names_and_tricky_titles_intact(client):
    text = export(client, "jsonl", "q=zébu").get_data(as_text=True)
    items = {item["id"]: item for item in map(json.loads, text.splitlines())}
    assert items["t01"]["title"] == TRICKY_TITLE
    assert items["t01"]["author"] == "Haoua SANGARÉ"
    assert items["t02"]["author"] == "Éloïse Dupré-Lefèvre"


def test_ris_export_parses_with_rispy_into_one_news_reference_per_hit(client):
    entries = ris_entries(client, "q=girafe&per_page=10")
    assert len(entries) == 25
    assert [e["id"] for e in entries] == search_ids(client, "q=girafe")
    assert {e["type_of_reference"] for e in entries} == {"NEWS"}


def test_ris_entry_carries_title_author_publication_date_url_and_access_date(client):
    entry = next(e for e in ris_entries(client, "q=girafe") if e["id"] == "g04")
    record = BY_ID["g04"]
    assert entry["title"] == record["title"]
    assert entry["authors"] == ["Traoré, Awa"]  # "Awa Traoré", family name first as RIS wants
    assert entry["secondary_title"] == record["source"]
    assert entry["date"] == record["date"][:10].replace("-", "/") + "/"
    assert entry["year"] == record["date"][:4]
    assert entry["urls"] == [record["url"]]
    assert entry["access_date"] == date.today().strftime("%Y/%m/%d/")
    assert entry["keywords"] == record["tags"]


def test_ris_export_keeps_accented_names_and_titles_with_braces_quotes_and_signs(client):
    entries = {e["id"]: e for e in ris_entries(client, "q=zébu")}
    assert set(entries) == {"t01", "t02", "t03"}
    assert entries["t01"]["title"] == TRICKY_TITLE
    assert entries["t01"]["authors"] == ["SANGARÉ, Haoua"]
    assert entries["t02"]["title"] == TRICKY[1]["title"]
    assert entries["t02"]["authors"] == ["Dupré-Lefèvre, Éloïse"]
    assert entries["t03"]["authors"] == ["Orange avec AFP"]
    assert entries["t01"]["secondary_title"] == "Le Républicain"


def test_ris_export_respects_the_source_filter(client):
    entries = ris_entries(client, "q=girafe&source=Jeune+Afrique")
    assert {e["secondary_title"] for e in entries} == {"Jeune Afrique"}
    assert len(entries) == sum(r["source"] == "Jeune Afrique" for r in GIRAFES)


def test_bibtex_export_parses_without_errors_into_one_entry_per_hit_with_unique_keys(client):
    library = bibtex_library(client, "q=girafe&per_page=10")
    keys = [entry.key for entry in library.entries]
    assert len(keys) == 25
    assert len(set(keys)) == 25
    assert library.failed_blocks == []
    assert [unbrace(e.fields_dict["title"].value) for e in library.entries] == [
        BY_ID[i]["title"] for i in search_ids(client, "q=girafe")
    ]


def test_bibtex_entries_are_newspaper_articles_with_journal_date_url_and_urldate(client):
    library = bibtex_library(client, "q=girafe&sort=-date")
    entry = library.entries[0]
    record = BY_ID[search_ids(client, "q=girafe&sort=-date")[0]]
    fields = {name: value.value for name, value in entry.fields_dict.items()}
    assert entry.entry_type.lower() == "article"
    assert unbrace(fields["entrysubtype"]) == "newspaper"
    assert unbrace(fields["journal"]) == record["source"]
    assert unbrace(fields["date"]) == record["date"][:10]
    assert unbrace(fields["year"]) == record["date"][:4]
    assert unbrace(fields["url"]) == record["url"]
    assert unbrace(fields["urldate"]) == date.today().isoformat()
    assert unbrace(fields["author"]) == record["author"]


def test_bibtex_titles_with_braces_quotes_and_signs_round_trip(client):
    library = bibtex_library(client, "q=zébu")
    titles = {unbrace(e.fields_dict["title"].value) for e in library.entries}
    assert titles == {r["title"] for r in TRICKY}
    assert len(library.entries) == 3


def test_bibtex_keeps_an_agency_whole_in_braces_and_a_person_as_is(client):
    library = bibtex_library(client, "q=zébu")
    authors = {unbrace(e.fields_dict["title"].value): e.fields_dict["author"].value for e in library.entries}
    agency = authors[TRICKY[2]["title"]]
    assert agency == "{Orange avec AFP}"
    assert authors[TRICKY[0]["title"]] == "Haoua SANGARÉ"
    assert authors[TRICKY[1]["title"]] == "Éloïse Dupré-Lefèvre"


def test_bibtex_keeps_a_french_name_with_a_particle_as_a_person(make_client):
    # "de" is a von-part BibTeX understands; braces would file De Gaulle under "Charles".
    person_client = make_client([dict(TRICKY[0], author="Charles de Gaulle")])
    (entry,) = bibtex_library(person_client, "q=zébu").entries
    assert entry.fields_dict["author"].value == "Charles de Gaulle"


def test_ris_and_bibtex_leave_out_what_an_article_lacks(make_client):
    bare = dict(TRICKY[0], author="", date="", section="", tags=[])
    bare_client = make_client([bare])
    (entry,) = ris_entries(bare_client, "q=zébu")
    assert entry["title"] == TRICKY_TITLE
    assert "authors" not in entry and "date" not in entry and "year" not in entry
    assert entry["access_date"] == date.today().strftime("%Y/%m/%d/")
    (bib,) = bibtex_library(bare_client, "q=zébu").entries
    assert "author" not in bib.fields_dict and "date" not in bib.fields_dict
    assert unbrace(bib.fields_dict["urldate"].value) == date.today().isoformat()


def test_bibtex_keys_are_plain_ascii_even_for_accented_titles(client):
    library = bibtex_library(client, "q=zébu")
    for entry in library.entries:
        assert re.fullmatch(r"[A-Za-z0-9_:-]+", entry.key), entry.key


def test_bibtex_keys_stay_unique_when_ids_differ_only_by_punctuation(make_client):
    twins = [dict(GIRAFES[0], id="a-1"), dict(GIRAFES[1], id="a1", title=GIRAFES[0]["title"], date=GIRAFES[0]["date"])]
    twin_client = make_client(twins)
    library = bibtex_library(twin_client, "q=girafe")
    keys = [entry.key for entry in library.entries]
    assert len(keys) == 2 and len(set(keys)) == 2


def test_bibtex_keys_stay_unique_when_ids_differ_only_by_accents(make_client):
    # Ids come from file names too (`arrêté-2019.txt`), so accents in ids are real.
    twins = [
        dict(GIRAFES[0], id="arrêté-2019"),
        dict(GIRAFES[1], id="arrete-2019", title=GIRAFES[0]["title"], date=GIRAFES[0]["date"]),
    ]
    twin_client = make_client(twins)
    library = bibtex_library(twin_client, "q=girafe")
    keys = [entry.key for entry in library.entries]
    assert len(keys) == 2
    assert len(set(keys)) == 2, keys


@pytest.mark.parametrize("fmt, extension", [("csv", "csv"), ("jsonl", "jsonl"), ("ris", "ris"), ("bibtex", "bib")])
def test_every_export_is_served_as_an_attachment_with_its_file_extension(client, fmt, extension):
    response = export(client, fmt, "q=girafe")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert re.search(rf'filename="[^"]+\.{extension}"', disposition)


@pytest.mark.parametrize(
    "fmt, mimetype",
    [
        ("csv", "text/csv"),
        ("jsonl", "application/x-ndjson"),
        ("ris", "application/x-research-info-systems"),
        ("bibtex", "application/x-bibtex"),
    ],
)
def test_every_export_declares_its_media_type_in_utf8(client, fmt, mimetype):
    response = export(client, fmt, "q=girafe")
    assert response.mimetype == mimetype
    assert response.mimetype_params.get("charset", "").lower() == "utf-8"


def test_unknown_export_format_is_a_400_naming_the_formats(client):
    response = client.get("/api/v1/export/xlsx?q=girafe")
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    for fmt in ("csv", "jsonl", "ris", "bibtex"):
        assert fmt in message
    assert "xlsx" in message


def test_export_with_a_bad_parameter_is_a_400_json_error(client):
    response = client.get("/api/v1/export/csv?q=girafe&sort=sideways")
    assert response.status_code == 400
    assert "sort" in response.get_json()["error"]["message"]


def test_export_of_a_search_matching_nothing_is_an_empty_but_valid_file(client):
    assert csv_rows(client, "q=hippopotame") == []
    assert ris_entries(client, "q=hippopotame") == []
    library = bibtexparser.parse_string(export(client, "bibtex", "q=hippopotame").get_data(as_text=True))
    assert library.entries == [] and library.failed_blocks == []
