"""Facets: how a facet's values are listed, from the counts the engine gives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def facet_values(counts: dict, selected: tuple[str, ...], limit: int) -> tuple[list[FacetValue], bool]:
    """Values by count (then name), capped at `limit`, and whether more exist.

    Selected values are always listed, even past the cap or at zero, so a user
    can always untick them.
    """
    items = sorted(((v, c) for v, c in counts.items() if v), key=lambda vc: (-vc[1], vc[0]))
    shown = items[:limit]
    shown_values = {v for v, _ in shown}
    shown += [(v, counts.get(v, 0)) for v in selected if v not in shown_values]
    return [FacetValue(v, c, v in selected) for v, c in shown], len(items) > limit
