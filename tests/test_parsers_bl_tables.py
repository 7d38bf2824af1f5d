"""bl_tables: the documents' crime figures, messy workbooks and every way a workbook can be wrong."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse.bl_tables import PARSER
from pipelines.sample import bl_tables as sample
from pipelines.sample._xlsx import write_workbook


def parse(path: Path, context):
    name = parse_file_name(path, "bl_tables", extensions=PARSER.extensions)
    return PARSER.parse(path, name, context)


@pytest.fixture(scope="module")
def sample_frame(tmp_path_factory) -> pl.DataFrame:
    folder = tmp_path_factory.mktemp("bl")
    latest = sample.write(folder)[-1]
    from pipelines.flows.delivery_step import parse_context
    from tests.conftest import REFERENCE_DIR

    return parse(latest, parse_context(REFERENCE_DIR)).frame


def test_sample_reproduces_crime_per_1000_2013_2015(sample_frame: pl.DataFrame, reference_figures: dict) -> None:
    figures = [f for f in reference_figures["figures"] if f["id"].startswith("ref_crime_table_")]
    assert len(figures) == 15
    crime = sample_frame.filter(pl.col("indicator") == "kriminalretlige_afgoerelser_pr_1000")
    for figure in figures:
        row = crime.filter((pl.col("area_key") == figure["area"]) & (pl.col("period") == str(figure["year"])))
        assert row["value"].to_list() == [pytest.approx(figure["value"])], figure["id"]


def test_sample_pools_to_the_documents_combined_figures(sample_frame: pl.DataFrame) -> None:
    crime = sample_frame.filter((pl.col("indicator") == "kriminalretlige_afgoerelser_pr_1000")
                                & (pl.col("period") == "2015")
                                & pl.col("area_key").is_in(["motalavej", "ringparken", "sydbyen", "skaelskoer"]))
    assert crime["value"].mean() == pytest.approx(30.65)  # 000:653, unweighted (C04)
    assert round(crime["numerator"].sum() / crime["denominator"].sum() * 1000, 1) == 31.6  # 002:68, pooled


def test_tabel1_under_data_years(sample_frame: pl.DataFrame, reference_figures: dict) -> None:
    """Tabel 1's column 2015 counts 1 January 2015, i.e. data year 2014 (criteria.yaml v2, C16)."""
    share = sample_frame.filter((pl.col("indicator") == "andel_18_29_af_uden_beskaeftigelse")
                                & (pl.col("area_key") == "ringparken") & (pl.col("period") == "2014"))
    assert share["value"].to_list() == [pytest.approx(11.71)]
    by_id = {f["id"]: f for f in reference_figures["figures"]}
    total = sample_frame.filter((pl.col("indicator") == "fuldtidspersoner_uden_beskaeftigelse_18_64")
                                & (pl.col("area_key") == "motalavej") & (pl.col("period") == "2014"))
    assert total["value"].to_list() == [by_id["ref_tabel1_motalavej_18_64_2015"]["value"]]


def test_suppressed_cells_are_kept_as_suppressed_and_dashes_dropped(sample_frame: pl.DataFrame) -> None:
    suppressed = sample_frame.filter(pl.col("suppressed"))
    assert suppressed.height >= 1 and suppressed["value"].is_null().all()
    skaelskoer_2022 = sample_frame.filter((pl.col("indicator") == "kriminalretlige_afgoerelser_pr_1000")
                                          & (pl.col("area_key") == "skaelskoer") & (pl.col("period") == "2022"))
    assert skaelskoer_2022.height == 0  # '-' = not available: no row, never 0
    assert sample_frame.filter(pl.col("area_key") == "combined").height == 0  # total rows skipped


def _workbook(tmp_path: Path, rows: list[list[object]], name: str = "bl_tables_2015-2016_20170101.xlsx") -> Path:
    return write_workbook(tmp_path / name, {"Kriminalitet": [["Titel"], ["Område", 2015, 2016], *rows]})


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["Ringarken", 1, 2]], "række 3, kolonne Område: ukendt område 'Ringarken'"),
        ([["Motalavej", "-3", 2]], "række 3, kolonne 2015: negativ værdi -3"),
        ([["Motalavej", "mange", 2]], "række 3, kolonne 2015: 'mange' er ikke et tal"),
        ([["Motalavej 010194-7551", 1, 2]], "række 3, kolonne Område: et CPR-lignende tal"),
    ],
)
def test_bad_cells_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, rows, expected) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(_workbook(tmp_path, rows), parse_context)
    assert expected in caught.value.message
    assert "7551" not in caught.value.message


def test_year_outside_the_file_period_is_rejected(tmp_path: Path, parse_context) -> None:
    path = _workbook(tmp_path, [["Motalavej", 1, 2]], name="bl_tables_2015-2015_20170101.xlsx")
    with pytest.raises(DeliveryRejected, match="perioden 2016 ligger uden for filens periode 2015-2015"):
        parse(path, parse_context)


def test_corrupt_and_truncated_workbooks_are_rejected(tmp_path: Path, parse_context) -> None:
    good = _workbook(tmp_path, [["Motalavej", 1, 2]])
    truncated = tmp_path / "bl_tables_2015-2016_20170102.xlsx"
    truncated.write_bytes(good.read_bytes()[:300])
    garbage = tmp_path / "bl_tables_2015-2016_20170103.xlsx"
    garbage.write_bytes(b"not a workbook at all")
    for path in (truncated, garbage):
        with pytest.raises(DeliveryRejected, match="XLSX"):
            parse(path, parse_context)


def test_workbook_without_known_sheets_is_rejected(tmp_path: Path, parse_context) -> None:
    path = write_workbook(tmp_path / "bl_tables_2015-2016_20170101.xlsx", {"Ark1": [["x"]]})
    with pytest.raises(DeliveryRejected, match="ingen kendte ark"):
        parse(path, parse_context)


def test_missing_area_column_is_rejected(tmp_path: Path, parse_context) -> None:
    path = write_workbook(tmp_path / "bl_tables_2015-2016_20170101.xlsx",
                          {"Kriminalitet": [["Sted", 2015], ["Motalavej", 1]]})
    with pytest.raises(DeliveryRejected, match="overskriftsrække"):
        parse(path, parse_context)


printable = st.characters(min_codepoint=32, max_codepoint=0xFFFF, exclude_categories=("Cs",))
cells = st.one_of(st.none(), st.integers(-5, 100000), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(alphabet=printable, max_size=12),
                  st.sampled_from(["..", "-", ".", "34,2", "1.234,5", "Motalavej", "I alt"]))


@given(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes(tmp_path: Path, parse_context, rows) -> None:
    path = write_workbook(tmp_path / "bl_tables_2015-2016_20170101.xlsx",
                          {"Kriminalitet": [["Område", 2015, 2016], *rows]})
    try:
        result = parse(path, parse_context)
    except DeliveryRejected as rejection:
        assert rejection.message.startswith(path.name)
    else:
        assert set(result.frame["area_key"].unique()) <= {"motalavej", "ringparken", "sydbyen", "skaelskoer",
                                                          "slagelse_kommune", "denmark", "sub_average"}


@pytest.mark.parametrize("sheets", [
    {"Kriminalitet": [["Titel"], ["Område", 2015], ["Motalavej 010194-7551", "34,2"]]},
    {"Kriminalitet": [["Udtræk for 0101947551"], ["Område", 2015], ["Motalavej", "34,2"]]},
    {"Kriminalitet": [["Område", 2015], ["Motalavej", "34,2"]], "Noter": [["Kontakt: 010194-7551"]]},
])
def test_cpr_anywhere_in_the_workbook_is_rejected_and_never_repeated(tmp_path: Path, parse_context,
                                                                     sheets: dict) -> None:
    path = write_workbook(tmp_path / "bl_tables_2015-2015_20160101.xlsx", sheets)
    with pytest.raises(DeliveryRejected) as caught:
        parse(path, parse_context)
    assert "CPR" in caught.value.message and "7551" not in caught.value.message
