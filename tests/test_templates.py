"""`kpi templates`: workbooks from the catalog, locked but for validated input cells, that load as deliveries."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pipelines.delivery.filenames import parse_file_name
from pipelines.parse import registry
from pipelines.supplier_templates.generate import previous_quarter, quarters_and_year, write_templates
from pipelines.supplier_templates.workbook import INSTRUCTION_SHEET
from tests.conftest import REFERENCE_DIR, run_kpi
from tests.parser_helpers import parse, rejection

CATALOG = REFERENCE_DIR / "criteria.yaml"
DELIVERED = date(2026, 11, 30)


@pytest.fixture(scope="module")
def templates_2019(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    return {path.parent.name + ("_" + path.stem.split("_")[-2] if "Q" in path.stem else ""): path
            for path in write_templates(CATALOG, "2019", out, DELIVERED)}


def test_a_year_gives_four_quarterly_workbooks_and_the_yearly_ones(templates_2019) -> None:
    assert sorted(templates_2019) == [
        "event_attendance_estimate", "own_registrations_2019Q1", "own_registrations_2019Q2",
        "own_registrations_2019Q3", "own_registrations_2019Q4", "partnership_followup",
        "qualitative_interviews", "samarbejdsudvalg_evaluation"]


def test_file_names_follow_the_delivery_contract(templates_2019) -> None:
    for path in templates_2019.values():
        source = path.parent.name
        name = parse_file_name(path, source, extensions=registry()[source].extensions)
        assert name.delivered_at == DELIVERED
        assert name.period_token.startswith("2019")


def test_only_input_cells_are_unlocked_and_they_are_validated(templates_2019) -> None:
    sheet = openpyxl.load_workbook(templates_2019["own_registrations_2019Q2"])["Registrering"]
    assert sheet.protection.sheet
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Aktivitet", "Indikator", "Område", "Antal", "Bemærkning"]
    unlocked = {header[c.column - 1] for row in sheet.iter_rows(min_row=2) for c in row if not c.protection.locked}
    assert unlocked == {"Antal", "Bemærkning", "Tæller", "Nævner"}  # a share with its counts (rule 8)
    rules = {(v.type, v.operator, v.formula1) for v in sheet.data_validations.dataValidation}
    assert ("whole", "greaterThanOrEqual", "0") in rules
    assert ("decimal", "between", "0") in rules  # the *_pct codes: a percent between 0 and 100
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"fritidsjob_formidlet", "tryghedsvandringer", "vaerested_henvendelser"} <= codes


def test_assessment_template_offers_the_verdicts_as_a_dropdown(templates_2019) -> None:
    workbook = openpyxl.load_workbook(templates_2019["samarbejdsudvalg_evaluation"])
    sheet = workbook["Vurdering"]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists and "delvist opfyldt" in lists[0].formula1
    ids = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "act_tryghedsvandring_resident_influence" in ids
    assert "partner_commit_evictions_63d" in ids  # a qualitative partnership goal: judged by the committee
    assert INSTRUCTION_SHEET in workbook.sheetnames
    assert any("CPR" in (row[0] or "") for row in workbook[INSTRUCTION_SHEET].iter_rows(values_only=True))


def test_no_template_after_the_plans_end(tmp_path: Path) -> None:
    assert write_templates(CATALOG, "2026Q1", tmp_path, DELIVERED) == []


def test_periods_of_the_option() -> None:
    assert [q.label for q in quarters_and_year("2025")[0]] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert quarters_and_year("2025Q3")[1].label == "2025"
    assert previous_quarter(date(2026, 2, 1)) == "2025Q4"
    assert previous_quarter(date(2026, 12, 1)) == "2026Q3"


def _fill(path: Path, sheet_name: str, column: str, values: dict[int, object]) -> Path:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[sheet_name]
    index = [c.value for c in sheet[1]].index(column) + 1
    for row, value in values.items():
        sheet.cell(row=row, column=index, value=value)
    workbook.save(path)
    return path


def test_a_wrong_cell_is_rejected_naming_sheet_and_cell(templates_2019, tmp_path: Path, parse_context) -> None:
    path = shutil.copy(templates_2019["own_registrations_2019Q2"], tmp_path)
    _fill(Path(path), "Registrering", "Antal", {2: 4, 7: "ca. 12"})
    caught = rejection("own_registrations", Path(path), parse_context)
    assert "Registrering!D7" in caught.message
    assert "'ca. 12'" in caught.message and "helt tal" in caught.message


def test_a_wrong_verdict_is_rejected_naming_sheet_and_cell(templates_2019, tmp_path: Path, parse_context) -> None:
    path = Path(shutil.copy(templates_2019["samarbejdsudvalg_evaluation"], tmp_path))
    _fill(path, "Vurdering", "Vurdering", {3: "godt"})
    _fill(path, "Vurdering", "Begrundelse", {3: "Beboerne var glade."})
    caught = rejection("samarbejdsudvalg_evaluation", path, parse_context)
    assert "Vurdering!D3" in caught.message and "'godt'" in caught.message


def test_unfilled_rows_deliver_nothing_and_filled_rows_load(templates_2019, tmp_path: Path, parse_context) -> None:
    path = Path(shutil.copy(templates_2019["partnership_followup"], tmp_path))
    _fill(path, "Registrering", "Værdi", {2: 3})
    frame = parse("partnership_followup", path, parse_context).frame
    assert frame.height == 1
    assert frame.row(0, named=True)["value"] == 3.0


@pytest.mark.e2e
def test_templates_open_in_libreoffice_without_repair(templates_2019, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (Debian libreoffice-calc-nogui) is installed by `make system-deps`"
    utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"
    for key in ("own_registrations_2019Q2", "samarbejdsudvalg_evaluation", "partnership_followup"):
        done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                               "--convert-to", utf8_csv, "--outdir", str(tmp_path), str(templates_2019[key])],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "repair" not in (done.stdout + done.stderr).lower()
        text = (tmp_path / (templates_2019[key].stem + ".csv")).read_text(encoding="utf-8", errors="replace")
        assert text.splitlines()[0].startswith(("Aktivitet", "År"))


def test_kpi_templates_command_writes_the_workbooks(tmp_path: Path) -> None:
    done = run_kpi("templates", "--period", "2019Q2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "own_registrations").is_dir()
    bad = run_kpi("templates", "--period", "2019-02", "--out", str(tmp_path))
    assert bad.returncode == 2 and "Ugyldig periode" in bad.stdout + bad.stderr
