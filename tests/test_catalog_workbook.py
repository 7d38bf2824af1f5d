"""The catalog as a workbook (issue 23): template, export ∘ import, `kpi catalog check`, and bad workbooks.

Bad workbooks are built as a user's Excel would leave them: a valid small workbook filled with openpyxl,
then one class of mistake (a missing sheet, a renamed column, a word in a number cell, a value pasted around
a drop-down, ...). Every problem must be named with its cell, and nothing may be written.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipelines.catalog.load import read_catalog
from pipelines.catalog_workbook.cells import CellError, decode, encode
from pipelines.catalog_workbook.files import load_checked, write_catalog_files
from pipelines.catalog_workbook.layout import (
    AREA_COLUMNS,
    AREAS,
    BASELINE_COLUMNS,
    BASELINES,
    CRITERIA,
    CRITERION_COLUMNS,
    LINES,
    LISTS,
    NUMBER,
    PERIOD,
    READINGS,
)
from pipelines.catalog_workbook.problems import ERROR, WARNING
from pipelines.catalog_workbook.workbooks import export_catalog, write_template
from pipelines.cli import app
from pipelines.reference.resolution import ReferenceProblem
from pipelines.yaml_text import load_yaml
from tests.conftest import REFERENCE_DIR

PLAN = "2019-01-01/2022-12-31"
HAERVAERK = {
    "Id": "haervaerk_minus_10", "Niveau": "strategic", "Kriterietype": "succeskriterium", "Planperiode": PLAN,
    "Indsatsområde": "Tryghed", "Kriterietekst": "Hærværk falder 10 % om året.", "Enhed": "count",
    "Retning": "decrease", "Kildesystem": "police_haervaerk", "Indikator": "anmeldelser_af_haervaerk",
    "Områder": "nordby\nsydby", "Granularitet": "per_area", "Frekvens": "yearly",
    "Regeltype": "yearly_pct_change_vs_previous_year", "Operator": "<=", "Procent": -10,
}
VISITORS = {
    "Id": "web_visitors_5000", "Niveau": "activity", "Kriterietype": "succeskriterium", "Planperiode": PLAN,
    "Indsatsområde": "Kommunikation", "Kriterietekst": "Mindst 5.000 unikke besøgende i 2022.", "Enhed": "count",
    "Retning": "at_least", "Kildesystem": "web_analytics", "Indikator": "unikke_besoegende", "Områder": "combined",
    "Granularitet": "combined", "Frekvens": "yearly", "Regeltype": "absolute_threshold", "Operator": ">=",
    "Grænse": 5000, "Frist": 2022,
}


def _column(columns, header: str) -> int:
    return next(i for i, c in enumerate(columns, start=1) if c.header == header)


def _fill(sheet, columns, rows: list[dict[str, Any]]) -> None:
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=_column(columns, header), value=value)


def _user_workbook(path: Path, criteria: list[dict[str, Any]] | None = None,
                   baselines: list[dict[str, Any]] | None = None) -> Path:
    """The template, filled with openpyxl as a secretariat fills it in Excel: two areas, two criteria."""
    write_template(path, name="Helhedsplan Testby")
    workbook = openpyxl.load_workbook(path)
    program = workbook["Program"]
    program["B3"] = "Testby Kommune"
    program["B6"] = PLAN
    _fill(workbook[AREAS], AREA_COLUMNS, [
        {"Nøgle": "nordby", "Navn": "Nordby", "By": "Testby", "Aliaser": "Nordby\nNordbyen", "Planperioder": PLAN},
        {"Nøgle": "sydby", "Navn": "Sydby", "By": "Testby", "Planperioder": PLAN},
        {"Nøgle": "combined", "Navn": "Nordby og Sydby samlet"},
    ])
    _fill(workbook[CRITERIA], CRITERION_COLUMNS, criteria if criteria is not None else [HAERVAERK, VISITORS])
    _fill(workbook[BASELINES], BASELINE_COLUMNS, baselines if baselines is not None else [
        {"Kriterie-id": "haervaerk_minus_10", "Område": "all_areas", "År": 2019, "Værdi": "fastsættes senere",
         "Enhed": "count"}])
    workbook.save(path)
    return path


def _problems(path: Path) -> list[tuple[str, str, str]]:
    return [(p.severity, p.location, p.message_da) for p in load_checked(path).problems]


def _errors_at(path: Path) -> dict[str, str]:
    return {location: message for severity, location, message in _problems(path) if severity == ERROR}


@pytest.fixture(scope="module")
def slagelse_export(tmp_path_factory) -> Path:
    return export_catalog(REFERENCE_DIR / "criteria.yaml", tmp_path_factory.mktemp("export") / "slagelse.xlsx")


# --- round trip ------------------------------------------------------------------------------------

def test_slagelse_export_then_import_gives_back_the_same_catalog(slagelse_export: Path, tmp_path: Path) -> None:
    checked = load_checked(slagelse_export)
    assert checked.ok, [p.line_da() for p in checked.problems if p.severity == ERROR]
    write_catalog_files(checked, tmp_path, slagelse_export)
    original = read_catalog(REFERENCE_DIR / "criteria.yaml")
    again = read_catalog(tmp_path / "criteria.yaml")
    assert len(again.criteria) == 125
    assert again.criteria == original.criteria
    assert (again.version, again.areas, again.plan_periods) == (original.version, original.areas,
                                                                 original.plan_periods)
    assert again.readings == original.readings
    source = load_yaml((REFERENCE_DIR / "criteria.yaml").read_text(encoding="utf-8"))
    written = load_yaml((tmp_path / "criteria.yaml").read_text(encoding="utf-8"))
    assert written["source_systems"] == source["source_systems"] and written["meta"] == source["meta"]


def test_the_export_shows_each_criterion_on_its_row_with_indicator_and_operator(slagelse_export: Path) -> None:
    sheet = openpyxl.load_workbook(slagelse_export)[CRITERIA]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "strat_tt_haervaerk_reports_yearly_minus15")
    by_header = {c.header: row[i].value for i, c in enumerate(CRITERION_COLUMNS)}
    assert by_header["Kildesystem"] == "police_haervaerk"
    assert by_header["Indikator"] == "anmeldelser_af_haervaerk"  # from readings.yaml, by canonical_id
    assert by_header["Procent"] == -15 and by_header["Operator"] == "<="
    assert by_header["Områder"].splitlines() == ["motalavej", "ringparken", "sydbyen", "skaelskoer"]


def test_the_slagelse_catalog_has_warnings_but_no_errors() -> None:
    problems = load_checked(REFERENCE_DIR / "criteria.yaml").problems
    assert [p for p in problems if p.severity == ERROR] == []
    goal_statements = [p for p in problems if "ingen datakilde" in p.message_da]
    assert len(goal_statements) == 15  # the 15 entries with source_system none
    needs_reading = {p.location for p in problems if "needs_reading" in p.message_da}
    assert "readings.yaml: readings.vision_sub_crit_no_attachment_18_64.combine" in needs_reading
    assert "criteria.yaml: criteria[6].granularity" in needs_reading  # the 6th entry, vision_sub_crit_income


# --- template --------------------------------------------------------------------------------------

def test_the_template_has_drop_downs_fed_from_the_hidden_lists(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert workbook[LISTS].sheet_state == "hidden"
    lists = {workbook[LISTS].cell(row=1, column=c).value: c for c in range(1, workbook[LISTS].max_column + 1)}
    sources = [workbook[LISTS].cell(row=r, column=lists["Kildesystemer"]).value for r in range(2, 40)]
    assert {"police_haervaerk", "kmd_opera", "school_absence", "none"} <= set(sources)
    kinds = [workbook[LISTS].cell(row=r, column=lists["Regeltyper"]).value for r in range(2, 9)]
    assert kinds == ["absolute_threshold", "yearly_pct_change_vs_previous_year", "change_vs_baseline",
                     "reach_by_date", "yearly_count_at_least", "share_at_least", "qualitative"]
    validations = {str(v.sqref): v.formula1 for v in workbook[CRITERIA].data_validations.dataValidation}
    assert validations["N2:N2000"] == "'Lister'!$A$2:$A$27"  # Kildesystem
    assert validations["O2:O2000"] == 'INDIRECT("ind_"&$N2)'  # Indikator: the chosen source's indicators
    assert "ind_kmd_opera" in workbook.defined_names


def test_the_guide_explains_each_column_with_an_example_from_slagelse(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))["Vejledning"]
    rows = {(r[0], r[1]): r[3] for r in sheet.iter_rows(values_only=True) if len(r) > 3 and r[1]}
    first = read_catalog(REFERENCE_DIR / "criteria.yaml").criteria[0]
    assert rows[(CRITERIA, "Id")] == first["id"]
    assert rows[(CRITERIA, "Kildesystem")] == first["source_system"]
    assert all((CRITERIA, c.header) in rows for c in CRITERION_COLUMNS)


# --- a user's workbook -----------------------------------------------------------------------------

def test_a_filled_workbook_is_clean_and_imports(tmp_path: Path) -> None:
    path = _user_workbook(tmp_path / "katalog.xlsx")
    assert _errors_at(path) == {}
    result = CliRunner().invoke(app, ["catalog", "import", str(path), "--out", str(tmp_path / "ref")])
    assert result.exit_code == 0, result.output
    catalog = read_catalog(tmp_path / "ref" / "criteria.yaml")
    assert catalog.plan_periods == {"p2019_2022": PLAN}
    assert catalog.areas["nordby"] == {"name_da": "Nordby", "town": "Testby", "aliases": ["Nordby", "Nordbyen"]}
    haervaerk = catalog.by_id["haervaerk_minus_10"]
    assert haervaerk["target_rule"] == {"kind": "yearly_pct_change_vs_previous_year", "op": "<=", "pct": -10}
    assert haervaerk["canonical_id"] == "haervaerk_minus_10"
    assert haervaerk["baseline"] == [{"area": "all_areas", "year": 2019, "value": None, "unit": "count",
                                      "quote": None, "seed_ref": None}]
    assert catalog.readings["web_visitors_5000"] == {
        "indicator": {"source_system": "web_analytics", "indicator": "unikke_besoegende"}, "due_period": 2022}


def _broken(tmp_path: Path, **changes: Any) -> Path:
    return _user_workbook(tmp_path / "katalog.xlsx", criteria=[{**HAERVAERK, **changes}, VISITORS])


@pytest.mark.parametrize(("changes", "location", "says"), [
    ({"Kildesystem": "politiet"}, "Kriterier!N2", "ukendt kildesystem 'politiet'"),
    ({"Enhed": "styk"}, "Kriterier!L2", "ukendt enhed 'styk'"),
    ({"Regeltype": "falde"}, "Kriterier!U2", "ukendt regeltype 'falde'"),
    ({"Områder": "nordby\nøstby"}, "Kriterier!R2", "ukendt område 'østby'"),
    ({"Indikator": "hash_brug_pct"}, "Kriterier!O2", "leveres af local_substance_survey, ikke af police_haervaerk"),
    ({"Indikator": "hærværk"}, "Kriterier!O2", "ukendt indikator for police_haervaerk: 'hærværk'"),
    ({"Procent": None, "Operator": None}, "Kriterier!Y2", "kræver en procent"),
    ({"Procent": "ti"}, "Kriterier!Y2", "'ti' er ikke et tal"),
    ({"Planperiode": "2017-10-01/2021-09-30"}, "Kriterier!E2", "ikke en af programmets planperioder"),
    ({"Frist": 2025}, "Kriterier!AE2", "Fristen 2025 ligger uden for planperioden 2019-2022"),
    ({"Regeltype": "change_vs_baseline", "Retning": None, "Operator": None}, "Kriterier!M2",
     "kræver en retning"),
])
def test_each_mistake_in_a_criterion_is_named_at_its_cell(tmp_path: Path, changes: dict, location: str,
                                                          says: str) -> None:
    errors = _errors_at(_broken(tmp_path, **changes))
    assert location in errors, errors
    assert says in errors[location]


def test_duplicate_ids_and_one_canonical_id_with_two_rules(tmp_path: Path) -> None:
    twin = {**HAERVAERK, "Procent": -20}
    other = {**VISITORS, "Id": "haervaerk_minus_10"}
    same_group = {**HAERVAERK, "Id": "haervaerk_sub", "Fælles id": "haervaerk_minus_10", "Procent": -15}
    errors = _errors_at(_user_workbook(tmp_path / "k.xlsx", criteria=[twin, other, same_group]))
    assert "bruges også af Kriterier!A2" in errors["Kriterier!A3"]
    assert "samme fælles id 'haervaerk_minus_10' som Kriterier!A2, men en anden regel" in errors["Kriterier!U4"]


def test_a_baseline_after_the_plan_and_an_unknown_baseline_area(tmp_path: Path) -> None:
    errors = _errors_at(_user_workbook(tmp_path / "k.xlsx", baselines=[
        {"Kriterie-id": "haervaerk_minus_10", "Område": "nordby", "År": 2024, "Værdi": 12, "Enhed": "count"},
        {"Kriterie-id": "haervaerk_minus_10", "Område": "vestby", "År": 2019, "Værdi": 3, "Enhed": "count"},
        {"Kriterie-id": "findes_ikke", "Område": "nordby", "År": 2019, "Værdi": 3, "Enhed": "count"},
    ]))
    assert "baselineåret 2024 ligger efter planperioden 2019-2022" in errors["Baselines!C2"]
    assert "ukendt baselineområde 'vestby'" in errors["Baselines!B3"]
    assert "ukendt kriterie-id 'findes_ikke'" in errors["Baselines!A4"]


def test_warnings_for_a_goal_statement_and_a_combined_figure_the_source_cannot_give(tmp_path: Path) -> None:
    goal = {**HAERVAERK, "Id": "goal", "Kildesystem": "none", "Indikator": None, "Regeltype": "qualitative",
            "Procent": None, "Operator": None}
    tryghed = {**HAERVAERK, "Id": "tryghed", "Kildesystem": "police_tryghedsindeks",
               "Indikator": "grundlaeggende_tryghed", "Granularitet": "both", "Regeltype": "change_vs_baseline",
               "Retning": "increase", "Procent": None, "Operator": None}
    path = _user_workbook(tmp_path / "k.xlsx", criteria=[goal, tryghed], baselines=[])
    problems = _problems(path)
    assert [p for p in problems if p[0] == ERROR] == []
    warnings = {location: message for severity, location, message in problems if severity == WARNING}
    assert "ingen datakilde" in warnings["Kriterier!N2"]
    assert "police_tryghedsindeks leverer et indeks pr. område" in warnings["Kriterier!O3"]
    assert "needs_reading" in warnings["Kriterier!O3"]
    result = CliRunner().invoke(app, ["catalog", "check", str(path)])
    assert result.exit_code == 0  # warnings only: the catalog can be used


def test_a_missing_sheet_and_a_renamed_column_are_named(tmp_path: Path) -> None:
    path = _user_workbook(tmp_path / "k.xlsx")
    workbook = openpyxl.load_workbook(path)
    del workbook[READINGS]
    workbook[CRITERIA].cell(row=1, column=_column(CRITERION_COLUMNS, "Enhed"), value="Måleenhed")
    workbook.save(path)
    errors = _errors_at(path)
    assert "arket 'Læsninger' mangler" in errors["Læsninger"]
    assert "kolonnen 'Enhed' mangler" in errors["Kriterier!1"]
    assert "ukendt kolonne 'Måleenhed'" in errors["Kriterier!L1"]


def test_every_problem_is_reported_at_once_and_nothing_is_written(tmp_path: Path) -> None:
    path = _broken(tmp_path, Kildesystem="politiet", Enhed="styk", Procent="ti")
    out = tmp_path / "reference"
    result = CliRunner().invoke(app, ["catalog", "import", str(path), "--out", str(out)])
    assert result.exit_code == 4
    said = " ".join(result.output.split())
    for where in ("Kriterier!N2", "Kriterier!L2", "Kriterier!Y2"):
        assert where in said
    assert "3 fejl" in said or "4 fejl" in said
    assert not out.exists()


def test_a_file_that_is_not_a_workbook_is_one_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "k.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    problems = _problems(path)
    assert len(problems) == 1 and problems[0][1] == "k.xlsx" and "kan ikke læses" in problems[0][2]


# --- YAML and the nightly --------------------------------------------------------------------------

def _broken_reference(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(REFERENCE_DIR, sources / "reference")
    catalog = sources / "reference" / "criteria.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("source_system: police_haervaerk", "source_system: politi_haervaerk", 1),
                       encoding="utf-8")
    return sources


def test_a_yaml_catalog_is_checked_with_yaml_paths(tmp_path: Path) -> None:
    sources = _broken_reference(tmp_path)
    result = CliRunner().invoke(app, ["catalog", "check", str(sources / "reference" / "criteria.yaml")])
    assert result.exit_code == 4
    said = " ".join(result.output.split())
    assert "criteria.yaml: criteria[" in said and "ukendt kildesystem 'politi_haervaerk'" in said


def test_the_nightly_refuses_a_broken_catalog_before_anything_is_loaded(tmp_path: Path) -> None:
    from datetime import date

    from pipelines.flows.nightly import reference_task
    from pipelines.settings import RunConfig

    config = RunConfig(_broken_reference(tmp_path), tmp_path / "warehouse" / "kpi.duckdb", date(2026, 11, 23), "kpi")
    with pytest.raises(ReferenceProblem, match=r"kataloget har 1 fejl.*politi_haervaerk"):
        reference_task.fn(config, tmp_path / "run")  # the run's first stage: the run fails, exit 4
    assert not (tmp_path / "run" / "reference").exists()  # nothing snapshotted, nothing loaded


# --- cells -----------------------------------------------------------------------------------------

line = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1).map(str.strip)


@given(st.lists(line.filter(bool)))
def test_a_list_cell_round_trips(values: list[str]) -> None:
    assert decode(encode(values, LINES), LINES) == values


@given(st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_number_cell_round_trips(value: float) -> None:
    assert decode(encode(value, NUMBER), NUMBER) == value


@given(st.integers(0, 10**6), st.integers(0, 99))
def test_a_danish_decimal_typed_as_text_is_a_number(whole: int, hundredths: int) -> None:
    assert decode(f"{whole},{hundredths:02d}", NUMBER) == pytest.approx(whole + hundredths / 100)


@given(st.text().filter(lambda t: not t.strip().lstrip("-").replace(",", "", 1).replace(".", "", 1).isdigit()))
def test_a_word_in_a_number_cell_is_refused(text: str) -> None:
    if not text.strip():
        assert decode(text, NUMBER) is None
        return
    with pytest.raises(CellError, match="er ikke et tal"):
        decode(text, NUMBER)


@given(st.one_of(st.integers(1900, 2100), st.sampled_from(["2018Q3", "2018/19", PLAN])))
def test_a_period_cell_keeps_years_as_numbers_and_labels_as_text(period: int | str) -> None:
    assert decode(encode(period, PERIOD), PERIOD) == period
    assert decode(str(period), PERIOD) == period


def test_the_guide_for_a_secretariat_explains_every_column() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "ny_helhedsplan.md").read_text(encoding="utf-8")
    for columns in (AREA_COLUMNS, CRITERION_COLUMNS, BASELINE_COLUMNS):
        for column in columns:
            assert column.header in guide, column.header
    from pipelines.catalog_workbook.layout import READING_COLUMNS
    from pipelines.catalog_workbook.vocab import project_vocabulary

    assert all(c.header in guide for c in READING_COLUMNS)
    assert all(f"| {kind} |" in guide for kind in project_vocabulary().rule_kinds)


def test_the_second_sample_programme_round_trips_with_its_own_meta(tmp_path: Path) -> None:
    catalog = Path(__file__).parent.parent / "sources" / "programmes" / "eksempelby" / "reference" / "criteria.yaml"
    exported = export_catalog(catalog, tmp_path / "eksempelby.xlsx", REFERENCE_DIR / "readings.yaml")
    checked = load_checked(exported)
    assert checked.ok
    assert checked.document == load_yaml(catalog.read_text(encoding="utf-8"))  # a text meta.programme, an empty
    # baseline list: both kept as written
