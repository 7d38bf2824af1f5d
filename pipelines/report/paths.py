"""Where the report's files are; light, for a run that only needs to know whether they exist."""

from __future__ import annotations

from pathlib import Path

REPORT_STEM = "kpi_rapport"


def nightly_report_dir(warehouse: Path) -> Path:
    """Where the nightly run writes the report: `reports/` beside the published file."""
    return warehouse.parent / "reports"


def has_report(out_dir: Path) -> bool:
    """Whether all three report files are in `out_dir`."""
    return all((out_dir / f"{REPORT_STEM}.{suffix}").is_file() for suffix in ("html", "xlsx", "pdf"))
