"""Every UI string, in French (default) and English; one place to translate."""

from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "search_label": "Rechercher dans les archives",
        "search_button": "Rechercher",
        "results_count": "{total} résultats",
        "results_time": "en {ms} ms",
        "no_results": "Aucun résultat.",
        "did_you_mean": "Vouliez-vous dire",
        "only_stop_words": "Votre recherche ne contient que des mots trop courants (le, la, de…) : ajoutez un mot porteur de sens.",
        "previous": "Précédent",
        "next": "Suivant",
        "similar": "Articles similaires",
        "original": "Lire l'article original",
        "back": "Retour aux résultats",
        "facet_source": "Source",
        "facet_author": "Auteur",
        "facet_section": "Rubrique",
        "facet_tag": "Mot-clé",
        "facet_year": "Année",
    },
    "en": {
        "search_label": "Search the archive",
        "search_button": "Search",
        "results_count": "{total} results",
        "results_time": "in {ms} ms",
        "no_results": "No results.",
        "did_you_mean": "Did you mean",
        "only_stop_words": "Your search only has very common words (le, la, de…): add a word that carries meaning.",
        "previous": "Previous",
        "next": "Next",
        "similar": "Similar articles",
        "original": "Read the original article",
        "back": "Back to results",
        "facet_source": "Source",
        "facet_author": "Author",
        "facet_section": "Section",
        "facet_tag": "Tag",
        "facet_year": "Year",
    },
}


def choose_language(request) -> str:
    """`?lang=` first, then the browser's Accept-Language, then French."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def strings_for(lang: str) -> dict[str, str]:
    return STRINGS.get(lang, STRINGS[DEFAULT_LANGUAGE])
