"""The SolrCloud engine: the same Engine protocol as Whoosh, answered by a collection alias on a cluster.

One search is one request: the plan as a `{!bool … mm=N}` query, the filters as
tagged `fq`s, exact facet counts from the JSON Facet API (`refine`; a selected
facet excludes its own filter), the month counts, how many articles hold every
word, and per hit which words it lacks (pseudo-fields `exists(query($wN))`).
Scores do not depend on the shard thanks to the configset's ExactStatsCache.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter

from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from engines import query as qt
from engines.base import (FACETS, MAX_COPIES_LISTED, NO_TERMS, Article, EngineQuery, EngineResult, EngineUnavailable, FormCount,
                          MatchTerms, PeriodCounts, WordForms, shown_entity_counts, stored_article)
from engines.query import MatchPlan, QuerySyntaxError
from engines.solr.client import SolrClient
from engines.solr.state import ClusterState, current_meta
from engines.whoosh.schema import ENTITY_FACETS
from indexer.entities import entity_key, most_used_forms
from indexer.errors import IndexMissing, LoupeError
from engines.solr.compile import CompiledPlan, analysed, compile_node, compile_plan, date_clause, escape, pattern_text
from indexer.analysis import FrenchAnalyzer, index_variants, query_term, word_spans
from indexer.stopwords import FRENCH_STOP_WORDS

FACET_FIELDS = {"source": "source_facet", "author": "author_facet", "section": "section_facet",
                "tag": "tag_facet", "year": "year", "person": "person_facet", "place": "place_facet",
                "org": "org_facet"}
FILTER_FIELDS = {**FACET_FIELDS, "story": "story"}
STORED_FIELDS = ("id,title,summary,body,url,source,author,date,section,tags,origin,language,collection,content_hash,"
                 "added,story,entities")
# Counting each story once: unique(story) per bucket. It is exact within a shard; across
# shards a story whose copies sit on two shards counts once on each (README, engine differences).
STORIES = "unique(story)"
PAGE_ROWS = 500  # cursorMark pages for exports and feeds
FORMS_PER_WORD = 8
FORMS_SECONDS = 300
MAX_QUERY_WORDS = 8
SIMILAR_TERMS = 25
SIMILAR_TEXT_CHARS = 20_000
_STEMMED = (None, "title", "text")


def article_of(doc: dict) -> Article:
    """A Solr document's stored fields as the Article the engine seam speaks (tags multi-valued)."""
    return stored_article(doc, list(doc.get("tags") or []), json.loads(doc["entities"]) if doc.get("entities") else [])


def _filter_queries(query: EngineQuery) -> list[str]:
    """One tagged fq per facet (so its own count can leave it out), the date range, the day articles entered by."""
    fqs = []
    for name, values in query.filters:
        if values:
            if name in ENTITY_FACETS:
                values = tuple(entity_key(value) for value in values)
            ors = " OR ".join(f'"{_quoted(value)}"' for value in values)
            fqs.append(f"{{!tag={name}}}{FILTER_FIELDS[name]}:({ors})")
    if query.date_from or query.date_to:
        fqs.append(date_clause(query.date_from or None, query.date_to or None))
    if query.added_until:
        fqs.append(f'added:[* TO "{query.added_until}T23:59:59"]')
    return fqs


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True)
class StoryGroups:
    """The stories with several copies among a search's matches, and the earliest copy (head) of each.

    Solr's collapse parser needs every copy of a story on one shard, and the
    collections route by id; so the heads are found with result grouping
    (exact across shards), and the search keeps the articles of unshared stories
    plus the heads, under the filter tagged `stories` that counts leave out.
    """

    copies: dict[str, int]  # story → its matching copies, head included
    heads: dict[str, str]  # story → the id of its earliest matching copy

    def filter(self) -> tuple[str, dict]:
        params = {"g_all": "*:*", "g_shared": _terms("story", self.copies), "g_heads": _terms("id", self.heads.values()),
                  "g_rest": "{!bool must=$g_all must_not=$g_shared}"}
        return "{!bool tag=stories should=$g_rest should=$g_heads}", params


def _terms(field: str, values) -> str:
    """A terms query on `field` (no clause limit), values separated by a character no id holds."""
    return f"{{!terms f={field} separator='{TERMS_SEPARATOR}'}}" + TERMS_SEPARATOR.join(values)


TERMS_SEPARATOR = "\x1f"
SHARED_STORIES = {"type": "terms", "field": "story", "mincount": 2, "limit": -1, "refine": True}


def _facets_json(query: EngineQuery, compiled: CompiledPlan, grouped: bool = False) -> dict:
    facets: dict = {}
    if query.with_counts:
        stories = {"facet": {"stories": STORIES}} if query.count_stories else {}
        for name in FACETS:
            facets[name] = {"type": "terms", "field": FACET_FIELDS[name], "limit": -1, "refine": True,
                            "domain": {"excludeTags": [name, "stories"] if grouped else name}, **stories}
        facets["month"] = {"type": "terms", "field": "month", "limit": -1, "refine": True, **stories,
                           **({"domain": {"excludeTags": "stories"}} if grouped else {})}
    if query.group_stories and not grouped:
        facets["shared_stories"] = SHARED_STORIES
    if compiled.all_words_query:
        facets["all_words"] = {"type": "query", "q": compiled.all_words_query}
    return facets


def _buckets(facet: dict | None) -> dict[str, int]:
    """value → count of a terms facet; with a `stories` sub-facet, the stories counted instead."""
    return {str(b["val"]): int(b.get("stories", b["count"])) for b in (facet or {}).get("buckets", [])}


class SolrEngine:
    """A collection alias on a SolrCloud cluster, through any of its live nodes."""

    name = "solr"

    def __init__(self, solr_url: str, collection: str = "loupe", client: SolrClient | None = None) -> None:
        self.client = client or SolrClient(solr_url)
        self.collection = collection
        self._forms_by_term: dict[str, tuple[str, ...]] | None = None
        self._forms_read_at = 0.0
        self._entity_names: dict[str, dict[str, str]] | None = None
        self._entity_names_read_at = 0.0

    # ------------------------------------------------------------------ requests

    def _select(self, params: dict) -> dict:
        return self.client.post(f"{self.collection}/select", params={"wt": "json"}, json={"params": params})

    def _params(self, query: EngineQuery, compiled: CompiledPlan, rows: int, groups: StoryGroups | None = None) -> dict:
        params = {"q": compiled.q, **compiled.params, "fq": _filter_queries(query), "rows": rows,
                  "fl": STORED_FIELDS + ",score", "spellcheck": "false"}
        if groups is not None:
            group_filter, group_params = groups.filter()
            params["fq"].append(group_filter)
            params.update(group_params)
        if compiled.all_words_query:
            params["all"] = compiled.all_words_query
            params["fl"] += "," + ",".join(f"{w}_held:exists(query(${w}))" for w in compiled.word_params)
        params["sort"] = self._sort(query, compiled)
        facets = _facets_json(query, compiled, grouped=groups is not None)
        if facets:
            params["json.facet"] = json.dumps(facets)
        return params

    @staticmethod
    def _sort(query: EngineQuery, compiled: CompiledPlan) -> str:
        """Undated articles last either way, ties by id; with words, the articles holding all of them first."""
        if query.sort == "date":
            return "date asc,id asc"
        if query.sort == "-date":
            return "date desc,id asc"
        if compiled.all_words_query:
            return "if(exists(query($all)),1,0) desc,score desc,id asc"
        return "score desc,id asc"

    def _run(self, query: EngineQuery, rows: int) -> tuple[dict, CompiledPlan, StoryGroups | None]:
        """The search under its plan; with too few matches, the fallback to any one word; grouped by story
        when asked and some story has several copies among the matches."""
        self.check(query.plan)
        compiled = compile_plan(query.plan)
        answer = self._select(self._params(query, compiled, rows))
        fallback = query.allow_partial and compiled.words and len(compiled.words) >= 2 and compiled.minimum > 1
        if answer["response"]["numFound"] == 0 and fallback:
            compiled = compiled.with_minimum(1)
            answer = self._select(self._params(query, compiled, rows))
        groups = None
        if query.group_stories:
            copies = _buckets(answer.get("facets", {}).get("shared_stories"))
            if copies:
                groups = StoryGroups(copies, self._heads(query, compiled, copies))
                answer = self._select(self._params(query, compiled, rows, groups))
        return answer, compiled, groups

    def _grouped_by_story(self, query: EngineQuery, compiled: CompiledPlan, stories, per_story: int,
                          exclude_ids=()) -> dict[str, list[dict]]:
        """story → its first `per_story` matching copies, earliest first (result grouping, exact across shards)."""
        fq = [*_filter_queries(query), _terms("story", stories)]
        if exclude_ids:
            fq.append("-" + _terms("id", exclude_ids))
        answer = self._select({"q": compiled.q, **compiled.params, "fq": fq, "rows": len(stories), "fl": STORED_FIELDS,
                               "group": "true", "group.field": "story", "group.limit": per_story,
                               "group.sort": "date asc,id asc", "sort": "id asc"})
        groups = answer.get("grouped", {}).get("story", {}).get("groups", [])
        return {str(g["groupValue"]): g["doclist"]["docs"] for g in groups}

    def _heads(self, query: EngineQuery, compiled: CompiledPlan, copies: dict[str, int]) -> dict[str, str]:
        found = self._grouped_by_story(query, compiled, copies, 1)
        return {story: docs[0]["id"] for story, docs in found.items() if docs}

    # ------------------------------------------------------------------ searching

    def search(self, query: EngineQuery) -> EngineResult:
        answer, compiled, groups = self._run(query, query.limit)
        docs = answer["response"]["docs"]
        total = answer["response"]["numFound"]
        facets = answer.get("facets", {})
        relevance = query.sort == "relevance" and query.plan is not None
        missing = [tuple(word for word, w in zip(compiled.words, compiled.word_params) if not doc.get(f"{w}_held"))
                   for doc in docs]
        partial = bool(compiled.words) and total > 0 and facets.get("all_words", {}).get("count", 0) == 0
        articles = [article_of(doc) for doc in docs]
        copy_counts, copies = self._copies(query, compiled, groups, articles)
        return EngineResult(
            total=total,
            articles=articles,
            scores=[float(doc.get("score", 0.0)) for doc in docs] if relevance else None,
            missing=missing,
            partial=partial,
            facets=self._shown({name: _buckets(facets.get(name)) for name in FACETS}) if query.with_counts else {},
            months=_buckets(facets.get("month")) if query.with_counts else {},
            forms=self._forms(query, compiled) if query.with_forms and query.plan is not None and total else [],
            terms=self.match_terms(query.plan),
            copy_counts=copy_counts,
            copies=copies,
        )

    def _copies(self, query: EngineQuery, compiled: CompiledPlan, groups: StoryGroups | None,
                articles: list[Article]) -> tuple[list[int], list[list[Article]]]:
        """For each hit: its other matching copies, how many and the first MAX_COPIES_LISTED."""
        if groups is None:
            return [0] * len(articles), [[] for _ in articles]
        shown = [a.get("story") for a in articles if groups.heads.get(a.get("story")) == a["id"]]
        listed = self._grouped_by_story(query, compiled, shown, MAX_COPIES_LISTED, groups.heads.values()) if shown else {}
        counts, copies = [], []
        for article in articles:
            story = article.get("story")
            head = groups.heads.get(story) == article["id"]
            counts.append(groups.copies[story] - 1 if head else 0)
            copies.append([article_of(doc) for doc in listed.get(story, [])] if head else [])
        return counts, copies

    def ranked(self, query: EngineQuery) -> list[Article]:
        """The first `query.limit` articles, paged with cursorMark so a 5,000-hit export stays cheap."""
        uncounted = replace(query, with_counts=False)
        _answer, compiled, groups = self._run(uncounted, 0)
        params = self._params(uncounted, compiled, 0, groups)
        params.pop("json.facet", None)
        articles: list[Article] = []
        cursor = "*"
        while len(articles) < query.limit:
            page = self._select({**params, "rows": min(PAGE_ROWS, query.limit - len(articles)), "cursorMark": cursor})
            articles += [article_of(doc) for doc in page["response"]["docs"]]
            if page.get("nextCursorMark") in (None, cursor):
                break
            cursor = page["nextCursorMark"]
        return articles[: query.limit]

    def check(self, plan: MatchPlan | None) -> None:
        """Refuse wildcards that stand for too many words, each or all together, as Whoosh does."""
        if plan is None:
            return
        budget = qt.ExpansionBudget()
        for leaf in qt.leaves(plan.tree or qt.And(plan.required + plan.optional)):
            if isinstance(leaf, qt.Pattern) and leaf.field not in ("date",):
                name = "text_t" if leaf.field in _STEMMED else f"{leaf.field}_t" if leaf.field != "exact" else "exact_t"
                terms = self._expansions(leaf, name, qt.MAX_EXPANDED_WORDS + 1)
                budget.spend(leaf.text, len(terms), sum(terms.values()))

    def _terms(self, **params) -> dict[str, int]:
        """The terms component's answer as term → document frequency."""
        answer = self.client.get(f"{self.collection}/terms", **{"wt": "json", "json.nl": "map", **params})
        found = answer.get("terms", {})
        return {str(k): int(v) for k, v in next(iter(found.values()), {}).items()} if found else {}

    def _expansions(self, pattern: qt.Pattern, field_name: str, limit: int) -> dict[str, int]:
        text = pattern_text(pattern, field_name)
        if pattern.is_prefix:
            return self._terms(**{"terms.fl": field_name, "terms.prefix": text[:-1], "terms.limit": limit,
                                  "terms.sort": "index"})
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
        return self._terms(**{"terms.fl": field_name, "terms.regex": regex, "terms.limit": limit,
                              "terms.sort": "index"})

    def match_terms(self, plan: MatchPlan | None) -> MatchTerms:
        """The stems and exact forms the plan's positive words search for, prefixes expanded."""
        if plan is None:
            return NO_TERMS
        stems: set[str] = set()
        exact: set[str] = set()
        for leaf in qt.leaves(qt.And(plan.required + plan.optional), positive_only=True):
            if isinstance(leaf, qt.Pattern):
                field_name = "exact_t" if leaf.field == "exact" else "text_t"
                found = self._expansions(leaf, field_name, qt.MAX_EXPANDED_WORDS)
                (exact if field_name == "exact_t" else stems).update(found)
            elif isinstance(leaf, (qt.Word, qt.Phrase)) and leaf.field in (*_STEMMED, "exact"):
                field_name = "exact_t" if leaf.field == "exact" else "text_t"
                terms = {term for position in analysed(field_name, leaf.text) for term in position}
                (exact if field_name == "exact_t" else stems).update(terms)
                if leaf.field is None and isinstance(leaf, qt.Word) and terms:
                    written = analysed("exact_t", leaf.text)
                    if len(written) == 1:  # the exact form a plain word also scores (compile.EXACT_FORM_BOOST)
                        exact.update(written[0])
        return MatchTerms(frozenset(stems), frozenset(exact))

    def counts_by_period(self, query: EngineQuery, interval: str) -> PeriodCounts:
        self.check(query.plan)
        compiled = compile_plan(query.plan)
        params = {"q": compiled.q, **compiled.params, "fq": _filter_queries(query), "rows": 0,
                  "json.facet": json.dumps({"periods": {
                      "type": "terms", "field": "year" if interval == "year" else "month", "limit": -1,
                      "refine": True, "missing": True,
                      "facet": {"sources": {"type": "terms", "field": "source_facet", "limit": -1, "refine": True,
                                            "missing": True,
                                            **({"facet": {"stories": STORIES}} if query.count_stories else {})}}}})}
        answer = self._select(params)
        counts: dict[tuple[str, str], int] = {}
        periods = answer.get("facets", {}).get("periods", {})
        for bucket in periods.get("buckets", []) + ([dict(periods["missing"], val="")] if "missing" in periods else []):
            sources = bucket.get("sources", {})
            for source in sources.get("buckets", []):
                counts[(str(bucket["val"]), str(source["val"]))] = int(source.get("stories", source["count"]))
            if sources.get("missing", {}).get("count"):
                counts[(str(bucket["val"]), "")] = int(sources["missing"]["count"])
        return PeriodCounts({key: count for key, count in counts.items() if count})

    # ------------------------------------------------------------------ written forms

    def entity_names(self) -> dict[str, dict[str, str]]:
        """entity type → merged key → the form most articles use (from the `<type>_form` facets), read again
        after FORMS_SECONDS like the forms map."""
        if self._entity_names is None or time.monotonic() - self._entity_names_read_at > FORMS_SECONDS:
            self._entity_names_read_at = time.monotonic()
            answer = self._select({"q": "*:*", "rows": 0, "json.facet": json.dumps(
                {kind: {"type": "terms", "field": f"{kind}_form", "limit": -1, "refine": True}
                 for kind in ENTITY_FACETS})})
            self._entity_names = {kind: most_used_forms(_buckets(answer.get("facets", {}).get(kind)).items())
                                  for kind in ENTITY_FACETS}
        return self._entity_names

    def _shown(self, facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        """Entity facets with their keys replaced by the forms they are shown as."""
        if not any(facets.get(kind) for kind in ENTITY_FACETS):
            return facets
        return shown_entity_counts(facets, self.entity_names())

    def forms_by_term(self) -> dict[str, tuple[str, ...]]:
        """Index term → the written forms indexed under it, from the exact field's terms.

        Read again after FORMS_SECONDS: the collection behind the alias changes with every indexing run.
        """
        if self._forms_by_term is None or time.monotonic() - self._forms_read_at > FORMS_SECONDS:
            self._forms_read_at = time.monotonic()
            forms: dict[str, list[str]] = {}
            for word in self._terms(**{"terms.fl": "exact_t", "terms.limit": -1, "terms.sort": "index"}):
                for variant in index_variants(word):
                    forms.setdefault(variant, []).append(word)
            self._forms_by_term = {term: tuple(words) for term, words in forms.items()}
        return self._forms_by_term

    def _forms(self, query: EngineQuery, compiled: CompiledPlan) -> list[WordForms]:
        by_term = self.forms_by_term()
        words = []
        seen: set = set()
        for leaf in qt.leaves(query.plan.tree, positive_only=True):
            if isinstance(leaf, qt.Pattern) and leaf.field in _STEMMED and leaf.text not in seen:
                seen.add(leaf.text)
                words.append((leaf.text, set(self._expansions(qt.Pattern(leaf.text, "text"), "text_t", 200))))
            elif isinstance(leaf, (qt.Word, qt.Phrase)) and leaf.field in _STEMMED:
                for start, end, word in word_spans(leaf.text):
                    if word not in FRENCH_STOP_WORDS and query_term(word) not in seen:
                        seen.add(query_term(word))
                        words.append((leaf.text[start:end], {query_term(word)}))
        found = []
        for typed, terms in words[:MAX_QUERY_WORDS]:
            forms = sorted({form for term in terms for form in by_term.get(term, ())})
            if not forms:
                continue
            facet = {f"f{i}": {"type": "query", "q": f"exact_t:{escape(form)}"} for i, form in enumerate(forms)}
            params = {"q": compiled.q, **compiled.params, "fq": _filter_queries(query), "rows": 0,
                      "json.facet": json.dumps(facet)}
            answer = self._select(params).get("facets", {})
            counts = [FormCount(form, int(answer.get(f"f{i}", {}).get("count", 0))) for i, form in enumerate(forms)]
            counts = sorted((c for c in counts if c.count), key=lambda c: (-c.count, c.form))
            if counts:
                found.append(WordForms(typed, counts[:FORMS_PER_WORD]))
        return found

    # ------------------------------------------------------------------ documents

    def document(self, doc_id: str) -> Article | None:
        answer = self._select({"q": f"id:{escape(doc_id)}", "rows": 1, "fl": STORED_FIELDS})
        docs = answer["response"]["docs"]
        return article_of(docs[0]) if docs else None

    def similar(self, doc_id: str, count: int) -> list[Article] | None:
        """Articles sharing the most distinctive words of this one's opening (tf × idf), as more-like-this does."""
        article = self.document(doc_id)
        if article is None:
            return None
        text = "\n\n".join(article.get(k) or "" for k in ("title", "summary", "body"))[:SIMILAR_TEXT_CHARS]
        frequencies = Counter(token.text for token in FrenchAnalyzer()(text, mode="query"))
        if not frequencies:
            return []
        document_frequency = self._terms(**{"terms.fl": "text_t", "terms.list": ",".join(frequencies),
                                            "terms.limit": -1})
        total = max(1, self._select({"q": "*:*", "rows": 0})["response"]["numFound"])
        weights = {t: tf * math.log(total / (1 + document_frequency.get(t, 0)))
                   for t, tf in frequencies.items() if document_frequency.get(t, 0) > 1}
        chosen = sorted(weights, key=lambda t: (-weights[t], t))[:SIMILAR_TERMS]
        if not chosen:
            return []
        q = "(" + " OR ".join(f"text_t:{escape(t)}" for t in chosen) + f") -id:{escape(doc_id)}"
        answer = self._select({"q": q, "rows": count, "fl": STORED_FIELDS + ",score", "sort": "score desc,id asc"})
        return [article_of(doc) for doc in answer["response"]["docs"]]

    # ------------------------------------------------------------------ words

    def is_known_word(self, word: str) -> bool:
        stems = self._terms(**{"terms.fl": "text_t", "terms.list": query_term(word), "terms.limit": -1})
        if any(stems.values()):
            return True
        written = self._terms(**{"terms.fl": "exact_t", "terms.list": word, "terms.limit": -1})
        return any(written.values())

    def closest_word(self, word: str) -> str | None:
        """One edit beats two; among equally near words the most frequent, as the Whoosh engine chooses."""
        answer = self._select({"q": "*:*", "rows": 0, "spellcheck": "true", "spellcheck.q": word,
                               "spellcheck.count": 20, "spellcheck.extendedResults": "true"})
        suggestions = answer.get("spellcheck", {}).get("suggestions", [])
        candidates: dict[str, int] = {}
        for item in suggestions[1::2] if suggestions and isinstance(suggestions[0], str) else []:
            for suggestion in item.get("suggestion", []):
                if isinstance(suggestion, dict):
                    candidates[suggestion["word"]] = int(suggestion.get("freq", 0))
        candidates = {w: f for w, f in candidates.items() if w != word and w[:1] == word[:1]}
        for max_edits in (1, 2):
            near = [w for w in candidates if OSA.distance(word, w) <= max_edits]
            if near:
                return max(near, key=lambda w: (candidates[w], w))
        return None

    # ------------------------------------------------------------------ the index

    def health(self) -> dict:
        """ok, or degraded with the nodes holding replicas that are down, or with ZooKeeper lost while the nodes
        still search; EngineUnavailable when no node answers; IndexMissing without a collection."""
        counted = self._select({"q": "*:*", "rows": 0})
        # Without ZooKeeper a node still searches from the state it last read, but CLUSTERSTATUS waits until
        # the node gives its session up (15 s, then as long again): a monitor's check must not hang on it.
        if self._zookeeper_lost(counted):
            return self._health_without_zookeeper(counted)
        try:
            state = ClusterState(self.client)
        except EngineUnavailable:  # the nodes answered the count, but not CLUSTERSTATUS: ZooKeeper lost since
            return self._health_without_zookeeper(counted)
        collection = state.alias_target(self.collection)
        shards = state.collections.get(collection or "", {}).get("shards", {})
        if not collection or not shards:
            raise IndexMissing(f"SolrCloud has no collection {self.collection!r}: run `python run.py index --engine solr`")
        replicas = [r for shard in shards.values() for r in shard.get("replicas", {}).values()]
        down = sorted({r.get("node_name", "?") for r in replicas
                       if r.get("state") != "active" or r.get("node_name") not in state.live_nodes})
        documents = counted["response"]["numFound"]
        health = {"status": "degraded" if down else "ok", "engine": self.name, "documents": documents,
                  "collection": collection, "live_nodes": len(state.live_nodes),
                  "last_update": state.meta(self.collection, collection).get("built_at")}
        if down:
            health["down"] = down
        return health

    def _zookeeper_lost(self, counted: dict) -> bool:
        """No ZooKeeper server answers the nodes: the count's header says so once a node gives its session up,
        Solr's ZooKeeper status handler (a socket to each server) at once."""
        if counted.get("responseHeader", {}).get("zkConnected") is False:
            return True
        try:
            status = self.client.get("admin/zookeeper/status").get("zkStatus", {})
        except LoupeError:
            return False  # the handler's own trouble: CLUSTERSTATUS will tell
        servers = status.get("details") or []
        unreachable = [error for error in status.get("errors", []) if "Failed talking to Zookeeper" in error]
        return bool(servers) and not any(server.get("ok") for server in servers) and bool(unreachable)

    def _health_without_zookeeper(self, counted: dict) -> dict:
        return {"status": "degraded", "engine": self.name, "documents": counted["response"]["numFound"],
                "zookeeper": "unreachable",
                "message": "the Solr nodes have lost ZooKeeper: searches answer from the cluster state they last "
                           "read; indexing fails until ZooKeeper is back (python run.py solr status)"}

    def stats(self) -> dict:
        answer = self._select({"q": "*:*", "rows": 0, "json.facet": json.dumps({
            "sources": {"type": "terms", "field": "source_facet", "limit": -1, "refine": True},
            "first": "min(date)", "last": "max(date)"})})
        facets = answer.get("facets", {})
        state = ClusterState(self.client)
        collection = state.alias_target(self.collection) or self.collection
        sources = _buckets(facets.get("sources"))
        return {
            "path": f"{self.client.configured[0]} ({self.collection} → {collection})",
            "documents": answer["response"]["numFound"],
            "built_at": state.meta(self.collection, collection).get("built_at"),
            "date_from": facets.get("first") or None,
            "date_to": facets.get("last") or None,
            "sources": dict(sorted(sources.items(), key=lambda kv: -kv[1])),
            "size_bytes": self._size_bytes(collection),
        }

    def _size_bytes(self, collection: str) -> int:
        try:
            metrics = self.client.get("admin/metrics", group="core", prefix="INDEX.sizeInBytes", wt="json")
        except Exception:  # noqa: BLE001 — the size is informative only
            return 0
        return sum(int(value.get("INDEX.sizeInBytes", 0)) for core, value in metrics.get("metrics", {}).items()
                   if f".{collection}." in core and isinstance(value, dict))

    def deletions(self) -> dict[str, int]:
        return dict(current_meta(self.client, self.collection).get("deletions", {}))

    def documents_per_collection(self) -> dict[str, int]:
        answer = self._select({"q": "*:*", "rows": 0, "json.facet": json.dumps(
            {"collections": {"type": "terms", "field": "collection", "limit": -1, "refine": True}})})
        return _buckets(answer.get("facets", {}).get("collections"))

    def warm(self) -> None:
        """Learn the live nodes and build the forms map before the first request."""
        self.health()
        self.forms_by_term()

    def watch(self) -> None:
        """Nothing to follow: SolrCloud opens new searchers itself, and the alias names the collection."""

