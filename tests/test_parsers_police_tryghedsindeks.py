"""police_tryghedsindeks: the documents' 2015 and 2016 index figures and every way a result workbook can be wrong."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.police_tryghedsindeks import PARSER
from pipelines.sample import police_tryghedsindeks as sample
from pipelines.sample._xlsx import write_workbook
from pipelines.validate.suites import validate_frame
from tests import parser_helpers

HEADER = ["Område", "Indeks", "Værdi", "Antal besvarelser"]
PROGRAMME_AREAS = ["motalavej", "ringparken", "sydbyen", "skaelskoer"]


def parse(path: Path, context):
    return parser_helpers.parse(PARSER.source_system, path, context)


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    return parser_helpers.parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("tryghed"))


@pytest.fixture(scope="module")
def general(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames.values()).filter(pl.col("indicator") == "grundlaeggende_tryghed")


def _value(frame: pl.DataFrame, area: str, year: int) -> float:
    rows = frame.filter((pl.col("area_key") == area) & (pl.col("period") == str(year)))
    assert rows.height == 1, (area, year)
    return rows["value"][0]


def _workbook(tmp_path: Path, rows: list[list[object]], name: str = "police_tryghedsindeks_2016_20170520.xlsx",
              header: list[str] = HEADER) -> Path:
    return write_workbook(tmp_path / name, {"Resultater": [["Politiets Tryghedsindeks 2016"], ["Måleår: 2016"], [],
                                                           header, *rows]})


def _rejection(path: Path, context) -> DeliveryRejected:
    with pytest.raises(DeliveryRejected) as caught:
        parse(path, context)
    assert caught.value.message.startswith(path.name)
    return caught.value


def test_sample_reproduces_every_tryghedsindeks_figure(general: pl.DataFrame, reference_figures: dict) -> None:
    figures = [f for f in reference_figures["figures"] if f["id"].startswith("ref_tryghedsindeks_")]
    assert {(f["area"], f["year"]) for f in figures} == {
        (area, year) for area in ("motalavej", "ringparken", "denmark", "sub_average") for year in (2015, 2016)}
    for figure in figures:
        assert _value(general, figure["area"], figure["year"]) == pytest.approx(figure["value"]), figure["id"]


def test_2016_workbook_holds_the_documents_values(tmp_path: Path, parse_context) -> None:
    path = next(p for p in sample.write(tmp_path) if "_2016_" in p.name)
    frame = parse(path, parse_context).frame.filter(pl.col("indicator") == "grundlaeggende_tryghed")
    values = dict(zip(frame["area_key"], frame["value"], strict=True))
    assert values == {"motalavej": 58.3, "ringparken": 72.0, "denmark": 89.1, "sub_average": 72.4}
    assert set(frame["unit"]) == {"index"}
    # "over gennemsnittet for SUB (72,4 % i 2016)": neither SUB area is above it in 2016 → not_met if evaluated.
    assert not any(values[area] > 72.4 for area in ("motalavej", "ringparken"))
    respondents = dict(zip(frame["area_key"], frame["denominator"], strict=True))
    assert respondents == {"motalavej": 143, "ringparken": 201, "denmark": None, "sub_average": None}


def test_sydbyen_and_skaelskoer_are_measured_from_2017(general: pl.DataFrame) -> None:
    first = general.group_by("area_key").agg(pl.col("period").min())
    assert dict(first.iter_rows()) == {"motalavej": "2015", "ringparken": "2015", "denmark": "2015",
                                       "sub_average": "2015", "sydbyen": "2017", "skaelskoer": "2017"}
    assert general["period"].max() == "2025"


def test_later_years_are_a_mix_against_the_sub_average(general: pl.DataFrame) -> None:
    """partner_tryghed_each_area_at_least_comparable and the yearly improvement get both outcomes 2017-2021."""
    at_least_sub, improved = set(), set()
    for year in range(2017, 2022):
        sub = _value(general, "sub_average", year)
        for area in PROGRAMME_AREAS:
            at_least_sub.add(_value(general, area, year) >= sub)
            if year > 2017:
                improved.add(_value(general, area, year) > _value(general, area, year - 1))
    assert at_least_sub == improved == {True, False}


def test_motalavej_neighbourhood_problems_index_rises_in_2017(frames: dict[str, pl.DataFrame]) -> None:
    problems = pl.concat(frames.values()).filter(pl.col("indicator") == "nabolagsproblemer")
    assert _value(problems, "motalavej", 2017) > _value(problems, "motalavej", 2016)


def test_sample_passes_the_gx_suite(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[2]]})


def test_comparators_text_numbers_and_empty_respondents(tmp_path: Path, parse_context) -> None:
    rows = [["Motalavej", "Grundlæggende tryghed", "58,3", 143], ["Hele landet", "grundlæggende tryghed", 89.1, None],
            ["Gennemsnit for SUB-områder", "Samlet indeks", "..", ""], ["Sydbyen", "Nabolagsproblemer", "-", 12]]
    frame = parse(_workbook(tmp_path, rows), parse_context).frame
    assert frame.select("area_key", "indicator", "value", "suppressed", "denominator").rows() == [
        ("motalavej", "grundlaeggende_tryghed", 58.3, False, 143.0),
        ("denmark", "grundlaeggende_tryghed", 89.1, False, None),
        ("sub_average", "samlet_indeks", None, True, None),
    ]


def test_a_not_a_workbook_file_is_rejected(tmp_path: Path, parse_context) -> None:
    """The XLSX counterpart of a wrongly encoded CSV: UTF-16 text saved as .xlsx, and an empty file."""
    utf16 = tmp_path / "police_tryghedsindeks_2016_20170520.xlsx"
    utf16.write_bytes("Område;Indeks;Værdi\nMotalavej;Grundlæggende tryghed;58,3".encode("utf-16"))
    empty = tmp_path / "police_tryghedsindeks_2016_20170521.xlsx"
    empty.write_bytes(b"")
    for path in (utf16, empty):
        assert "XLSX" in _rejection(path, parse_context).found


def test_missing_sheet_or_column_is_rejected(tmp_path: Path, parse_context) -> None:
    no_sheet = write_workbook(tmp_path / "police_tryghedsindeks_2016_20170520.xlsx", {"Ark1": [HEADER]})
    assert _rejection(no_sheet, parse_context).found == "arket Resultater mangler (fandt: Ark1)"
    no_value = _workbook(tmp_path, [["Motalavej", "Samlet indeks"]], header=["Område", "Indeks"],
                         name="police_tryghedsindeks_2016_20170521.xlsx")
    caught = _rejection(no_value, parse_context)
    assert (caught.row, caught.column, caught.found) == (4, "Værdi", "kolonnen Værdi mangler")


def test_extra_column_and_sheet_are_accepted_with_warnings(tmp_path: Path, parse_context) -> None:
    path = write_workbook(tmp_path / "police_tryghedsindeks_2016_20170520.xlsx", {
        "Resultater": [[*HEADER, "Bemærkning"], ["Motalavej", "Samlet indeks", 60, 143, "foreløbig"]],
        "Metode": [["tekst"]],
    })
    parsed = parse(path, parse_context)
    assert parsed.frame["value"].to_list() == [60.0]
    assert parsed.warnings == [f"{path.name}: ukendt ark 'Metode' ignoreret",
                               f"{path.name}: ukendt kolonne 'Bemærkning' ignoreret"]


def test_header_only_is_rejected(tmp_path: Path, parse_context) -> None:
    assert "ingen datarækker" in _rejection(_workbook(tmp_path, []), parse_context).found


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["Ringarken", "Samlet indeks", 60, 1], "række 5, kolonne Område: ukendt område 'Ringarken'"),
        (["Motalavej", "Tryghed i alt", 60, 1], "række 5, kolonne Indeks: ukendt indeks 'Tryghed i alt'"),
        (["Motalavej", "Samlet indeks", "-3", 1], "række 5, kolonne Værdi: negativ værdi -3"),
        (["Motalavej", "Samlet indeks", "højt", 1], "række 5, kolonne Værdi: 'højt' er ikke et tal"),
        (["Motalavej", "Samlet indeks", "100,5", 1], "række 5, kolonne Værdi: værdien 100,5 er større end 100"),
        (["Motalavej", "Samlet indeks", 60, "-1"], "række 5, kolonne Antal besvarelser: negativ værdi -1"),
        (["Motalavej 010194-7551", "Samlet indeks", 60, 1], "række 5, kolonne Område: et CPR-lignende tal"),
    ],
)
def test_bad_cells_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row, expected) -> None:
    caught = _rejection(_workbook(tmp_path, [row]), parse_context)
    assert expected in caught.message
    assert "7551" not in caught.message


@pytest.mark.parametrize("token", ["2016Q2", "2015-2016", "2016-17"])
def test_file_period_must_be_one_measurement_year(tmp_path: Path, parse_context, token: str) -> None:
    path = _workbook(tmp_path, [["Motalavej", "Samlet indeks", 60, 1]],
                     name=f"police_tryghedsindeks_{token}_20170520.xlsx")
    assert f"perioden {token} i filnavnet er ikke et måleår" in _rejection(path, parse_context).found


printable = st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_categories=("Cs",))
cells = st.one_of(st.none(), st.integers(-5, 1000), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(alphabet=printable, max_size=10),
                  st.sampled_from(["..", "-", "58,3", "Motalavej", "Hele landet", "I alt", "Samlet indeks",
                                   "Nabolagsproblemer", "Kilde: politiet"]))


@given(st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes(tmp_path: Path, parse_context, rows) -> None:
    parser_helpers.assert_frame_or_rejection(PARSER.source_system, _workbook(tmp_path, rows), parse_context,
                                             period="2016")


@pytest.mark.parametrize("note", [
    "Indekset går fra 0 til 100, hvor 100 er den højest mulige tryghed.",
    "Opdateret 3. marts 2017",
    "Note: tal for Sydbyen offentliggøres ikke (for få besvarelser)",
])
def test_an_explanatory_line_under_the_table_is_a_note(tmp_path: Path, parse_context, note: str) -> None:
    """Issue 9: one explanatory line under the table used to reject the workbook as `ukendt område`."""
    rows = [["Motalavej", "Grundlæggende tryghed", "58,3", 143], [], [note], [None, "Kilde: Politiet"]]
    frame = parse(_workbook(tmp_path, rows), parse_context).frame
    assert frame.select("area_key", "indicator", "value", "source_row").rows() == [
        ("motalavej", "grundlaeggende_tryghed", 58.3, 5)]
