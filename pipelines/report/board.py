"""Render the board report (HTML, Danish): every criterion with a source, its baseline, target,
latest value and status, per area and combined, from the published warehouse only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

STATUS_DA = {
    "met": "Opfyldt",
    "not_met": "Ikke opfyldt",
    "on_track": "På sporet",
    "off_track": "Bagud",
    "missing_data": "Mangler data",
    "missing_baseline": "Mangler baseline",
    "suppressed": "Diskretioneret",
    "stale": "Forældet",
    "not_due": "Ikke forfalden",
    "qualitative": "Kvalitativ vurdering",
}
AREA_ORDER = ["motalavej", "ringparken", "sydbyen", "skaelskoer", "combined", "combined_mean"]
AREA_DA = {"combined": "Samlet (puljet)", "combined_mean": "Samlet (gennemsnit)"}

LATEST_STATUS_SQL = """
with ranked as (
    select
        kpi_status.*,
        row_number() over (
            partition by criterion_id, area_key
            order by case when status in ('not_due', 'missing_data') then 1 else 0 end, period desc
        ) as recency
    from kpi_status
)
select
    criteria.criterion_id, criteria.level, criteria.indsatsomraade, criteria.text_da, criteria.source_system,
    ranked.area_key, ranked.period, ranked.value, ranked.baseline_period, ranked.baseline_value,
    ranked.target_value, ranked.status, ranked.status_reason
from criteria
left join ranked
    on ranked.criterion_id = criteria.criterion_id
    and ranked.recency = 1
order by criteria.level, criteria.criterion_id, ranked.area_key
"""
GAP_TYPES_DA = {
    "missing_delivery": "Manglende leverance",
    "missing_baseline": "Manglende baseline",
    "stale": "Forældede data",
    "failed_validation": "Afvist leverance",
    "suppressed": "Diskretioneret",
    "unmapped_area": "Ukendt område i leverance",
}


def number_da(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def area_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """area_key → the Danish name the board knows (areas table), plus the two combined forms."""
    return {**dict(con.execute("select area_key, name_da from areas").fetchall()), **AREA_DA}


def report_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    names = area_names(con)
    cursor = con.execute(LATEST_STATUS_SQL)
    columns = [d[0] for d in cursor.description]
    criteria: dict[str, dict] = {}
    for record in (dict(zip(columns, row, strict=True)) for row in cursor.fetchall()):
        item = criteria.setdefault(record["criterion_id"], {
            "criterion_id": record["criterion_id"], "level": record["level"],
            "indsatsomraade": record["indsatsomraade"], "text_da": record["text_da"],
            "source_system": record["source_system"], "areas": [],
        })
        if record["area_key"] is None:  # no data source: the criterion is listed, not evaluated
            continue
        item["areas"].append({
            "area": names.get(record["area_key"], record["area_key"]),
            "order": AREA_ORDER.index(record["area_key"]) if record["area_key"] in AREA_ORDER else 99,
            "period": record["period"], "value": number_da(record["value"]),
            "baseline": f"{number_da(record['baseline_value'])} ({record['baseline_period'] or '–'})",
            "target": number_da(record["target_value"]), "status": record["status"],
            "status_da": STATUS_DA[record["status"]], "reason": record["status_reason"],
        })
    for item in criteria.values():
        item["areas"].sort(key=lambda a: a["order"])
    return list(criteria.values())


def render_report(warehouse: Path, output: Path) -> Path:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = report_rows(con)
        counts = dict(con.execute("select status, count(*) from kpi_status group by 1").fetchall())
        gaps = con.execute("select gap_type, count(*) from data_gaps group by 1 order by 2 desc").fetchall()
        version = con.execute("select max(catalog_version) from criteria").fetchone()[0]
    env = Environment(loader=PackageLoader("pipelines.report", "templates"), autoescape=select_autoescape())
    html = env.get_template("board.html.j2").render(
        criteria=rows, counts={STATUS_DA[k]: counts[k] for k in STATUS_DA if k in counts},
        gaps=[(GAP_TYPES_DA.get(gap_type, gap_type), n) for gap_type, n in gaps],
        generated=date.today().strftime("%d-%m-%Y"), catalog_version=version,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    return output
