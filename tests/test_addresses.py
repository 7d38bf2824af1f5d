"""Address → area (area_addresses.csv) and afdeling → area (afdelinger.csv)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.reference.addresses import AddressBook, AfdelingRegister, house_number, split_street_address
from tests.conftest import REFERENCE_DIR


@pytest.fixture(scope="module")
def book() -> AddressBook:
    return AddressBook.from_reference(REFERENCE_DIR)


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("12A", 12), ("12, st. tv", 12), (" 7 b", 7), ("", None),
                                              ("st. tv", None)])
def test_house_number_is_the_leading_number(text: str, number: int | None) -> None:
    assert house_number(text) == number


@pytest.mark.parametrize(("text", "parts"), [
    ("Schackenborgvænge 5", ("Schackenborgvænge", "5")),
    ("Motalavej 84A, st. tv", ("Motalavej", "84A")),
    ("H.C. Andersens Boulevard 12, 2. th", ("H.C. Andersens Boulevard", "12")),
    ("Motorvej E20", None),
    ("", None),
])
def test_split_street_address(text: str, parts: tuple[str, str] | None) -> None:
    assert split_street_address(text) == parts


@pytest.mark.parametrize(("street", "number", "postcode", "area"), [
    ("Motalavej", "84A", "4200", "motalavej"),
    ("  motalavej ", "12, st. tv", "4200", "motalavej"),  # case and spaces do not matter
    ("Motalavej", "84", "4220", None),  # another postcode: another Motalavej
    ("Sydbyvej", "11", "4220", "sydbyen"),
    ("Sydbyvej", "12", "4220", None),  # odd side only
    ("Fjordtoften", "12", "4220", "sydbyen"),
    ("Præstevænget", "3", "4230", "skaelskoer"),  # a spelling variant is its own row
    ("Ringparken", "121", "4200", None),  # past the range
    ("Algade", "8", "4220", None),
    ("Motalavej", "", "4200", None),
])
def test_area_of_an_address(book: AddressBook, street: str, number: str, postcode: str, area: str | None) -> None:
    assert book.area_of(street, number, postcode) == area


@given(street=st.sampled_from(["Motalavej", "Ringparken", "Sydbyvej", "Fjordtoften", "Parkvej", "Algade"]),
       number=st.integers(min_value=0, max_value=400), suffix=st.sampled_from(["", "A", ", 1. tv", " B"]),
       postcode=st.sampled_from(["4200", "4220", "4230", "1234", ""]))
def test_lookup_is_total_and_only_matches_in_range_with_parity(street: str, number: int, suffix: str,
                                                                postcode: str) -> None:
    book = AddressBook.from_reference(REFERENCE_DIR)
    area = book.area_of(street, f"{number}{suffix}", postcode)
    assert area is None or area in book.area_keys
    if street == "Sydbyvej" and number % 2 == 0:
        assert area is None
    if street == "Algade" or postcode in ("1234", ""):
        assert area is None
    parts = split_street_address(f"{street} {number}{suffix}")
    assert parts is not None and parts[0] == street and house_number(parts[1]) == number


def test_afdeling_register_knows_the_seed_afdelinger() -> None:
    register = AfdelingRegister.from_reference(REFERENCE_DIR)
    assert register.lookup("Slagelse Boligselskab", "15").area_key == "motalavej"
    assert {register.lookup("skælskør boligselskab", n).area_key for n in ("9", "10", "11")} == {"skaelskoer"}
    assert register.lookup("FOB Slagelse", "15") is None


@pytest.mark.parametrize(("street", "number", "postcode", "area"), [
    ("Ringparken", "120, st. tv", "4200", "ringparken"),  # the last number of the range, with a floor
    ("Ringparken", "121A", "4200", None),  # a letter does not move the number into the range
    ("Ringparken", "1", "4200", "ringparken"),  # the first number
    ("Ringparken", "0", "4200", None),
    ("Sydbyvej", "11B", "4220", "sydbyen"),  # odd side, with a letter
    ("Sydbyvej", "12A, 1. th", "4220", None),  # even: the other side of the street
    ("Fjordtoften", "13", "4220", None),  # even side only
    ("Parkvej", "39", "4230", "skaelskoer"),
    ("Parkvej", "41", "4230", None),
    ("Præstevangen", "3", "4200", None),  # postcode mismatch
    ("Præstevangen", "3", "", None),  # no postcode
    ("RINGPARKEN", "12 a", "4200", "ringparken"),  # case, and a letter after a space
    ("Nørregade", "3", "4230", None),  # unknown street: outside
    ("", "3", "4200", None),
])
def test_person_addresses_with_letters_floors_and_parity(book: AddressBook, street: str, number: str, postcode: str,
                                                         area: str | None) -> None:
    assert book.area_of(street, number, postcode) == area


def test_person_rows_count_who_lives_outside(tmp_path) -> None:
    """Persons outside the areas are dropped and counted once each, however many rows they have."""
    from datetime import date

    from pipelines.delivery.filenames import parse_file_name
    from pipelines.delivery.readers import RawRow, RawTable
    from pipelines.parse._persons import PersonRows

    rows = [RawRow(n, {"Vejnavn": street, "Husnr": number, "Postnr": postcode})
            for n, (street, number, postcode) in enumerate(
                [("Motalavej", "84A", "4200"), ("Algade", "3", "4200"), ("Algade", "5", "4200"),
                 ("Nørregade", "1", "4230")], start=2)]
    table = RawTable("kmd_opera_2016-2025_20260115.csv", ["Vejnavn", "Husnr", "Postnr"], rows, [])
    name = parse_file_name(tmp_path / table.file_name, "kmd_opera", extensions=("csv",))
    persons = PersonRows(table, name, REFERENCE_DIR)
    areas = [persons.area(row, person) for row, person in zip(rows, ["p1", "p2", "p2", "p3"], strict=True)]
    assert areas == ["motalavej", None, None, None]
    assert persons.warnings() == [f"{table.file_name}: 2 personer uden for områderne udeladt (3 rækker)"]
    assert name.first_day == date(2016, 1, 1)
