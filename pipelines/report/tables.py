"""The report's publication tables, built with great-tables from the data model (HTML fragments)."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from html import escape

import polars as pl
from great_tables import GT

from pipelines.report.changes import Change
from pipelines.report.model import Criterion, ReportData, Section
from pipelines.report.vocabulary import (
    AREA_DA,
    GAP_TYPES_DA,
    STATUS_DA,
    STATUS_ORDER,
    STATUS_SYMBOL,
    date_da,
    number_da,
)
from pipelines.source_names import source_name_da

NO_CELL = ""


def status_html(status: str | None, period: str | None = None) -> str:
    """A status cell: symbol and word (never colour alone), the period beneath when given."""
    if status is None:
        return '<span class="st st-none">–</span>'
    when = f'<span class="per">{escape(period)}</span>' if period else ""
    return (f'<span class="st st-{status}"><span class="sym">{STATUS_SYMBOL[status]}</span> '
            f'{STATUS_DA[status]}{when}</span>')


def _raw(value: str) -> str:
    return value


TABLE_CLASS = "gt-pub"
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


def _styled(table: GT) -> GT:
    return table.tab_options(
        table_font_size="11px", table_width="100%", data_row_padding="2px", column_labels_padding="3px",
        column_labels_font_weight="bold", table_border_top_color="#444444", column_labels_border_bottom_color="#444444",
        table_body_hlines_color="#e4e4e4", table_font_names=["Open Sans", "sans-serif"], container_padding_y="0px",
        table_margin_left="0px", table_margin_right="0px",
    )


@functools.cache
def table_css() -> str:
    """great-tables' stylesheet, once for every table (each table would repeat it under its own id)."""
    html = _styled(GT(pl.DataFrame({"x": [""]}), id="gt-template")).as_raw_html(inline_css=False)
    return STYLE_BLOCK.search(html).group(1).replace("#gt-template", f".{TABLE_CLASS}")


def publication_table(frame: pl.DataFrame, table_id: str, html_columns: list[str], label: str = "") -> str:
    """Shared look: compact, left-aligned, full width; html_columns hold ready (escaped) HTML."""
    table = GT(frame, id=table_id)
    if html_columns:
        table = table.fmt(_raw, columns=html_columns)
    html = STYLE_BLOCK.sub("", _styled(table).as_raw_html(inline_css=False), count=1)
    html = html.replace(f'<div id="{table_id}"', f'<div id="{table_id}" class="{TABLE_CLASS}"', 1)
    return html.replace("<table ", f'<table aria-label="{escape(label)}" ', 1) if label else html


def status_count_table(data: ReportData) -> str:
    """Statuses × areas: how many criteria show each status, counting the latest cell per criterion."""
    counts = data.status_counts()
    areas = data.areas
    rows = []
    for status in STATUS_ORDER:
        if not any(counts[a][status] for a in areas):
            continue
        rows.append({"Status": status_html(status),
                     **{data.programme_areas.short(a): str(counts[a][status]) if counts[a][status] else "·"
                        for a in areas}})
    frame = pl.DataFrame(rows)
    return publication_table(frame, "status-counts", ["Status"], "Antal kriterier pr. status og område")


def _criterion_label(criterion: Criterion, limit: int = 110) -> str:
    text = criterion.text_da if len(criterion.text_da) <= limit else criterion.text_da[: limit - 1].rstrip() + "…"
    return (f'<a class="cid" href="#{escape(criterion.criterion_id)}">{escape(criterion.criterion_id)}</a>'
            f'<span class="ctext">{escape(text)}</span>')


def section_matrix(section: Section, index: int) -> str:
    """Criterion × area for one indsatsområde: the latest status of each cell, with its period."""
    areas = section.areas
    rows = []
    for criterion in section.evaluated:
        latest = criterion.latest
        rows.append({"Kriterium": _criterion_label(criterion),
                     **{section.programme_areas.short(a): status_html(latest[a].status, latest[a].period) if a in latest
                        else NO_CELL for a in areas}})
    if not rows:
        return ""
    frame = pl.DataFrame(rows)
    return publication_table(frame, f"matrix-{index}", list(frame.columns), f"Overblik: {section.name}")


def criterion_table(criterion: Criterion, data: ReportData, index: int) -> str:
    """Per area: baseline (period), target, latest value, status and the reason in one sentence."""
    baselines = {b.area_key: b for b in criterion.baselines}
    rows = []
    for area, row in criterion.latest.items():
        baseline = baselines.get(area)
        base_text = "–"
        if baseline and baseline.period:
            base_text = f"{number_da(baseline.value)} ({baseline.period})"
        elif row.baseline_period:
            base_text = f"{number_da(row.baseline_value)} ({row.baseline_period})"
        rows.append({"Område": escape(data.area_name(area)), "Baseline": escape(base_text),
                     "Mål": number_da(row.target_value), "Seneste": number_da(row.value),
                     "Periode": escape(row.period), "Status": status_html(row.status),
                     "Begrundelse": escape(row.status_reason or "")})
    frame = pl.DataFrame(rows)
    return publication_table(frame, f"crit-{index}", list(frame.columns),
                             f"Status pr. område: {criterion.criterion_id}")


def _state_text(status: str | None, value: float | None) -> str:
    if status is None:
        return '<span class="st st-none">findes ikke</span>'
    shown = f' <span class="val">{number_da(value)}</span>' if value is not None else ""
    return f'<span class="chg">{status_html(status)}{shown}</span>'


def _change_label(criterion_id: str, data: ReportData) -> str:
    criterion = data.criterion(criterion_id)
    if criterion is None:  # no longer in the catalog
        return f'<span class="cid">{escape(criterion_id)}</span>'
    return _criterion_label(criterion, limit=70)


def changes_table(changes: list[Change], data: ReportData) -> str:
    rows = [{"Kriterium": _change_label(c.criterion_id, data),
             "Område": escape(data.area_name(c.area_key)), "Periode": escape(c.period),
             "Før": _state_text(c.old_status, c.old_value), "Nu": _state_text(c.new_status, c.new_value),
             "Begrundelse nu": escape(c.new_reason or "")} for c in changes]
    frame = pl.DataFrame(rows)
    return publication_table(frame, "changes", list(frame.columns), "Ændringer")


BOARD_GAP_TYPE = "needs_reading"  # a figure no delivery can give: the board decides, no supplier owes it


def _periods_text(periods: list[str]) -> str:
    return (periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}") if periods else "–"


def board_decisions(data: ReportData) -> list[dict[str, str]]:
    """The figures only a reading by the board can give, one row per criterion and figure (areas together, mean)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for gap in data.gaps:
        if gap["gap_type"] == BOARD_GAP_TYPE:
            groups[(gap["criterion_id"] or "", gap["area_key"] or "", gap["source_system"] or "")].append(gap)
    rows = []
    for (criterion_id, area_key, source_system), items in sorted(groups.items()):
        newest = max(items, key=lambda g: g["period"] or "")
        reason = (newest["detail"] or "").split(": ", 1)[-1]  # the period is in the column, the why after the colon
        rows.append({"Kriterium": criterion_id, "Tal": AREA_DA.get(area_key, area_key),
                     "Kilde": source_name_da(source_system),
                     "Perioder": _periods_text(sorted({g["period"] for g in items if g["period"]})),
                     "Hvad mangler, og hvad kan bestyrelsen beslutte": reason[:1].upper() + reason[1:]})
    return rows


def board_table(data: ReportData) -> str:
    rows = board_decisions(data)
    if not rows:
        return ""
    frame = pl.DataFrame(rows)
    return publication_table(frame, "board", [], "Kræver bestyrelsens beslutning")


def gap_summary(data: ReportData) -> list[dict[str, str]]:
    """Data gaps grouped by who must deliver, source and type: periods, areas, criteria, earliest due date.

    Figures only the board can give (needs_reading) are not deliveries anyone owes: board_decisions lists them.
    """
    keys = ["supplier", "source_system", "gap_type"] if "supplier" in data.gap_columns else ["source_system",
                                                                                            "gap_type"]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for gap in data.gaps:
        if gap["gap_type"] != BOARD_GAP_TYPE:
            groups[tuple(gap.get(k) for k in keys)].append(gap)
    rows = []
    for key, items in sorted(groups.items(), key=lambda kv: tuple(str(k or "") for k in kv[0])):
        values = dict(zip(keys, key, strict=True))
        periods = sorted({g["period"] for g in items if g["period"]})
        row = {}
        if "supplier" in data.gap_columns:
            row["Leverandør"] = values["supplier"] or "–"
        row |= {"Kilde": source_name_da(values["source_system"]),
                "Mangel": GAP_TYPES_DA.get(values["gap_type"], values["gap_type"]),
                "Perioder": _periods_text(periods),
                "Områder": ", ".join(sorted({data.programme_areas.short(g["area_key"]) if g["area_key"] else "–"
                                             for g in items})),
                "Kriterier": str(len({g["criterion_id"] for g in items if g["criterion_id"]})),
                "Celler": str(len(items))}
        if "due_date" in data.gap_columns:
            due = [g["due_date"] for g in items if g.get("due_date")]
            row["Frist"] = date_da(min(due)) if due else "–"
        rows.append(row)
    return rows


def gaps_table(data: ReportData) -> str:
    rows = gap_summary(data)
    if not rows:
        return ""
    return publication_table(pl.DataFrame(rows), "gaps", [], "Datamangler")
