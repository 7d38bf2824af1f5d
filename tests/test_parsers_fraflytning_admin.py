"""fraflytning_admin: the documents' 22 % / 21 %, pooling by afdeling, and every way a list is rejected."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.fraflytning_admin import PARSER
from pipelines.sample import fraflytning_admin as sample
from pipelines.validate.suites import validate_frame
from tests import parser_helpers
from tests.parser_helpers import parse_sample

HEADER = "Boligorganisation;Afdeling;Afdelingsnavn;År;Antal boliger;Antal fraflytninger;Heraf interne flytninger\n"
GOOD_ROW = "Slagelse Boligselskab;15;Motalavej;2019;530;95;7\n"
NAME = "fraflytning_admin_2019_20200120.csv"


def parse(path: Path, context):
    return parser_helpers.parse(PARSER.source_system, path, context)


def reject(path: Path, context) -> DeliveryRejected:
    return parser_helpers.rejection(PARSER.source_system, path, context)


def write(tmp_path: Path, text: str, *, encoding: str = "cp1252", name: str = NAME) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    return parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("fraflytning"))


def _pooled(frame: pl.DataFrame) -> float:
    rate = frame.filter(pl.col("indicator") == "fraflytningsprocent")
    return rate["numerator"].sum() / rate["denominator"].sum() * 100


def test_sample_pools_to_the_documents_22_and_21_percent(frames: dict[str, pl.DataFrame],
                                                         reference_figures: dict) -> None:
    by_id = {f["id"]: f["value"] for f in reference_figures["figures"]}
    assert round(_pooled(frames["fraflytning_admin_2015_20160120.csv"])) == by_id["ref_fraflytning_combined_22"]
    assert round(_pooled(frames["fraflytning_admin_2016_20170120.csv"])) == by_id["ref_fraflytning_combined_21"]


def test_an_area_sums_its_afdelinger(frames: dict[str, pl.DataFrame]) -> None:
    frame = frames["fraflytning_admin_2015_20160120.csv"]
    ringparken = frame.filter((pl.col("area_key") == "ringparken") & (pl.col("indicator") == "fraflytningsprocent"))
    assert ringparken.select("numerator", "denominator").row(0) == (230, 1000)  # afd. 4 (780) + afd. 5 (220)
    assert ringparken["value"][0] == pytest.approx(23.0)
    assert set(frame["area_key"]) == {"motalavej", "ringparken", "sydbyen", "skaelskoer"}


def test_gx_suite_accepts_every_sample_file(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[2]]})


def test_title_total_and_note_rows_and_thousands_are_tolerated(tmp_path: Path, parse_context) -> None:
    text = ("Fraflytninger 2019\n\n" + HEADER + GOOD_ROW + "FOB Slagelse;4;Ringparken;2019;780;132;4\n"
            ";;I alt;2019;1.310;227;11\nKilde: EG Bolig\n")
    frame = parse(write(tmp_path, text), parse_context).frame
    rate = frame.filter(pl.col("indicator") == "fraflytningsprocent").sort("area_key")
    assert rate.select("area_key", "numerator", "denominator").rows() == [("motalavej", 95, 530),
                                                                          ("ringparken", 132, 780)]


def test_extra_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    text = HEADER.rstrip("\n") + ";Ventetid\n" + GOOD_ROW.rstrip("\n") + ";12\n"
    parsed = parse(write(tmp_path, text), parse_context)
    assert parsed.frame.height == 3 and any("Ventetid" in w for w in parsed.warnings)


@pytest.mark.parametrize(("body", "column", "found"), [
    ("FOB Slagelse;99;Ukendt;2019;100;5;0\n", "Afdeling", "ukendt afdeling"),
    ("Slagelse Boligselskab;15;Motalavej;2018;530;95;7\n", "År", "uden for filens periode"),
    ("Slagelse Boligselskab;15;Motalavej;2019;530;-3;0\n", "Antal fraflytninger", "negativ"),
    ("Slagelse Boligselskab;15;Motalavej;2019;530;mange;0\n", "Antal fraflytninger", "ikke et tal"),
    ("Slagelse Boligselskab;15;Motalavej;2019;0;5;0\n", "Antal boliger", "'0'"),
    ("Slagelse Boligselskab;15;Motalavej;2019;530;-;0\n", "Antal fraflytninger", "'-'"),
    (GOOD_ROW, "Afdeling", "står også i række"),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, body: str, column: str,
                                                     found: str) -> None:
    text = HEADER + (GOOD_ROW if found == "står også i række" else "") + body
    caught = reject(write(tmp_path, text), parse_context)
    assert caught.column == column and found in caught.message
    assert caught.row == text.count("\n")


def test_unknown_afdeling_lists_the_known_ones_and_is_an_unmapped_area(tmp_path: Path, parse_context) -> None:
    caught = reject(write(tmp_path, HEADER + "Ukendt Bolig;1;X;2019;100;5;0\n"), parse_context)
    assert "Slagelse Boligselskab afd. 15" in caught.message and caught.gap_type == "unmapped_area"


@pytest.mark.parametrize(("text", "encoding", "found"), [
    ("", "cp1252", ""),  # 0 bytes
    (HEADER, "cp1252", "ingen datarækker"),
    (HEADER + ";;I alt;2019;2.480;414;46\n", "cp1252", "kun total"),
    (HEADER + GOOD_ROW, "utf-16", ""),
    (HEADER.replace(";Antal fraflytninger", "") + "Slagelse Boligselskab;15;Motalavej;2019;530;7\n", "cp1252",
     "Antal fraflytninger mangler"),
])
def test_unreadable_or_empty_lists_are_rejected(tmp_path: Path, parse_context, text: str, encoding: str,
                                                found: str) -> None:
    caught = reject(write(tmp_path, text, encoding=encoding), parse_context)
    assert caught.message.startswith(NAME) and found in caught.message


def test_cpr_number_is_rejected_and_never_repeated(tmp_path: Path, parse_context) -> None:
    text = HEADER + "Slagelse Boligselskab;15;Motalavej 010194-7551;2019;530;95;7\n"
    caught = reject(write(tmp_path, text), parse_context)
    assert "CPR" in caught.message and "010194" not in caught.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.sampled_from(["", "15", "Slagelse Boligselskab", "FOB Slagelse", "4", "2019",
                                                "2.480", "-", "..", "x", "I alt", "-5", "12,5", "Kilde: x"]),
                               min_size=0, max_size=8), max_size=6))
def test_parser_either_loads_or_rejects(tmp_path: Path, parse_context, cells: list[list[str]]) -> None:
    text = HEADER + "".join(";".join(row) + "\n" for row in cells)
    parser_helpers.assert_frame_or_rejection(PARSER.source_system, write(tmp_path, text), parse_context,
                                             period="2019")
