"""The report's font folder: one per process, gone when the process ends (a long-running `kpi watch` builds
a report per run and must not leave a `kpi-report-fonts-*` folder in the temp directory each time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PublishedDemo, run_kpi


def test_a_process_that_rendered_charts_leaves_no_font_folder(tmp_path: Path) -> None:
    script = ("from pipelines.report.charts import register_fonts, svg_to_png\n"
              "register_fonts()\n"
              "assert svg_to_png('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
              "<text y=\"8\">Å</text></svg>')\n")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(tmp_path)},
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob("kpi-report-fonts-*")) == []


@pytest.mark.slow
@pytest.mark.e2e
def test_two_report_builds_leave_no_font_folder(published_demo: PublishedDemo, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    for name in ("first", "second"):
        built = run_kpi("report", "--warehouse", str(published_demo.warehouse), "--out", str(tmp_path / name),
                        env={"TMPDIR": str(temp)})
        assert built.returncode == 0, built.stdout + built.stderr
    assert list(temp.glob("kpi-report-fonts-*")) == []


LEAK_SCRIPT = """
import json, os, sys, tempfile
from pathlib import Path
import psutil
from pipelines.report.build import write_report

warehouse, out = Path(sys.argv[1]), Path(sys.argv[2])
temp = Path(tempfile.gettempdir())
seen = []
for number in range(3):
    write_report(warehouse, out / str(number))
    seen.append({"temp": sorted(p.name for p in temp.iterdir()), "fds": len(os.listdir("/proc/self/fd")),
                 "children": len(psutil.Process().children(recursive=True))})
print(json.dumps(seen))
"""


@pytest.mark.slow
@pytest.mark.e2e
def test_report_builds_in_one_process_leave_no_temp_file_process_or_handle(published_demo: PublishedDemo,
                                                                           tmp_path: Path) -> None:
    """What `kpi watch` does: many reports in one process. The second and third build leave nothing more behind
    than the first (the process's two font folders), no child process, and the folders go at exit."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-c", LEAK_SCRIPT, str(published_demo.warehouse), str(tmp_path / "out")],
                          env={**os.environ, "TMPDIR": str(temp)}, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr
    first, *later = json.loads(done.stdout.strip().splitlines()[-1])
    # the process's own folders: vl-convert's TTF fonts and WeasyPrint's unpacked fonts (pipelines/report/pdf.py)
    assert [name.split("-")[0:-1] for name in first["temp"]] == [["kpi", "report", "fonts"], ["weasyprint"]]
    assert first["children"] == 0
    assert later == [first, first]
    assert list(temp.iterdir()) == []
