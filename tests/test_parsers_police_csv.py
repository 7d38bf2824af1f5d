"""What the two police CSV extracts share (`År;Område;…`): every way such a file can be wrong, per source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.base import OBSERVATION_SCHEMA
from tests.parser_helpers import assert_frame_or_rejection, parse


@dataclass(frozen=True)
class CsvSource:
    source_system: str
    header: str
    value_prefix: str  # what stands between Område and the number in a data row

    def row(self, year: object, area: str, value: object) -> str:
        return f"{year};{area};{self.value_prefix}{value}"

    def write(self, folder: Path, lines: list[str], *, encoding: str = "cp1252", period: str = "2018") -> Path:
        path = folder / f"{self.source_system}_{period}_20190301.csv"
        path.write_bytes("\r\n".join(lines).encode(encoding))
        return path

    def parse(self, path: Path, context):
        return parse(self.source_system, path, context)


SOURCES = [
    CsvSource("police_haervaerk", "År;Område;Anmeldelser af hærværk", ""),
    CsvSource("police_crime_statistics", "År;Område;Indikator;Værdi", "domme_15_25;"),
]


@pytest.fixture(params=SOURCES, ids=lambda s: s.source_system)
def source(request) -> CsvSource:
    return request.param


def rejection(source: CsvSource, path: Path, context) -> DeliveryRejected:
    with pytest.raises(DeliveryRejected) as caught:
        source.parse(path, context)
    assert caught.value.message.startswith(path.name)
    return caught.value


def test_a_tidy_file_with_total_note_and_blank_rows_parses(tmp_path: Path, parse_context, source: CsvSource) -> None:
    lines = ["Udtræk fra POLSAS", "", source.header, source.row(2018, "Motalavej", 12),
             source.row(2018, "Parkvej og Præstevænget", "."), source.row(2018, "Sydbyen", "-"), "",
             source.row(2018, "I alt", 12), "Kilde: Rigspolitiet;;"]
    frame = source.parse(source.write(tmp_path, lines), parse_context).frame
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    assert frame.select("area_key", "value", "suppressed", "period").rows() == [
        ("motalavej", 12.0, False, "2018"), ("skaelskoer", None, True, "2018")]


def test_utf16_is_rejected(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = source.write(tmp_path, [source.header, source.row(2018, "Motalavej", 1)], encoding="utf-16")
    assert "UTF-16" in rejection(source, path, parse_context).found


def test_missing_required_column_is_rejected(tmp_path: Path, parse_context, source: CsvSource) -> None:
    header = source.header.rsplit(";", 1)[0]
    path = source.write(tmp_path, [header, "2018;Motalavej"])
    caught = rejection(source, path, parse_context)
    assert caught.found == f"kolonnen {source.header.rsplit(';', 1)[1]} mangler"


def test_extra_unknown_column_is_accepted_with_a_warning(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = source.write(tmp_path, [source.header + ";Bemærkning", source.row(2018, "Motalavej", 3) + ";foreløbigt"])
    parsed = source.parse(path, parse_context)
    assert parsed.frame["value"].to_list() == [3.0]
    assert parsed.warnings == [f"{path.name}: ukendt kolonne 'Bemærkning' ignoreret"]


def test_unknown_area_is_rejected_listing_the_known_names(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = source.write(tmp_path, [source.header, source.row(2018, "Ringarken", 3)])
    caught = rejection(source, path, parse_context)
    assert (caught.row, caught.column, caught.gap_type) == (2, "Område", "unmapped_area")
    assert "Ringparken/Schackenborgvænge" in caught.expected and "Motalavej afdeling 15" in caught.expected


def test_empty_file_is_rejected(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = tmp_path / f"{source.source_system}_2018_20190301.csv"
    path.write_bytes(b"")
    assert "0 bytes" in rejection(source, path, parse_context).found


@pytest.mark.parametrize("body", [[], ["2018;I alt;;0", "Kilde: Rigspolitiet"]], ids=["header-only", "totals-only"])
def test_file_without_data_rows_is_rejected(tmp_path: Path, parse_context, source: CsvSource, body) -> None:
    path = source.write(tmp_path, [source.header, *body])
    assert "datarække" in rejection(source, path, parse_context).message


@pytest.mark.parametrize(("value", "found"), [("-4", "negativ værdi -4"), ("mange", "'mange' er ikke et tal"),
                                              ("2,5", "'2,5' er ikke et helt tal")])
def test_bad_counts_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, source: CsvSource,
                                                       value: str, found: str) -> None:
    path = source.write(tmp_path, [source.header, source.row(2018, "Motalavej", 1), source.row(2018, "Sydbyen", value)])
    caught = rejection(source, path, parse_context)
    assert caught.row == 3 and caught.found == found
    assert caught.column == source.header.rsplit(";", 1)[1]


@pytest.mark.parametrize(("year", "found"), [(2017, "perioden 2017 ligger uden for filens periode 2018"),
                                             ("18", "'18' er ikke et årstal")])
def test_year_outside_the_file_period_is_rejected(tmp_path: Path, parse_context, source: CsvSource, year,
                                                  found: str) -> None:
    path = source.write(tmp_path, [source.header, source.row(year, "Motalavej", 1)])
    caught = rejection(source, path, parse_context)
    assert (caught.row, caught.column, caught.found) == (2, "År", found)


def test_cpr_number_is_rejected_without_quoting_it(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = source.write(tmp_path, [source.header, source.row(2018, "Motalavej 010194-7551", 1)])
    caught = rejection(source, path, parse_context)
    assert "CPR" in caught.found
    assert "7551" not in caught.message and "010194" not in caught.message


def test_the_same_area_twice_is_rejected(tmp_path: Path, parse_context, source: CsvSource) -> None:
    path = source.write(tmp_path, [source.header, source.row(2018, "Motalavej", 1), source.row(2018, "motalavej", 2)])
    caught = rejection(source, path, parse_context)
    assert caught.row == 3 and "står også i række 2" in caught.found


printable = st.characters(min_codepoint=9, max_codepoint=0x2FF, exclude_categories=("Cs",))
cells = st.one_of(st.text(alphabet=printable, max_size=10),
                  st.sampled_from(["2018", "2017", "..", "-", ".", "34,2", "1.234", "Motalavej", "I alt", "Kilde: x",
                                   "domme_15_25", "tilbagefald_15_25_pct", "Ringparken", "-3", ""]))


@given(st.sampled_from(SOURCES), st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6),
       st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes(tmp_path: Path, parse_context, source: CsvSource, rows, encoding: str) -> None:
    lines = [source.header, *(";".join(row) for row in rows)]
    try:
        path = source.write(tmp_path, lines, encoding=encoding)
    except UnicodeEncodeError:
        return
    assert_frame_or_rejection(source.source_system, path, parse_context, period="2018")


@given(st.sampled_from(SOURCES), st.binary(max_size=200), st.integers(0, 60))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes_on_mutated_bytes(tmp_path: Path, parse_context, source: CsvSource, noise: bytes,
                                               at: int) -> None:
    good = "\r\n".join([source.header, source.row(2018, "Motalavej", 12), source.row(2018, "I alt", 12)])
    data = good.encode("cp1252")
    path = tmp_path / f"{source.source_system}_2018_20190301.csv"
    path.write_bytes(data[:at] + noise + data[at:])
    assert_frame_or_rejection(source.source_system, path, parse_context, period="2018")
