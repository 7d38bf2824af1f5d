"""Shared reading rules (source_formats.md section 0): encodings, numbers, totals, area names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import DeliveryRejected
from pipelines.ingest.readers import (
    AreaResolver,
    CellKind,
    decode_delivery,
    is_note_label,
    is_total_label,
    parse_number,
    read_delimited,
)
from tests.conftest import REFERENCE_DIR


@pytest.fixture(scope="module")
def areas() -> AreaResolver:
    return AreaResolver.from_reference(REFERENCE_DIR)


def test_cp1252_and_utf8_bom_decode_to_the_same_text() -> None:
    text = "Område;Værdi\nSkælskør;34,2\n"
    assert decode_delivery(text.encode("cp1252"), "f.csv") == text
    assert decode_delivery(b"\xef\xbb\xbf" + text.encode("utf-8"), "f.csv") == text
    assert decode_delivery(text.encode("utf-8"), "f.csv") == text


@pytest.mark.parametrize("data", [b"", "Område".encode("utf-16"), b"a;b\x00\n"])
def test_empty_utf16_and_nul_files_are_rejected(data: bytes) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        decode_delivery(data, "bad.csv")
    assert caught.value.message.startswith("bad.csv")


@pytest.mark.parametrize(
    ("text", "value"),
    [("34,2", 34.2), ("1.234,5", 1234.5), ("2.480", 2480.0), ("12,5 %", 12.5), (" 55.1 ", 55.1), ("0", 0.0),
     ("11.200", 11200.0), ("72", 72.0), ("9,21%", 9.21)],
)
def test_danish_numbers(text: str, value: float) -> None:
    cell = parse_number(text)
    assert cell is not None and cell.kind is CellKind.VALUE
    assert cell.value == pytest.approx(value)


@pytest.mark.parametrize(("text", "kind"), [("..", CellKind.SUPPRESSED), (".", CellKind.SUPPRESSED),
                                             ("-", CellKind.MISSING), ("", CellKind.MISSING)])
def test_dst_markers_are_never_zero(text: str, kind: CellKind) -> None:
    cell = parse_number(text)
    assert cell is not None and cell.kind is kind and cell.value is None


@pytest.mark.parametrize("text", ["abc", "1,2,3", "3-4", "nan", "inf", "12 stk"])
def test_text_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2)))
@settings(max_examples=200, deadline=None)
def test_decimal_comma_round_trip(value: float) -> None:
    text = f"{value:.2f}".replace(".", ",")
    cell = parse_number(text)
    assert cell is not None and cell.value == pytest.approx(value)


@given(st.text(max_size=20))
@settings(max_examples=300, deadline=None)
def test_parse_number_never_crashes(text: str) -> None:
    cell = parse_number(text)
    assert cell is None or cell.kind in CellKind


@pytest.mark.parametrize("label", ["I alt", "  total ", "Boligområderne i alt", "ANSØGNINGSOMRÅDET I ALT"])
def test_total_rows(label: str) -> None:
    assert is_total_label(label)


def test_note_rows() -> None:
    assert is_note_label("Kilde: BL") and is_note_label("Anm.: data år") and not is_note_label("Motalavej")


@pytest.mark.parametrize(
    ("name", "key"),
    [("Ringparken og Schackenborgvænge", "ringparken"), ("ringparken / schackenborgvænge", "ringparken"),
     ("Parkvej og Præstevænget", "skaelskoer"), ("  SKÆLSKØR ", "skaelskoer"), ("Sydbyen (Korsør)", "sydbyen"),
     ("Særligt udsatte boligområder (gns.)", "sub_average"), ("Hele landet", "denmark"),
     ("Slagelse kommune", "slagelse_kommune"), ("Motalavej afdeling 15", "motalavej")],
)
def test_area_name_variants(areas: AreaResolver, name: str, key: str) -> None:
    assert areas.lookup(name) == key


def test_typo_area_is_rejected_with_the_known_names(areas: AreaResolver) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        areas.resolve("Ringarken", file_name="f.csv", row=4, column="Område")
    message = caught.value.message
    assert "f.csv, række 4, kolonne Område: ukendt område 'Ringarken'" in message
    assert "Ringparken og Schackenborgvænge" in message
    assert caught.value.gap_type == "unmapped_area"


def test_delimited_table_tolerates_titles_blank_lines_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("Titel\r\n\r\nÅr;Område;Værdi;\r\n2017;Motalavej;40;\r\n\r\n2017;I alt;40;\r\nKilde: politiet\r\n"
                     .encode("cp1252"))
    table = read_delimited(path, ["År", "Område", "Værdi"])
    assert [r.number for r in table.rows] == [4, 6]
    assert table.rows[0]["Område"] == "Motalavej"
    assert [(r.number, r["År"]) for r in table.notes] == [(7, "Kilde: politiet")]
    assert [r.number for r in table.preamble] == [1]


def test_missing_required_column_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("År;Område\n2017;Motalavej\n", encoding="utf-8")
    with pytest.raises(DeliveryRejected) as caught:
        read_delimited(path, ["År", "Område", "Værdi"])
    assert "kolonne Værdi" in caught.value.message and "mangler" in caught.value.message


def test_header_only_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("År;Område;Værdi\n", encoding="utf-8")
    with pytest.raises(DeliveryRejected, match="ingen datarækker"):
        read_delimited(path, ["År", "Område", "Værdi"])


def test_cpr_in_a_title_line_or_a_header_rejects_an_aggregate_file(tmp_path, parse_context) -> None:
    from pipelines.ingest.parsers.base import reject_personal_data
    from pipelines.ingest.readers import read_delimited

    for text, where in [("Udtræk for 010194-7551\nÅr;Område\n2017;Motalavej\n", "række 1, kolonne (over overskriften)"),
                        ("År;Område;0101947551\n2017;Motalavej;3\n", "kolonne overskriftsrækken")]:
        path = tmp_path / "x_2017_20180101.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DeliveryRejected) as caught:
            reject_personal_data([read_delimited(path, ["År", "Område"])])
        assert where in caught.value.message and "7551" not in caught.value.message
