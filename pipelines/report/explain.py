"""Answers "why is this red?": a criterion's text, rule, baseline, series and status reasons, in Danish.

Both functions read only the published tables (`criteria`, `kpi_status`, and `kpi_baselines` when it
is published) through a read-only DuckDB connection; the grain a criterion is judged in (calendar year,
quarter, school year, birth cohort) comes from the project's readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
from rich.table import Table

from pipelines.areas import ProgrammeAreas
from pipelines.report.vocabulary import STATUS_DA, number_da

KIND_DA = {
    "absolute_threshold": "en fast tærskel (under = <, max = <=, over = >)",
    "reach_by_date": "et niveau der skal være nået på en dato",
    "yearly_pct_change_vs_previous_year": "en årlig ændring i procent i forhold til året før (kædet)",
    "change_vs_baseline": "en ændring i forhold til baseline (strengt bedre end udgangspunktet)",
    "yearly_count_at_least": "et mindsteantal pr. periode (kalenderår, medmindre andet er nævnt nedenfor)",
    "share_at_least": "en mindsteandel",
    "qualitative": "en kvalitativ vurdering",
}
GRANULARITY_DA = {"per_area": "pr. område", "combined": "samlet for områderne",
                  "both": "pr. område og samlet (puljet og gennemsnit)"}
DIRECTION_DA = {"increase": "skal stige", "decrease": "skal falde", "at_least": "mindst", "at_most": "højst"}
UNIT_DA = {"count": "antal", "percent": "procent", "qualitative": "vurdering", "days": "dage", "score": "score",
           "mixed": "blandet", "index": "indeks", "rate_per_1000": "pr. 1000 beboere", "dkk": "kr."}
BASELINE_SOURCE_DA = {
    "delivered": "leveret som baseline-fil (senere beslutning)",
    "measured": "målt værdi i baselineperioden",
    "catalog": "værdien i kriteriekataloget",
}
GRAIN_DA = {
    "year": "Vurderes pr. kalenderår (1. januar – 31. december).",
    "quarter": "Vurderes pr. kvartal: 2017Q4 er 1. oktober – 31. december 2017.",
    "school_year": "Vurderes pr. skoleår (1. august – 31. juli): 2018/19 er 01-08-2018 – 31-07-2019.",
    "birth_cohort": "Vurderes pr. fødselsårgang: perioden 2018 er børnene født i 2018 (med bopæl i området ved"
                    " fødslen); en årgang vurderes først, når dens besøg kan være gennemført.",
}
LATEST_SQL = """
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


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
        [table]).fetchone()[0])


def criteria_overview(con: duckdb.DuckDBPyConnection) -> Table:
    """Every criterion with its latest evaluated status per area (not_due and missing_data only when nothing else)."""
    table = Table(title="Seneste status pr. område")
    table.add_column("kriterium", no_wrap=True)  # the id is what the analyst types next: never cut it
    table.add_column("kilde")
    areas = ProgrammeAreas.from_published(con)
    for area in areas.order:
        table.add_column(areas.heading(area))
    by_criterion: dict[str, dict[str, str]] = {}
    for criterion_id, source, area, period, status in con.execute(LATEST_SQL).fetchall():
        item = by_criterion.setdefault(criterion_id, {"source": source or "–"})
        if area:
            item[area] = f"{STATUS_DA[status]} ({period})"
    for criterion_id, item in by_criterion.items():
        table.add_row(criterion_id, item["source"], *[item.get(a, "") for a in areas.order])
    return table


def _baselines(con: duckdb.DuckDBPyConnection, criterion_id: str) -> dict[str, tuple[Any, ...]]:
    """area_key → (baseline_period, baseline_value, baseline_source); kpi_status when kpi_baselines is absent."""
    if _has_table(con, "kpi_baselines"):
        rows = con.execute("select area_key, baseline_period, baseline_value, baseline_source from kpi_baselines"
                           " where criterion_id = ?", [criterion_id]).fetchall()
    else:
        rows = con.execute("select distinct area_key, baseline_period, baseline_value, null from kpi_status"
                           " where criterion_id = ? and baseline_period is not null", [criterion_id]).fetchall()
    return {area: (period, value, source) for area, period, value, source in rows}


def baseline_line(name: str, baseline: Sequence[Any] | None) -> str:
    """One area's baseline; `name` is the area's heading (ProgrammeAreas.heading)."""
    if not baseline or baseline[0] is None:
        return f"{name}: ingen baseline (vurderes fra planens start)"
    period, value, source = baseline
    if value is None:
        return f"{name}: baseline {period} er endnu ikke kendt ('Mangler baseline', til den er målt eller leveret)"
    where = BASELINE_SOURCE_DA.get(source, "fra kpi_status")
    return f"{name}: baseline {number_da(value)} ({period}), kilde: {where}"


def status_counts_line(statuses: list[str]) -> str:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{STATUS_DA[s]}: {n}" for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def criterion_reading(canonical_id: str) -> dict[str, Any]:
    """The project's reading of a criterion (readings.yaml): its grain (pipelines/periods.py) and rule overrides."""
    from pipelines.catalog.load import read_catalog
    from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME

    catalog_file = DEFAULT_SOURCES / REFERENCE_DIR_NAME / "criteria.yaml"
    if not catalog_file.is_file():
        return {}
    return read_catalog(catalog_file).readings.get(canonical_id, {})


def _period_dates(con: duckdb.DuckDBPyConnection) -> str:
    """The period dates of kpi_status where the published file has them (contract v2), else nothing."""
    has_dates = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'main' and table_name = 'kpi_status'"
        " and column_name in ('period_start', 'period_end')").fetchone()[0] == 2
    return "period_start, period_end" if has_dates else "null, null"


def period_label_da(period: str, start: Any, end: Any, grain: str) -> str:
    """A series row's period: the label, with its first and last day where the grain is not the calendar year."""
    if grain == "year" or start is None or end is None:
        return period
    return f"{period} ({start:%d-%m-%Y} – {end:%d-%m-%Y})"


def explain_criterion(con: duckdb.DuckDBPyConnection, criterion_id: str) -> str:
    """Danish explanation: the text, the rule in words, the baselines and their source, the series per area."""
    found = con.execute(
        "select text_da, target_kind, source_system, unit, direction, canonical_id, plan_period, granularity"
        " from criteria where criterion_id = ?", [criterion_id]).fetchone()
    if found is None:
        raise KeyError(criterion_id)
    text_da, kind, source, unit, direction, canonical_id, plan, granularity = found
    reading = criterion_reading(canonical_id)
    kind = (reading.get("rule") or {}).get("kind", kind)  # a reading may judge a criterion by another rule
    shared = [r[0] for r in con.execute(
        "select criterion_id from criteria where canonical_id = ? and criterion_id <> ? order by 1",
        [canonical_id, criterion_id]).fetchall()]
    lines = [
        f"Kriterium {criterion_id} (plan {plan})",
        f"Tekst: {text_da}",
        f"Regel: {KIND_DA.get(kind, kind)}; retning: {DIRECTION_DA.get(direction, direction or '–')};"
        f" enhed: {UNIT_DA.get(unit, unit or '–')}; datakilde: {source or 'ingen'};"
        f" opgøres {GRANULARITY_DA.get(granularity, 'pr. område')}.",
    ]
    if shared:
        lines.append(f"Beregnes én gang som {canonical_id} og vises også under: {', '.join(shared)}.")
    grain = reading.get("grain", "year")
    if source:
        lines.append(GRAIN_DA.get(grain, GRAIN_DA["year"]))
    series = con.execute(
        f"select area_key, period, value, target_value, status, status_reason, {_period_dates(con)}"
        " from kpi_status where criterion_id = ? order by area_key, period", [criterion_id]).fetchall()
    if not series:
        lines.append("Ingen vurderinger: kriteriet har ingen datakilde.")
        return "\n".join(lines)
    baselines = _baselines(con, criterion_id)
    names = ProgrammeAreas.from_published(con)
    areas = sorted({row[0] for row in series}, key=names.sort_key)
    lines.append("\nBaseline:")
    lines.extend("  " + baseline_line(names.heading(area), baselines.get(area)) for area in areas)
    for area in areas:
        rows = [row for row in series if row[0] == area]
        lines.append(f"\n{names.heading(area)} ({status_counts_line([r[4] for r in rows])}):")
        for _, period, value, target, status, reason, start, end in rows:
            numbers = f"{number_da(value):>9}  mål {number_da(target):>9}"
            lines.append(f"  {period_label_da(period, start, end, grain)}: {numbers}  {STATUS_DA[status]:<20} {reason}")
    return "\n".join(lines)
