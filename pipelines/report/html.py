"""The HTML report: one self-contained page (fonts, styles and SVG charts inline, no script, no CDN).

The same HTML, with its print rules, is what the PDF is made from.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipelines.report import tables
from pipelines.report.charts import ChartCache, trend_png, trend_svg
from pipelines.report.model import UNCHECKED_NOTE_DA, Criterion, ReportData
from pipelines.report.vocabulary import STATUS_DA, STATUS_ORDER, STATUS_SYMBOL, date_da, number_da
from pipelines.source_names import source_name_da

FONT_FACES = [("Open Sans", "open-sans-400.woff2", 400, None), ("Open Sans", "open-sans-700.woff2", 700, None),
              ("KPI Symbols", "status-symbols.woff2", 400, "U+2013, U+2026, U+2192, U+2298, U+25CB-25CC, "
                                                         "U+25F7, U+2696, U+26A0, U+270E, U+2713-2716")]
STATUS_MEANING_DA = {
    "met": "reglen holder for perioden",
    "not_met": "reglen holder ikke for perioden",
    "on_track": "før fristen: på eller bedre end den lige linje fra baseline til mål",
    "off_track": "før fristen: dårligere end den lige linje fra baseline til mål",
    "missing_data": "perioden er forfalden, men ingen værdi er leveret",
    "missing_baseline": "der er en værdi, men den baseline, reglen kræver, mangler",
    "suppressed": "værdien findes, men er skjult (under 5 personer)",
    "stale": "den nyeste værdi er ældre end kildens hyppighed tillader",
    "not_due": "perioden er ikke slut endnu",
    "qualitative": "vurderes kvalitativt; vurderingen står i begrundelsen",
    "needs_reading": "ingen leverance kan give tallet; bestyrelsen må beslutte en læsning",
}


@cache
def font_css() -> str:
    fonts = resources.files("pipelines.report") / "fonts"
    faces = []
    for family, file_name, weight, unicode_range in FONT_FACES:
        data = base64.b64encode((fonts / file_name).read_bytes()).decode("ascii")
        ranges = f" unicode-range: {unicode_range};" if unicode_range else ""
        faces.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; font-style: normal;"
                     f" src: url(data:font/woff2;base64,{data}) format('woff2');{ranges} }}")
    return "\n".join(faces)


def baseline_summary(criterion: Criterion) -> str:
    """Where the baselines come from, in one line: periods and sources."""
    known = [b for b in criterion.baselines if b.period]
    if not known:
        periods = sorted({r.baseline_period for r in criterion.rows if r.baseline_period})
        return f"periode {', '.join(periods)}" if periods else "ingen baseline (vurderes fra planens start)"
    periods = sorted({b.period for b in known})
    sources = sorted({b.source_da for b in known})
    return f"periode {', '.join(periods)}; kilde: {', '.join(sources)}"


def target_summary(criterion: Criterion) -> str:
    """The final target of the headline figure: the target of its newest period."""
    rows = [r for r in criterion.rows if r.target_value is not None]
    if not rows:
        return "–"
    combined = [r for r in rows if r.area_key in ("combined", "combined_mean")] or rows
    last = combined[-1]
    return f"{number_da(last.target_value)} ({last.period})"


def environment() -> Environment:
    env = Environment(loader=PackageLoader("pipelines.report", "templates"), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters |= {"date_da": date_da, "number_da": number_da}
    return env


def png_image(svg: str, chart_cache: ChartCache | None = None) -> str:
    """The chart as a PNG at twice its size: WeasyPrint lays out an image far faster than an SVG."""
    width = re.search(r'width="(\d+)', svg)
    png = base64.b64encode(trend_png(svg, chart_cache)).decode("ascii")
    style = f' style="width: {int(width.group(1))}px"' if width else ""
    return f'<img alt="Udviklingsgraf" src="data:image/png;base64,{png}"{style}>'


@dataclass(frozen=True)
class ReportPage:
    """What the screen page and the print page share, made once: the tables and the charts' SVGs."""

    context: dict[str, Any]
    svgs: dict[str, str]


def report_page(data: ReportData, chart_cache: ChartCache | None = None) -> ReportPage:
    svgs = {c.criterion_id: trend_svg(c, chart_cache) for c in data.criteria if c.quantitative}
    css = (resources.files("pipelines.report") / "templates" / "report.css").read_text(encoding="utf-8")
    evaluated = [c for c in data.criteria if c.has_source]
    context = dict(
        data=data, css=Markup("\n".join([font_css(), tables.table_css(), css])),
        status_counts=Markup(tables.status_count_table(data)),
        changes=Markup(tables.changes_table(data.changes, data)) if data.changes else None,
        gaps=Markup(tables.gaps_table(data)),
        board=Markup(tables.board_table(data)),
        matrices=[Markup(tables.section_matrix(s, i)) for i, s in enumerate(data.sections)],
        criterion_tables={c.criterion_id: Markup(tables.criterion_table(c, data, i)) for i, c in enumerate(evaluated)},
        baseline_summary=baseline_summary, target_summary=target_summary, unchecked_note=UNCHECKED_NOTE_DA,
        legend=[(s, STATUS_SYMBOL[s], STATUS_DA[s], STATUS_MEANING_DA[s]) for s in STATUS_ORDER],
        evaluated_count=len(evaluated), source_name=source_name_da,
    )
    return ReportPage(context, {k: v for k, v in svgs.items() if v})


def render_html(data: ReportData, for_print: bool = False, chart_cache: ChartCache | None = None,
                page: ReportPage | None = None) -> str:
    """The report page; for_print puts the charts in as PNG images (for the PDF). `page`: made once for both."""
    page = page or report_page(data, chart_cache)
    charts = {k: png_image(v, chart_cache) for k, v in page.svgs.items()} if for_print else page.svgs
    template = environment().get_template("report.html.j2")
    return template.render(**page.context, charts={k: Markup(v) for k, v in charts.items()})
