"""HTML pages: thin routes that parse the request, call search, render templates.

The small view models below (links, chips, pagination, timeline bars, zero-result
proposals) are pure functions of the SearchRequest and SearchResult, so the URL
stays the whole state: every link is the current request with one change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, has_request_context, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext, lazy_gettext

from engines.base import FACETS, FILTERS
from indexer.errors import LoupeError
from search.article import get_article, similar_articles
from search.request import DEFAULT_PER_PAGE, FACET_LIMIT, MAX_FACET_LIMIT, SearchRequest
from search.results import SearchResult
from search.service import run_search
from webui.assets import STATIC_DIR, UNVERSIONED_MAX_AGE_SECONDS
from webui.errors import is_input_error
from webui.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    count_results,
    format_date,
    format_number,
    format_period_short,
    ngettext,
)
from webui.params import copies_request, query_string, request_to_params, search_request_from_args
from webui.state import current_engine
from webui.syntax_help import syntax_help

pages = Blueprint("pages", __name__)

FACET_LIMIT_EXPANDED = 100
PAGE_WINDOW = 2  # page numbers shown on each side of the current one
MAX_FEWER_WORDS_PROPOSALS = 4
_QUERY_TOKEN = re.compile(r'"[^"]*"|\S+')
_OPERATORS = {"OR", "OU", "AND", "ET", "NOT", "SAUF", "ANDNOT", "ANDMAYBE"}
_HTTP_SCHEMES = ("http", "https")

# Timeline chart geometry, in SVG user units (the chart scales to its box).
CHART_WIDTH = 800
CHART_HEIGHT = 130
CHART_TOP = 24
CHART_BOTTOM = 28
CHART_MAX_LABELS = 8

FACET_LABELS = {
    "source": lazy_gettext("Source"),
    "author": lazy_gettext("Author"),
    "section": lazy_gettext("Section"),
    "tag": lazy_gettext("Tag"),
    "year": lazy_gettext("Year"),
    "person": lazy_gettext("People"),
    "place": lazy_gettext("Places"),
    "org": lazy_gettext("Organisations"),
    "story": lazy_gettext("Copies of"),
}
DATE_LABELS = {"date_from": lazy_gettext("From"), "date_to": lazy_gettext("To")}


class Links:
    """URLs for the current search with one change each; keeps lang only when the URL chose it."""

    def __init__(self, search_request: SearchRequest, lang_param: str | None) -> None:
        self.request = search_request
        self.lang_param = lang_param

    def params(self, **changes) -> list[tuple[str, str]]:
        extra: dict[str, object] = {}
        if self.request.facet_limit != FACET_LIMIT:
            extra["facet_limit"] = self.request.facet_limit
        extra["lang"] = self.lang_param
        extra.update(changes)
        return request_to_params(self.request, **extra)

    def search(self, **changes) -> str:
        query = urlencode(self.params(**changes))
        return url_for("pages.search_page") + ("?" + query if query else "")

    def copies(self, story: str) -> str:
        """The search listing every matching copy of one story."""
        query = urlencode(Links(copies_request(self.request, story), self.lang_param).params())
        return url_for("pages.search_page") + "?" + query

    def article(self, doc_id: str) -> str:
        query = urlencode(self.params())
        return url_for("pages.article_page", doc_id=doc_id) + ("?" + query if query else "")

    def tool(self, endpoint: str, **values) -> str:
        """A research tool (export, feed, concordance, trends) on the whole search, not the page."""
        query = urlencode(self.params(page=None, per_page=None, facet_limit=None))
        return url_for(endpoint, **values) + ("?" + query if query else "")


def pinned_permalink(search_request: SearchRequest) -> str:
    """This search's absolute URL pinned to a day (its asof, or today): it shows the same articles later."""
    pinned = replace(search_request, page=1, asof=search_request.asof or date.today().isoformat())
    return url_for("pages.search_page", _external=True) + "?" + query_string(pinned)


def citation_line(search_request: SearchRequest, total: int, archive_name: str, lang: str) -> str:
    """How to cite this search: archive, query and filters, result count, the day it shows, its pinned permalink."""
    filters = "; ".join(f"{FACET_LABELS[name]} : {', '.join(values)}" for name, values in search_request.filters)
    dates = " – ".join(d for d in (search_request.date_from, search_request.date_to) if d)
    described = " ; ".join(part for part in (filters, dates) if part)
    described = " (" + described + ")" if described else ""
    query_text = search_request.query_text.strip() or "*"
    return gettext(
        "%(archive)s, search “%(query)s”%(filters)s, %(count)s, as of %(date)s, %(permalink)s.",
        archive=archive_name,
        query=query_text,
        filters=described,
        count=count_results(total),
        date=format_date(search_request.asof or date.today().isoformat(), lang),
        permalink=pinned_permalink(search_request),
    )


@dataclass(frozen=True)
class Chip:
    """One active filter, and the URL of the same search without it."""

    name: str
    label: str
    value: str
    display: str
    remove_url: str


@dataclass(frozen=True)
class Bar:
    period: str
    count: int
    label: str  # the tooltip and accessible name: "2019 : 3 articles"
    axis_label: str  # shown under the bar, or "" when labels are thinned
    x: float
    y: float
    width: float
    height: float
    label_x: float
    url: str
    selected: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    by_month: bool
    width: int
    height: int
    baseline: float
    max_count: int


@dataclass(frozen=True)
class Proposal:
    text: str
    url: str
    count: int | None = None


def lang_param_from(args) -> str | None:
    asked = args.get("lang", "")
    return asked if asked in LANGUAGES else None


def language_links(lang: str) -> list[tuple[str, str, str]]:
    """(code, name, url of this very page in that language) for every other language."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return [
        (code, LANGUAGE_NAMES[code], request.path + "?" + urlencode(kept + [("lang", code)]))
        for code in LANGUAGES
        if code != lang
    ]


def chips_for(search_request: SearchRequest, links: Links, lang: str) -> list[Chip]:
    chips = []
    for name, values in search_request.filters:
        label = str(FACET_LABELS[name])
        for value in values:
            rest = [v for v in values if v != value]
            chips.append(Chip(name, label, value, value, links.search(**{name: rest, "page": None})))
    for name in ("date_from", "date_to"):
        value = getattr(search_request, name)
        if value:
            chips.append(
                Chip(name, str(DATE_LABELS[name]), value, format_date(value, lang),
                     links.search(**{name: None, "page": None}))
            )
    return chips


def clear_all_url(search_request: SearchRequest, links: Links) -> str:
    cleared = {name: None for name in (*FACETS, *FILTERS)}
    return links.search(date_from=None, date_to=None, page=None, **cleared)


def pagination(result: SearchResult) -> list[int | None]:
    """Page numbers to show: first, a window around the current one, last; None is a gap."""
    last = result.pages
    shown = {1, last, *range(result.page - PAGE_WINDOW, result.page + PAGE_WINDOW + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= last)
    items: list[int | None] = []
    for n in numbers:
        if items and n - items[-1] > 1:
            items.append(None)
        items.append(n)
    return items


def _all_periods(periods: list[str]) -> list[str]:
    """Every year or month from the first period to the last, so gaps show as empty slots."""
    first, last = periods[0], periods[-1]
    if len(first) == 4:
        return [str(y) for y in range(int(first), int(last) + 1)]
    year, month = int(first[:4]), int(first[5:7])
    filled = []
    while f"{year:04d}-{month:02d}" <= last:
        filled.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled


def timeline_chart(
    timeline: list[tuple[str, int]], search_request: SearchRequest, links: Links, lang: str
) -> Chart | None:
    """SVG geometry for the per-period histogram; each bar links to its period."""
    if not timeline:
        return None
    counts = dict(timeline)
    periods = _all_periods(sorted(counts))
    by_month = len(periods[0]) == 7
    max_count = max(counts.values())
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = CHART_WIDTH / len(periods)
    gap = min(slot * 0.2, 8)
    label_every = -(-len(periods) // CHART_MAX_LABELS)
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        height = max(plot_height * count / max_count, 2 if count else 0)
        label = ngettext("%(period)s: %(num)s article", "%(period)s: %(num)s articles", count,
                         period=format_date(period, lang))
        bars.append(
            Bar(
                period=period,
                count=count,
                label=label,
                axis_label=format_period_short(period, lang) if i % label_every == 0 else "",
                x=round(i * slot + gap / 2, 2),
                y=round(CHART_TOP + plot_height - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                label_x=round(i * slot + slot / 2, 2),
                url=links.search(date_from=period, date_to=period, page=None),
                selected=search_request.date_from == period and search_request.date_to == period,
            )
        )
    return Chart(bars, by_month, CHART_WIDTH, CHART_HEIGHT, CHART_TOP + plot_height, max_count)


@dataclass(frozen=True)
class FormLink:
    form: str
    count: int
    url: str  # the same search with this exact form


@dataclass(frozen=True)
class WordFormsView:
    word: str
    forms: list[FormLink]


def with_exact_form(query_text: str, word: str, form: str) -> str:
    """The query with `word` (as typed, elided article included) replaced by `exact:form`.

    A word inside a phrase or behind a prefix cannot be replaced: the exact form is
    added as a further required word instead.
    """
    pattern = re.compile(rf"(?<![\w:*])(?:\w+['’])?{re.escape(word)}(?![\w*])", re.IGNORECASE)
    for match in pattern.finditer(query_text):
        if query_text[: match.start()].count('"') % 2 == 0:
            return query_text[: match.start()] + f"exact:{form}" + query_text[match.end():]
    return f"{query_text} exact:{form}"


def word_forms_view(search_request: SearchRequest, result: SearchResult, links: Links) -> list[WordFormsView]:
    """The forms panel: each query word's written forms in the results, each a link to its exact search."""
    return [
        WordFormsView(word.word, [
            FormLink(found.form, found.count,
                     links.search(q=with_exact_form(search_request.query_text, word.word, found.form), page=None))
            for found in word.forms
        ])
        for word in result.forms
    ]


def _fewer_words(query_text: str) -> list[str]:
    """The query with one word left out, for each word (operators tidied away)."""
    tokens = _QUERY_TOKEN.findall(query_text)
    word_positions = [i for i, token in enumerate(tokens) if token not in _OPERATORS]
    if len(word_positions) < 2:
        return []
    variants = []
    for position in word_positions:
        kept: list[str] = []
        for i, token in enumerate(tokens):
            if i == position:
                continue
            if token in _OPERATORS and (not kept or kept[-1] in _OPERATORS):
                continue
            kept.append(token)
        while kept and kept[-1] in _OPERATORS:
            kept.pop()
        text = " ".join(kept)
        if text and text not in variants:
            variants.append(text)
    return variants[:MAX_FEWER_WORDS_PROPOSALS]


def zero_result_proposals(
    search_request: SearchRequest, result: SearchResult, chips: list[Chip], links: Links, lang: str
) -> list[Proposal]:
    """What to try when nothing matched: the suggestion, each filter removed, fewer words."""
    proposals = []
    if result.suggestion:
        proposals.append(
            Proposal(
                gettext("the suggested spelling: %(text)s", text=result.suggestion.text),
                links.search(q=result.suggestion.text, page=None),
            )
        )
    for chip in chips:
        proposals.append(
            Proposal(gettext("remove the filter %(label)s: %(value)s", label=chip.label, value=chip.display),
                     chip.remove_url)
        )
    for text in _fewer_words(search_request.query_text):
        try:
            count = run_search(current_engine(), replace(search_request, query_text=text, page=1, per_page=1)).total
        except LoupeError as failure:
            if not is_input_error(failure):
                raise
            continue
        if count:
            proposals.append(
                Proposal(gettext("fewer words: %(query)s", query=text), links.search(q=text, page=None), count)
            )
    return proposals


@pages.app_context_processor
def _language_switch() -> dict:
    """Every page extending base.html gets the links to itself in the other languages."""
    if not has_request_context():
        return {}
    return {"language_links": language_links(choose_language(request))}


def page_context() -> dict:
    """What every page template reads: language, archive name and formatters (messages come from `_()`)."""
    lang = choose_language(request)
    return {
        "lang": lang,
        "archive_name": current_app.config["ARCHIVE_NAME"],
        "format_date": lambda value: format_date(value, lang),
        "format_number": lambda number: format_number(number, lang),
        "count_results": count_results,
        "facet_labels": FACET_LABELS,
    }


def canonical_url_without_blanks() -> str | None:
    """This URL without its blank fields (`&sort=&date_from=` from the search form), or None if it has none.

    The form sends every field, filled or not; the permalink a researcher copies should hold
    only the search itself.
    """
    sent = list(request.args.items(multi=True))
    kept = [(name, value) for name, value in sent if value.strip()]
    if len(kept) == len(sent):
        return None
    return request.script_root + request.path + ("?" + urlencode(kept) if kept else "")


@pages.get("/")
@pages.get("/search")
def search_page():
    canonical = canonical_url_without_blanks()
    if canonical is not None:
        return redirect(canonical, 302)
    context = page_context()
    lang = context["lang"]
    try:
        search_request = search_request_from_args(request.args, with_timeline=True, with_forms=True)
        result = run_search(current_engine(), search_request)
        error = None
    except LoupeError as bad_input:  # shown beside the form; index trouble goes to webui/errors.py
        if not is_input_error(bad_input):
            raise
        search_request = SearchRequest(query_text=request.args.get("q", "")[:1000])
        result, error = None, str(bad_input)
    links = Links(search_request, lang_param_from(request.args))
    chips = chips_for(search_request, links, lang)
    proposals = []
    if result is not None and result.total == 0 and result.notice is None:
        proposals = zero_result_proposals(search_request, result, chips, links, lang)
    status = 400 if error else 200
    return (
        render_template(
            "search.html",
            request_=search_request,
            result=result,
            error=error,
            links=links,
            chips=chips,
            clear_all_url=clear_all_url(search_request, links),
            page_numbers=pagination(result) if result else [],
            chart=timeline_chart(result.timeline, search_request, links, lang) if result else None,
            citation=citation_line(search_request, result.total, context["archive_name"], lang) if result else "",
            proposals=proposals,
            word_forms=word_forms_view(search_request, result, links) if result else [],
            facet_names=list(FACETS),
            facet_limit_default=FACET_LIMIT,
            per_page_default=DEFAULT_PER_PAGE,
            facet_limit_expanded=min(FACET_LIMIT_EXPANDED, MAX_FACET_LIMIT),
            syntax_help=syntax_help(),
            **context,
        ),
        status,
    )


@pages.get("/favicon.ico")
def favicon():
    """The icon browsers and crawlers ask for before reading any page: the SVG the pages link to."""
    response = send_from_directory(STATIC_DIR, "favicon.svg", mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = UNVERSIONED_MAX_AGE_SECONDS
    response.cache_control.no_cache = None
    return response


def original_url(url: str) -> str | None:
    """The article's source URL if it is a web address; never a javascript: or data: link."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in _HTTP_SCHEMES else None


@pages.get("/articles/<doc_id>")
def article_page(doc_id: str):
    context = page_context()
    try:
        search_request = search_request_from_args(request.args)
    except LoupeError:  # a bad search to go back to does not hide the article
        search_request = SearchRequest(query_text=request.args.get("q", "")[:1000])
    links = Links(search_request, lang_param_from(request.args))
    article = get_article(current_engine(), doc_id, search_request.query_text)
    if article is None:
        return render_template("error.html", message=gettext("This article is not (or no longer) in the index."),
                               back_url=links.search(), **context), 404
    similar = similar_articles(current_engine(), doc_id) or []
    has_search = bool(search_request.query_text or search_request.filters or search_request.date_from
                      or search_request.date_to)
    return render_template(
        "article.html",
        article=article,
        similar=similar,
        query_text=search_request.query_text,
        links=links,
        back_url=links.search(),
        has_search=has_search,
        original_url=original_url(article.url),
        **context,
    )
