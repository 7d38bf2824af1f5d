"""Mothers' group questionnaire (source_formats.md 16): scores, waves, and no CPR in an aggregate source."""

from __future__ import annotations

from datetime import date

import pytest

from tests.person_helpers import parse_person_file, rejection_without_cpr, write_delivery

HEADER = "Forløb_id;Område;Respondent_id;Runde;Dato;Q1;Q2;Q3"
NAME = "questionnaire_2018_20190115.csv"


def test_scores_are_means_of_answered_items(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        HEADER,
        "MG-RP-2018-1;Ringparken;R07;før;05-02-2018;2;3;2",
        "MG-RP-2018-1;Ringparken;R07;efter;30-05-2018;4;3;4",
        "MG-MV-2018-1;Motalavej afdeling 15;R01;Før;06-02-2018;5;;4",
    ])
    parsed = parse_person_file("questionnaire", path, parse_context)
    assert parsed.frame.drop("source_row").rows() == [
        ("MG-RP-2018-1", "ringparken", "R07", "før", date(2018, 2, 5), pytest.approx(7 / 3), 3),
        ("MG-RP-2018-1", "ringparken", "R07", "efter", date(2018, 5, 30), pytest.approx(11 / 3), 3),
        ("MG-MV-2018-1", "motalavej", "R01", "før", date(2018, 2, 6), 4.5, 2),
    ]


@pytest.mark.parametrize(("row", "column"), [
    ("MG-RP-2018-1;Ringparken;010194-3551;før;05-02-2018;2;3;2", "Respondent_id"),  # a CPR: personal data
    ("MG-RP-2018-1;Ringparken;R07;før;05-02-2018;2;6;2", "Q2"),
    ("MG-RP-2018-1;Ringparken;R07;midt;05-02-2018;2;3;2", "Runde"),
    ("MG-RP-2018-1;Ringparken;R07;før;05-02-2019;2;3;2", "Dato"),
    ("MG-RP-2018-1;Ringarken;R07;før;05-02-2018;2;3;2", "Område"),
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, row])
    rejection_without_cpr("questionnaire", path, parse_context, ["010194-3551"], row=2, column=column)
