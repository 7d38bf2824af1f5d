"""KMD Opera extract (source_formats.md 8): pseudonyms, birth years, areas at Startdato, open periods, bad rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.person_helpers import parse_person_file, pseudonym, rejection_without_cpr, write_delivery

HEADER = "CPR;Vejnavn;Husnr;Postnr;Posttype;Kode;Startdato;Slutdato;Afgangsårsag"
NAME = "kmd_opera_2016-2025_20260115.csv"


def test_periods_are_pseudonymised_and_mapped_to_areas(tmp_path, parse_context) -> None:
    path = write_delivery(tmp_path, NAME, [
        HEADER,
        "010194-3551;Motalavej;84A;4200;YDELSE;A-dagpenge;29-04-2019;18-08-2020;Selvforsørgelse - job",
        "0101943551;Motalavej;84, st. tv;4200;TILBUD;Virksomhedspraktik;02-05-2020;01-08-2020;",
        "150605-4321;Ringparken;12;4200;YDELSE;uddannelseshjælp;01-01-2015;;",  # open, from before the range
        "020290-1234;Algade;3;4200;YDELSE;Kontanthjælp;01-01-2018;31-03-2018;Andet",  # outside the areas
        "020290-1234;Motalavej;84;4220;YDELSE;Kontanthjælp;01-04-2018;30-06-2018;Andet",  # another postcode
    ], encoding="cp1252")
    parsed = parse_person_file("kmd_opera", path, parse_context)
    frame = parsed.frame
    assert frame.height == 3 and parsed.table == "kmd_opera"
    assert frame["person_id"].to_list() == [pseudonym("0101943551")] * 2 + [pseudonym("1506054321")]
    assert frame["birth_year"].to_list() == [1994, 1994, 2005]
    assert frame["area_key"].to_list() == ["motalavej", "motalavej", "ringparken"]
    assert frame["code"].to_list() == ["A-dagpenge", "Virksomhedspraktik", "Uddannelseshjælp"]
    assert frame["end_date"].to_list() == [date(2020, 8, 18), date(2020, 8, 1), None]
    assert frame["exit_reason"].to_list() == ["Selvforsørgelse - job", None, None]
    assert frame["source_row"].to_list() == [2, 3, 4]
    assert parsed.warnings == [f"{NAME}: 1 personer uden for områderne udeladt (2 rækker)"]
    assert not {"CPR", "Vejnavn", "Husnr"} & set(frame.columns)


@pytest.mark.parametrize(("row", "column"), [
    ("310298-3551;Motalavej;84;4200;YDELSE;A-dagpenge;29-04-2019;;", "CPR"),  # 31 February
    ("010194-3551;Motalavej;84;4200;YDELSE;A-dagpenge;010194-3551;;", "Startdato"),  # the CPR in a date column
    ("010194-3551;Motalavej;84;4200;YDELSE;Løntilskud privat;29-04-2019;;", "Kode"),  # an offer as a benefit
    ("010194-3551;Motalavej;84;4200;YDELSE;A-dagpenge;29-04-2019;28-04-2019;", "Slutdato"),
    ("010194-3551;Motalavej;84;4200;TILBUD;Nytteindsats;29-04-2019;;Andet", "Afgangsårsag"),
    ("010194-3551;Motalavej;84;4200;YDELSE;A-dagpenge;01-01-2013;31-12-2015;", "Startdato"),  # before the range
    ("010194-3551;Motalavej;84;4200;ANDET;A-dagpenge;29-04-2019;;", "Posttype"),
])
def test_a_bad_row_is_named_but_no_cpr_is_quoted(tmp_path, parse_context, row: str, column: str) -> None:
    path = write_delivery(tmp_path, NAME, [HEADER, "020290-1234;Ringparken;3;4200;YDELSE;Sygedagpenge;01-01-2018;;",
                                           row])
    rejection_without_cpr("kmd_opera", path, parse_context, ["010194-3551", "310298-3551", "020290-1234"], row=3,
                          column=column)


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_rows_ending_the_same_day_are_ranked_by_exit_reason_and_address(tmp_path, parse_context) -> None:
    """Section 8's tie order (Afgangsårsag, Vejnavn, Husnr, Postnr), whatever the rows' order in the file."""
    rows = [
        "010194-3551;Motalavej;84;4200;YDELSE;Kontanthjælp;01-01-2019;30-06-2019;Selvforsørgelse - uddannelse",
        "010194-3551;Ringparken;12;4200;YDELSE;A-dagpenge;01-02-2019;30-06-2019;Selvforsørgelse - job",
        "010194-3551;Motalavej;84;4200;YDELSE;Sygedagpenge;01-03-2019;30-06-2019;Selvforsørgelse - job",
        "010194-3551;MOTALAVEJ; 84 ;4200;YDELSE;Ledighedsydelse;01-04-2019;30-06-2019;Selvforsørgelse - job",
        "010194-3551;Motalavej;84;4200;YDELSE;Kontanthjælp;01-07-2019;31-12-2019;",  # alone on its day
        "010194-3551;Motalavej;84;4200;TILBUD;Virksomhedspraktik;01-02-2019;30-06-2019;",  # not a benefit
        "150605-4321;Ringparken;12;4200;YDELSE;Kontanthjælp;01-01-2019;30-06-2019;Andet",  # another person
    ]
    ranks = {}
    for order, lines in (("file", rows), ("reversed", rows[::-1])):
        frame = parse_person_file("kmd_opera", write_delivery(folder(tmp_path / order), NAME, [HEADER, *lines]),
                                  parse_context).frame
        ranks[order] = {(person_id == pseudonym("0101943551"), code, start.month): rank for person_id, code, start, rank
                        in frame.select("person_id", "code", "start_date", "end_tie_rank").iter_rows()}
    assert ranks["file"] == ranks["reversed"] == {
        (True, "Sygedagpenge", 3): 1, (True, "Ledighedsydelse", 4): 1,  # the same address, written otherwise
        (True, "A-dagpenge", 2): 2,  # Motalavej before Ringparken
        (True, "Kontanthjælp", 1): 3,  # Selvforsørgelse - job before - uddannelse
        (True, "Kontanthjælp", 7): 1, (True, "Virksomhedspraktik", 2): None, (False, "Kontanthjælp", 1): 1,
    }
