"""The overview as one self-contained HTML page in Danish (`oversigt.html`), and its state for the next one."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from pipelines.publish.programmes import Programme
from pipelines.report.overview.model import Overview, load_overview, write_state
from pipelines.report.vocabulary import GAP_TYPES_DA, STATUS_DA, STATUS_ORDER, STATUS_SYMBOL, date_da

OVERVIEW_FILE_NAME = "oversigt.html"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("pipelines.report", "templates"), autoescape=select_autoescape())
    env.globals.update(status_da=STATUS_DA, status_symbol=STATUS_SYMBOL, gap_type_da=GAP_TYPES_DA, date_da=date_da)
    return env


def render_overview(overview: Overview) -> str:
    statuses = [s for s in STATUS_ORDER if any(p.totals[s] for p in overview.programmes)]
    return _environment().get_template("overview.html.j2").render(overview=overview, statuses=statuses)


def write_overview(programmes: list[Programme], out_dir: Path, now: datetime | None = None) -> tuple[Path, Overview]:
    """Write `oversigt.html` into `out_dir` (swapped in whole) and remember the statuses it showed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    overview = load_overview(programmes, out_dir, now)
    final = out_dir / OVERVIEW_FILE_NAME
    staged = final.with_name(f".{final.name}.new")
    staged.write_text(render_overview(overview), encoding="utf-8")
    os.replace(staged, final)
    write_state(out_dir, overview)
    return final, overview
