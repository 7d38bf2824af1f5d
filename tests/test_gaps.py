"""data_gaps with supplier and due date, `kpi gaps`, and filled templates loading like any delivery.

One nightly on a copy of the demo with: filled templates, a file naming an unknown area, a corrupt file,
and an analyst's delivery calendar that moves one deadline far into the future.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pipelines.supplier_templates.generate import write_templates
from tests.conftest import AS_OF, REFERENCE_DIR, PublishedDemo, run_kpi

GAP_TYPES = {"missing_delivery", "missing_baseline", "stale", "failed_validation", "suppressed", "unmapped_area",
             "needs_reading"}
TEMPLATE_DELIVERY = date(2026, 11, 20)  # later than every sample file, so a filled quarter supersedes the sample's
OVERRIDDEN_SUPPLIER = "Politiet, tryghedsmålingen (analytikerens kalender)"


def _fill(path: Path, sheet: str, values: dict[tuple[int, str], object]) -> None:
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    header = [c.value for c in ws[1]]
    for (row, column), value in values.items():
        ws.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)


def _row_of(path: Path, sheet: str, column: str, value: str) -> int:
    ws = openpyxl.load_workbook(path)[sheet]
    index = [c.value for c in ws[1]].index(column)
    return next(r for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2) if row[index] == value)


@pytest.fixture(scope="module")
def gapped(published_demo: PublishedDemo, tmp_path_factory) -> PublishedDemo:
    demo = published_demo.copy_to(tmp_path_factory.mktemp("gaps") / "demo")
    inbox = demo.sources / "inbox"
    written = {p.name: p for p in write_templates(REFERENCE_DIR / "criteria.yaml", "2019Q2", inbox,
                                                  TEMPLATE_DELIVERY)}
    own = written["own_registrations_2019Q2_20261120.xlsx"]
    _fill(own, "Registrering", {(_row_of(own, "Registrering", "Indikator", "fritidsjob_formidlet"), "Antal"): 17})
    su = written["samarbejdsudvalg_evaluation_2019_20261120.xlsx"]
    _fill(su, "Vurdering", {(2, "Vurdering"): "delvist opfyldt",
                            (2, "Begrundelse"): "Skabelonen blev udfyldt af samarbejdsudvalget.",
                            (2, "Kilde"): "SU-referat 01-11-2026"})
    for name in ("qualitative_interviews_2019_20261120.xlsx", "partnership_followup_2019_20261120.xlsx",
                 "event_attendance_estimate_2019_20261120.xlsx"):
        written[name].unlink()  # unfilled: no reason to deliver them
    (inbox / "police_haervaerk" / "police_haervaerk_2023_20240115.csv").write_text(
        "År;Område;Anmeldelser af hærværk\n2023;Ringarken;12\n", encoding="utf-8")
    (inbox / "brand_redning" / "brand_redning_2024_20250110.csv").write_bytes(b"\x00\x01 not a csv")
    reference = demo.sources / "reference"
    if not (reference / "criteria.yaml").is_file():
        shutil.copytree(REFERENCE_DIR, reference, dirs_exist_ok=True)
    calendar = (reference / "delivery_calendar.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(calendar), delimiter=";"))
    for row in rows:
        if row[0] == "police_tryghedsindeks":
            row[1], row[4] = OVERRIDDEN_SUPPLIER, "120"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    (reference / "delivery_calendar.csv").write_text(buffer.getvalue(), encoding="utf-8")
    demo.first = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse),
                         "--as-of", AS_OF)
    return demo


def test_the_run_rejects_the_two_bad_files_and_publishes(gapped: PublishedDemo) -> None:
    assert gapped.first.returncode == 3, gapped.first.stdout + gapped.first.stderr
    rejected = dict(gapped.query("select file_name, error from load_ledger where status = 'rejected'"))
    assert set(rejected) == {"police_haervaerk_2023_20240115.csv", "brand_redning_2024_20250110.csv"}


def test_filled_templates_load_and_reach_kpi_status(gapped: PublishedDemo) -> None:
    value = gapped.query("select value, source_file from measurements where source_system = 'own_registrations' "
                         "and indicator = 'fritidsjob_formidlet' and period = '2019Q2'")
    assert value == [(17.0, "own_registrations_2019Q2_20261120.xlsx")]
    assert gapped.query("select status from load_ledger where file_name like 'own_registrations_2019Q2_%' "
                        "and file_name != 'own_registrations_2019Q2_20261120.xlsx'") == [("superseded",)]
    status = gapped.query("select status, status_reason from kpi_status "
                          "where criterion_id = 'act_tryghedsvandring_resident_influence' "
                          "and area_key = 'motalavej' and period = '2019'")
    assert status == [("qualitative", "Delvist opfyldt (samarbejdsudvalgets evaluering, "
                                      "samarbejdsudvalg_evaluation_2019_20261120.xlsx; begrundelsen publiceres ikke)")]


def test_every_gap_type_is_produced(gapped: PublishedDemo) -> None:
    assert {t for (t,) in gapped.query("select distinct gap_type from data_gaps")} == GAP_TYPES


def test_gaps_name_their_supplier_and_deadline(gapped: PublishedDemo) -> None:
    unowed = gapped.query("select count(*) from data_gaps where gap_type = 'suppressed' "
                          "and (supplier is not null or due_date is not null)")
    assert unowed == [(0,)]
    unmapped = gapped.query("select supplier, due_date, period from data_gaps where gap_type = 'unmapped_area'")
    assert unmapped == [("Sydsjællands og Lolland-Falsters Politi", date(2024, 3, 31), "2023")]
    failed = gapped.query("select supplier, due_date from data_gaps where gap_type = 'failed_validation'")
    assert failed == [("Slagelse Brand og Redning", date(2025, 2, 28))]
    assert gapped.query("select count(*) from data_gaps where gap_type != 'suppressed' and supplier is null") \
        == [(0,)]


def test_a_missing_delivery_is_a_gap_only_after_its_deadline(gapped: PublishedDemo,
                                                            published_demo: PublishedDemo) -> None:
    as_of = date.fromisoformat(AS_OF)
    assert all(d < as_of for (d,) in gapped.query(
        "select due_date from data_gaps where gap_type = 'missing_delivery' and due_date is not null"))
    query = ("select count(*) from data_gaps where gap_type = 'missing_delivery' "
             "and source_system = 'police_tryghedsindeks'")
    assert published_demo.query(query)[0][0] > 0  # the project's calendar: due 6 months after the year
    assert gapped.query(query) == [(0,)]  # the analyst's calendar: due in ten years, so nothing is late yet
    assert gapped.query("select distinct supplier from data_gaps where source_system = 'police_tryghedsindeks' "
                        "and gap_type != 'needs_reading'") == [(OVERRIDDEN_SUPPLIER,)]


def test_kpi_gaps_lists_missing_deliveries_per_supplier(gapped: PublishedDemo, tmp_path: Path) -> None:
    shown = run_kpi("gaps", "--warehouse", str(gapped.warehouse), "--supplier", "brand")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "Slagelse Brand og Redning" in shown.stdout and "leverance afvist" in shown.stdout
    assert "28-02-2025" in shown.stdout and "Sydsjællands" not in shown.stdout
    listed = run_kpi("gaps", "--warehouse", str(gapped.warehouse), "--format", "csv")
    rows = list(csv.reader(io.StringIO(listed.stdout), delimiter=";"))
    assert rows[0] == ["Leverandør", "Kilde", "Periode", "Mangel", "Frist", "Kriterier", "Områder", "Detalje"]
    suppliers = [r[0] for r in rows[1:]]
    assert suppliers == sorted(suppliers, key=lambda s: (s == "Ingen leverance forventet", s))
    out = tmp_path / "mangler.xlsx"
    assert run_kpi("gaps", "--warehouse", str(gapped.warehouse), "--format", "xlsx", "--out", str(out)).returncode == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:H")
    assert sheet.max_row == len(rows)
