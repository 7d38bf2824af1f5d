"""Section 17: verdicts on criteria (three assessment sources) and the ministry's list."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.load.build import assessment_sources, measurement_sources
from pipelines.sample import lbf_central, qualitative_interviews, samarbejdsudvalg_evaluation, sub_list_government
from pipelines.validate.suites import validate_frame
from tests import parser_helpers
from tests.parser_helpers import parse_sample

HEADER = "År;Område;Kriterie_id;Vurdering;Begrundelse;Kilde\n"
SU = "samarbejdsudvalg_evaluation"
NAME = "samarbejdsudvalg_evaluation_2018_20190115.csv"
CRITERION = "act_tryghedsvandring_resident_influence"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = NAME) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reject(path: Path, context, source_system: str = SU) -> DeliveryRejected:
    return parser_helpers.rejection(source_system, path, context)


def test_assessment_sources_are_not_measurements() -> None:
    assert set(assessment_sources()) == {SU, "qualitative_interviews", "lbf_central"}
    assert not set(assessment_sources()) & set(measurement_sources())
    assert "sub_list_government" in measurement_sources()


@pytest.mark.parametrize("module", [samarbejdsudvalg_evaluation, qualitative_interviews, lbf_central,
                                    sub_list_government])
def test_every_sample_file_parses_and_passes_its_suite(tmp_path: Path, module) -> None:
    source_system = module.__name__.rsplit(".", 1)[-1]
    for name, frame in parse_sample(source_system, module.write, tmp_path).items():
        validate_frame(frame, source_system, name, {"file_periods": [name.split("_")[-2]]})
        assert frame.height > 0


def test_a_verdict_becomes_a_score_and_a_danish_reason(tmp_path: Path, parse_context) -> None:
    text = HEADER + (f'2018;Motalavej;{CRITERION};opfyldt;"Beboerne deltog i to vandringer; forslag blev fulgt op.";'
                     "SU-referat 12-11-2018\n"
                     f"2018;Sydbyen;{CRITERION};Delvist opfyldt;Kun én vandring.;\n"
                     f"2018;Skælskør;{CRITERION};ikke vurderet;Ingen vandring i år.;SU\n")
    frame = parser_helpers.parse(SU, write(tmp_path, text), parse_context).frame
    rows = {r["area_key"]: r for r in frame.iter_rows(named=True)}
    assert rows["motalavej"]["value"] == 1.0 and rows["sydbyen"]["value"] == 0.5 and rows["skaelskoer"]["value"] is None
    assert rows["motalavej"]["label"] == ("Opfyldt: Beboerne deltog i to vandringer; forslag blev fulgt op. "
                                          "(SU-referat 12-11-2018)")
    assert rows["sydbyen"]["label"] == "Delvist opfyldt: Kun én vandring."
    assert set(frame["indicator"]) == {CRITERION} and set(frame["period"]) == {"2018"}


def test_the_ministry_list_is_a_measured_indicator(tmp_path: Path, parse_context) -> None:
    text = HEADER + ("2019;Motalavej;vision_no_area_on_sub_list_after_2025;på listen;Kriterierne er opfyldt.;BM\n"
                     "2019;Sydbyen;vision_no_area_on_sub_list_after_2025;ikke på listen;Ikke længere.;BM\n")
    path = write(tmp_path, text, name="sub_list_government_2019_20191201.csv")
    frame = parser_helpers.parse("sub_list_government", path, parse_context).frame
    assert frame.select("indicator", "area_key", "value").rows() == [("paa_sub_listen", "motalavej", 1.0),
                                                                     ("paa_sub_listen", "sydbyen", 0.0)]
    caught = reject(write(tmp_path, HEADER + "2019;Motalavej;vision_no_area_on_sub_list_after_2025;opfyldt;x;y\n",
                          name="sub_list_government_2019_20191201.csv"), parse_context, "sub_list_government")
    assert "på listen, ikke på listen" in caught.message


@pytest.mark.parametrize(("row", "column", "found"), [
    (f"2018;Motalavej;{CRITERION};godt;Fint.;SU", "Vurdering", "en af vurderingerne"),
    ("2018;Motalavej;no_such_criterion;opfyldt;Fint.;SU", "Kriterie_id", "ukendt kriterie-id"),
    (f"2018;Ringarken;{CRITERION};opfyldt;Fint.;SU", "Område", "ukendt område"),
    (f"2019;Motalavej;{CRITERION};opfyldt;Fint.;SU", "År", "uden for filens periode"),
    (f"18;Motalavej;{CRITERION};opfyldt;Fint.;SU", "År", "ikke et årstal"),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row, column, found) -> None:
    caught = reject(write(tmp_path, HEADER + row + "\n"), parse_context)
    assert (caught.row, caught.column) == (2, column) and found in caught.message


@pytest.mark.parametrize(("text", "encoding", "found"), [
    ("", "utf-8", ""),
    (HEADER, "utf-8", "ingen datarækker"),
    (HEADER + f"2018;Motalavej;{CRITERION};opfyldt;Fint.;SU\n", "utf-16", ""),
    ("År;Område;Kriterie_id;Vurdering\n2018;Motalavej;x;opfyldt\n", "utf-8", "Begrundelse mangler"),
    (HEADER + f"2018;Motalavej;{CRITERION};opfyldt;Talte med 010194-7551.;SU\n", "utf-8", "CPR"),
    (HEADER + f"2018;Motalavej;{CRITERION};opfyldt;A.;SU\n2018;Motalavej;{CRITERION};ikke opfyldt;B.;SU\n", "utf-8",
     "står også i række 2"),
])
def test_bad_files_are_rejected(tmp_path: Path, parse_context, text: str, encoding: str, found: str) -> None:
    caught = reject(write(tmp_path, text, encoding=encoding), parse_context)
    assert caught.message.startswith(NAME) and found in caught.message and "7551" not in caught.message


def test_extra_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    text = HEADER.rstrip("\n") + ";Dato\n" + f"2018;Motalavej;{CRITERION};opfyldt;Fint.;SU;12-11-2018\n"
    parsed = parser_helpers.parse(SU, write(tmp_path, text), parse_context)
    assert parsed.frame.height == 1 and any("Dato" in w for w in parsed.warnings)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from(["2018", "2019", "", "x"]),
    st.sampled_from(["Motalavej", "Samlet", "I alt", "", "Ringarken"]),
    st.sampled_from([CRITERION, "strat_tt_delmaal_2_lokalt_engagement", "", "nope"]),
    st.sampled_from(["opfyldt", "ikke opfyldt", "ikke vurderet", "måske", ""]),
    st.sampled_from(["Fint.", '"a; b"', ""]),
), max_size=5))
def test_parser_either_loads_or_rejects(tmp_path: Path, parse_context, rows) -> None:
    text = HEADER + "".join(";".join(row) + ";SU\n" for row in rows)
    path = write(tmp_path, text)
    try:
        frame = parser_helpers.parse(SU, path, parse_context).frame
    except DeliveryRejected as caught:
        assert caught.message.startswith(NAME)
    else:
        assert frame.schema == pl.Schema(parser_helpers.OBSERVATION_SCHEMA) and set(frame["period"]) <= {"2018"}
