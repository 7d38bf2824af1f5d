"""brand_redning: arson counted per area by address, the documents' 31/15/28, explicit zeros, bad lists."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.brand_redning import PARSER
from pipelines.sample import brand_redning as sample
from pipelines.validate.suites import validate_frame
from tests import parser_helpers
from tests.parser_helpers import parse_sample

HEADER = "Hændelsesnr;Alarmtidspunkt;Adresse;Postnr;By;Hændelsestype;Brandårsag\n"
NAME = "brand_redning_2015_20160205.csv"
AREAS = {"motalavej", "ringparken", "sydbyen", "skaelskoer"}


def parse(path: Path, context):
    return parser_helpers.parse(PARSER.source_system, path, context)


def reject(path: Path, context) -> DeliveryRejected:
    return parser_helpers.rejection(PARSER.source_system, path, context)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8-sig", name: str = NAME) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(frame: pl.DataFrame) -> dict[str, float]:
    return dict(zip(frame["area_key"], frame["value"], strict=True))


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    return parse_sample(PARSER.source_system, sample.write, tmp_path_factory.mktemp("brand"))


def test_sample_reproduces_the_documents_arson_counts(frames: dict[str, pl.DataFrame],
                                                      reference_figures: dict) -> None:
    figures = {f["id"]: f for f in reference_figures["figures"] if f["topic"] == "brande"}
    for year in (2014, 2015, 2016):
        frame = frames[f"brand_redning_{year}_{year + 1}0205.csv"]
        assert sum(counts(frame).values()) == figures[f"ref_arson_combined_{year}"]["value"]
    for year in (2015, 2016):  # "Sydbyen og Skælskør ikke har haft påsatte brande i perioden"
        by_area = counts(frames[f"brand_redning_{year}_{year + 1}0205.csv"])
        assert by_area["sydbyen"] == figures["ref_arson_sydbyen_period"]["value"] == 0
        assert by_area["skaelskoer"] == figures["ref_arson_skaelskoer_period"]["value"] == 0


def test_every_area_has_an_explicit_count(frames: dict[str, pl.DataFrame]) -> None:
    for frame in frames.values():
        assert set(frame["area_key"]) == AREAS and frame["value"].null_count() == 0


def test_gx_suite_accepts_every_sample_file(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[2]]})


def test_only_arson_at_programme_addresses_counts(tmp_path: Path, parse_context) -> None:
    text = HEADER + (
        "1;07-01-2015 01:06;Schackenborgvænge 5;4200;Slagelse;Brand i barnevogn;Påsat\n"
        "2;07-01-2015 12:47;Algade 8;4220;Korsør;Naturbrand;Påsat\n"  # outside the programme
        "3;08-01-2015 10:00;Motalavej 84A, st. tv;4200;Slagelse;Brand i container;PÅSAT\n"
        "4;09-01-2015 10:00;Motalavej 84;4200;Slagelse;Brand i lejlighed;Uopmærksomhed\n"  # not arson
        "5;10-01-2015 10:00;Sydbyvej 12;4220;Korsør;Bilbrand;Påsat\n"  # even number: not in the odd range
        "6;11-01-2015 10:00;Motorvej E20;4200;Slagelse;Bilbrand;Påsat\n"  # no house number: outside
    )
    assert counts(parse(write(tmp_path, text), parse_context).frame) == {
        "motalavej": 1, "ringparken": 1, "sydbyen": 0, "skaelskoer": 0}


def test_header_only_is_a_valid_year_without_incidents(tmp_path: Path, parse_context) -> None:
    frame = parse(write(tmp_path, HEADER), parse_context).frame
    assert counts(frame) == dict.fromkeys(AREAS, 0)


def test_extra_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    text = HEADER.rstrip("\n") + ";Station\n1;07-01-2015 01:06;Ringparken 5;4200;Slagelse;Bilbrand;Påsat;Slagelse\n"
    parsed = parse(write(tmp_path, text), parse_context)
    assert counts(parsed.frame)["ringparken"] == 1 and any("Station" in w for w in parsed.warnings)


@pytest.mark.parametrize(("row", "column", "found"), [
    ("1;07-01-2016 01:06;Ringparken 5;4200;Slagelse;Bilbrand;Påsat", "Alarmtidspunkt", "uden for filens periode"),
    ("1;2015-01-07;Ringparken 5;4200;Slagelse;Bilbrand;Påsat", "Alarmtidspunkt", "ikke et tidspunkt"),
    ("1;07-01-2015 01:06;Ringparken 5;42;Slagelse;Bilbrand;Påsat", "Postnr", "ikke et postnummer"),
    (";07-01-2015 01:06;Ringparken 5;4200;Slagelse;Bilbrand;Påsat", "Hændelsesnr", "tomt hændelsesnummer"),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, row: str, column: str,
                                                     found: str) -> None:
    caught = reject(write(tmp_path, HEADER + row + "\n"), parse_context)
    assert (caught.row, caught.column) == (2, column) and found in caught.message


def test_a_repeated_incident_number_is_rejected(tmp_path: Path, parse_context) -> None:
    row = "2015-00001;07-01-2015 01:06;Ringparken 5;4200;Slagelse;Bilbrand;Påsat\n"
    with pytest.raises(DeliveryRejected, match="står også i række 2"):
        parse(write(tmp_path, HEADER + row + row), parse_context)


@pytest.mark.parametrize(("text", "encoding", "name", "found"), [
    ("", "utf-8", NAME, ""),
    (HEADER, "utf-16", NAME, ""),
    (HEADER.replace(";Brandårsag", ""), "utf-8", NAME, "Brandårsag mangler"),
    (HEADER, "utf-8", "brand_redning_2015-2016_20170205.csv", "ikke et kalenderår"),
])
def test_unreadable_lists_are_rejected(tmp_path: Path, parse_context, text: str, encoding: str, name: str,
                                       found: str) -> None:
    caught = reject(write(tmp_path, text, encoding=encoding, name=name), parse_context)
    assert caught.message.startswith(name) and found in caught.message


def test_cpr_number_is_rejected_and_never_repeated(tmp_path: Path, parse_context) -> None:
    text = HEADER + "1;07-01-2015 01:06;Ringparken 5;4200;Slagelse;Bilbrand;Påsat af 0101947551\n"
    caught = reject(write(tmp_path, text), parse_context)
    assert "CPR" in caught.message and "0101947551" not in caught.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from(["1", "2", "", "2015-00007"]),
    st.sampled_from(["07-01-2015 01:06", "31-12-2015 23:59", "01-01-2016 00:00", "x", ""]),
    st.sampled_from(["Ringparken 5", "Motalavej 84A, st. tv", "Algade", "", "Sydbyvej 13"]),
    st.sampled_from(["4200", "4220", "42", ""]),
    st.sampled_from(["Påsat", "Ukendt", ""]),
), max_size=5))
def test_parser_either_loads_or_rejects(tmp_path: Path, parse_context, rows) -> None:
    text = HEADER + "".join(f"{n};{t};{a};{p};By;Brand;{c}\n" for n, t, a, p, c in rows)
    parser_helpers.assert_frame_or_rejection(PARSER.source_system, write(tmp_path, text), parse_context,
                                             period="2015")
