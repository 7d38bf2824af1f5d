"""Reference files resolved one by one (analyst's own over the project's) and checked before a run loads anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.reference.resolution import (
    ADDRESSES_FILE,
    AFDELINGER_FILE,
    ALIASES_FILE,
    REQUIRED_FILES,
    ReferenceProblem,
    resolve_reference,
)
from tests.conftest import REFERENCE_DIR

ADDRESS_HEADER = "vejnavn;husnr_fra;husnr_til;side;postnr;by;area_key;boligorganisation;afdeling"


def own_reference(sources: Path, **files: str) -> Path:
    folder = sources / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return folder


def problem_of(sources: Path, project: Path = REFERENCE_DIR) -> ReferenceProblem:
    with pytest.raises(ReferenceProblem) as caught:
        resolve_reference(sources, project)
    return caught.value


def test_each_file_comes_from_the_analyst_if_present_else_from_the_project(tmp_path: Path) -> None:
    addresses = ADDRESS_HEADER + "\nSlotsgade;1;9;alle;4200;Slagelse;motalavej;Slagelse Boligselskab;15\n"
    own_reference(tmp_path, area_addresses__csv=addresses,
                  afdelinger__csv=(REFERENCE_DIR / AFDELINGER_FILE).read_text(encoding="utf-8"))
    resolved = resolve_reference(tmp_path, REFERENCE_DIR)
    assert set(REQUIRED_FILES) <= set(resolved.files)
    assert resolved.own == {ADDRESSES_FILE, AFDELINGER_FILE}
    assert resolved.files[ADDRESSES_FILE] == tmp_path / "reference" / ADDRESSES_FILE
    assert resolved.files["criteria.yaml"] == REFERENCE_DIR / "criteria.yaml"
    own_line, project_line = resolved.origin_lines_da()
    assert own_line == f"Referencefiler fra {tmp_path / 'reference'}: afdelinger.csv, area_addresses.csv"
    assert project_line.startswith("Referencefiler fra projektet (")
    assert project_line.endswith("area_aliases.csv, criteria.yaml, delivery_calendar.csv, readings.yaml")
    snapshot = resolved.snapshot(tmp_path / "run" / "reference")
    assert (snapshot / ADDRESSES_FILE).read_text(encoding="utf-8") == addresses
    assert (snapshot / "criteria.yaml").read_bytes() == (REFERENCE_DIR / "criteria.yaml").read_bytes()


def test_without_an_own_folder_everything_comes_from_the_project(tmp_path: Path) -> None:
    resolved = resolve_reference(tmp_path, REFERENCE_DIR)
    assert resolved.own == frozenset()
    assert resolved.origin_lines_da() == [f"Referencefiler fra projektet ({REFERENCE_DIR}): afdelinger.csv, "
                                          "area_addresses.csv, area_aliases.csv, criteria.yaml, "
                                          "delivery_calendar.csv, readings.yaml"]


def test_a_required_file_that_exists_nowhere_stops_the_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REFERENCE_DIR, project)
    (project / ALIASES_FILE).unlink()
    problem = problem_of(tmp_path / "sources", project)
    assert problem.file == tmp_path / "sources" / "reference" / ALIASES_FILE
    assert "findes hverken her eller i projektets" in problem.message


def test_missing_columns_name_file_header_row_and_columns(tmp_path: Path) -> None:
    own_reference(tmp_path, area_addresses__csv="vejnavn;husnr;postnr;area_key\nMotalavej;1;4200;motalavej\n")
    problem = problem_of(tmp_path)
    assert problem.file == tmp_path / "reference" / ADDRESSES_FILE and problem.row == 1
    assert problem.message.startswith(f"Referencefilen {tmp_path / 'reference' / ADDRESSES_FILE}, række 1: "
                                      "mangler kolonnerne 'husnr_fra', 'husnr_til', 'side'")


@pytest.mark.parametrize(("file_name", "text", "row"), [
    (ADDRESSES_FILE, ADDRESS_HEADER + "\nMotalavej;1;199;alle;4200;Slagelse;motalavej;;\n"
                                      "Parkvej;2;40;lige;4230;Skælskør;parkvej;;\n", 3),
    (AFDELINGER_FILE, "boligorganisation;afdeling;afdelingsnavn;area_key;boliger\nFOB;4;Ringparken;ringparken;780\n"
                      "FOB;7;Nyt;ringparken_nord;120\n", 3),
    (ALIASES_FILE, "area_key;name\nmotalavej;Motalavej\nmotalavj;Motalavej afd. 15\n", 3),
])
def test_an_unknown_area_key_names_file_row_and_the_key(tmp_path: Path, file_name: str, text: str,
                                                         row: int) -> None:
    own_reference(tmp_path, **{file_name.replace(".", "__"): text})
    problem = problem_of(tmp_path)
    assert problem.file.name == file_name and problem.row == row
    assert "ukendt area_key" in problem.message and "forventet en af" in problem.message


def test_comparator_keys_are_known_to_the_alias_list_but_not_to_addresses(tmp_path: Path) -> None:
    own_reference(tmp_path, area_aliases__csv="area_key;name\ndenmark;Hele landet\ncombined;Samlet\n")
    resolve_reference(tmp_path, REFERENCE_DIR)
    own_reference(tmp_path, area_addresses__csv=ADDRESS_HEADER + "\nMotalavej;1;9;alle;4200;Slagelse;denmark;;\n")
    assert problem_of(tmp_path).row == 2


def test_address_ranges_overlapping_between_two_areas_stop_the_run(tmp_path: Path) -> None:
    own_reference(tmp_path, area_addresses__csv=ADDRESS_HEADER + "\n"
                  "Ringparken;1;120;alle;4200;Slagelse;ringparken;FOB Slagelse;4\n"
                  "Motalavej;1;199;alle;4200;Slagelse;motalavej;Slagelse Boligselskab;15\n"
                  "Ringparken;100;140;lige;4200;Slagelse;motalavej;Slagelse Boligselskab;15\n")
    problem = problem_of(tmp_path)
    assert problem.row == 4
    assert "Ringparken 100-140 (lige, 4200) i området 'motalavej' overlapper række 2" in problem.message
    assert "fx nr. 100" in problem.message


@pytest.mark.parametrize("rows", [
    # same street, other parity: odd numbers one area, even numbers another
    ["Sydbyvej;1;99;ulige;4220;Korsør;sydbyen;;", "Sydbyvej;2;98;lige;4220;Korsør;skaelskoer;;"],
    # same numbers in another postcode
    ["Parkvej;1;50;alle;4230;Skælskør;skaelskoer;;", "Parkvej;1;50;alle;4200;Slagelse;motalavej;;"],
    # adjacent ranges
    ["Motalavej;1;99;alle;4200;Slagelse;motalavej;;", "Motalavej;100;120;alle;4200;Slagelse;ringparken;;"],
    # an odd range whose only shared span holds no odd number of the other side
    ["Torvet;1;9;ulige;4200;Slagelse;motalavej;;", "Torvet;9;9;lige;4200;Slagelse;ringparken;;"],
    # overlap within one area is harmless
    ["Motalavej;1;99;alle;4200;Slagelse;motalavej;;", "Motalavej;50;150;alle;4200;Slagelse;motalavej;;"],
])
def test_ranges_that_do_not_share_an_address_are_accepted(tmp_path: Path, rows: list[str]) -> None:
    own_reference(tmp_path, area_addresses__csv="\n".join([ADDRESS_HEADER, *rows]) + "\n")
    assert resolve_reference(tmp_path, REFERENCE_DIR).own == {ADDRESSES_FILE}


@pytest.mark.parametrize(("text", "found"), [
    (ADDRESS_HEADER + "\nMotalavej;1;tolv;alle;4200;Slagelse;motalavej;;\n", "'husnr_til' har 'tolv'"),
    (ADDRESS_HEADER + "\nMotalavej;9;1;alle;4200;Slagelse;motalavej;;\n", "husnr_fra 9 er større end husnr_til 1"),
    (ADDRESS_HEADER + "\nMotalavej;1;9;begge;4200;Slagelse;motalavej;;\n", "'side' har 'begge'"),
    (ADDRESS_HEADER + "\nMotalavej;1;9;alle;;Slagelse;motalavej;;\n", "kolonnen 'postnr' er tom"),
])
def test_bad_values_in_the_address_list_name_the_row(tmp_path: Path, text: str, found: str) -> None:
    own_reference(tmp_path, area_addresses__csv=text)
    problem = problem_of(tmp_path)
    assert problem.row == 2 and found in problem.message


def test_one_afdeling_in_two_areas_and_one_name_for_two_areas_are_malformed(tmp_path: Path) -> None:
    own_reference(tmp_path, afdelinger__csv="boligorganisation;afdeling;afdelingsnavn;area_key;boliger\n"
                  "FOB Slagelse;4;Ringparken;ringparken;780\nfob slagelse;4;Ringparken;sydbyen;780\n")
    assert problem_of(tmp_path).row == 3
    (tmp_path / "reference" / AFDELINGER_FILE).unlink()
    own_reference(tmp_path, area_aliases__csv="area_key;name\nmotalavej;Parken\nringparken;parken\n")
    problem = problem_of(tmp_path)
    assert problem.row == 3 and "peger på både 'motalavej' (række 2) og 'ringparken'" in problem.message


def test_an_unreadable_catalog_is_named(tmp_path: Path) -> None:
    own_reference(tmp_path, criteria__yaml="meta: {version: 2}\ncriteria: [\n")
    problem = problem_of(tmp_path)
    assert problem.file.name == "criteria.yaml" and "ikke gyldig YAML" in problem.message
