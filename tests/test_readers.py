"""Shared reading rules (source_formats.md section 0): encodings, numbers, totals, area names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.delivery.aliases import AreaResolver
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.readers import (
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
    from pipelines.delivery.readers import read_delimited
    from pipelines.parse.base import reject_personal_data

    for text, where in [("Udtræk for 010194-7551\nÅr;Område\n2017;Motalavej\n", "række 1, kolonne (over overskriften)"),
                        ("År;Område;0101947551\n2017;Motalavej;3\n", "kolonne overskriftsrækken")]:
        path = tmp_path / "x_2017_20180101.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DeliveryRejected) as caught:
            reject_personal_data([read_delimited(path, ["År", "Område"])])
        assert where in caught.value.message and "7551" not in caught.value.message


NOTES_IN_ANY_WORDING = ["Kilde: Danmarks Statistik", "Anm.: foreløbige tal", "Opdateret 3. marts 2020",
                        "Indekset går fra 0 til 100, hvor 100 er den højeste tryghed.", "Motalavej", "2017"]


@pytest.mark.parametrize("note", NOTES_IN_ANY_WORDING)
def test_a_row_below_the_data_with_empty_value_columns_is_a_note_in_csv(tmp_path: Path, note: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"År;Område;Værdi;Kilde\n2017;Sydbyen;;\n2017;Motalavej;40;\n2017;I alt;40;\n\n{note};;;\n"
                    f"{note};Ringarken;;politiet\n", encoding="utf-8")
    table = read_delimited(path, ["År", "Område", "Værdi"], ["Kilde"], value_columns=["Værdi"])
    assert [r.number for r in table.rows] == [2, 3, 4]  # Sydbyen's empty value inside the data stays a data row
    assert [(r.number, r["År"]) for r in table.notes] == [(6, note), (7, note)]


@pytest.mark.parametrize("note", NOTES_IN_ANY_WORDING)
def test_a_row_below_the_data_with_empty_value_columns_is_a_note_in_xlsx(tmp_path: Path, note: str) -> None:
    from pipelines.delivery.readers import read_xlsx_sheet
    from pipelines.sample._xlsx import write_workbook

    path = write_workbook(tmp_path / "x.xlsx", {"Ark": [[], ["Titel"], ["Område", "Indeks", "Værdi"],
                                                        ["Motalavej", "Samlet indeks", 60], [], [note],
                                                        [None, note, None]]})
    table = read_xlsx_sheet(path, "Ark", ["Område", "Indeks", "Værdi"], value_columns=["Værdi"])
    assert [(r.number, r["Område"]) for r in table.rows] == [(4, "Motalavej")]  # true sheet rows, blank row 1 kept
    assert [r.number for r in table.notes] == [6, 7] and [r.number for r in table.preamble] == [2]


def test_a_note_above_the_suppliers_total_row_is_a_note_too(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("År;Område;Værdi\n2017;Motalavej;40\nOpdateret 3. marts\n\n2017;I alt;40\nTallene er endelige\n",
                    encoding="utf-8")
    table = read_delimited(path, ["År", "Område", "Værdi"], value_columns=["Værdi"])
    assert [r.number for r in table.rows] == [2, 5] and [r.number for r in table.notes] == [3, 6]


def test_by_default_every_column_but_the_first_is_a_value_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Hændelsesnr;Adresse\n1;Motalavej 1\nUdtrukket 05-02-2015\n2;\n", encoding="utf-8")
    table = read_delimited(path, ["Hændelsesnr", "Adresse"])
    assert [r.number for r in table.rows] == [2] and [r.number for r in table.notes] == [3, 4]


def test_only_notes_under_the_header_is_no_data(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("År;Område;Værdi\nKilde: politiet\n", encoding="utf-8")
    with pytest.raises(DeliveryRejected, match="ingen datarækker"):
        read_delimited(path, ["År", "Område", "Værdi"], value_columns=["Værdi"])


@pytest.mark.parametrize("text", ["År;Område;Værdi\n2017;Motalavej;4\nKilde: opgjort af 010194-7551\n",
                                  "År;Område;Værdi\n2017;Motalavej;4;;0101947551\n"])
def test_cpr_in_a_note_or_beyond_the_header_rejects_an_aggregate_file(tmp_path: Path, text: str) -> None:
    from pipelines.parse.base import reject_personal_data

    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeliveryRejected, match="CPR") as caught:
        reject_personal_data([read_delimited(path, ["År", "Område", "Værdi"], value_columns=["Værdi"])])
    assert "7551" not in caught.value.message


def _utf8_read_as_cp1252(text: str) -> str:
    return text.encode("utf-8").decode("cp1252")


@pytest.mark.parametrize(("line", "shown"), [
    ("2017;Sk\ufffdlsk\ufffdr;40", "\ufffd"),
    (_utf8_read_as_cp1252("2017;Skælskør;40"), "Ã¦"),
    (_utf8_read_as_cp1252("2017;Østerbro;40"), "Ã˜"),
    (_utf8_read_as_cp1252("2017;Motalavej;40 – foreløbigt"), "â€"),
    (_utf8_read_as_cp1252("2017;Motalavej;40;\ufeffnote"), "ï»¿"),
])
def test_damaged_letters_reject_the_file_at_the_first_damaged_line(line: str, shown: str) -> None:
    text = "Titel\r\nÅr;Område;Værdi\r\n2017;Motalavej;41\r\n" + line + "\r\n" + _utf8_read_as_cp1252("Kilde: ø\r\n")
    with pytest.raises(DeliveryRejected) as caught:
        decode_delivery(text.encode("utf-8"), "dst.csv")
    assert caught.value.row == 4 and shown in caught.value.found
    assert caught.value.message.startswith("dst.csv, række 4: ")
    assert "bed leverandøren om en frisk, uredigeret download/eksport" in caught.value.expected


def test_utf8_read_as_cp1252_and_saved_as_cp1252_is_the_original_file() -> None:
    """The harmless round trip: the bytes come back unchanged, so the file loads as the supplier sent it."""
    original = "OMRÅDE;INDHOLD\r\nSkælskør;20,1\r\n".encode()
    resaved = original.decode("cp1252").encode("cp1252")
    assert decode_delivery(resaved, "f.csv") == "OMRÅDE;INDHOLD\r\nSkælskør;20,1\r\n"


def test_a_damaged_workbook_cell_names_sheet_row_and_column(tmp_path: Path) -> None:
    from pipelines.delivery.readers import read_xlsx_sheet
    from pipelines.sample._xlsx import write_workbook

    path = write_workbook(tmp_path / "x.xlsx", {"Ark": [["Område", "Værdi"], ["Motalavej", 1],
                                                        ["Motalavej", 2, None, _utf8_read_as_cp1252("Bemærk")]]})
    with pytest.raises(DeliveryRejected) as caught:
        read_xlsx_sheet(path, "Ark", ["Område", "Værdi"])
    assert (caught.value.row, caught.value.column) == (3, "D (ark Ark)") and "Ã¦" in caught.value.found


danish_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåÆØÅéü ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:-–()%\"'\n",
                      max_size=40)


@given(danish_text)
@settings(max_examples=300, deadline=None)
def test_clean_danish_text_is_never_taken_for_damage(text: str) -> None:
    from pipelines.delivery.damaged_text import find_damage

    assert find_damage(text) is None
    if "–" not in text:  # cp1252 `Å–` happens to be valid UTF-8; strict UTF-8 goes first (section 0)
        assert decode_delivery(text.encode("cp1252") or b" ", "f.csv") == (text or " ")
    assert decode_delivery(text.encode("utf-8") or b" ", "f.csv") == (text or " ")


@given(danish_text.filter(lambda t: any(ord(c) > 127 for c in t)))
@settings(max_examples=300, deadline=None)
def test_any_non_ascii_letter_read_the_wrong_way_is_found(text: str) -> None:
    from pipelines.delivery.damaged_text import find_damage

    damage = find_damage(_utf8_read_as_cp1252(text))
    first = next(i for i, c in enumerate(text) if ord(c) > 127)
    assert damage is not None and damage.position == len(_utf8_read_as_cp1252(text[:first]))


def test_a_bom_file_with_windows_1252_bytes_is_rejected_at_that_line() -> None:
    data = b"\xef\xbb\xbf" + "År;Område\n2017;Motalavej\n".encode() + "2017;Skælskør\n".encode("cp1252")
    with pytest.raises(DeliveryRejected) as caught:
        decode_delivery(data, "f.csv")
    assert caught.value.row == 3 and "blandet tegnsæt" in caught.value.found
    assert "frisk, uredigeret" in caught.value.expected
