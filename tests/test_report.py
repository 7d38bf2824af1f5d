"""The board report (issue 12): the files the nightly writes, their content against the warehouse, and
"what changed" across two nightlies with a corrected delivery between them.

The shared demo's nightly already wrote the report (its last task), so the read-only tests inspect
those files; only the "what changed" test runs a second nightly, on a copy.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape
from openpyxl import load_workbook

from pipelines.report.changes import Change, status_changes
from pipelines.report.model import GAP_COLUMNS, OPTIONAL_GAP_COLUMNS, ReportData, StatusRow
from pipelines.report.tables import gap_summary, gaps_table
from pipelines.report.vocabulary import STATUS_DA, number_da
from pipelines.report.xlsx import sheet_title
from tests.conftest import AS_OF, PublishedDemo, run_kpi

STATUS_BY_WORD = {word: status for status, word in STATUS_DA.items()}
REPORT_SHEETS_NOT_SECTIONS = {"Overblik", "Ændringer", "Datamangler", "Bestyrelsens beslutninger"}


def report_dir(demo: PublishedDemo) -> Path:
    return demo.warehouse.parent / "reports"


def test_the_nightly_writes_the_three_files(published_demo: PublishedDemo) -> None:
    files = sorted(p.name for p in report_dir(published_demo).glob("kpi_rapport.*"))
    assert files == ["kpi_rapport.html", "kpi_rapport.pdf", "kpi_rapport.xlsx"]
    assert (report_dir(published_demo) / ".kpi_rapport_state.json").is_file()


def test_html_is_self_contained_and_danish(published_demo: PublishedDemo) -> None:
    html = (report_dir(published_demo) / "kpi_rapport.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|<script""", html)
    assert "@font-face" in html and "data:font/woff2;base64," in html
    criteria = {c for (c,) in published_demo.query("select criterion_id from criteria")}
    assert all(f"id: {c}<" in html for c in criteria)
    quantitative = {c for (c,) in published_demo.query(
        "select distinct criterion_id from kpi_status join criteria using (criterion_id)"
        " where target_kind <> 'qualitative' and value is not null")}
    charts = re.findall(r'<figure class="chart" aria-label="Udvikling for ([^"]+)"><svg', html)
    assert set(charts) == quantitative
    assert "Ringparken/Schackenborgvænge" in html and "Samlet (gennemsnit)" in html
    assert "26,1 pr. 1000 i 2020; mål: under 28 pr. 1000 i 2020 – opfyldt." in html
    assert "Manglende leverance" in html and "missing_delivery" not in html
    # one heading per indsatsområde, not one per criterion
    sections = [s for (s,) in published_demo.query(
        "select distinct coalesce(indsatsomraade, 'Uden indsatsområde') from criteria")]
    for section in sections:
        assert html.count(f"<h2>{escape(section)}</h2>") == 1, section


def test_pdf_is_a4_with_page_numbers_and_every_criterion(published_demo: PublishedDemo, tmp_path: Path) -> None:
    pdf = report_dir(published_demo) / "kpi_rapport.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "side")],
                   check=True)
    rendered = sorted(tmp_path.glob("side-*.png"))
    assert len(rendered) == 3 and all(p.stat().st_size > 5_000 for p in rendered)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    missing = [c for (c,) in published_demo.query("select criterion_id from criteria") if c not in text]
    assert missing == []
    assert f"Side 1 af {pages}" in text and f"Side {pages} af {pages}" in text
    assert "Hvad er ændret" in text and "Datamangler" in text and "Metode" in text


def test_xlsx_holds_every_criterion_with_the_warehouse_values(published_demo: PublishedDemo) -> None:
    workbook = load_workbook(report_dir(published_demo) / "kpi_rapport.xlsx")
    assert workbook.sheetnames[0] == "Overblik"
    overview = workbook["Overblik"]
    assert overview.freeze_panes == "B2" and overview.auto_filter.ref.startswith("A1:")
    overview_ids = {row[1] for row in overview.iter_rows(min_row=2, values_only=True)}
    assert overview_ids == {c for (c,) in published_demo.query("select criterion_id from criteria")}
    found = []
    for sheet in workbook.worksheets:
        if sheet.title in REPORT_SHEETS_NOT_SECTIONS:
            continue
        header = [c.value for c in sheet[1]]
        assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref
        column = {name: header.index(name) for name in ("Kriterium", "Områdenøgle", "Periode", "Værdi", "Mål",
                                                        "Status")}
        value_cells = [row[column["Værdi"]] for row in sheet.iter_rows(min_row=2) if row[column["Værdi"]].value]
        assert all(cell.number_format == "#,##0.0##" for cell in value_cells)
        for row in sheet.iter_rows(min_row=2, values_only=True):
            found.append((row[column["Kriterium"]], row[column["Områdenøgle"]], row[column["Periode"]],
                          row[column["Værdi"]], row[column["Mål"]], STATUS_BY_WORD[row[column["Status"]]]))
    expected = published_demo.query(
        "select criterion_id, area_key, period, value, target_value, status from kpi_status")
    by_key = {row[:3]: row[3:] for row in found}
    assert len(by_key) == len(found) == len(expected)
    for criterion_id, area_key, period, value, target, status in expected:
        # openpyxl writes the shortest decimal text of a float: equal to 15 significant digits
        assert by_key[(criterion_id, area_key, period)] == (_approx(value), _approx(target), status), criterion_id


def test_history_is_published_with_the_contract_columns(published_demo: PublishedDemo) -> None:
    columns = [c for (c,) in published_demo.query(
        "select column_name from information_schema.columns where table_name = 'kpi_status_history'"
        " order by ordinal_position")]
    status_columns = [c for (c,) in published_demo.query(
        "select column_name from information_schema.columns where table_name = 'kpi_status'"
        " order by ordinal_position")]
    assert columns == [*status_columns, "valid_from", "valid_to"]
    current = published_demo.query(f"select {', '.join(status_columns)} from kpi_status_history where valid_to is null")
    assert sorted(current, key=repr) == sorted(published_demo.query("select * from kpi_status"), key=repr)
    types = dict(published_demo.query("select column_name, data_type from information_schema.columns"
                                      " where table_name = 'kpi_status_history'"))
    assert types["valid_from"] == types["valid_to"] == "TIMESTAMP"


def _approx(value: float | None):
    return None if value is None else pytest.approx(value, rel=1e-12)


def _status_pairs(warehouse: Path) -> dict[tuple, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {(c, a, p): (s, v) for c, a, p, s, v in con.execute(
            "select criterion_id, area_key, period, status, value from kpi_status").fetchall()}


@pytest.mark.slow
def test_what_changed_after_a_corrected_delivery(published_demo: PublishedDemo, tmp_path: Path) -> None:
    """Second nightly with one corrected police file: the report lists exactly the criteria that changed."""
    demo = published_demo.copy_to(tmp_path / "demo")
    before = _status_pairs(demo.warehouse)
    history_before = demo.query("select count(*) from kpi_status_history")[0][0]
    inbox = demo.sources / "inbox" / "police_haervaerk"
    original = (inbox / "police_haervaerk_2021_20220214.csv").read_text(encoding="cp1252")
    corrected = original.replace("2021;Motalavej;22", "2021;Motalavej;35").replace("2021;I alt;69", "2021;I alt;82")
    assert corrected != original
    (inbox / "police_haervaerk_2021_20220601.csv").write_text(corrected, encoding="cp1252")

    done = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    after = _status_pairs(demo.warehouse)
    expected = {key[0] for key in before.keys() | after.keys()
                if before.get(key, (None, None))[0] != after.get(key, (None, None))[0]
                or not _same(before.get(key, (None, None))[1], after.get(key, (None, None))[1])}
    assert expected, "the corrected delivery must change at least one criterion"

    workbook = load_workbook(report_dir(demo) / "kpi_rapport.xlsx")
    listed = {row[0] for row in workbook["Ændringer"].iter_rows(min_row=2, values_only=True)}
    assert listed == expected
    html = (report_dir(demo) / "kpi_rapport.html").read_text(encoding="utf-8")
    changes_section = html.split('id="aendringer"', 1)[1].split("</section>", 1)[0]
    assert "siden forrige rapport" in changes_section
    assert set(re.findall(r'<a class="cid" href="#([^"]+)"', changes_section)) == expected
    # the history gained one version per changed row, no more: unchanged rows keep their version
    changed_rows = demo.query(
        "select count(*) from kpi_status_history where valid_from = (select max(valid_from) from kpi_status_history)")
    history_after = demo.query("select count(*) from kpi_status_history")[0][0]
    assert history_after - history_before == changed_rows[0][0] > 0
    closed = demo.query("select count(*) from kpi_status_history where valid_to is not null")[0][0]
    assert 0 < closed <= changed_rows[0][0], "each replaced version is kept, closed by its valid_to"


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def test_report_command_options_and_errors(published_demo: PublishedDemo, tmp_path: Path) -> None:
    bad = run_kpi("report", "--warehouse", str(published_demo.warehouse), "--since", "2026-13-01")
    assert bad.returncode == 2 and "ÅÅÅÅ-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    before_history = run_kpi("report", "--warehouse", str(published_demo.warehouse), "--out", str(tmp_path),
                             "--as-of", "2000-01-01")
    assert before_history.returncode == 4
    assert "ingen status ved udgangen af 01-01-2000" in " ".join(before_history.stderr.split())
    assert not list(tmp_path.glob("kpi_rapport.*"))
    missing = run_kpi("report", "--warehouse", str(tmp_path / "findes_ikke.duckdb"), "--out", str(tmp_path))
    assert missing.returncode == 4 and "findes ikke" in " ".join(missing.stderr.split())


def _row(period: str, status: str, value: float | None) -> StatusRow:
    return StatusRow("c1", "motalavej", period, value, None, None, None, status, "grund", date(2025, 1, 1))


def test_status_changes_compare_status_and_value_only() -> None:
    old = [_row("2020", "met", 1.0), _row("2021", "met", 2.0), _row("2022", "not_due", None)]
    new = [_row("2020", "met", 1.0), _row("2021", "not_met", 2.0), _row("2023", "met", 3.0),
           StatusRow("c1", "motalavej", "2022", None, "2017", 1.0, None, "not_due", "ny grund", None)]
    changes = status_changes(old, new)
    assert changes == [Change("c1", "motalavej", "2021", "met", 2.0, "not_met", 2.0, "grund"),
                       Change("c1", "motalavej", "2023", None, None, "met", 3.0, "grund")]
    assert status_changes(new, new) == []
    assert status_changes([_row("2020", "met", 1.0)], [_row("2020", "met", 1.0 + 1e-12)]) == []
    assert len(status_changes([_row("2020", "met", None)], [_row("2020", "met", 0.0)])) == 1


def test_sheet_titles_follow_excel_rules() -> None:
    taken: set[str] = set()
    long_name = "Partnerskab (tryghed) - bilag til helhedsplanen / Delaftale Kriminalpræventiv indsats"
    first, second = sheet_title(long_name, taken), sheet_title(long_name, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


@pytest.mark.parametrize(("value", "text"), [(30.65, "30,65"), (34.2, "34,2"), (36.0, "36"), (10000.0, "10.000"),
                                             (None, "–"), (0.0, "0"), (-1.5, "-1,5")])
def test_numbers_in_danish(value: float | None, text: str) -> None:
    assert number_da(value) == text


def _data_with_gaps(gaps: list[dict], columns: list[str]) -> ReportData:
    return ReportData(generated_at=datetime(2026, 12, 1, 22, 0), as_of=None, data_as_of=None, last_load=None,
                      catalog_version="2", area_names={}, sections=[], since=None, since_label="", changes=[],
                      history_available=True, data_version=None, gaps=gaps, gap_columns=columns)


def test_data_gaps_show_supplier_and_due_date_only_when_the_warehouse_has_them() -> None:
    base = {"source_system": "police_haervaerk", "criterion_id": "c1", "gap_type": "missing_delivery",
            "detail": "x"}
    gaps = [{**base, "area_key": "motalavej", "period": "2024", "supplier": "Politiet", "due_date": date(2025, 3, 1)},
            {**base, "area_key": "sydbyen", "period": "2025", "supplier": "Politiet", "due_date": date(2026, 3, 1)}]
    columns = [*GAP_COLUMNS, *OPTIONAL_GAP_COLUMNS]
    [row] = gap_summary(_data_with_gaps(gaps, columns))
    assert row["Leverandør"] == "Politiet" and row["Frist"] == "01-03-2025" and row["Perioder"] == "2024–2025"
    assert row["Mangel"] == "Manglende leverance" and row["Celler"] == "2"
    assert "Leverandør" in gaps_table(_data_with_gaps(gaps, columns))
    without = [{k: v for k, v in g.items() if k not in OPTIONAL_GAP_COLUMNS} for g in gaps]
    [row] = gap_summary(_data_with_gaps(without, GAP_COLUMNS))
    assert "Leverandør" not in row and "Frist" not in row


def test_two_programmes_reported_in_one_process_keep_their_own_area_order_and_colours() -> None:
    """The areas travel with the report data (no process-wide setting): a report of one programme leaves the
    next programme's order, short names and chart colours alone."""
    from pipelines.areas import ProgrammeAreas
    from pipelines.report.charts import area_colours, trend_spec
    from pipelines.report.model import Criterion

    def criterion(areas: ProgrammeAreas) -> Criterion:
        rows = [StatusRow("c1", key, "2020", value, None, None, None, "met", "grund", date(2025, 1, 1))
                for key, value in (("combined", 3.0), ("nord", 1.0), ("syd", 2.0))]
        return Criterion("c1", "strategisk", "Tryghed", "tekst", "count", "decrease", "relative_change", "x",
                         "area", rows, programme_areas=areas)

    first = criterion(ProgrammeAreas({"syd": "Sydbyen", "nord": "Nordparken"}))
    second = criterion(ProgrammeAreas({"nord": "Nordparken", "syd": "Sydbyen"}))
    assert first.areas == ["syd", "nord", "combined"] and list(first.latest) == ["syd", "nord", "combined"]
    assert second.areas == ["nord", "syd", "combined"]
    assert list(area_colours(first.programme_areas))[:2] == ["syd", "nord"]
    assert area_colours(first.programme_areas)["syd"] == area_colours(second.programme_areas)["nord"]
    legend = trend_spec(second)["layer"][0]["encoding"]["color"]["legend"]["values"]
    assert legend[:3] == ["Nordparken", "Sydbyen", "Samlet"]
