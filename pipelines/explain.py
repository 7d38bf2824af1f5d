"""Answers "why is this red?": a criterion's text, rule, baseline, series and status reasons, in Danish."""

from __future__ import annotations

import duckdb
from rich.table import Table

from pipelines.report.board import STATUS_DA, number_da

AREA_ORDER = ("motalavej", "ringparken", "sydbyen", "skaelskoer", "combined", "combined_mean")


def criteria_overview(con: duckdb.DuckDBPyConnection) -> Table:
    """Every criterion with its latest evaluated status per area (not_due and missing_data only when nothing else)."""
    rows = con.execute(
        """
        with ranked as (
            select criterion_id, area_key, period, status,
                row_number() over (
                    partition by criterion_id, area_key
                    order by case when status in ('not_due', 'missing_data') then 1 else 0 end, period desc
                ) as recency
            from kpi_status
        )
        select criteria.criterion_id, criteria.source_system, ranked.area_key, ranked.period, ranked.status
        from criteria
        left join ranked on ranked.criterion_id = criteria.criterion_id and ranked.recency = 1
        order by criteria.criterion_id
        """
    ).fetchall()
    table = Table("kriterium", "kilde", *AREA_ORDER, title="Seneste status pr. område")
    by_criterion: dict[str, dict] = {}
    for criterion_id, source, area, period, status in rows:
        item = by_criterion.setdefault(criterion_id, {"source": source or "–"})
        if area:
            item[area] = f"{STATUS_DA[status]} ({period})"
    for criterion_id, item in by_criterion.items():
        table.add_row(criterion_id, item["source"], *[item.get(a, "") for a in AREA_ORDER])
    return table


def explain_criterion(con: duckdb.DuckDBPyConnection, criterion_id: str) -> str:
    found = con.execute(
        "select text_da, target_kind, source_system, unit, direction, canonical_id, plan_period"
        " from criteria where criterion_id = ?", [criterion_id]).fetchone()
    if found is None:
        raise KeyError(criterion_id)
    text_da, kind, source, unit, direction, canonical_id, plan = found
    lines = [
        f"Kriterium {criterion_id} ({plan}, beregnes som {canonical_id})",
        f"Tekst: {text_da}",
        f"Regel: {kind}; retning: {direction}; enhed: {unit}; datakilde: {source or 'ingen'}",
    ]
    series = con.execute(
        "select area_key, period, value, baseline_period, baseline_value, target_value, status, status_reason"
        " from kpi_status where criterion_id = ? order by area_key, period", [criterion_id]).fetchall()
    if not series:
        lines.append("Ingen vurderinger: kriteriet har ingen datakilde.")
    current = None
    for area, period, value, baseline_period, baseline_value, target, status, reason in series:
        if area != current:
            current = area
            lines.append(f"\n{area}: baseline {number_da(baseline_value)} ({baseline_period or 'ingen'})")
        lines.append(f"  {period}: {number_da(value):>8}  mål {number_da(target):>8}  {STATUS_DA[status]:<16} {reason}")
    return "\n".join(lines)
