"""dst_noegletal: the documents' SUB-list figures in the sample, StatBank quirks and bad downloads."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.dst_noegletal import PARSER
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


LONG_SAMPLE, WEB_SAMPLE = "dst_noegletal_2014-2019_20201115.csv", "dst_noegletal_2020-2024_20251115.csv"


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    frames = parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("dst"))
    assert list(frames) == [LONG_SAMPLE, WEB_SAMPLE]  # one download in each layout
    return frames


@pytest.fixture(scope="module")
def frame(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames.values())


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


def test_gx_suite_accepts_the_sample(frames: dict[str, pl.DataFrame]) -> None:
    for name, years in ((LONG_SAMPLE, range(2014, 2020)), (WEB_SAMPLE, range(2020, 2025))):
        validate_frame(frames[name], PARSER.source_system, name, {"file_periods": [str(y) for y in years]})


def test_the_two_sample_layouts_hold_one_series(frames: dict[str, pl.DataFrame]) -> None:
    """Every key figure, area and year 2014-2024 once: 4 key figures × 5 areas × 11 years + the confidential cell."""
    frame = pl.concat(frames.values())
    assert frame.height == 4 * 5 * 11 + 1
    assert frame.select("indicator", "area_key", "period").is_unique().all()
    assert sorted(frames[WEB_SAMPLE]["period"].unique()) == ["2020", "2021", "2022", "2023", "2024"]
    assert values(frame, "gennemsnitlig_bruttoindkomst_15_64", 2020)["motalavej"] == round(146626 * 1.018 ** 6)
    assert values(frame, "andel_18_64_uden_tilknytning", 2024)["skaelskoer"] == pytest.approx(40.4 - 0.6 * 9)


WEB_NAME = "dst_noegletal_2017-2018_20190301.csv"
SPEC_WEB_TABLE = (
    '"Nøgletal for boligområder efter nøgletal, område og tid"\r\n'
    '\r\n'
    '" ";" ";"2017";"2018"\r\n'
    '"Gennemsnitlig bruttoindkomst 15-64 år"\r\n'
    '" ";"Motalavej";151230;153400\r\n'
    '" ";"Slagelse Kommune";265010;..\r\n'
    '"Andel ikke-vestlige indvandrere og efterkommere"\r\n'
    '" ";"Skælskør";22,4;21,9\r\n'
    '\r\n'
    '"Særudtræk for helhedsplanens fire boligområder."\r\n'
)


def web(tmp_path: Path, text: str) -> Path:
    path = tmp_path / WEB_NAME
    path.write_bytes(text.encode("cp1252"))
    return path


def test_statbank_web_table_of_the_spec(tmp_path: Path, parse_context) -> None:
    parsed = parse(web(tmp_path, SPEC_WEB_TABLE), parse_context)
    assert parsed.frame.select("indicator", "area_key", "period", "value", "suppressed", "source_row").rows() == [
        ("gennemsnitlig_bruttoindkomst_15_64", "motalavej", "2017", 151230.0, False, 5),
        ("gennemsnitlig_bruttoindkomst_15_64", "motalavej", "2018", 153400.0, False, 5),
        ("gennemsnitlig_bruttoindkomst_15_64", "slagelse_kommune", "2017", 265010.0, False, 6),
        ("gennemsnitlig_bruttoindkomst_15_64", "slagelse_kommune", "2018", None, True, 6),
        ("andel_ikke_vestlige", "skaelskoer", "2017", 22.4, False, 8),
        ("andel_ikke_vestlige", "skaelskoer", "2018", 21.9, False, 8),
    ]
    assert parsed.warnings == []


def test_web_table_and_long_download_of_the_same_figures_give_the_same_frame(tmp_path: Path, parse_context) -> None:
    long_text = (HEADER + "Motalavej;Gennemsnitlig bruttoindkomst 15-64 år;2017;151230\n"
                 "Motalavej;Gennemsnitlig bruttoindkomst 15-64 år;2018;153400\n"
                 "Slagelse Kommune;Gennemsnitlig bruttoindkomst 15-64 år;2017;265010\n"
                 "Slagelse Kommune;Gennemsnitlig bruttoindkomst 15-64 år;2018;..\n"
                 "Skælskør;Andel ikke-vestlige indvandrere og efterkommere;2017;22,4\n"
                 "Skælskør;Andel ikke-vestlige indvandrere og efterkommere;2018;21,9\n")
    long_path = tmp_path / "long" / WEB_NAME
    long_path.parent.mkdir()
    long_path.write_bytes(long_text.encode("utf-8-sig"))
    web_frame = parse(web(tmp_path, SPEC_WEB_TABLE), parse_context).frame.drop("source_row")
    assert web_frame.equals(parse(long_path, parse_context).frame.drop("source_row"))


def test_web_table_variants_key_figure_in_the_stub_and_pivoted(tmp_path: Path, parse_context) -> None:
    """StatBank writes the first stub on the first row of its group, or pivots areas above key figures."""
    in_stub = ('"Nøgletal"\r\n" ";" ";"2017";"2018";\r\n'
               '"Andel ikke-vestlige indvandrere og efterkommere";"Skælskør";22,4;21,9;\r\n'
               '" ";"Motalavej";48,0;-;\r\n')
    pivoted = ('" ";" ";"2017";"2018"\r\n"Skælskør"\r\n'
               '" ";"Andel ikke-vestlige indvandrere og efterkommere";22,4;21,9\r\n'
               '"Motalavej"\r\n" ";"Andel ikke-vestlige indvandrere og efterkommere";48,0;-\r\n')
    for text in (in_stub, pivoted):
        frame = parse(web(tmp_path, text), parse_context).frame
        assert frame.select("area_key", "period", "value").rows() == [
            ("skaelskoer", "2017", 22.4), ("skaelskoer", "2018", 21.9), ("motalavej", "2017", 48.0)]


@pytest.mark.parametrize(("text", "row", "column", "found"), [
    ('" ";" ";"2017"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Ringarken";60\r\n',
     3, "område (2. kolonne)", "ukendt område 'Ringarken'"),
    ('" ";" ";"2017"\r\n"Andel med job"\r\n" ";"Motalavej";60\r\n', 3, "nøgletal (1. kolonne)",
     "ukendt nøgletal 'Andel med job'"),
    ('" ";" ";"2017";"2019"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Motalavej";60;61\r\n', 3, "2019",
     "uden for filens periode"),
    ('" ";" ";"2017";"2018K1"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Motalavej";60;61\r\n', 1,
     "4. kolonne", "'2018K1' er ikke et årstal"),
    ('" ";" ";"2017"\r\n" ";"Motalavej";60\r\n', 2, "nøgletal (1. kolonne)", "før det første nøgletal"),
    ('" ";" ";"2017"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Motalavej";60;61\r\n', 3, "4. kolonne",
     "en værdi uden årstal"),
    ('" ";" ";"2017"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Motalavej";-4\r\n', 3, "2017", "negativ"),
    ('" ";" ";"2017"\r\n"Andel 30-59 årige kun grundskole"\r\n" ";"Motalavej";60\r\n" ";"Motalavej";61\r\n',
     4, "område (2. kolonne)", "står også i række 3"),
])
def test_bad_web_tables_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, text: str, row: int,
                                                           column: str, found: str) -> None:
    caught = reject(web(tmp_path, text), parse_context)
    assert (caught.row, caught.column) == (row, column) and found in caught.found, caught.message


def test_web_table_without_values_is_rejected(tmp_path: Path, parse_context) -> None:
    caught = reject(web(tmp_path, '"Titel"\r\n" ";" ";"2017"\r\n"Kilde: DST"\r\n'), parse_context)
    assert (caught.row, caught.found) == (2, "tabellen har ingen rækker med værdier")


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
