"""The query syntax as the help panel's rows (example, what it finds); mirrors search/query_parser.py."""

from __future__ import annotations

from flask_babel import gettext

from webui.i18n import N_

# Examples are queries, the same in every language, except where a language has its own operator.
SYNTAX_HELP: list[tuple[str, str]] = [
    ("souveraineté Mali", N_("both words, in any order")),
    ("quand la Corée a-t-elle été divisée ?",
     N_("a question: from 4 words on, the articles holding most of them (75%); those holding all first")),
    (N_("Mali OR Niger"), N_("either word (OU works too)")),
    ("Mali -Niger", N_("Mali but not Niger (also: Mali NOT Niger, Mali SAUF Niger)")),
    ('"coopération sécuritaire"', N_("the exact phrase, words in this order (« … » works too)")),
    ("souveraineté NEAR/5 Mali", N_("both words at most 5 words apart (also PROCHE/5)")),
    ("titre:Chine", N_("the word in the title; also auteur:, source:, rubrique:, tag: (or title:, author:, section:)")),
    ("auteur:AFP rubrique:Politique", N_("combine several fields")),
    ("exact:souverainetés", N_("this exact form, accents kept, no variants")),
    ("date:2019", N_("published in 2019; date:2019-03 for March 2019")),
    ("date:[2018-01 TO 2019-06]", N_("published from January 2018 to June 2019")),
    ("souverain*", N_("words starting with souverain (souverainiste, souveraineté…)")),
]


def syntax_help() -> list[tuple[str, str]]:
    """The rows in the page's language; an example that is no message stays as written."""
    return [(gettext(example), gettext(meaning)) for example, meaning in SYNTAX_HELP]
