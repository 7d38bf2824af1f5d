"""UPV result list (source_formats.md 13): pseudonyms, grades 8-9, is_ready, the school year of the file."""

from __future__ import annotations

from datetime import date

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, write_delivery

HEADER = "Skoleår;Elev_CPR;Klassetrin;Vejnavn;Husnr;Postnr;Vurderingsdato;Vurdering"
NAME = "school_readiness_2018-19_20190301.csv"


def test_assessments_become_is_ready(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        HEADER,
        "2018/19;0505044234;8;Ringparken;7;4200;01-12-2018;Ikke uddannelsesparat",
        "2018/19;060603-4234;9;Fjordtoften;8;4220;15-01-2019;Uddannelsesparat",
        "2018/19;060603-4244;9;Fjordtoften;9;4220;15-01-2019;Uddannelsesparat",  # odd number: even side only
    ])
    parsed = parse_person_file("school_readiness", path, parse_context)
    assert parsed.frame.drop("source_row").rows() == [
        ("2018/19", pseudonym("0505044234"), 8, "ringparken", date(2018, 12, 1), False),
        ("2018/19", pseudonym("0606034234"), 9, "sydbyen", date(2019, 1, 15), True),
    ]
    assert parsed.warnings[-1].endswith("1 personer uden for områderne udeladt (1 rækker)")


@pytest.mark.parametrize(("row", "column"), [
    ("2017/18;0505044234;8;Ringparken;7;4200;01-12-2018;Uddannelsesparat", "Skoleår"),
    ("2018/19;0505044234;7;Ringparken;7;4200;01-12-2018;Uddannelsesparat", "Klassetrin"),
    ("2018/19;0505044234;8;Ringparken;7;4200;01-12-2019;Uddannelsesparat", "Vurderingsdato"),
    ("2018/19;0505044234;8;Ringparken;7;4200;01-12-2018;Parat", "Vurdering"),
    ("2018/19;050504-423;8;Ringparken;7;4200;01-12-2018;Uddannelsesparat", "Elev_CPR"),
    ("2018/19;0505044234;0505044234;Ringparken;7;4200;01-12-2018;Uddannelsesparat", "Klassetrin"),
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, row])
    rejection_without_cpr("school_readiness", path, parse_context, ["0505044234", "050504-423"], row=2,
                          column=column)
