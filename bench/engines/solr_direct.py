"""Solr's own query parser (edismax) on a bench collection: for the analysis comparison, beside Loupe's API.

Loupe's read side (engines/solr/engine.py, compile.py) queries the *_t fields only, so a collection built
with `analysis="lucene"` (raw text in title_l/text_l) cannot be searched through the app. This engine asks
both kinds of collection the same plain question, so that only the analysis differs:

- `pre`: title_t/text_t hold Loupe's tokens; the query words go through Loupe's query analyzer
  (engines/solr/compile.analysed, as the app does), then to edismax, whose query analyzer on those fields
  only splits on spaces;
- `lucene`: title_l/text_l; edismax hands the words to Solr's French chain (schema.xml, text_fr_lucene).

Both: term-centric (sow=true), title boosted as Loupe's, all words (mm=100%) or any word (mm=1), top 10 by
BM25 with ties by id, as every bench engine breaks them.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.engines import TITLE_BOOST
from bench.engines.solr_loupe import alias_for, solr_url

FIELDS = {"pre": ("title_t", "text_t"), "lucene": ("title_l", "text_l")}


def pre_terms(text: str) -> list[str]:
    """Loupe's query terms for `text`, one per position (the first alternative where a word has several)."""
    from engines.solr.compile import analysed

    return [alternatives[0] for alternatives in analysed("text_t", text) if alternatives]


def _escaped(word: str) -> str:
    return re.sub(r'([+\-!(){}\[\]^"~*?:\\/&|])', r"\\\1", word)


class Engine:
    def __init__(self, out_dir: Path, analysis: str) -> None:
        from engines.solr.client import SolrClient

        self.client = SolrClient(solr_url())
        self.collection = alias_for(out_dir)
        self.analysis = analysis
        self.name = f"edismax on {analysis}"

    def rank(self, text: str, conjunction: bool) -> list[str]:
        words = pre_terms(text) if self.analysis == "pre" else re.findall(r"\w+(?:['’]\w+)*", text)
        if not words:
            return []
        title, body = FIELDS[self.analysis]
        params = {"defType": "edismax", "q": " ".join(_escaped(w) for w in words), "qf": f"{title}^{TITLE_BOOST} {body}",
                  "sow": "true", "mm": "100%" if conjunction else "1", "q.op": "AND" if conjunction else "OR",
                  "rows": 10, "fl": "id", "sort": "score desc,id asc"}
        answer = self.client.post(f"{self.collection}/select", params={"wt": "json"}, json={"params": params})
        return [doc["id"] for doc in answer["response"]["docs"]]
