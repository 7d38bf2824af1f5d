"""A rejection of a person-level file names file, row, column and what was expected, never a cell's value.

Any cell of a person-level file may hold personal data: a CPR number typed into a Status cell, a CPR
column read by a spreadsheet as `101871467.0`, a name and an address in a free-text column.
"""

from __future__ import annotations

import pytest

from pipelines.delivery.errors import DeliveryRejected
from pipelines.privacy.detector import contains_cpr
from tests.person_helpers import parse_person_file, write_delivery

# (source, file name, header, a valid row, the columns to spoil)
SOURCES = [
    ("kmd_opera", "kmd_opera_2016-2025_20260115.csv",
     "CPR;Vejnavn;Husnr;Postnr;Posttype;Kode;Startdato;Slutdato;Afgangsårsag",
     "010194-3551;Motalavej;84A;4200;YDELSE;A-dagpenge;29-04-2019;18-08-2020;Selvforsørgelse - job",
     ["CPR", "Posttype", "Kode", "Startdato", "Afgangsårsag"]),
    ("novax", "novax_2016-2025_20260110.csv",
     "Barn_CPR;Fødselsdato;Vejnavn;Husnr;Postnr;Besøgstype;Besøgsdato;Status",
     "1201182329;12.01.2018;Motalavej;96;4200;Barselsbesøg;21.01.2018;Gennemført",
     ["Barn_CPR", "Fødselsdato", "Besøgstype", "Besøgsdato", "Status"]),
    ("school_absence", "school_absence_2018-19_20190815.csv",
     "Skoleår;Elev_CPR;Skole;Klassetrin;Vejnavn;Husnr;Postnr;Skoledage;Fravær sygdom;Fravær lovligt;Fravær ulovligt",
     "2018/19;010203-4001;Tårnborg Skole;4;Motalavej;34;4200;200;1;1;1",
     ["Skoleår", "Elev_CPR", "Klassetrin", "Skoledage", "Fravær sygdom"]),
    ("school_absence", "school_absence_dropout_2018Q1_20180415.csv",
     "Kvartal;Elev_CPR;Vejnavn;Husnr;Postnr;Skole;Fraværsprocent",
     "2018Q1;300109-4685;Motalavej;34;4200;Tårnborg Skole;23,5",
     ["Kvartal", "Elev_CPR", "Fraværsprocent"]),
    ("uu_registration", "uu_registration_2018_20190120.csv",
     "CPR;Vejnavn;Husnr;Postnr;Statusdato;Status;Uddannelse",
     "0203004234;Ringparken;12;4200;31-12-2018;I uddannelse;EUD Tømrer",
     ["CPR", "Statusdato", "Status"]),
    ("school_readiness", "school_readiness_2018-19_20190301.csv",
     "Skoleår;Elev_CPR;Klassetrin;Vejnavn;Husnr;Postnr;Vurderingsdato;Vurdering",
     "2018/19;0505044234;8;Ringparken;7;4200;01-12-2018;Ikke uddannelsesparat",
     ["Skoleår", "Elev_CPR", "Klassetrin", "Vurderingsdato", "Vurdering"]),
    ("questionnaire", "questionnaire_2018_20190115.csv",
     "Forløb_id;Område;Respondent_id;Runde;Dato;Q1;Q2;Q3",
     "MG-RP-2018-1;Ringparken;R07;før;05-02-2018;2;3;2",
     ["Runde", "Dato", "Q2"]),
]
# Personal data in a cell: a CPR read as a number, in scientific notation, with an en dash, a name and address.
BAD_VALUES = ["101871467.0", "1.01871467E8", "010187\u20131467", "Jens Hansen, Nørregade 12"]
CASES = [(source, name, header, row, column, value)
         for source, name, header, row, columns in SOURCES for column in columns for value in BAD_VALUES]


@pytest.mark.parametrize(("source", "name", "header", "row", "column", "value"), CASES,
                         ids=[f"{c[1].split('_20')[0]}-{c[4]}-{c[5][:6]}" for c in CASES])
def test_a_spoilt_cell_is_named_and_its_value_is_not_quoted(tmp_path, parse_context, source: str, name: str,
                                                            header: str, row: str, column: str, value: str) -> None:
    cells = row.split(";")
    cells[header.split(";").index(column)] = value
    path = write_delivery(tmp_path, name, [header, ";".join(cells)])
    with pytest.raises(DeliveryRejected) as caught:
        parse_person_file(source, path, parse_context)
    message = caught.value.message
    assert (caught.value.row, caught.value.column) == (2, column), message
    assert message.startswith(f"{name}, række 2, kolonne {column}: "), message
    assert not contains_cpr(message, numeric=True), message
    for fragment in ("101871467", "1467", "Jens", "Nørregade", value):
        assert fragment not in message, message
