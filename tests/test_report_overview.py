"""The overview across programmes (`kpi report --programmes`, issue 25).

Protects: an owner of many programmes sees each programme's current statuses per indsatsområde side by side,
what changed since the previous overview, the open gaps by supplier, and links to each programme's report;
a programme without a published file is named, not skipped. Reproduce: build two small published files and
run `kpi report --programmes programmes.toml --out DIR` twice with a status changed in between.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.publish.programmes import read_programmes
from pipelines.report.overview.html import write_overview

STATUSES = [  # criterion, area, period, period_end, status
    ("c1", "nord", "2020", "2020-12-31", "not_met"),
    ("c1", "nord", "2021", "2021-12-31", "met"),  # the newest due period counts
    ("c1", "syd", "2021", "2021-12-31", "off_track"),
    ("c1", "syd", "2026", "2026-12-31", "not_due"),  # not due: never the current status
    ("c2", "nord", "2021", "2021-12-31", "missing_data"),
]


def _published(path: Path, statuses: list[tuple[str, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table kpi_status (criterion_id varchar, area_key varchar, period varchar,"
                    " period_end date, status varchar)")
        con.executemany("insert into kpi_status values (?, ?, ?, ?, ?)", statuses)
        con.execute("create table criteria (criterion_id varchar, indsatsomraade varchar)")
        con.execute("insert into criteria values ('c1', 'Tryghed og trivsel'), ('c2', 'Uddannelse og job')")
        con.execute("create table areas (area_key varchar, name_da varchar)")
        con.execute("insert into areas values ('nord', 'Nordbyen'), ('syd', 'Sydbyen Vest')")
        con.execute("create table data_gaps (supplier varchar, gap_type varchar)")
        con.execute("insert into data_gaps values ('Politiet', 'missing_delivery'), ('Politiet', 'stale'),"
                    " ('Jobcentret', 'missing_delivery')")
    return path


def _programmes_file(tmp_path: Path) -> Path:
    toml = tmp_path / "programmes.toml"
    toml.write_text(
        '[[programme]]\nplan_id = "nordby"\nname = "Helhedsplan Nordby"\nsources = "nordby"\n'
        'warehouse = "wh/nordby/nordby.duckdb"\n\n'
        '[[programme]]\nplan_id = "tomby"\nname = "Helhedsplan Tomby"\nsources = "tomby"\n'
        'warehouse = "wh/tomby/tomby.duckdb"\n', encoding="utf-8")
    return toml


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_statuses_gaps_and_links_per_programme(tmp_path: Path) -> None:
    toml = _programmes_file(tmp_path)
    _published(tmp_path / "wh" / "nordby" / "nordby.duckdb", STATUSES)
    (tmp_path / "wh" / "nordby" / "reports").mkdir()
    (tmp_path / "wh" / "nordby" / "reports" / "kpi_rapport.html").write_text("<html></html>")
    path, overview = write_overview(read_programmes(toml), tmp_path / "out", now=datetime(2026, 12, 6, 8))
    nordby, tomby = overview.programmes
    assert dict(nordby.status_counts["Tryghed og trivsel"]) == {"met": 1, "off_track": 1}
    assert dict(nordby.status_counts["Uddannelse og job"]) == {"missing_data": 1}
    assert {s: dict(c) for s, c in nordby.gaps.items()} == {
        "Politiet": {"missing_delivery": 1, "stale": 1}, "Jobcentret": {"missing_delivery": 1}}
    assert nordby.report_link == "../wh/nordby/reports/kpi_rapport.html"
    assert not tomby.published
    text = _text(path.read_text(encoding="utf-8"))
    assert "Helhedsplan Tomby (tomby) Intet publiceret lager endnu" in text
    assert "Politiet Manglende leverance: 1; Forældede data: 1" in text
    assert 'href="../wh/nordby/reports/kpi_rapport.html"' in path.read_text(encoding="utf-8")
    assert "Første oversigt" in text


def test_the_second_overview_lists_what_changed(tmp_path: Path) -> None:
    toml = _programmes_file(tmp_path)
    warehouse = _published(tmp_path / "wh" / "nordby" / "nordby.duckdb", STATUSES)
    write_overview(read_programmes(toml), tmp_path / "out", now=datetime(2026, 12, 5, 8))
    changed = [*STATUSES[:2], ("c1", "syd", "2021", "2021-12-31", "on_track"), *STATUSES[3:],
               ("c2", "syd", "2021", "2021-12-31", "met")]
    _published(warehouse, changed)
    path, overview = write_overview(read_programmes(toml), tmp_path / "out", now=datetime(2026, 12, 6, 8))
    nordby = overview.programmes[0]
    assert [(c.criterion_id, c.area_key, c.old_status, c.new_status) for c in nordby.changes] == [
        ("c1", "syd", "off_track", "on_track"), ("c2", "syd", None, "met")]
    text = _text(path.read_text(encoding="utf-8"))
    assert "c1 Sydbyen Vest ⚠ Bagud ✓ På sporet" in text
    assert "2 kriterie-områder har ny status" in text


def test_the_command_writes_the_overview_and_rejects_a_bad_programmes_file(tmp_path: Path) -> None:
    toml = _programmes_file(tmp_path)
    _published(tmp_path / "wh" / "nordby" / "nordby.duckdb", STATUSES)
    runner = CliRunner()
    done = runner.invoke(app, ["report", "--programmes", str(toml), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "oversigt.html").is_file()
    assert "intet publiceret lager endnu (tomby)" in done.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[[programme]]\nplan_id = 'x'\n", encoding="utf-8")
    refused = runner.invoke(app, ["report", "--programmes", str(bad), "--out", str(tmp_path / "out2")])
    assert refused.exit_code == 4 and "mangler sources, warehouse" in refused.output
    assert "Traceback" not in refused.output
