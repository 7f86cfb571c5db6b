"""The committed query list (queries.json) and its translation into each engine's request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

QUERIES_FILE = Path(__file__).resolve().parent / "queries.json"
_GROUP = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class BenchQuery:
    """One realistic request: query text, facet filters and an inclusive date range."""

    kind: str
    text: str
    source: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""

    @property
    def loupe_url(self) -> str:
        params = {"q": self.text, "source": list(self.source), "section": list(self.section)}
        params.update({k: v for k, v in (("date_from", self.date_from), ("date_to", self.date_to)) if v})
        return "/api/v1/search?" + urlencode(params, doseq=True)

    @property
    def day_range(self) -> tuple[int, int] | None:
        """`2020-03`…`2020-05` → (20200300, 20200599): yyyymmdd integers, both bounds included."""
        if not (self.date_from or self.date_to):
            return None
        low = (self.date_from or "0000").replace("-", "").ljust(8, "0")
        high = (self.date_to or "9999").replace("-", "").ljust(8, "9")
        return int(low), int(high)

    def groups(self) -> list[tuple[bool, list[str]]]:
        """(excluded, words) per plain word or quoted phrase of the text, words split on punctuation."""
        found = []
        for m in _GROUP.finditer(self.text):
            negated = bool(m.group(1) or m.group(3))
            raw = m.group(2) if m.group(2) is not None else m.group(4)
            words = re.findall(r"\w+", raw)
            if words:
                found.append((negated, words))
        return found


def load_queries(path: Path = QUERIES_FILE) -> list[BenchQuery]:
    items = json.loads(path.read_text(encoding="utf-8"))
    return [
        BenchQuery(
            kind=item["kind"],
            text=item["q"],
            source=tuple(item.get("source", ())),
            section=tuple(item.get("section", ())),
            date_from=item.get("date_from", ""),
            date_to=item.get("date_to", ""),
        )
        for item in items
    ]
