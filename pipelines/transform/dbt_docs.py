"""The dbt documentation as one static, offline HTML file (`dbt docs generate --static`).

dbt runs as `run_dbt_build` runs it: a child process with the quiet, offline environment, threads 1.
It reads a temporary copy of the internal warehouse (the one place the dbt models live), so the
live files are never opened for writing and a nightly can run meanwhile. Without an internal
warehouse the documentation is built from the project alone (`--empty-catalog`: no column types).
The Danish definitions (statuses, gap types, rules 1-8, key columns) are dbt doc blocks in
`dbt_project/models/docs/`, used in the models' descriptions.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, QUIET_OFFLINE_ENV
from pipelines.transform.dbt import dbt_executable

STATIC_PAGE = "static_index.html"
# A page that loads a script, stylesheet, font or frame from elsewhere is not offline.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//|url\(\s*["']?https?://""",
    re.IGNORECASE,
)


class DocsError(RuntimeError):
    """dbt could not build the documentation; `log` holds its output."""

    def __init__(self, message: str, log: Path) -> None:
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class DocsBuild:
    page: Path
    with_catalog: bool  # False: built without a warehouse, so no column types


def external_references(html: str) -> list[str]:
    """The places where the page would fetch something from the network (empty for an offline page)."""
    return [html[max(0, m.start() - 40):m.end() + 60] for m in _EXTERNAL.finditer(html)]


def build_docs(internal_warehouse: Path, out: Path, project_dir: Path = DBT_PROJECT_DIR) -> DocsBuild:
    """Generate the static page from a copy of `internal_warehouse` (if it exists) and write it to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-docs-") as work_dir:
        work = Path(work_dir)
        database = work / "docs.duckdb"
        with_catalog = internal_warehouse.is_file()
        if with_catalog:
            shutil.copyfile(internal_warehouse, database)
        command = [str(dbt_executable()), "docs", "generate", "--static", "--no-version-check", "--quiet",
                   "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
                   "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
        if not with_catalog:
            command.append("--empty-catalog")
        env = {**os.environ, **QUIET_OFFLINE_ENV, "KPI_BUILD_DB": str(database)}
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        page = work / "target" / STATIC_PAGE
        if completed.returncode != 0 or not page.is_file():
            log = out.with_name(out.name + ".dbt.log")
            log.write_text(completed.stdout + completed.stderr, encoding="utf-8")
            raise DocsError("dbt docs generate fejlede.", log)
        shutil.copyfile(page, out)
    return DocsBuild(out, with_catalog)
