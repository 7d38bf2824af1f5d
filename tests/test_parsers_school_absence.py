"""Pupil absence per school year and the quarterly dropout list (source_formats.md 11-12)."""

from __future__ import annotations

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, write_delivery

HEADER = "Skoleår;Elev_CPR;Skole;Klassetrin;Vejnavn;Husnr;Postnr;Skoledage;Fravær sygdom;Fravær lovligt;Fravær ulovligt"
NAME = "school_absence_2018-19_20190815.csv"
DROPOUT_HEADER = "Kvartal;Elev_CPR;Vejnavn;Husnr;Postnr;Skole;Fraværsprocent"
DROPOUT_NAME = "school_absence_dropout_2018Q1_20180415.csv"


def test_pupil_years_with_half_days(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        HEADER,
        "2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;200;7,5;2,5;2,5",  # the spec's example
        "2018/19;010203-4001;Nymarkskolen;10;Ringparken;120;4200;198;0;0;12",
        "2018/19;010203-4011;Nymarkskolen;10;Ringparken;121;4200;198;0;0;1",  # past the range: outside
    ], encoding="utf-8-sig")
    parsed = parse_person_file("school_absence", path, parse_context)
    assert parsed.table == "school_absence"
    assert parsed.frame.drop("source_row").rows() == [
        ("2018/19", pseudonym("3001094685"), "motalavej", 200, 7.5, 2.5, 2.5),  # no school, grade, birth year
        ("2018/19", pseudonym("0102034001"), "ringparken", 198, 0.0, 0.0, 12.0),
    ]
    assert parsed.warnings == [f"{NAME}: 1 personer uden for områderne udeladt (1 rækker)"]


def test_dropout_list(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, DROPOUT_NAME, [
        DROPOUT_HEADER,
        "2018Q1;300109-4685;Motalavej;34;4200;Tårnborg Skole;23,5",
        "2018Q1;010203-4001;Parkvej;12;4230;Skælskør Skole;15",  # Parkvej: odd side only
    ])
    parsed = parse_person_file("school_absence", path, parse_context)
    assert parsed.table == "school_absence_dropout"
    assert parsed.frame.drop("source_row").rows() == [
        ("2018Q1", pseudonym("3001094685"), "motalavej")]  # no school, no absence %


@pytest.mark.parametrize(("row", "column"), [
    ("2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;200;7,25;2,5;2,5", "Fravær sygdom"),  # not a half day
    ("2018/19;300109-4685;Tårnborg Skole;11;Motalavej;34;4200;200;7,5;2,5;2,5", "Klassetrin"),
    ("2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;0;0;0;0", "Skoledage"),
    ("2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;200;-1;2,5;2,5", "Fravær sygdom"),
    ("2019/20;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;200;7,5;2,5;2,5", "Skoleår"),
    ("2018/19;300109-4685;300109-4685;4;Motalavej;34;4200;200;7,5;2,5;2,5", "Skole"),
    ("2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;300109-4685;7,5;2,5;2,5", "Skoledage"),
    ("2018/19;010203-4001;Tårnborg Skole;4;Motalavej;34;4200;200;7,5;2,5;2,5", "Elev_CPR"),  # twice
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, "2018/19;010203-4001;Tårnborg Skole;4;Motalavej;34;4200;200;1;1;1",
                                           row])
    rejection_without_cpr("school_absence", path, parse_context, ["300109-4685", "010203-4001"], row=3,
                          column=column)


def test_a_dropout_row_of_another_quarter(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, DROPOUT_NAME, [DROPOUT_HEADER,
                                                   "2018Q2;300109-4685;Motalavej;34;4200;Tårnborg Skole;23,5"])
    rejection_without_cpr("school_absence", path, parse_context, ["300109-4685"], row=2, column="Kvartal")
