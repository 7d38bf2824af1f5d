"""Trend charts: one small SVG per quantitative criterion (altair → Vega-Lite → vl-convert, offline).

Series per area and combined, the target the periods were judged against (dashed), and the straight
path from the baseline to the final target (dotted).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

import altair as alt
import vl_convert

from pipelines.areas import ProgrammeAreas
from pipelines.report.model import Criterion, StatusRow

# The programme's areas take these colours in catalog order; the aggregates keep theirs in every programme.
AREA_PALETTE = ("#1f6fb4", "#e07b00", "#2a9d3a", "#8e5bb5", "#00838f", "#ad1457", "#6d4c41", "#558b2f")
AGGREGATE_COLOURS = {"combined": "#111111", "combined_mean": "#8a8a8a"}
TARGET_SERIES = "Mål"
PATH_SERIES = "Lige vej til mål"
TARGET_COLOUR = "#c62828"
FONT = "Open Sans"
WIDTH, HEIGHT = 330, 130


def headline_area(criterion: Criterion) -> str:
    """The area whose target line is drawn: the pooled figure where there is one."""
    areas = criterion.areas
    for area in ("combined", "combined_mean"):
        if area in areas:
            return area
    return areas[0]


def _period_order(rows: list[StatusRow]) -> list[str]:
    firsts: dict[str, tuple] = {}
    for row in rows:
        firsts.setdefault(row.period, (row.period_start is None, row.period_start, row.period))
    return sorted(firsts, key=lambda p: firsts[p])


def chart_points(criterion: Criterion) -> list[dict]:
    """The chart's data: one point per series × period."""
    points = [{"period": r.period, "value": r.value, "series": criterion.programme_areas.short(r.area_key)}
              for r in criterion.rows if r.value is not None]
    headline = [r for r in criterion.rows if r.area_key == headline_area(criterion)]
    # the baseline period's own row is judged against the final target: the line starts after it
    points += [{"period": r.period, "value": r.target_value, "series": TARGET_SERIES}
               for r in headline if r.target_value is not None and r.period != r.baseline_period]
    baseline = next((r for r in headline if r.baseline_value is not None and r.baseline_period), None)
    final = next((r for r in reversed(headline) if r.target_value is not None), None)
    periods = _period_order(criterion.rows)
    if (baseline and final and baseline.baseline_period in periods
            and periods.index(final.period) > periods.index(baseline.baseline_period)
            and abs(final.target_value - baseline.baseline_value) > 1e-9):
        points += [{"period": baseline.baseline_period, "value": baseline.baseline_value, "series": PATH_SERIES},
                   {"period": final.period, "value": final.target_value, "series": PATH_SERIES}]
    return points


def area_colours(areas: ProgrammeAreas) -> dict[str, str]:
    """area_key → line colour for the programme's areas, in catalog order, then the aggregates."""
    palette = {key: AREA_PALETTE[i % len(AREA_PALETTE)] for i, key in enumerate(areas.keys)}
    return {**palette, **AGGREGATE_COLOURS}


def series(areas: ProgrammeAreas) -> list[str]:
    """The legend's series: the areas and aggregates by their short names, then the target lines."""
    return [*(areas.short(a) for a in area_colours(areas)), TARGET_SERIES, PATH_SERIES]


def chart_template(areas: ProgrammeAreas) -> str:
    return _chart_template(tuple(series(areas)), tuple(area_colours(areas).values()))


@functools.cache
def _chart_template(series: tuple[str, ...], area_colours: tuple[str, ...]) -> str:
    """The trend chart designed once per programme in altair (validated once); each criterion fills in its data."""
    series_colours = [*area_colours, TARGET_COLOUR, TARGET_COLOUR]
    series_dashes = [*([1, 0] for _ in area_colours), [5, 3], [1, 3]]
    colour = alt.Color("series:N", scale=alt.Scale(domain=list(series), range=series_colours),
                       legend=alt.Legend(title=None, orient="right", symbolType="stroke", labelFontSize=10))
    x = alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",~f", tickCount=4))
    base = alt.Chart(alt.Data(values=[]))
    lines = base.mark_line(strokeWidth=1.6).encode(
        x=x, y=y, color=colour,
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=list(series), range=series_dashes), legend=None))
    dots = base.mark_point(filled=True, size=18).encode(x=x, y=y, color=colour).transform_filter(
        alt.FieldOneOfPredicate(field="series", oneOf=list(series[: len(area_colours)])))
    chart = (alt.layer(lines, dots).properties(width=WIDTH, height=HEIGHT)
             .configure_view(stroke="#dddddd").configure(font=FONT)
             .configure_axis(labelFontSize=10, grid=True, gridColor="#eeeeee", domainColor="#999999"))
    return json.dumps(chart.to_dict())


def trend_spec(criterion: Criterion) -> dict | None:
    """The Vega-Lite spec of the criterion's chart; None when it has no value to draw."""
    points = chart_points(criterion)
    present = {p["series"] for p in points}
    if not present - {TARGET_SERIES, PATH_SERIES}:
        return None
    spec = json.loads(chart_template(criterion.programme_areas))
    spec["data"] = {"values": points}
    for layer in spec["layer"]:
        layer["encoding"]["x"]["sort"] = _period_order(criterion.rows)
        layer["encoding"]["color"]["legend"]["values"] = [s for s in series(criterion.programme_areas) if s in present]
    return spec


@functools.cache
def register_fonts() -> None:
    """Give vl-convert the report's font (it reads TTF, not WOFF2), for text measuring and PNG rendering.

    Once per process: vl-convert may read the registered files again whenever it renders, so the folder
    lives as long as the process and is removed when it exits (a long-running `kpi watch` builds many
    reports and must not leave a folder per build in the temp directory).
    """
    from fontTools.ttLib import TTFont

    directory = Path(tempfile.mkdtemp(prefix="kpi-report-fonts-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    fonts = resources.files("pipelines.report") / "fonts"
    for name in ("open-sans-400", "open-sans-700"):
        with resources.as_file(fonts / f"{name}.woff2") as woff2:
            font = TTFont(woff2)
        font.flavor = None
        font.save(directory / f"{name}.ttf")
    vl_convert.register_font_directory(str(directory))


@functools.lru_cache(maxsize=512)
def _svg(spec: str) -> str:
    register_fonts()
    return vl_convert.vegalite_to_svg(spec, format_locale="da-DK")


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    register_fonts()
    return vl_convert.svg_to_png(svg, scale=scale)


def trend_png(svg: str, cache: ChartCache | None = None) -> bytes:
    """The chart as a PNG at twice its size (for the PDF); converted once per distinct SVG."""
    png = cache.get_png(svg) if cache else None
    if png is None:
        png = svg_to_png(svg)
        if cache:
            cache.put_png(svg, png)
    return png


def trend_svg(criterion: Criterion, cache: ChartCache | None = None) -> str | None:
    """Inline SVG (no script, no external reference); None when the criterion has no value to draw.
    Criteria sharing a canonical id have the same series: the same spec is converted once."""
    spec = trend_spec(criterion)
    if spec is None:
        return None
    text = json.dumps(spec, sort_keys=True)
    svg = cache.get(text) if cache else None
    if svg is None:
        svg = _svg(text)
        svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
        if cache:
            cache.put(text, svg)
    return svg


class ChartCache:
    """Charts by the hash of what they are made from, kept beside the report: most charts do not change from night
    to night. An SVG is keyed by its spec, its PNG (for the PDF) by the SVG."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.used: set[Path] = set()

    def _path(self, key: str, suffix: str) -> Path:
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.{suffix}"

    def _read(self, path: Path) -> bytes | None:
        self.used.add(path)
        return path.read_bytes() if path.is_file() else None

    def _write(self, path: Path, content: bytes) -> None:
        """Whole or not at all: a report killed while writing must not leave half a chart for the next one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.new")
        staged.write_bytes(content)
        os.replace(staged, path)

    def get(self, spec: str) -> str | None:
        svg = self._read(self._path(spec, "svg"))
        return svg.decode("utf-8") if svg is not None else None

    def put(self, spec: str, svg: str) -> None:
        self._write(self._path(spec, "svg"), svg.encode("utf-8"))

    def get_png(self, svg: str) -> bytes | None:
        return self._read(self._path(svg, "png"))

    def put_png(self, svg: str, png: bytes) -> None:
        self._write(self._path(svg, "png"), png)

    def prune(self) -> None:
        """Forget the charts this report did not use (and a file a killed report was writing)."""
        for path in self.directory.glob("*"):
            if path.is_file() and path not in self.used:
                path.unlink(missing_ok=True)
