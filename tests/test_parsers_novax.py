"""Novax visit extract (source_formats.md 10): child pseudonyms, birth year and month only, age at visit."""

from __future__ import annotations

from datetime import date

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, visit_key, write_delivery

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
    child, other = pseudonym("1201182329"), pseudonym("0506164012")
    assert parsed.frame.drop("source_row").rows() == [
        (child, 2018, "motalavej", "Barselsbesøg", visit_key(child, "Barselsbesøg", "2018-01-21"), date(2018, 1, 1),
         "Gennemført"),
        (child, 2018, "motalavej", "Ekstra behovsbesøg 6 mdr", visit_key(child, "Ekstra behovsbesøg 6 mdr",
                                                                         "2018-07-03"), date(2018, 7, 1), "Gennemført"),
        (other, 2016, "ringparken", "Graviditetsbesøg", visit_key(other, "Graviditetsbesøg", "2016-04-01"),
         date(2016, 4, 1), "Udeblevet"),
    ]
    # no birth date, visit date or age at the visit: together they gave the child's birth date
    assert parsed.frame.columns == ["child_id", "birth_year", "area_key", "visit_type", "visit_key", "visit_quarter",
                                    "visit_status", "source_row"]
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
