"""own_registrations: quarterly workbooks, the quarter → year roll-up inputs, and bad workbooks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.own_registrations import PARSER, indicator_codes
from pipelines.sample import own_registrations as sample
from pipelines.sample._xlsx import write_workbook
from pipelines.validate.suites import validate_frame
from tests import parser_helpers
from tests.parser_helpers import parse_sample

HEADER = ["Aktivitet", "Indikator", "Område", "Antal", "Bemærkning"]
NAME = "own_registrations_2018Q2_20180715.xlsx"


def reject(path: Path, context) -> DeliveryRejected:
    return parser_helpers.rejection(PARSER.source_system, path, context)


def workbook(tmp_path: Path, rows: list[list[object]], *, name: str = NAME, sheet: str = "Registrering",
             extra: dict | None = None) -> Path:
    return write_workbook(tmp_path / name, {sheet: [["Registrering 2018 kvartal 2"], HEADER, *rows], **(extra or {})})


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    return parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("own"))


def year(frames: dict[str, pl.DataFrame], indicator: str, area: str, year_: int) -> list[float]:
    quarters = [frames[n] for n in sorted(frames) if f"_{year_}Q" in n]
    return [q.filter((pl.col("indicator") == indicator) & (pl.col("area_key") == area))["value"][0] for q in quarters]


def test_sample_has_one_workbook_per_quarter(frames: dict[str, pl.DataFrame]) -> None:
    assert len(frames) == 36 and min(frames) == "own_registrations_2017Q1_20170415.xlsx"
    assert max(frames) == "own_registrations_2025Q4_20260115.xlsx"
    assert all(set(f["period"]) == {n.split("_")[2]} for n, f in frames.items())


def test_a_flow_sums_to_its_yearly_figure_and_a_stock_ends_at_it(frames: dict[str, pl.DataFrame]) -> None:
    assert sum(year(frames, "fritidsjob_formidlet", "combined", 2019)) == 70  # jobs: summed over quarters
    assert year(frames, "idraet_unge_i_faellesskab", "motalavej", 2018)[-1] == 11  # stock: the Q4 status
    assert year(frames, "komm_viceværter_kursus_pct", "combined", 2021)[-1] == 80.0
    running = [sum(year(frames, "fritidsjob_formidlet", "combined", y)) for y in range(2017, 2022)]
    assert sum(running) / len(running) >= 60  # "i gennemsnit pr. år 60 job" is met at plan end


def test_gx_suite_accepts_every_sample_workbook(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[2]]})


def test_codes_come_from_the_quarterly_indicators_seed() -> None:
    assert "fritidsjob_formidlet" in indicator_codes() and "komm_viceværter_kursus_pct" in indicator_codes()
    assert len(indicator_codes()) == 22


def test_samlet_total_and_remarks(tmp_path: Path, parse_context) -> None:
    rows = [["Fritidsjob", "fritidsjob_formidlet", "Samlet", 7, ""],
            ["Idræt", "idraet_unge_i_faellesskab", "Ringparken/Schackenborgvænget", "11", "bestand ultimo kvartal"],
            ["Kommunikation", "komm_viceværter_kursus_pct", "Samlet", "42,5%", ""],
            ["I alt", "", "", 18, ""]]
    frame = parser_helpers.parse(PARSER.source_system, workbook(tmp_path, rows), parse_context).frame
    assert frame.select("indicator", "area_key", "value", "unit").rows() == [
        ("fritidsjob_formidlet", "combined", 7.0, "count"), ("idraet_unge_i_faellesskab", "ringparken", 11.0, "count"),
        ("komm_viceværter_kursus_pct", "combined", 42.5, "percent")]
    assert set(frame["period"]) == {"2018Q2"}


@pytest.mark.parametrize(("row", "column", "found"), [
    (["Fritidsjob", "fritidsjob_ansat", "Motalavej", 3, ""], "Indikator", "ukendt indikator"),
    (["Fritidsjob", "fritidsjob_formidlet", "Ringarken", 3, ""], "Område", "ukendt område"),
    (["Fritidsjob", "fritidsjob_formidlet", "Motalavej", -2, ""], "Antal", "negativ"),
    (["Fritidsjob", "fritidsjob_formidlet", "Motalavej", "mange", ""], "Antal", "ikke et tal"),
    (["Fritidsjob", "fritidsjob_formidlet", "Motalavej", "2,5", ""], "Antal", "ikke et helt tal"),
    (["Kommunikation", "komm_viceværter_kursus_pct", "Samlet", "140", ""], "Antal", "større end 100"),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row, column, found) -> None:
    caught = reject(workbook(tmp_path, [row]), parse_context)
    assert (caught.row, caught.column) == (3, column) and found in caught.message


@pytest.mark.parametrize(("make", "found"), [
    (lambda t: t.joinpath(NAME).write_bytes(b"PK\x03\x04 afkortet") and t / NAME, "XLSX"),
    (lambda t: t.joinpath(NAME).write_bytes("Aktivitet;Indikator\n".encode("utf-16")) and t / NAME, "XLSX"),
    (lambda t: workbook(t, [], sheet="Ark1"), "arket Registrering mangler"),
    (lambda t: workbook(t, []), "ingen datarækker"),
    (lambda t: workbook(t, [["I alt", "", "", 0, ""]]), "kun total"),
    (lambda t: workbook(t, [["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 3, ""]],
                        name="own_registrations_2018_20190115.xlsx"), "ikke et kvartal"),
    (lambda t: workbook(t, [["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 3, "Ung 010194-7551 ansat"]]), "CPR"),
    (lambda t: workbook(t, [["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 3, ""]],
                        extra={"Noter": [["Kontakt 0101947551"]]}), "CPR"),
    (lambda t: workbook(t, [["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 3, ""]] * 2), "står også i række"),
])
def test_bad_workbooks_are_rejected(tmp_path: Path, parse_context, make, found: str) -> None:
    caught = reject(make(tmp_path), parse_context)
    assert found in caught.message and "7551" not in caught.message


def test_extra_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    rows = [[*HEADER, "Ansvarlig"], ["Fritidsjob", "fritidsjob_formidlet", "Samlet", 7, "", "KB"]]
    path = write_workbook(tmp_path / NAME, {"Registrering": rows})
    parsed = parser_helpers.parse(PARSER.source_system, path, parse_context)
    assert parsed.frame.height == 1 and any("Ansvarlig" in w for w in parsed.warnings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(["", "I alt", "Fritidsjob", "fritidsjob_formidlet",
                                                "komm_viceværter_kursus_pct", "Samlet", "Motalavej", "x", "3", "-1",
                                                "55,5%", "..", "-"]), min_size=5, max_size=5), max_size=5))
def test_parser_either_loads_or_rejects(tmp_path: Path, parse_context, rows) -> None:
    parser_helpers.assert_frame_or_rejection(PARSER.source_system, workbook(tmp_path, rows), parse_context,
                                             period="2018Q2")


# --- a share with its counts (rule 8 can check only a share whose counts it has) ----------------------------------

COUNTED = [*HEADER, "Tæller", "Nævner"]


def counted_workbook(tmp_path: Path, rows: list[list[object]]) -> Path:
    return write_workbook(tmp_path / NAME, {"Registrering": [COUNTED, *rows]})


def test_a_share_carries_its_counts_and_an_older_workbook_stays_valid(tmp_path: Path, parse_context) -> None:
    rows = [["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "57,5%", "", 23, 40],
            ["Kommunikation", "komm_viceværter_kursus_pct", "Samlet", "80", "", "", ""],
            ["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 7, "", "", ""]]
    frame = parser_helpers.parse(PARSER.source_system, counted_workbook(tmp_path, rows), parse_context).frame
    assert frame.select("indicator", "value", "numerator", "denominator").rows() == [
        ("fritidsjob_fastholdt_2mdr_pct", 57.5, 23.0, 40.0), ("komm_viceværter_kursus_pct", 80.0, None, None),
        ("fritidsjob_formidlet", 7.0, None, None)]
    older = parser_helpers.parse(PARSER.source_system, workbook(tmp_path, [rows[0][:5]]), parse_context).frame
    assert older.select("value", "numerator", "denominator").rows() == [(57.5, None, None)]


@pytest.mark.parametrize(("row", "column", "found"), [
    (["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "57,5%", "", 23, ""], "Nævner", "Nævner er tom"),
    (["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "57,5%", "", 23, 0], "Nævner", "Nævner er 0"),
    (["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "57,5%", "", 41, 40], "Tæller", "større end Nævner"),
    (["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "57,5%", "", "2,5", 40], "Tæller", "ikke et helt tal"),
    (["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", "60%", "", 23, 40], "Antal", "passer ikke"),
    (["Fritidsjob", "fritidsjob_formidlet", "Motalavej", 7, "", 3, ""], "Tæller", "for et antal"),
])
def test_bad_counts_of_a_share_are_rejected(tmp_path: Path, parse_context, row, column, found) -> None:
    caught = reject(counted_workbook(tmp_path, [row]), parse_context)
    assert (caught.row, caught.column) == (2, column) and found in caught.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(denominator=st.integers(1, 500), data=st.data())
def test_any_share_given_with_its_rounded_percent_loads_with_its_counts(tmp_path: Path, parse_context,
                                                                        denominator: int, data) -> None:
    numerator = data.draw(st.integers(0, denominator))
    shown = f"{numerator / denominator * 100:.1f}".replace(".", ",")
    row = ["Fritidsjob", "fritidsjob_fastholdt_2mdr_pct", "Samlet", shown, "", numerator, denominator]
    frame = parser_helpers.parse(PARSER.source_system, counted_workbook(tmp_path, [row]), parse_context).frame
    assert frame.select("numerator", "denominator").rows() == [(numerator, denominator)]
