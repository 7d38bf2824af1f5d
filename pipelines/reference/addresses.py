"""Where a delivered row belongs: an address or a housing unit (afdeling) → area key (source_formats.md 0.1).

`area_addresses.csv` maps street, house-number range with parity and postcode to an area; addresses that
match no row are outside the programme and are ignored, never an error. `afdelinger.csv` maps a
(boligorganisation, afdeling) pair to an area; there an unknown pair is the parser's business to reject.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ADDRESSES_FILE = "area_addresses.csv"
AFDELINGER_FILE = "afdelinger.csv"
_HOUSE_NUMBER = re.compile(r"^\s*(\d+)")
# "<vejnavn> <husnr>[<letter>][, etage/dør]": the street is everything before the first number that is
# followed only by a letter, a comma part or nothing.
_STREET_ADDRESS = re.compile(r"^\s*(?P<street>\D*?\S)\s+(?P<number>\d+\s*[A-Za-zÆØÅæøå]?)\s*(?:,.*)?$")


def house_number(text: str) -> int | None:
    """The numeric part of a house number: `12A` → 12, `12, st. tv` → 12, `` → None."""
    match = _HOUSE_NUMBER.match(text or "")
    return int(match[1]) if match else None


def split_street_address(text: str) -> tuple[str, str] | None:
    """`Schackenborgvænge 5, 2. th` → (`Schackenborgvænge`, `5`); None when there is no house number."""
    match = _STREET_ADDRESS.match(text or "")
    return (match["street"], match["number"]) if match else None


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _read_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return [{k.strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text), delimiter=";")]


@dataclass(frozen=True)
class AddressRange:
    street: str
    first: int
    last: int
    side: str  # alle | lige | ulige
    postcode: str
    area_key: str

    def covers(self, number: int) -> bool:
        if not self.first <= number <= self.last:
            return False
        return self.side == "alle" or (number % 2 == 0) == (self.side == "lige")


class AddressBook:
    """Street ranges of the programme's areas, looked up by (street, postcode)."""

    def __init__(self, ranges: list[AddressRange]) -> None:
        self._by_street: dict[tuple[str, str], list[AddressRange]] = {}
        for address_range in ranges:
            self._by_street.setdefault((_fold(address_range.street), address_range.postcode), []).append(address_range)
        self.area_keys = sorted({r.area_key for r in ranges})

    @classmethod
    def from_reference(cls, reference_dir: Path) -> AddressBook:
        return _address_book(reference_dir / ADDRESSES_FILE)

    def area_of(self, street: str, number_text: str, postcode: str) -> str | None:
        """The area an address lies in, or None when it is outside the programme."""
        number = house_number(number_text)
        if number is None:
            return None
        for address_range in self._by_street.get((_fold(street), (postcode or "").strip()), []):
            if address_range.covers(number):
                return address_range.area_key
        return None


@cache
def _address_book(path: Path) -> AddressBook:
    return AddressBook([
        AddressRange(row["vejnavn"], int(row["husnr_fra"]), int(row["husnr_til"]), row["side"], row["postnr"],
                     row["area_key"])
        for row in _read_rows(path)
    ])


@dataclass(frozen=True)
class Afdeling:
    organisation: str
    number: str
    name: str
    area_key: str
    dwellings: int


class AfdelingRegister:
    """The housing units of the programme, keyed by (boligorganisation, afdeling), case-insensitive."""

    def __init__(self, afdelinger: list[Afdeling]) -> None:
        self.afdelinger = afdelinger
        self._by_key = {(_fold(a.organisation), _fold(a.number)): a for a in afdelinger}
        self.known = [f"{a.organisation} afd. {a.number}" for a in afdelinger]

    @classmethod
    def from_reference(cls, reference_dir: Path) -> AfdelingRegister:
        return _afdeling_register(reference_dir / AFDELINGER_FILE)

    def lookup(self, organisation: str, number: str) -> Afdeling | None:
        return self._by_key.get((_fold(organisation), _fold(number)))


@cache
def _afdeling_register(path: Path) -> AfdelingRegister:
    return AfdelingRegister([
        Afdeling(row["boligorganisation"], row["afdeling"], row["afdelingsnavn"], row["area_key"],
                 int(row["boliger"]))
        for row in _read_rows(path)
    ])
