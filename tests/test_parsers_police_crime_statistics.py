"""police_crime_statistics: the sample extracts and the indicator code list."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.police_crime_statistics import PARSER, UNITS
from pipelines.sample import police_crime_statistics as sample
from pipelines.validate.suites import validate_frame
from tests import parser_helpers


def parse(path: Path, context):
    return parser_helpers.parse(PARSER.source_system, path, context)


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    return parser_helpers.parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("crime"))


@pytest.fixture(scope="module")
def sample_frame(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames.values())


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "police_crime_statistics_2018_20190310.csv"
    path.write_text("\n".join(["År;Område;Indikator;Værdi", *rows]), encoding="utf-8")
    return path


def test_sample_has_every_indicator_for_both_areas_2017_to_2021(sample_frame: pl.DataFrame) -> None:
    cells = sample_frame.group_by("indicator", "area_key").agg(pl.col("period").sort())
    assert cells.height == 8
    assert all(periods.to_list() == [str(y) for y in range(2017, 2022)] for periods in cells["period"])
    units = dict(sample_frame.select("indicator", "unit").unique().iter_rows())
    assert units == UNITS


def test_sample_keeps_the_suppressed_cell_and_decimal_commas(sample_frame: pl.DataFrame) -> None:
    suppressed = sample_frame.filter(pl.col("suppressed"))
    assert suppressed.select("indicator", "area_key", "period").rows() == [
        ("unge_massivt_involveret", "ringparken", "2019")]
    recidivism = sample_frame.filter((pl.col("indicator") == "tilbagefald_15_25_pct")
                                     & (pl.col("area_key") == "motalavej") & (pl.col("period") == "2017"))
    assert recidivism["value"].to_list() == [34.5]


def test_sample_has_years_better_and_worse_than_2017(sample_frame: pl.DataFrame) -> None:
    """The four værested criteria are directional against 2017; 2021 decides met/not_met."""
    wide = sample_frame.filter(~pl.col("suppressed")).pivot("period", index=["indicator", "area_key"], values="value")
    outcomes = {row["2021"] < row["2017"] for row in wide.iter_rows(named=True)}
    assert outcomes == {True, False}


def test_unknown_indicator_is_rejected_listing_the_codes(tmp_path: Path, parse_context) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(_file(tmp_path, "2018;Motalavej;domme_15_24;3"), parse_context)
    assert (caught.value.row, caught.value.column) == (2, "Indikator")
    assert caught.value.found == "ukendt indikator 'domme_15_24'"
    assert all(code in caught.value.expected for code in UNITS)


def test_percent_above_100_is_rejected_and_decimals_are_allowed(tmp_path: Path, parse_context) -> None:
    ok = parse(_file(tmp_path, "2018;Ringparken;tilbagefald_15_25_pct;31,5 %"), parse_context)
    assert ok.frame["value"].to_list() == [31.5]
    with pytest.raises(DeliveryRejected, match="række 2, kolonne Værdi: værdien 131,5 er større end 100"):
        parse(_file(tmp_path, "2018;Ringparken;tilbagefald_15_25_pct;131,5"), parse_context)


def test_sample_passes_the_gx_suite(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[3]]})


def _counted_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "police_crime_statistics_2018_20190310.csv"
    path.write_text("\n".join(["År;Område;Indikator;Værdi;Tæller;Nævner", *rows]), encoding="utf-8")
    return path


def test_the_reoffending_share_may_carry_its_counts(tmp_path: Path, parse_context) -> None:
    """Rule 8 checks a share by its counts: the police may add Tæller/Nævner; a file without them stays valid."""
    frame = parse(_counted_file(tmp_path, "2018;Ringparken;tilbagefald_15_25_pct;31,6;6;19",
                                "2018;Motalavej;tilbagefald_15_25_pct;30;;", "2018;Motalavej;domme_15_25;14;;"),
                  parse_context).frame
    assert frame.select("indicator", "area_key", "numerator", "denominator").rows() == [
        ("tilbagefald_15_25_pct", "ringparken", 6.0, 19.0), ("tilbagefald_15_25_pct", "motalavej", None, None),
        ("domme_15_25", "motalavej", None, None)]


@pytest.mark.parametrize(("row", "column", "found"), [
    ("2018;Ringparken;tilbagefald_15_25_pct;31,6;7;19", "Værdi", "passer ikke"),
    ("2018;Ringparken;tilbagefald_15_25_pct;31,6;6;", "Nævner", "Nævner er tom"),
    ("2018;Motalavej;domme_15_25;14;3;", "Tæller", "for et antal"),
])
def test_bad_counts_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row, column, found) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(_counted_file(tmp_path, row), parse_context)
    assert (caught.value.row, caught.value.column) == (2, column) and found in caught.value.message
