"""The Whoosh engine: Loupe's embedded default, answering the Engine protocol from an index directory."""

from __future__ import annotations

from pathlib import Path

from whoosh.searching import Searcher

from engines.base import (MAX_COPIES_LISTED, NO_TERMS, Article, EngineQuery, EngineResult, MatchTerms, PeriodCounts,
                          stored_article)
from engines.query import MatchPlan
from engines.whoosh import spelling
from engines.whoosh.compile import compile_plan
from engines.whoosh.doc_values import doc_values
from engines.whoosh.entity_names import entity_names, shown_counts
from engines.whoosh.forms import forms_by_term
from engines.whoosh.handle import IndexHandle
from engines.whoosh.schema import TAG_SEPARATOR, term_text
from engines.whoosh.search import all_matching, filter_docs, prepare, ranked_docnums, ranking
from engines.whoosh.terms import match_terms
from engines.whoosh.store import read_meta

SIMILAR_TERMS = 25
# More-like-this reads the article's text; a 5 MB one took 1.7 s. Its opening says what it is about.
SIMILAR_TEXT_CHARS = 20_000


def article_of(stored: dict) -> Article:
    """A Whoosh document's stored fields as the Article the engine seam speaks (tags joined by TAG_SEPARATOR)."""
    return stored_article(stored, [tag for tag in stored.get("tags", "").split(TAG_SEPARATOR) if tag],
                          stored.get("entities") or [])


def warm_searcher(searcher: Searcher) -> None:
    """What a first request would otherwise build: value columns, spelling words, the forms map."""
    doc_values(searcher)
    entity_names(searcher)
    spelling.words_by_initial(searcher)
    forms_by_term(searcher)


class WhooshEngine:
    """An index directory (index/current → build-…) served by Whoosh searchers, one per thread."""

    name = "whoosh"

    def __init__(self, index_dir: Path, warm: bool = True) -> None:
        self.index_dir = Path(index_dir)
        self.handle = IndexHandle(self.index_dir, warm=warm_searcher) if warm else IndexHandle(self.index_dir)

    def _searcher(self) -> Searcher:
        return self.handle.searcher()

    # ------------------------------------------------------------------ searching

    def search(self, query: EngineQuery) -> EngineResult:
        searcher = self._searcher()
        prepared = prepare(searcher, query)
        found = ranking(searcher, prepared, query.sort, query.limit, query.with_forms, query.allow_partial)
        articles = [article_of(searcher.stored_fields(docnum)) for docnum in found.ranked]
        terms = match_terms(prepared.parsed.whoosh_query, searcher.reader()) if query.plan is not None else NO_TERMS
        copies = [found.copies.get(docnum, []) for docnum in found.ranked]
        return EngineResult(
            total=found.total,
            articles=articles,
            scores=found.scores,
            missing=[found.missing.get(docnum, ()) for docnum in found.ranked],
            partial=found.partial,
            facets=shown_counts(searcher, found.counts.facets),
            months=found.counts.months,
            forms=found.forms,
            terms=terms,
            copy_counts=[len(docnums) for docnums in copies],
            copies=[[article_of(searcher.stored_fields(d)) for d in docnums[:MAX_COPIES_LISTED]] for docnums in copies],
        )

    def ranked(self, query: EngineQuery) -> list[Article]:
        searcher = self._searcher()
        prepared = prepare(searcher, query)
        docnums = ranked_docnums(searcher, prepared, query.sort, query.limit, query.allow_partial)
        return [article_of(searcher.stored_fields(docnum)) for docnum in docnums]

    def check(self, plan) -> None:
        prepare(self._searcher(), EngineQuery(plan=plan))

    def match_terms(self, plan: MatchPlan | None) -> MatchTerms:
        if plan is None:
            return NO_TERMS
        searcher = self._searcher()
        return match_terms(compile_plan(plan, searcher.schema).whoosh_query, searcher.reader())

    def counts_by_period(self, query: EngineQuery, interval: str) -> PeriodCounts:
        """Matching articles per (period, source), from the searcher's value columns."""
        searcher = self._searcher()
        prepared = prepare(searcher, query)
        values = doc_values(searcher)
        period = values.facets["year"] if interval == "year" else values.month
        docs = all_matching(searcher, prepared.parsed.whoosh_query, filter_docs(searcher, prepared.main_filter))
        stories = values.story if query.count_stories else None
        return PeriodCounts(period.count_pairs(values.facets["source"], docs, stories))

    # ------------------------------------------------------------------ documents

    def document(self, doc_id: str) -> Article | None:
        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        return None if docnum is None else article_of(searcher.stored_fields(docnum))

    def similar(self, doc_id: str, count: int) -> list[Article] | None:
        """Articles sharing the most distinctive words of this one's opening; None if it is unknown."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        text = "\n\n".join(stored.get(k, "") for k in ("title", "summary", "body"))[:SIMILAR_TEXT_CHARS]
        hits = searcher.more_like(docnum, "text", text=text, top=count, numterms=SIMILAR_TERMS)
        return [article_of(hit.fields()) for hit in hits]

    # ------------------------------------------------------------------ words

    def is_known_word(self, word: str) -> bool:
        return spelling.is_known_word(word, self._searcher())

    def closest_word(self, word: str) -> str | None:
        return spelling.closest_word(word, self._searcher())

    # ------------------------------------------------------------------ the index

    def stats(self) -> dict:
        """Documents, sources, date range, size and build time of the current index."""
        searcher = self._searcher()
        reader = searcher.reader()
        build = self.handle.build
        meta = read_meta(build)
        dates = sorted(filter(None, (term_text(d) for d in reader.lexicon("date"))))
        sources = {term_text(t): reader.doc_frequency("source_facet", t) for t in reader.lexicon("source_facet")}
        size = sum(f.stat().st_size for f in build.iterdir() if f.is_file())
        return {
            "path": str(self.index_dir),
            "documents": searcher.doc_count(),
            "built_at": meta.get("built_at"),
            "date_from": dates[0] if dates else None,
            "date_to": dates[-1] if dates else None,
            "sources": dict(sorted(sources.items(), key=lambda kv: -kv[1])),
            "size_bytes": size,
        }

    def health(self) -> dict:
        searcher = self._searcher()
        return {"status": "ok", "engine": self.name, "documents": searcher.doc_count(),
                "last_update": read_meta(self.handle.build).get("built_at")}

    def deletions(self) -> dict[str, int]:
        return dict(read_meta(self.handle.build).get("deletions", {}))

    def documents_per_collection(self) -> dict[str, int]:
        reader = self._searcher().reader()
        if "collection" not in reader.schema:
            return {}
        return {term_text(t): reader.doc_frequency("collection", t) for t in reader.lexicon("collection")}

    def warm(self) -> None:
        self.handle.searcher()

    def watch(self) -> None:
        """Warm new builds in the background as they are swapped in (served processes)."""
        self.handle.watch()
