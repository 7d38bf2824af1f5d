"""Files as suppliers send them (source_formats.md 0.4): every variant parses to its original's exact frame.

The variants are generated from the sample deliveries (tests/as_sent.py) for every source system and compared
at the parser's output: the parsed frame must be equal, row for row. The variants that must fail (a renamed
header without an alias line, an unknown closed-list value) fail with their Danish message, naming the
closest headers/values and the line to add.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.delivery.aliases import COLUMN_ALIASES_FILE, VALUE_ALIASES_FILE
from pipelines.delivery.delimiters import sniff_delimiter
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.readers import CellKind, parse_number, preview
from pipelines.flows.delivery_step import parse_as, parse_context
from pipelines.reference.resolution import PROJECT_REFERENCE_DIR, ReferenceProblem, resolve_reference
from tests import as_sent

SYSTEMS = [("baselines", None), ("brand_redning", None), ("dst_noegletal", None),
           ("event_attendance_estimate", None), ("fraflytning_admin", None), ("kmd_opera", None),
           ("lbf_central", None), ("local_substance_survey", None), ("media_monitoring", None),
           ("misbrug_treatment_registry", None), ("novax", None), ("partnership_followup", None),
           ("police_crime_statistics", None), ("police_haervaerk", None), ("qualitative_interviews", None),
           ("questionnaire", None), ("samarbejdsudvalg_evaluation", None), ("school_absence", None),
           ("school_absence", "dropout"), ("school_readiness", None), ("sub_list_government", None),
           ("uu_registration", None), ("vive_lbf_survey", None), ("web_analytics", None)]
WORKBOOK_SYSTEMS = ["bl_tables", "own_registrations", "police_tryghedsindeks"]


def _id(case: tuple[str, str | None]) -> str:
    return "_".join(part for part in case if part)


@pytest.fixture(scope="module")
def context():
    return parse_context(PROJECT_REFERENCE_DIR)


def reference_with(tmp_path: Path, **files: str) -> Path:
    """The project's reference folder plus the given alias files, as a run would snapshot it."""
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_REFERENCE_DIR, folder)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def frame_of(path: Path, system: str, context, contract_name: str | None = None) -> pl.DataFrame:
    return parse_as(path, system, context, contract_name=contract_name).frame


def assert_same_frame(variant: pl.DataFrame, original: pl.DataFrame) -> None:
    assert variant.height == original.height > 0
    assert variant.equals(original), (variant, original)


# --- delimited files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
def test_shuffled_columns_and_an_extra_column_parse_to_the_same_frame(case, context, tmp_path):
    original = as_sent.first_sample(*case)
    variant = as_sent.reshaped(original, tmp_path)
    parsed = parse_as(variant, case[0], context)
    assert_same_frame(parsed.frame, frame_of(original, case[0], context))
    assert any(as_sent.EXTRA_COLUMN in warning and "ignoreret" in warning for warning in parsed.warnings)


@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "mac_roman", "cp850"])
def test_other_encodings_parse_to_the_same_frame(case, encoding, context, tmp_path):
    original = as_sent.first_sample(*case)
    variant = as_sent.re_encoded(original, tmp_path, encoding)
    assert_same_frame(frame_of(variant, case[0], context), frame_of(original, case[0], context))


@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
@pytest.mark.parametrize("delimiter", [",", "\t"], ids=["comma", "tab"])
def test_other_delimiters_parse_to_the_same_frame(case, delimiter, context, tmp_path):
    original = as_sent.first_sample(*case)
    variant = as_sent.re_delimited(original, tmp_path, delimiter)
    assert_same_frame(frame_of(variant, case[0], context), frame_of(original, case[0], context))


def _renamable(original: Path) -> str:
    """A header cell the parser requires: renaming it alone must reject the file."""
    return as_sent.header_of(original)[1]


@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
def test_a_renamed_header_loads_with_its_alias_line(case, tmp_path):
    original = as_sent.first_sample(*case)
    column = _renamable(original)
    variant = as_sent.renamed(original, tmp_path / "inbox", column)
    line = f"{case[0]};{column};{column}{as_sent.RENAMED_SUFFIX}"
    aliased = parse_context(reference_with(tmp_path, **{COLUMN_ALIASES_FILE: f"source_system;column;alias\n{line}\n"}))
    parsed = parse_as(variant, case[0], aliased)
    assert_same_frame(parsed.frame, frame_of(original, case[0], aliased))
    assert not any(column + as_sent.RENAMED_SUFFIX in warning for warning in parsed.warnings)


@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
def test_a_renamed_header_without_alias_is_rejected_naming_it_and_the_line_to_add(case, context, tmp_path):
    original = as_sent.first_sample(*case)
    column = _renamable(original)
    variant = as_sent.renamed(original, tmp_path, column)
    with pytest.raises(DeliveryRejected) as caught:
        parse_as(variant, case[0], context)
    message = caught.value.message
    assert f"'{column}{as_sent.RENAMED_SUFFIX}'" in message, message
    assert f"tilføj linjen '{case[0]};{column};{column}{as_sent.RENAMED_SUFFIX}' i reference/column_aliases.csv" \
        in message, message


# --- workbooks ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def converted_workbooks(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """`.xls` and `.ods` copies of one sample workbook per system, made once (LibreOffice is slow)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("converted")
    out = {}
    for system in [*WORKBOOK_SYSTEMS, "samarbejdsudvalg_evaluation"]:
        original = next(p for p in sorted((as_sent.SAMPLE_INBOX / system).iterdir()) if p.suffix == ".xlsx")
        for extension in ("xls", "ods"):
            out[(system, extension)] = as_sent.converted(original, folder / extension, extension)
    return out


@pytest.mark.parametrize("extension", ["xls", "ods"])
@pytest.mark.parametrize("system", [*WORKBOOK_SYSTEMS, "samarbejdsudvalg_evaluation"])
def test_xls_and_ods_copies_parse_to_the_same_frame(system, extension, converted_workbooks, context):
    variant = converted_workbooks[(system, extension)]
    original = as_sent.SAMPLE_INBOX / system / f"{variant.stem}.xlsx"
    assert variant.suffix == f".{extension}"
    assert_same_frame(frame_of(variant, system, context), frame_of(original, system, context))


def test_a_workbook_preview_names_its_sheets_and_header(converted_workbooks):
    sheets = preview(converted_workbooks[("police_tryghedsindeks", "ods")], limit=3)
    assert list(sheets) == ["Resultater"]
    assert sheets["Resultater"][2] == ["Område", "Indeks", "Værdi", "Antal besvarelser"]


def hand_made(original: Path, target: Path) -> Path:
    """A hand-made workbook: a merged title above the header, a hidden sheet, a formula and numbers as text."""
    book = openpyxl.load_workbook(original)
    sheet = book["Resultater"]
    sheet.insert_rows(1, amount=2)
    sheet["A1"] = "Tryghedsindeks, udarbejdet i hånden"
    sheet.merge_cells("A1:D1")
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Område")
    first, second = header + 1, header + 2
    sheet.cell(first, 3).value = f"=({sheet.cell(first, 3).value}*10)/10"  # a formula; its value is cached below
    sheet.cell(second, 3).value = str(sheet.cell(second, 3).value).replace(".", ",")  # a number stored as text
    sheet.cell(second, 4).value = str(sheet.cell(second, 4).value)
    hidden = book.create_sheet("Skjult beregning")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "mellemregning"
    staged = target.parent / "staged" / original.name
    staged.parent.mkdir(parents=True, exist_ok=True)
    book.save(staged)
    # LibreOffice recalculates and stores the formula's value, as Excel does when a person saves the file.
    return as_sent.converted(staged, target.parent, "xlsx")


def test_a_hand_made_workbook_parses_to_the_same_values(context, tmp_path):
    original = sorted((as_sent.SAMPLE_INBOX / "police_tryghedsindeks").iterdir())[0]
    variant = hand_made(original, tmp_path / "out" / original.name)
    parsed = parse_as(variant, "police_tryghedsindeks", context)
    expected = frame_of(original, "police_tryghedsindeks", context)
    assert parsed.frame.drop("source_row").equals(expected.drop("source_row"))
    assert (parsed.frame["source_row"] - expected["source_row"]).to_list() == [2] * expected.height
    assert any("Skjult beregning" in warning for warning in parsed.warnings)


# --- closed-list values ------------------------------------------------------------------------------

def _with_status(original: Path, target: Path, spelling: str) -> Path:
    rows = as_sent.rows_of(original)
    at = as_sent.header_index(rows)
    status = rows[at].index("Status")
    for cells in rows[at + 1:]:
        if len(cells) > status and cells[status] == "Gennemført":
            cells[status] = spelling
    return as_sent._write_rows(target / original.name, rows)


def test_a_value_alias_maps_a_suppliers_spelling_to_the_contracts(tmp_path):
    original = as_sent.first_sample("novax")
    variant = _with_status(original, tmp_path / "inbox", "Gennemf. (besøg)")
    line = "novax;Status;Gennemført;Gennemf. (besøg)"
    header = "source_system;column;value;alias"
    aliased = parse_context(reference_with(tmp_path, **{VALUE_ALIASES_FILE: f"{header}\n{line}\n"}))
    assert_same_frame(frame_of(variant, "novax", aliased), frame_of(original, "novax", aliased))


def test_an_unknown_value_names_the_closest_known_ones_never_itself(context, tmp_path):
    original = as_sent.first_sample("novax")
    variant = _with_status(original, tmp_path, "Gennemfort")
    with pytest.raises(DeliveryRejected) as caught:
        parse_as(variant, "novax", context)
    message = caught.value.message
    assert "kolonne Status" in message and "nærmeste kendte: 'Gennemført'" in message, message
    assert "'novax;Status;Gennemført;<leverandørens stavemåde>' i reference/value_aliases.csv" in message
    assert "Gennemfort" not in message  # a person-level cell is never quoted


def test_an_alias_file_naming_an_unknown_system_stops_the_run(tmp_path):
    sources = tmp_path / "sources"
    (sources / "reference").mkdir(parents=True)
    (sources / "reference" / COLUMN_ALIASES_FILE).write_text(
        "source_system;column;alias\npolice_harvaerk;Anmeldelser af hærværk;Hærværk, anmeldelser\n", encoding="utf-8")
    with pytest.raises(ReferenceProblem) as caught:
        resolve_reference(sources)
    assert "ukendt source_system 'police_harvaerk'; mente du 'police_haervaerk'" in caught.value.message
    assert caught.value.row == 2


# --- sniffing and Danish numbers, whatever the delimiter ---------------------------------------------

# Cells as suppliers write them: letters, decimal commas, thousands points, quotes; never another delimiter.
# A comma stands only between digits (a decimal comma): a cell of bare commas (",,") in a `;` file would make
# every line hold more commas than semicolons, a file no supplier writes and no sniffer can tell apart.
_CELL = st.text(st.sampled_from("abcæøå ÆØÅ,.\"'-0123456789%"), min_size=0, max_size=8).filter(
    lambda cell: "," not in cell or re.fullmatch(r"[^,]*\d,\d[^,]*", cell) is not None)


def _filled(rows: list[list[str]]) -> list[list[str]]:
    return [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]


@given(rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=6),
       delimiter=st.sampled_from([";", ",", "\t"]))
def test_the_delimiter_is_sniffed_and_every_cell_read_back(rows, delimiter, tmp_path_factory):
    header = ["Område", "Indikator", "Værdi"]
    path = as_sent._write_rows(tmp_path_factory.mktemp("sniff") / "x.csv", [header, *rows], delimiter=delimiter)
    assert sniff_delimiter(path.read_text(encoding="utf-8")) == delimiter
    read = as_sent.rows_of(path)
    assert read[0] == header
    assert _filled(read[1:]) == _filled(rows)


@given(whole=st.integers(min_value=0, max_value=10**9), decimals=st.integers(min_value=0, max_value=99),
       delimiter=st.sampled_from([";", ",", "\t"]), with_decimals=st.booleans())
def test_danish_numbers_read_alike_in_every_delimiter(whole, decimals, delimiter, with_decimals, tmp_path_factory):
    grouped = f"{whole:,}".replace(",", ".")
    written = f"{grouped},{decimals:02d}" if with_decimals else grouped
    expected = whole + decimals / 100 if with_decimals else whole
    path = as_sent._write_rows(tmp_path_factory.mktemp("numbers") / "x.csv",
                               [["Område", "Værdi"], ["Motalavej", written]], delimiter=delimiter)
    cells = as_sent.rows_of(path)[1]
    number = parse_number(cells[1])
    assert number is not None and number.kind is CellKind.VALUE
    assert number.value == pytest.approx(expected)


def _with_key_figure(original: Path, target: Path, spelling: str) -> Path:
    rows = as_sent.rows_of(original)
    for cells in rows:
        if len(cells) > 1 and cells[1] == "Gennemsnitlig bruttoindkomst 15-64 år":
            cells[1] = spelling
    return as_sent._write_rows(target / original.name, rows, encoding="cp1252")


def test_an_aggregate_sources_value_alias_and_its_rejection(context, tmp_path):
    original = as_sent.first_sample("dst_noegletal")
    spelling = "Gns. bruttoindkomst (15-64 år)"
    variant = _with_key_figure(original, tmp_path / "inbox", spelling)
    line = f"dst_noegletal;NØGLETAL;Gennemsnitlig bruttoindkomst 15-64 år;{spelling}"
    with pytest.raises(DeliveryRejected) as caught:
        parse_as(variant, "dst_noegletal", context)
    message = caught.value.message
    assert f"ukendt nøgletal '{spelling}'" in message
    assert "nærmeste kendte: 'Gennemsnitlig bruttoindkomst 15-64 år'" in message, message
    assert f"tilføj linjen '{line}' i reference/value_aliases.csv" in message, message
    aliased = parse_context(reference_with(
        tmp_path, **{VALUE_ALIASES_FILE: f"source_system;column;value;alias\n{line}\n"}))
    assert_same_frame(frame_of(variant, "dst_noegletal", aliased), frame_of(original, "dst_noegletal", aliased))


@pytest.mark.parametrize("extension", ["xls", "ods"])
@pytest.mark.parametrize("system", [*WORKBOOK_SYSTEMS, "samarbejdsudvalg_evaluation"])
def test_an_xls_or_ods_copy_sent_under_a_mail_name_is_received_as_its_original(
        converted_workbooks, tmp_path, system: str, extension: str) -> None:
    """`kpi receive` reads old-Excel and OpenDocument copies with the same reader and files them by content."""
    from pipelines.receive.filing import Outcome, receive_file
    from pipelines.receive.forms import all_forms
    from tests.conftest import REFERENCE_DIR

    original = next(p for p in sorted((as_sent.SAMPLE_INBOX / system).iterdir()) if p.suffix == ".xlsx")
    attachment = tmp_path / "mail" / f"Bilag fra leverandøren.{extension}"
    attachment.parent.mkdir()
    shutil.copyfile(converted_workbooks[(system, extension)], attachment)
    catalog = REFERENCE_DIR / "criteria.yaml"
    receipt = receive_file(attachment, tmp_path / "sources" / "inbox", catalog, delivered=date(2026, 12, 1),
                           forms=all_forms(catalog))
    assert receipt.outcome is Outcome.FILED, "\n".join(receipt.lines_da())
    stem, period = original.name.rsplit("_", 2)[:2]
    assert receipt.target.name == f"{stem}_{period}_20261201.{extension}"


VARIANTS = {
    "shuffled_extra_column": lambda original, folder: as_sent.reshaped(original, folder),
    "cp1252": lambda original, folder: as_sent.re_encoded(original, folder, "cp1252"),
    "mac_roman": lambda original, folder: as_sent.re_encoded(original, folder, "mac_roman"),
    "comma": lambda original, folder: as_sent.re_delimited(original, folder, ","),
    "tab": lambda original, folder: as_sent.re_delimited(original, folder, "\t"),
}


@pytest.fixture(scope="module")
def forms():
    from pipelines.receive.forms import all_forms

    return all_forms(PROJECT_REFERENCE_DIR / "criteria.yaml")


@pytest.mark.parametrize("case", SYSTEMS, ids=_id)
@pytest.mark.parametrize("variant_kind", sorted(VARIANTS))
def test_a_variant_sent_under_a_mail_name_is_received_and_parses_as_its_original(
        case, variant_kind: str, context, forms, tmp_path) -> None:
    """The whole way an attachment travels before loading: identified by content (`kpi receive`), filed under
    its system and the original's contract name, then parsed by that system's parser to the original's frame."""
    from pipelines.receive.filing import Outcome, receive_file

    original = as_sent.first_sample(*case)
    variant = VARIANTS[variant_kind](original, tmp_path / "variant")
    attachment = tmp_path / "mail" / f"Kopi af udtræk (rettet){original.suffix}"
    attachment.parent.mkdir()
    shutil.copyfile(variant, attachment)
    catalog = PROJECT_REFERENCE_DIR / "criteria.yaml"
    receipt = receive_file(attachment, tmp_path / "sources" / "inbox", catalog, delivered=date(2026, 12, 1),
                           forms=forms)
    assert receipt.outcome is Outcome.FILED, "\n".join(receipt.lines_da())
    system = receipt.target.parent.name
    assert system == case[0]
    assert receipt.target.name.rsplit("_", 1)[0] == original.name.rsplit("_", 1)[0]  # system, type and period
    assert_same_frame(frame_of(receipt.target, system, context), frame_of(original, case[0], context))
