"""The interface language: which one a request gets, and its dates, numbers and plurals (Babel).

Every UI string is a gettext message (English msgid) in templates and in the code:
`_("Search the archive")`, `ngettext("%(num)s result", "%(num)s results", n)`. The
translations live in webui/translations/<language>/LC_MESSAGES/messages.po, compiled
to .mo files by `make translations`; a language is a folder there, no Python needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal as babel_format_decimal
from flask_babel import force_locale, get_locale, get_translations, gettext

from indexer.errors import LoupeError

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "fr"
# The CLDR locale whose dates and numbers a language uses, where it is not the language
# itself: English pages write "12 March 2019", as British English does.
FORMAT_LOCALES = {"en": "en_GB"}
# French writes the first day of a month as an ordinal ("1er mars"); CLDR has no pattern for it.
FIRST_DAY = {"fr": "1er"}


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel) where it is translated later, with gettext()."""
    return message


class TranslationsNotCompiled(LoupeError):
    """A catalogue's .mo file is missing or older than its .po: the pages would show English msgids."""

    code = "translations_not_compiled"


def catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Every messages.po under `directory`, one per language."""
    return sorted(directory.glob("*/LC_MESSAGES/messages.po"))


def available_languages(directory: Path = TRANSLATIONS_DIR) -> tuple[str, ...]:
    """The interface languages: French, then every other language with a catalogue."""
    found = [po.parent.parent.name for po in catalogues(directory)]
    return tuple([DEFAULT_LANGUAGE] + sorted(code for code in found if code != DEFAULT_LANGUAGE))


LANGUAGES = available_languages()


def _language_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


LANGUAGE_NAMES = {code: _language_name(code) for code in LANGUAGES}


def check_compiled() -> None:
    """Refuse to start with a catalogue not compiled since its last change; the message names the fix."""
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            raise TranslationsNotCompiled(
                f"{mo.relative_to(TRANSLATIONS_DIR.parent.parent)} is missing or older than its .po: "
                "run `make translations` (pybabel compile -d webui/translations)")


def compile_catalogues() -> None:
    """What `pybabel compile -d webui/translations` does, for the test suite and scripts."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in catalogues():
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


def choose_language(request) -> str:
    """`?lang=` first, then the browser's Accept-Language, then French."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the page being rendered (the request's, or the one forced for a widget)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _locale(lang: str | None) -> str:
    lang = lang or current_language()
    return FORMAT_LOCALES.get(lang, lang)


def _parse_day(value: str) -> tuple[int, int | None, int | None] | None:
    parts = value[:10].split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4 or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts] + [None, None]
    return numbers[0], numbers[1], numbers[2]


def format_date(value: str | None, lang: str | None = None) -> str:
    """`2019-03-12` → `12 mars 2019` / `12 March 2019`; `2019-03` → `mars 2019`; `2019` stays; else unchanged."""
    if not value:
        return ""
    parsed = _parse_day(value)
    if parsed is None:
        return value
    year, month, day = parsed
    if not month or not 1 <= month <= 12:
        return str(year)
    locale = _locale(lang)
    try:
        if not day:
            return format_skeleton("yMMMM", date(year, month, 1), locale=locale)
        text = babel_format_date(date(year, month, day), "long", locale=locale)
    except ValueError:
        return value
    first = FIRST_DAY.get(Locale.parse(locale).language)
    return text.replace("1", first, 1) if first and day == 1 and text.startswith("1 ") else text


def format_period_short(period: str, lang: str | None = None) -> str:
    """A timeline axis label: `2019` stays, `2019-03` → `mars 19` / `Mar 19`."""
    parsed = _parse_day(period)
    if len(period) != 7 or parsed is None or not 1 <= (parsed[1] or 0) <= 12:
        return period
    return babel_format_date(date(parsed[0], parsed[1], 1), "MMM yy", locale=_locale(lang))


def format_number(number: int, lang: str | None = None) -> str:
    """Thousands grouped as each language writes them: `2 003` (narrow no-break space) / `2,003`."""
    return babel_format_decimal(number, locale=_locale(lang))


def format_decimal(number: float | None, lang: str | None = None) -> str:
    """One decimal, in the language's notation: `12,5` / `12.5`."""
    return babel_format_decimal(float(number or 0), format="0.0", locale=_locale(lang))


def ngettext(singular: str, plural: str, count: int, **variables) -> str:
    """flask_babel's ngettext, with `%(num)s` the count written in the language (`2 003`), as templates pass it."""
    variables.setdefault("num", format_number(count))
    return get_translations().ungettext(singular, plural, count) % variables


def count_results(count: int) -> str:
    """`Aucun résultat`, `1 résultat`, `2 003 résultats`: the language's plural rule, from its catalogue."""
    if count == 0:
        return gettext("No results")
    return ngettext("%(num)s result", "%(num)s results", count)


# --- messages looked up by key --------------------------------------------------------------
# webui/admin*.py still asks for its messages by key (strings_for(lang)["admin_…"]) and
# formats them with str.format; these are those messages, translated like every other.
KEYED_MESSAGES = {
    "admin_csrf_refused": N_("Form refused: it has expired or did not come from this console. Reload the page and try again."),
    "admin_upload_request_too_large": N_("Upload refused: over {limit} MB in all. Send fewer or smaller files; nothing was saved."),
    "admin_login_wrong": N_("Wrong token: check it and try again."),
    "admin_login_throttled": N_("Too many failed attempts: try again in a few minutes."),
    "admin_unknown_source": N_("No source named “{name}” in the registry: reload the page."),
    "admin_busy_job": N_("A reindex is already running: wait for it to finish before starting another."),
    "admin_busy_lock": N_("An indexing run (from the command line?) holds the index lock: wait for it to finish."),
    "admin_upload_none": N_("Choose at least one file to upload."),
    "admin_upload_bad_type": N_("file type not accepted (expected: {types})"),
    "admin_upload_readme": N_("README… files are skipped by the indexer: rename it"),
    "admin_upload_single_file": N_("this source is a single file ({path}): declare a folder or a pattern to put files in"),
    "admin_upload_glob": N_("this source only reads files matching {pattern}: rename the file or choose another source"),
    "admin_upload_too_large": N_("file too large (over {limit} MB): split it"),
    "admin_upload_empty": N_("empty file"),
    "admin_upload_bad_compressed": N_("not a valid {ext} file (wrong signature)"),
    "admin_upload_bad_encoding": N_("not UTF-8 or Windows-1252 text: save it again in one of these encodings"),
    "admin_upload_binary": N_("contains binary data, not text"),
    "admin_upload_exists": N_("a file named {name} is already in this folder: rename yours"),
    "admin_upload_not_feed": N_("this XML file is not an RSS or Atom feed"),
    "admin_upload_os_error": N_("cannot write the file ({error})"),
    "admin_kind_incremental": N_("incremental"),
    "admin_kind_rebuild": N_("rebuild"),
    "admin_state_starting": N_("starting"),
    "admin_state_running": N_("running"),
    "admin_state_done": N_("done"),
    "admin_state_failed": N_("failed"),
    "admin_state_interrupted": N_("interrupted"),
}


class KeyedMessages(Mapping):
    """The messages above in one language, looked up by key."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        with force_locale(self.lang):
            return gettext(KEYED_MESSAGES[key])

    def __iter__(self) -> Iterator[str]:
        return iter(KEYED_MESSAGES)

    def __len__(self) -> int:
        return len(KEYED_MESSAGES)


def strings_for(lang: str) -> KeyedMessages:
    return KeyedMessages(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
