"""RSS and Atom feeds: entries as Documents, truncated feeds, entity bombs, the same article twice."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.corpus import count_documents, format_of, read_file
from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.feed import html_to_text, read_feed
from indexer.sources.outcome import Failure
from engines.whoosh.store import open_current

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
RSS = FEEDS / "actualites-sahel.rss"
ATOM = FEEDS / "chroniques-culture.atom"


def documents(items) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def failures(items) -> list[Failure]:
    return [item for item in items if isinstance(item, Failure)]


# ---------------------------------------------------------------- RSS 2.0

def test_rss_item_with_full_content_gives_body_summary_and_metadata() -> None:
    first = documents(read_feed(RSS))[0]
    assert first.title == "Coopération Mali–Chine : l’été à Pékin"
    assert first.summary == "Le ministre a reçu l’ambassadeur… à Bamako."
    assert first.body.split("\n\n") == [
        "Le ministre a reçu l’ambassadeur… à Bamako.",
        "Les deux délégations ont signé un accord sur la sécurité alimentaire et l’irrigation "
        "des périmètres rizicoles de l’Office du Niger.",
        "La prochaine réunion se tiendra à Ségou en décembre.",
    ]
    assert first.url == "https://republicain-sahel.example/2024/07/cooperation-mali-chine"
    assert first.id == stable_id("url", first.url)
    assert first.author == "Aïssata Coulibaly"
    assert first.tags == ("Économie", "Diplomatie")
    assert first.source == "Le Républicain du Sahel — Actualités"
    assert first.language == "fr"


def test_rss_date_keeps_the_day_written_in_the_feed_not_the_utc_day() -> None:
    # 23:45 at +02:00 is already the 13th in UTC.
    assert documents(read_feed(RSS))[0].published == date(2024, 7, 12)


def test_script_in_an_entry_is_dropped_from_its_text() -> None:
    assert "trackView" not in documents(read_feed(RSS))[0].body


def test_rss_item_with_only_a_description_has_it_as_body_with_entities_decoded() -> None:
    second = documents(read_feed(RSS))[1]
    assert second.body == (
        "Plusieurs villages de la région de Kayes sont isolés depuis les crues de la semaine "
        "dernière & les secours s’organisent."
    )
    assert second.summary == ""
    assert second.author == "Moussa ag Intalla"  # from "e-mail (Name)"


def test_rss_item_without_text_is_a_failure_at_its_line() -> None:
    [failure] = failures(read_feed(RSS))
    assert str(failure) == f"{RSS}:27: entry has no text (no content, summary or description)"


# ---------------------------------------------------------------- Atom

def test_atom_entry_gives_html_content_as_paragraphs_and_its_metadata() -> None:
    first, second = documents(read_feed(ATOM))
    assert first.title == "L’œuvre de Courbet revient à Ornans"
    assert first.body.endswith("rappelle la conservatrice, émue.")
    assert "« Un enterrement à Ornans »" in first.body.split("\n\n")[1]
    assert first.summary == "Le musée Courbet accueille un prêt exceptionnel du musée d’Orsay."
    assert first.author == "Élodie Marchand"
    assert first.tags == ("Peinture", "Musées")
    assert first.source == "Chroniques culturelles de Besançon"
    assert first.published == date(2024, 3, 1)  # 00:30 at +01:00, the 29th of February in UTC
    assert first.origin == f"{ATOM}:7"


def test_atom_entry_without_link_has_no_url_and_is_identified_by_its_id() -> None:
    second = documents(read_feed(ATOM))[1]
    assert second.url == ""
    assert second.id == stable_id("guid", "urn:uuid:1b2c3d4e-0000-4000-8000-000000000002")
    assert second.body == (
        "Le festival international de Besançon annonce vingt concerts en septembre.\n\n"
        "Les jeunes chefs d’orchestre concourront de nouveau."
    )


def test_html_fragment_becomes_paragraphs_without_tags_scripts_or_entities() -> None:
    fragment = "<p>Un&nbsp;<b>été</b> caniculaire</p><style>p{}</style><ul><li>Paris</li><li>Lyon</li></ul>"
    assert html_to_text(fragment) == "Un été caniculaire\n\nParis\n\nLyon"


def test_windows_1252_feed_declared_in_its_xml_declaration_is_read_right(tmp_path: Path) -> None:
    feed = tmp_path / "ancien.rss"
    rss = RSS.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="windows-1252"')
    feed.write_bytes(rss.encode("cp1252"))
    assert documents(read_feed(feed))[0].title == "Coopération Mali–Chine : l’été à Pékin"


# ---------------------------------------------------------------- in a corpus

def test_feed_files_are_recognised_by_extension_or_by_their_root_element(tmp_path: Path) -> None:
    xml_feed = tmp_path / "flux.xml"
    xml_feed.write_bytes(ATOM.read_bytes())
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?>\n<!-- <rss> --><urlset><url><loc>https://a.example/</loc></url></urlset>')
    assert [format_of(RSS), format_of(ATOM), format_of(xml_feed), format_of(sitemap)] == ["feed", "feed", "feed", None]


def test_feed_entries_are_counted_for_the_progress_bar() -> None:
    assert count_documents([RSS, ATOM]) == 5


# ---------------------------------------------------------------- broken and hostile feeds

def test_truncated_feed_yields_the_entries_before_the_cut_and_a_failure_naming_the_file(tmp_path: Path) -> None:
    text = RSS.read_text(encoding="utf-8")
    cut = text.index("isolés depuis")  # in the middle of the second item
    feed = tmp_path / "tronque.rss"
    feed.write_text(text[:cut], encoding="utf-8")

    items = list(read_feed(feed))

    assert [doc.title for doc in documents(items)] == ["Coopération Mali–Chine : l’été à Pékin"]
    cut_entry, broken_file = failures(items)
    assert str(cut_entry) == f"{feed}:19: entry cut off by the end of the file; not indexed"
    assert broken_file.origin == str(feed)
    assert broken_file.reason.startswith("malformed or truncated feed at line")
    assert broken_file.reason.endswith("1 entries read before it")


def test_feed_cut_before_any_entry_is_a_source_error(tmp_path: Path) -> None:
    feed = tmp_path / "vide.rss"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0"><chan', encoding="utf-8")
    with pytest.raises(SourceError, match=re.escape(str(feed)) + ": malformed or truncated feed.*no entry could be read"):
        list(read_feed(feed))


def _billion_laughs(one_line: bool) -> str:
    declarations = ['<!ENTITY lol "lol">']
    for n in range(1, 10):
        previous = f"&lol{n - 1};" if n > 1 else "&lol;"
        declarations.append(f'<!ENTITY lol{n} "{previous * 10}">')
    subset = ("" if one_line else "\n").join(declarations)
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{subset}]>\n'
        '<rss version="2.0"><channel><title>Rire</title><item><title>&lol9;</title>'
        "<link>https://a.example/lol</link><description>&lol9;</description></item></channel></rss>"
    )


@pytest.mark.parametrize("one_line", [False, True], ids=["one-entity-a-line", "all-on-one-line"])
def test_entity_expansion_bomb_is_refused_quickly_without_expanding(tmp_path: Path, one_line: bool) -> None:
    feed = tmp_path / "bombe.xml"
    feed.write_text(_billion_laughs(one_line), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SourceError, match=re.escape(str(feed)) + ".*declares XML entities.*refused"):
        list(read_feed(feed))
    assert time.perf_counter() - started < 1.0


def test_entity_declaration_behind_a_comment_is_refused_too(tmp_path: Path) -> None:
    feed = tmp_path / "cachee.rss"
    feed.write_text(_billion_laughs(False).replace("<!DOCTYPE", "<!-- <a> --><!DOCTYPE"), encoding="utf-8")
    assert str(next(read_file(feed))).startswith(f"{feed}: declares XML entities")


# ---------------------------------------------------------------- the same article twice

def _rss(title: str, items: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>\n'


def _item(title: str, link: str, text: str) -> str:
    return f"<item><title>{title}</title><link>{link}</link><description>{text}</description></item>"


def test_same_article_from_two_feeds_is_indexed_once_and_the_merge_is_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "flux"
    corpus.mkdir()
    text = "Le Premier ministre a présenté mardi son plan pour l’hôpital public."
    (corpus / "a-agence.rss").write_text(_rss("Agence", "\n".join([
        _item("Plan pour l’hôpital", "https://agence.example/plan-hopital", text),
        _item("Grève à la SNCF", "https://agence.example/greve", "Les cheminots ont cessé le travail lundi."),
    ])), encoding="utf-8")
    (corpus / "b-journal.rss").write_text(_rss("Journal", "\n".join([
        # Same URL as the agency's copy.
        _item("Plan pour l'hôpital public", "https://agence.example/plan-hopital", "Une autre version."),
        # Another URL, same text once case, accents and spaces are set aside.
        _item("PLAN POUR L’HOPITAL", "https://journal.example/2024/plan", "  le premier  ministre a presente "
              "mardi son plan pour l’hopital public."),
    ])), encoding="utf-8")

    report = build_index([corpus], tmp_path / "index")

    ix, _ = open_current(tmp_path / "index")
    with ix.searcher() as searcher:
        urls = sorted(fields["url"] for fields in searcher.all_stored_fields())
    assert urls == ["https://agence.example/greve", "https://agence.example/plan-hopital"]
    first_id = stable_id("url", "https://agence.example/plan-hopital")
    assert report.merged == [
        f"{corpus / 'b-journal.rss'}:2: same id {first_id} as an earlier record",
        f"{corpus / 'b-journal.rss'}:3: same title and text as {first_id}",
    ]
