"""Novax visit extract (source_formats.md 10): child pseudonyms, birth year and month only, age at visit."""

from __future__ import annotations

from datetime import date

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, write_delivery

HEADER = "Barn_CPR;Fødselsdato;Vejnavn;Husnr;Postnr;Besøgstype;Besøgsdato;Status"
NAME = "novax_2016-2025_20260110.csv"


def test_visits_keep_no_birth_date(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        HEADER,
        "1201182329;12.01.2018;Motalavej;96;4200;Barselsbesøg;21.01.2018;Gennemført",  # the spec's example
        "1201182329;12.01.2018;Motalavej;96;4200;Ekstra behovsbesøg 6 mdr;03.07.2018;Gennemført",
        "050616-4012;05.06.2016;Schackenborgvænge;5, 2. th;4200;Graviditetsbesøg;01.04.2016;Udeblevet",
        "050616-4022;05.06.2016;Slotsgade;5;4200;Barselsbesøg;12.06.2016;Gennemført",  # outside
    ], encoding="utf-8-sig")
    parsed = parse_person_file("novax", path, parse_context)
    assert parsed.frame.drop("source_row").rows() == [
        (pseudonym("1201182329"), 2018, 1, "motalavej", "Barselsbesøg", date(2018, 1, 21), 9, "Gennemført"),
        (pseudonym("1201182329"), 2018, 1, "motalavej", "Ekstra behovsbesøg 6 mdr", date(2018, 7, 3), 172,
         "Gennemført"),
        (pseudonym("0506164012"), 2016, 6, "ringparken", "Graviditetsbesøg", date(2016, 4, 1), -65, "Udeblevet"),
    ]
    assert "birth_date" not in parsed.frame.columns
    assert parsed.warnings == [f"{NAME}: 1 personer uden for områderne udeladt (1 rækker)"]


@pytest.mark.parametrize(("row", "column"), [
    ("1201182329;13.01.2018;Motalavej;96;4200;Barselsbesøg;21.01.2018;Gennemført", "Fødselsdato"),
    ("1201182329;12.01.2018;Motalavej;96;4200;Barselsbesøg;01.01.2018;Gennemført", "Besøgsdato"),  # before birth
    ("1201182329;12.01.2018;Motalavej;96;4200;Barselsbesøg;1201182329;Gennemført", "Besøgsdato"),
    ("1201182329;12.01.2018;Motalavej;96;4200;Hjemmebesøg;21.01.2018;Gennemført", "Besøgstype"),
    ("1201182329;12.01.2018;Motalavej;96;4200;Barselsbesøg;21.01.2018;Planlagt", "Status"),
    ("3002182329;30.02.2018;Motalavej;96;4200;Barselsbesøg;21.03.2018;Gennemført", "Barn_CPR"),
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, row])
    rejection_without_cpr("novax", path, parse_context, ["1201182329", "3002182329"], row=2, column=column)
