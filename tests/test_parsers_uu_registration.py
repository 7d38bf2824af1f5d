"""UU status list (source_formats.md 9): pseudonyms, areas, dates inside the file's year, bad rows."""

from __future__ import annotations

from datetime import date

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, write_delivery

HEADER = "CPR;Vejnavn;Husnr;Postnr;Statusdato;Status;Uddannelse"
NAME = "uu_registration_2018_20190120.csv"


def test_statuses_are_pseudonymised_and_mapped(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        "Uddannelsesstatus pr. 31.12.2018",  # a title line above the header
        HEADER,
        "0203004234;Ringparken;12;4200;31-12-2018;I uddannelse;EUD Tømrer",
        "030399-1234;Præstevænget;3B;4230;31-12-2018;i job;",
        "030399-2234;Sydbyvej;12;4220;31-12-2018;Andet;",  # even number: the odd side only
    ])
    parsed = parse_person_file("uu_registration", path, parse_context)
    assert parsed.frame.drop("source_row").rows() == [  # `Uddannelse` (free text) is not stored
        (pseudonym("0203004234"), 2000, "ringparken", date(2018, 12, 31), "I uddannelse"),
        (pseudonym("0303991234"), 1999, "skaelskoer", date(2018, 12, 31), "I job"),
    ]
    assert parsed.warnings == [f"{NAME}: 1 personer uden for områderne udeladt (1 rækker)"]


@pytest.mark.parametrize(("row", "column"), [
    ("0203004234;Ringparken;12;4200;31-12-2019;I uddannelse;", "Statusdato"),  # outside the file's year
    ("0203004234;Ringparken;12;4200;31-12-2018;Studerende;", "Status"),
    ("02030042345;Ringparken;12;4200;31-12-2018;I job;", "CPR"),  # 11 digits
    ("0203004234;Ringparken;12;4200;31-12-2018;I uddannelse;0203004234", "Uddannelse"),
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, row])
    rejection_without_cpr("uu_registration", path, parse_context, ["0203004234", "02030042345"], row=2, column=column)
