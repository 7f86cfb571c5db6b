"""The gettext catalogues: every message of the UI translated in every language, placeholders intact."""

from __future__ import annotations

import shutil

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webui.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    TRANSLATIONS_DIR,
    TranslationsNotCompiled,
    available_languages,
    catalogues,
    check_compiled,
    format_date,
    format_decimal,
    format_number,
    format_period_short,
)

WEBUI = TRANSLATIONS_DIR.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}  # as `make translations-extract` passes -k lazy_gettext
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]  # webui/translations/babel.cfg


def source_messages() -> dict[str | tuple, list[str]]:
    """msgid (a tuple for plurals) → where the code or a template uses it."""
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(WEBUI), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {}},
    ):
        key = message if isinstance(message, str) else tuple(message[:2])
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalogue(lang: str):
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def test_french_and_english_are_the_languages_and_each_has_a_catalogue():
    assert LANGUAGES[:1] == ("fr",) and set(LANGUAGES) >= {"fr", "en"}
    assert LANGUAGE_NAMES["fr"] == "Français" and LANGUAGE_NAMES["en"] == "English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_and_templates_is_translated(lang):
    messages = source_messages()
    assert len(messages) > 200
    translated = catalogue(lang)
    missing = []
    for msgid, places in messages.items():
        entry = translated.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        strings = entry.string if entry is not None else None
        strings = list(strings) if isinstance(strings, tuple) else [strings]
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{msgid!r} ({places[0]})")
    assert not missing, f"{lang}: untranslated, add them to the .po (make translations-extract): " + "; ".join(missing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalogue_keeps_a_message_the_ui_no_longer_uses(lang):
    used = {m[0] if isinstance(m, tuple) else m for m in source_messages()}
    kept = {message.id[0] if isinstance(message.id, tuple) else message.id for message in catalogue(lang) if message.id}
    assert kept - used == set(), "run `make translations-extract` to drop them"


def test_the_template_for_new_languages_lists_every_message():
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as pot:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(pot) if m.id}
    used = {m[0] if isinstance(m, tuple) else m for m in source_messages()}
    assert template == used, "run `make translations-extract`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_and_the_plural_forms(lang):
    translated = catalogue(lang)
    problems = [f"{message.id!r}: {errors}" for message, errors in translated.check()]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_translation_holds_markup(lang):
    # Jinja treats a translation as safe HTML: a < or & in one would reach the page unescaped.
    for message in catalogue(lang):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert "<" not in (string or "") and "&" not in (string or ""), (message.id, string)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_its_po(lang):
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)
    def ids(messages) -> set:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}

    assert ids(compiled) == ids(catalogue(lang))


def test_a_new_language_is_a_folder_with_a_po_file(tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, translations, ignore=shutil.ignore_patterns("*.mo"))
    spanish = translations / "es" / "LC_MESSAGES"
    spanish.mkdir(parents=True)
    shutil.copy(translations / "en" / "LC_MESSAGES" / "messages.po", spanish / "messages.po")
    assert available_languages(translations) == ("fr", "en", "es")
    assert len(catalogues(translations)) == 3


def test_the_app_refuses_a_catalogue_not_compiled_since_it_changed(monkeypatch, tmp_path):
    translations = tmp_path / "webui" / "translations"
    shutil.copytree(TRANSLATIONS_DIR, translations)
    (translations / "fr" / "LC_MESSAGES" / "messages.mo").unlink()
    monkeypatch.setattr("webui.i18n.TRANSLATIONS_DIR", translations)
    monkeypatch.setattr("webui.i18n.catalogues", lambda directory=translations: sorted(
        directory.glob("*/LC_MESSAGES/messages.po")))
    with pytest.raises(TranslationsNotCompiled, match="make translations"):
        check_compiled()


@pytest.mark.parametrize("lang, day, month, short, number, decimal", [
    ("fr", "12 mars 2019", "mars 2019", "janv. 19", "2\u202f003", "6,6"),
    ("en", "12 March 2019", "March 2019", "Jan 19", "2,003", "6.6"),
])
def test_dates_and_numbers_follow_the_language(lang, day, month, short, number, decimal):
    assert format_date("2019-03-12", lang) == day
    assert format_date("2019-03", lang) == month
    assert format_date("2019", lang) == "2019"
    assert format_period_short("2019-01", lang) == short
    assert format_number(2003, lang) == number
    assert format_decimal(6.6, lang) == decimal


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    assert format_date("2019-03-01", "fr") == "1er mars 2019"
    assert format_date("2019-03-01", "en") == "1 March 2019"
    assert format_date("2019-02-30", "fr") == "2019-02-30"
