"""A plan period's bounds and the areas it covers: what both the catalog tables (load.py) and the evaluation
units (targets.py) derive from the catalog."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.catalog.load import Catalog


def plan_areas(catalog: Catalog) -> dict[str, list[str]]:
    """Plan period → the areas any of its criteria covers (an area may leave the plan, C25)."""
    out: dict[str, set[str]] = {}
    for c in catalog.criteria:
        out.setdefault(c["plan_period"], set()).update(a for a in c.get("areas") or [] if a in catalog.areas)
    return {period: sorted(areas) for period, areas in out.items()}


def criterion_areas(catalog: Catalog, criterion: dict[str, Any]) -> list[str]:
    """The real areas a criterion covers in its own plan period."""
    in_plan = set(plan_areas(catalog).get(criterion["plan_period"], []))
    return [a for a in criterion.get("areas") or [] if a in in_plan]


def plan_bounds(plan_period: str) -> tuple[date, date]:
    start, end = plan_period.split("/")
    return date.fromisoformat(start), date.fromisoformat(end)
