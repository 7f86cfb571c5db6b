"""Raw page text files: chrome removal, signature, glued sentences, dates and encodings."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.text import clean_page_text, read_text_file, repair_glued_sentences

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_20293e5f2294f2d7.txt"
SEED_001 = SEEDS / "001_eda52119ad814dff.txt"
SEED_004 = SEEDS / "004_6a57967cfd11d6cd.txt"
ALL_SEEDS = [SEED_000, SEED_001, SEED_004]

BOILERPLATE = ("top of page", "Skip links", "bottom of page", "Commentaires", "sama-money", ".jpg")
NAVIGATION_WORDS = {"Accueil", "Recherche", "Top", "Découvrir", "Drag"}


def read_one(path: Path, **options: str) -> Document:
    documents = read_text_file(path, **options)
    assert len(documents) == 1
    return documents[0]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def seed_id(path: Path) -> str:
    return path.name[:3]


# ---------------------------------------------------------------- all seeds

@pytest.mark.parametrize("path", ALL_SEEDS, ids=seed_id)
def test_no_page_chrome_survives_in_title_summary_or_body(path: Path) -> None:
    doc = read_one(path)
    for text in (doc.title, doc.summary, doc.body):
        for boilerplate in BOILERPLATE:
            assert boilerplate not in text
        assert NAVIGATION_WORDS.isdisjoint(line.strip() for line in text.splitlines())


@pytest.mark.parametrize("path", ALL_SEEDS, ids=seed_id)
def test_body_keeps_its_paragraphs(path: Path) -> None:
    body = read_one(path).body
    assert "\n\n" in body
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in body.split("\n\n"))


@pytest.mark.parametrize("path", ALL_SEEDS, ids=seed_id)
def test_seed_document_is_identified_by_its_file_name_and_has_no_date_or_url(path: Path) -> None:
    doc = read_one(path)
    assert doc.id == stable_id("text", path.name)
    assert doc.origin == str(path)
    assert doc.url == ""
    assert doc.published is None  # the seeds only date events inside the prose


@pytest.mark.parametrize(
    ("path", "signature_lines"),
    [(SEED_000, ["Haoua SANGARÉ", "LETJIKAN"]), (SEED_001, ["La Rédaction"]), (SEED_004, ["HG"])],
    ids=["000", "001", "004"],
)
def test_signature_is_not_left_in_the_body(path: Path, signature_lines: list[str]) -> None:
    body = read_one(path).body
    for line in signature_lines:
        assert line not in body.splitlines()
    assert "SANGARÉ" not in body and "LETJIKAN" not in body and "Rédaction" not in body


# ---------------------------------------------------------------- 000: Wix page, name + outlet

def test_seed_000_title_is_the_first_line_after_the_chrome() -> None:
    assert read_one(SEED_000).title == (
        "Coopération sécuritaire Mali–Chine : "
        "Bamako et Pékin veulent renforcer leur partenariat stratégique"
    )


def test_seed_000_signature_gives_journalist_as_author_and_outlet_as_source() -> None:
    doc = read_one(SEED_000)
    assert doc.author == "Haoua SANGARÉ"
    assert doc.source == "LETJIKAN"


def test_seed_000_has_no_standfirst_so_its_first_paragraph_stays_in_the_body() -> None:
    doc = read_one(SEED_000)
    assert doc.summary == ""
    assert doc.body.startswith("Plus de 10 000 ressortissants chinois résident actuellement")


def test_seed_000_keeps_typographic_characters() -> None:
    doc = read_one(SEED_000)
    assert "Mali–Chine" in doc.title
    assert "le 65ᵉ anniversaire" in doc.body
    assert "l’Ambassadeur" in doc.body


def test_seed_000_nbsp_lines_around_the_signature_leave_nothing_behind() -> None:
    body = read_one(SEED_000).body
    assert "\xa0" not in body
    assert body.endswith("du partenariat sécuritaire entre le Mali et la Chine.")


# ---------------------------------------------------------------- 001: chapô, headings, bullets

def test_seed_001_title_keeps_its_final_period() -> None:
    assert read_one(SEED_001).title == "Sécurité : Bamako et Pékin passent à la vitesse supérieure."


def test_seed_001_standfirst_becomes_the_summary_and_leaves_the_body() -> None:
    doc = read_one(SEED_001)
    assert doc.summary == (
        "Face aux défis sécuritaires persistants au Sahel, le Mali et la Chine renforcent "
        "un partenariat discret mais de plus en plus structurant."
    )
    assert "Face aux défis" not in doc.body
    assert doc.body.startswith("Le message est clair :")


def test_seed_001_newsroom_signature_is_the_author() -> None:
    doc = read_one(SEED_001)
    assert doc.author == "La Rédaction"
    assert doc.source == ""


def test_seed_001_bullets_stay_separate_lines_of_one_list() -> None:
    body = read_one(SEED_001).body
    assert (
        "• de la sécurisation des sites économiques stratégiques,\n"
        "• de la protection des travailleurs chinois,\n"
        "• du partage d’expertise et de bonnes pratiques en matière de sécurité."
    ) in body.split("\n\n")
    assert sum(line.startswith("• ") for line in body.splitlines()) == 12


def test_seed_001_subheadings_are_paragraphs_of_their_own() -> None:
    paragraphs = read_one(SEED_001).body.split("\n\n")
    assert "Une relation qui change de nature" in paragraphs
    assert "Le Sahel, catalyseur d’un rapprochement pragmatique" in paragraphs


def test_seed_001_lines_of_one_block_join_into_one_paragraph() -> None:
    paragraphs = read_one(SEED_001).body.split("\n\n")
    assert any(
        p.startswith("Le message est clair :")
        and "nouvelle phase. Début février 2026, le ministre" in p
        for p in paragraphs
    )


# ---------------------------------------------------------------- 004: one line per paragraph

def test_seed_004_title_and_initials_signature() -> None:
    doc = read_one(SEED_004)
    assert doc.title == (
        "Assimi Goïta à Pékin pour renforcer les relations Sino-Maliennes lors du FOCAC 2024"
    )
    assert doc.author == "HG"
    assert doc.summary == ""


def test_seed_004_glued_sentences_are_separated() -> None:
    body = read_one(SEED_004).body
    assert "internationales. Durant" in body
    assert "premier plan. En marge" in body
    assert "défense. Le FOCAC 2024" in body


def test_seed_004_each_line_is_a_paragraph() -> None:
    paragraphs = read_one(SEED_004).body.split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Le Colonel Assimi Goïta, président de la transition du Mali")


# ---------------------------------------------------------------- read_text_file options

def test_source_argument_wins_over_the_outlet_in_the_signature() -> None:
    assert read_one(SEED_000, source="Letjikan.com").source == "Letjikan.com"


def test_section_argument_is_kept_on_the_document() -> None:
    assert read_one(SEED_001, section="Sécurité").section == "Sécurité"


# ---------------------------------------------------------------- glued sentences alone

@pytest.mark.parametrize(
    ("glued", "repaired"),
    [
        ("internationales.Durant", "internationales. Durant"),
        ("premier plan.En marge", "premier plan. En marge"),
        ("la sécurité.À court terme", "la sécurité. À court terme"),
        ("en 2024.Le sommet", "en 2024. Le sommet"),
        ("sino-africaine (FOCAC).Cette évolution", "sino-africaine (FOCAC). Cette évolution"),
        ("Pourquoi?Parce que", "Pourquoi? Parce que"),
        ("assumé !Et à Bamako", "assumé ! Et à Bamako"),
        ("de l’État.L’Assemblée", "de l’État. L’Assemblée"),
    ],
)
def test_glued_sentences_get_their_space_back(glued: str, repaired: str) -> None:
    assert repair_glued_sentences(glued) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "U.S.A.",
        "M.Dupont",
        "3.5 millions",
        "www.Example.com",
        "https://site.fr/A.Html",
        "France.TV",
        "écrire à redaction@Maliweb.net",
        "lu sur afribone.Com.",
        "le rapport.PDF",
        "fin de phrase. Nouvelle phrase",
    ],
)
def test_dots_that_do_not_end_a_sentence_are_left_alone(text: str) -> None:
    assert repair_glued_sentences(text) == text


def test_repairing_keeps_line_breaks_and_paragraphs() -> None:
    text = "Un.Deux\n\n• trois.Quatre\n• cinq"
    assert repair_glued_sentences(text) == "Un. Deux\n\n• trois. Quatre\n• cinq"


# ---------------------------------------------------------------- dates

def test_publication_date_line_sets_published_and_leaves_the_body(tmp_path: Path) -> None:
    page = (
        "Titre de l’article\nPublié le 3 février 2026\n\n"
        "Le ministre a reçu l’ambassadeur.\n\nHaoua SANGARÉ"
    )
    doc = read_one(write(tmp_path, "dated.txt", page.encode("utf-8")))
    assert doc.published == date(2026, 2, 3)
    assert "Publié" not in doc.body and "2026" not in doc.body
    assert doc.body == "Le ministre a reçu l’ambassadeur."


@pytest.mark.parametrize(
    "date_line",
    ["Publié le 3 février 2026", "03/02/2026", "2026-02-03", "Mardi 3 février 2026 à 14h05",
     "Mis à jour le 3 fevrier 2026", "Publié le : 03.02.2026 - 10:30"],
)
def test_explicit_date_lines_in_french_and_numeric_forms_are_parsed(date_line: str) -> None:
    page = clean_page_text(f"Titre\n\n{date_line}\n\nCorps de l’article.")
    assert page.published == date(2026, 2, 3)
    assert page.body == "Corps de l’article."


def test_first_of_the_month_written_1er_is_parsed() -> None:
    assert clean_page_text("Titre\nPublié le 1er août 2025\nCorps.").published == date(2025, 8, 1)


def test_date_line_next_to_the_signature_is_parsed() -> None:
    page = clean_page_text("Titre\n\nCorps de l’article.\n\nLa Rédaction\n12 mars 2024")
    assert page.published == date(2024, 3, 12)
    assert page.author == "La Rédaction"
    assert page.body == "Corps de l’article."


def test_impossible_date_stays_text_and_leaves_published_empty() -> None:
    page = clean_page_text("Titre\n\n31/02/2026\n\nCorps de l’article.")
    assert page.published is None
    assert "31/02/2026" in page.body


# ---------------------------------------------------------------- signatures

def test_short_capitals_under_a_journalist_name_are_the_outlet() -> None:
    page = clean_page_text("Titre\n\nCorps de l’article.\n\nHaoua SANGARÉ\nAMAP")
    assert (page.author, page.publication) == ("Haoua SANGARÉ", "AMAP")


def test_byline_with_par_gives_the_author_without_par() -> None:
    page = clean_page_text("Titre\n\nCorps de l’article.\n\nPar Awa Traoré")
    assert page.author == "Awa Traoré"
    assert page.body == "Corps de l’article."


def test_short_closing_heading_is_not_mistaken_for_a_signature() -> None:
    page = clean_page_text("Titre\n\nCorps de l’article.\n\nVers Bamako")
    assert page.author == ""
    assert page.body.endswith("\n\nVers Bamako")


# ---------------------------------------------------------------- encodings and errors

def test_cp1252_file_is_read_as_windows_french_text(tmp_path: Path) -> None:
    text = "Coopération Mali–Chine : l’été à Pékin\n\nLe ministre a reçu l’ambassadeur… à Bamako."
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the point of the test: this file is not UTF-8
    doc = read_one(write(tmp_path, "windows.txt", data))
    assert doc.title == "Coopération Mali–Chine : l’été à Pékin"
    assert doc.body == "Le ministre a reçu l’ambassadeur… à Bamako."


def test_utf8_file_with_bom_has_no_bom_in_its_title(tmp_path: Path) -> None:
    data = "Sécurité au Sahel\n\nCorps de l’article.".encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    doc = read_one(write(tmp_path, "bom.txt", data))
    assert doc.title == "Sécurité au Sahel"


def test_decomposed_accents_are_composed_to_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Pékin et Bamako\n\nSécurité renforcée.")
    doc = read_one(write(tmp_path, "nfd.txt", nfd.encode("utf-8")))
    assert doc.title == "Pékin et Bamako"
    assert doc.body == unicodedata.normalize("NFC", "Sécurité renforcée.")


def test_windows_line_endings_are_read_like_unix_ones(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "crlf.txt", b"Titre\r\n\r\nPremier.\r\n\r\nSecond.\r\n"))
    assert doc.body == "Premier.\n\nSecond."


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\n",
        "top of page\n\n\xa0\nAccueil\nRecherche\nsama-money-300 (1).jpg\nbottom of page".encode(),
    ],
    ids=["empty", "blank", "only-chrome"],
)
def test_file_without_article_text_raises_source_error_naming_the_path(
    tmp_path: Path, content: bytes
) -> None:
    path = write(tmp_path, "vide.txt", content)
    with pytest.raises(SourceError, match=re.escape(str(path)) + ".*no article text"):
        read_text_file(path)


def test_missing_file_raises_source_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(SourceError, match=re.escape(str(path)) + ".*cannot read"):
        read_text_file(path)


def test_utf16_file_raises_source_error_asking_for_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "utf16.txt", "Titre\n\nCorps.".encode("utf-16"))
    with pytest.raises(SourceError, match=re.escape(str(path)) + ".*UTF-8"):
        read_text_file(path)


def test_file_in_no_known_encoding_raises_source_error_asking_for_utf8(tmp_path: Path) -> None:
    # 0x81 is neither valid UTF-8 here nor a character of Windows-1252.
    path = write(tmp_path, "garbled.txt", b"Titre \x81\n\nCorps.")
    with pytest.raises(SourceError, match=re.escape(str(path)) + ".*re-save it as UTF-8"):
        read_text_file(path)
