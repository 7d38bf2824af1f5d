"""dst_noegletal: the documents' SUB-list figures in the sample, StatBank quirks and bad downloads."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import DeliveryRejected
from pipelines.ingest.parsers.dst_noegletal import PARSER
from pipelines.sample import dst_noegletal as sample
from pipelines.validate.suites import validate_frame
from tests import parser_helpers
from tests.parser_helpers import parse_sample

HEADER = "OMRÅDE;NØGLETAL;TID;INDHOLD\n"
NAME = "dst_noegletal_2014-2016_20170301.csv"
AREAS = ["motalavej", "ringparken", "sydbyen", "skaelskoer"]


def parse(path: Path, context):
    return parser_helpers.parse(PARSER.source_system, path, context)


def reject(path: Path, context) -> DeliveryRejected:
    return parser_helpers.rejection(PARSER.source_system, path, context)


def write(tmp_path: Path, text: str, *, encoding: str = "cp1252") -> Path:
    path = tmp_path / NAME
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="module")
def frame(tmp_path_factory) -> pl.DataFrame:
    frames = parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("dst"))
    assert list(frames) == ["dst_noegletal_2014-2024_20251115.csv"]
    return next(iter(frames.values()))


def values(frame: pl.DataFrame, indicator: str, year: int) -> dict[str, float]:
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("period") == str(year)))
    return dict(zip(rows["area_key"], rows["value"], strict=True))


def test_sample_reproduces_the_documents_sub_figures(frame: pl.DataFrame, reference_figures: dict) -> None:
    """The documents' combined figures are read as the mean of the four areas (DST gives shares, not counts)."""
    ref = {f["id"]: f["value"] for f in reference_figures["figures"]}

    def mean(indicator: str, year: int) -> float:
        by_area = values(frame, indicator, year)
        return sum(by_area[a] for a in AREAS) / 4

    income = values(frame, "gennemsnitlig_bruttoindkomst_15_64", 2014)
    assert mean("gennemsnitlig_bruttoindkomst_15_64", 2014) == pytest.approx(ref["ref_income_avg_2014"])
    assert round(ref["ref_income_avg_2014"] / income["slagelse_kommune"] * 100) == ref["ref_income_pct_of_kommune_2014"]
    no_attachment = values(frame, "andel_18_64_uden_tilknytning", 2015)
    assert mean("andel_18_64_uden_tilknytning", 2015) == pytest.approx(ref["ref_no_attachment_18_64_combined"])
    assert no_attachment["slagelse_kommune"] == ref["ref_no_attachment_18_64_rest_of_kommune"]
    assert min(no_attachment[a] for a in AREAS) > 40  # "alle fire områder overskrider individuelt kriteriet"
    basic = values(frame, "andel_30_59_kun_grundskole", 2015)
    assert mean("andel_30_59_kun_grundskole", 2015) == pytest.approx(ref["ref_basic_edu_30_64_combined"])
    assert basic["slagelse_kommune"] == ref["ref_basic_edu_30_64_slagelse"] and min(basic[a] for a in AREAS) > 50
    non_western = values(frame, "andel_ikke_vestlige", 2016)
    assert mean("andel_ikke_vestlige", 2016) == pytest.approx(44.0)
    assert (non_western["ringparken"], non_western["skaelskoer"]) == (57.0, 20.1)


def test_confidential_cell_is_a_suppressed_row(frame: pl.DataFrame) -> None:
    crime = frame.filter(pl.col("indicator") == "kriminalretlige_afgoerelser_pr_1000")
    assert crime.select("area_key", "period", "value", "suppressed").rows() == [("sydbyen", "2016", None, True)]


def test_gx_suite_accepts_the_sample(frame: pl.DataFrame) -> None:
    validate_frame(frame, PARSER.source_system, "dst_noegletal_2014-2024_20251115.csv",
                   {"file_periods": [str(y) for y in range(2014, 2025)]})


def test_statbank_example_rows_with_thousands_and_decimal_comma(tmp_path: Path, parse_context) -> None:
    text = ("Nøgletal\n" + HEADER + "Motalavej;Gennemsnitlig bruttoindkomst 15-64 år;2014;146.626\n"
            "Skælskør;Andel ikke-vestlige indvandrere og efterkommere;2016;20,1\n"
            "Boligområderne i alt;Andel ikke-vestlige indvandrere og efterkommere;2016;44,0\n")
    parsed = parse(write(tmp_path, text, encoding="utf-8-sig"), parse_context).frame
    assert parsed.select("area_key", "value").rows() == [("motalavej", 146626.0), ("skaelskoer", 20.1)]


@pytest.mark.parametrize(("row", "column", "found"), [
    ("Ringarken;Andel 30-59 årige kun grundskole;2015;60", "OMRÅDE", "ukendt område"),
    ("Motalavej;Andel med job;2015;60", "NØGLETAL", "ukendt nøgletal"),
    ("Motalavej;Andel 30-59 årige kun grundskole;2017;60", "TID", "uden for filens periode"),
    ("Motalavej;Andel 30-59 årige kun grundskole;2015K1;60", "TID", "ikke et årstal"),
    ("Motalavej;Andel 30-59 årige kun grundskole;2015;-4", "INDHOLD", "negativ"),
    ("Motalavej;Andel 30-59 årige kun grundskole;2015;mange", "INDHOLD", "ikke et tal"),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row: str, column: str,
                                                     found: str) -> None:
    caught = reject(write(tmp_path, HEADER + row + "\n"), parse_context)
    assert (caught.row, caught.column) == (2, column) and found in caught.message


@pytest.mark.parametrize(("text", "encoding", "found"), [
    ("", "cp1252", ""),
    (HEADER, "cp1252", "ingen datarækker"),
    (HEADER + "Motalavej;Andel 30-59 årige kun grundskole;2015;60\n", "utf-16", ""),
    ("OMRÅDE;TID;INDHOLD\nMotalavej;2015;60\n", "cp1252", "NØGLETAL mangler"),
    (HEADER + "Motalavej;Andel 30-59 årige kun grundskole;2015;60\n"
     "Motalavej;Andel 30-59 årige kun grundskole;2015;61\n", "cp1252", "står også i række 2"),
    (HEADER + "Motalavej 010194-7551;Andel 30-59 årige kun grundskole;2015;60\n", "cp1252", "CPR"),
])
def test_bad_downloads_are_rejected(tmp_path: Path, parse_context, text: str, encoding: str, found: str) -> None:
    caught = reject(write(tmp_path, text, encoding=encoding), parse_context)
    assert caught.message.startswith(NAME) and found in caught.message
    assert "7551" not in caught.message


def test_extra_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    text = "OMRÅDE;NØGLETAL;TID;INDHOLD;ENHED\nMotalavej;Andel 30-59 årige kun grundskole;2015;60;pct\n"
    parsed = parse(write(tmp_path, text), parse_context)
    assert parsed.frame.height == 1 and any("ENHED" in w for w in parsed.warnings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from(["Motalavej", "Sydbyen", "Hele landet", "I alt", "", "Kilde: DST", "x"]),
    st.sampled_from(["Andel 30-59 årige kun grundskole", "Kriminalretlige afgørelser pr. 1000 beboere", "", "y"]),
    st.sampled_from(["2014", "2016", "2017", "", "år"]),
    st.sampled_from(["1.234", "12,5", "..", "-", "", "-3", "z"]),
), max_size=5))
def test_parser_either_loads_or_rejects(tmp_path: Path, parse_context, rows) -> None:
    text = HEADER + "".join(";".join(row) + "\n" for row in rows)
    path = write(tmp_path, text)
    try:
        result = parse(path, parse_context)
    except DeliveryRejected as caught:
        assert caught.message.startswith(NAME)
    else:
        assert set(result.frame["period"]) <= {"2014", "2015", "2016"}
