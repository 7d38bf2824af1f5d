"""Write the board report: kpi_rapport.html, .xlsx and .pdf from one data model, then remember what it showed.

The files are written beside each other under new names and swapped in at the end, so a reader never
opens half a report. The state file (`.kpi_rapport_state.json`) is the next report's default `--since`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from pipelines.report.changes import read_state, start_of_day, write_state
from pipelines.report.charts import ChartCache
from pipelines.report.freshness import published_content
from pipelines.report.html import render_html, report_page
from pipelines.report.model import ReportData, load_report_data
from pipelines.report.paths import REPORT_STEM, has_report, nightly_report_dir  # noqa: F401 (re-exported)
from pipelines.report.pdf import write_pdf
from pipelines.report.programme import ProgrammeHeading
from pipelines.report.vocabulary import date_da
from pipelines.report.xlsx import write_xlsx

CHART_CACHE_DIR_NAME = ".kpi_rapport_charts"


@dataclass(frozen=True)
class WrittenReport:
    html: Path
    xlsx: Path
    pdf: Path
    data: ReportData

    @property
    def files(self) -> list[Path]:
        return [self.html, self.xlsx, self.pdf]


def resolve_since(out_dir: Path, since: date | None) -> tuple[datetime | None, str]:
    """--since DATE: the statuses at the start of that day; else those the previous report here showed."""
    if since is not None:
        return start_of_day(since), f"siden {date_da(since)}"
    previous = read_state(out_dir)
    if previous is not None:
        return previous.data_version, f"siden forrige rapport ({date_da(previous.generated_at)})"
    return None, ""


def write_report(warehouse: Path, out_dir: Path, as_of: date | None = None, since: date | None = None,
                 programme: ProgrammeHeading | None = None) -> WrittenReport:
    since_at, since_label = resolve_since(out_dir, since) if as_of is None or since else (None, "")
    content = published_content(warehouse) if as_of is None else None  # before reading: a run may publish meanwhile
    data = load_report_data(warehouse, as_of=as_of, since=since_at, since_label=since_label)
    if programme is not None:
        data = replace(data, programme=programme)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = ChartCache(out_dir / CHART_CACHE_DIR_NAME)
    page = report_page(data, charts)
    html = render_html(data, chart_cache=charts, page=page)
    final = {suffix: out_dir / f"{REPORT_STEM}.{suffix}" for suffix in ("html", "xlsx", "pdf")}
    staged = {suffix: path.with_name(f".{path.name}.new") for suffix, path in final.items()}
    staged["html"].write_text(html, encoding="utf-8")
    write_xlsx(data, staged["xlsx"])
    write_pdf(render_html(data, for_print=True, chart_cache=charts, page=page), staged["pdf"])
    for suffix, path in staged.items():
        os.replace(path, final[suffix])
    charts.prune()
    if as_of is None:
        write_state(out_dir, data.generated_at, data.data_version, content)
    return WrittenReport(final["html"], final["xlsx"], final["pdf"], data)
