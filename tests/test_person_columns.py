"""The column-wise path of the person-level parsers gives what the row-wise path gives, or hands the file to it.

`PersonParser.parse` checks a well-formed file column-wise and falls back to row by row when any row fails a
check; these tests hold the two paths to the same frames, warnings and Danish messages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse import registry
from pipelines.parse._person_columns import cpr_birth_dates
from pipelines.parse._persons import NotWellFormed, PersonParser
from pipelines.privacy.cpr import birth_date, pseudonymise, pseudonymiser
from tests.person_helpers import write_delivery

SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "sources" / "sample" / "inbox"
PERSON_SOURCES = ("kmd_opera", "novax", "school_absence", "school_readiness", "uu_registration")

INSIDE = ["Motalavej;84A;4200", "motalavej ;84 a;4200", "Ringparken;12;4200", "Schackenborgvænge;5, 2. th;4200"]
OUTSIDE = ["Slotsgade;5;4200", "Motalavej;;4200", "Sydbyvej;2;4220"]
ADDRESSES = INSIDE + OUTSIDE
# source → (file name, header, {column: (valid cells, bad cells)}); the address is one cell of three columns.
FILES: dict[str, tuple[str, list[str], dict[str, tuple[list[str], list[str]]]]] = {
    "kmd_opera": ("kmd_opera_2016-2025_20260115.csv",
                  ["CPR", "Adresse", "Posttype", "Kode", "Startdato", "Slutdato", "Afgangsårsag"], {
                      "CPR": (["010194-3551", "0101943551", "120118-4329", "290200-4012"],
                              ["310299-1234", "", "01019435", "0101943551x", "１２0118-4329"]),
                      "Posttype": (["YDELSE", "ydelse", " Ydelse "], ["TILBUD", "X", ""]),
                      "Kode": (["A-dagpenge", "kontanthjælp", "SYGEDAGPENGE"], ["Virksomhedspraktik", "??"]),
                      "Startdato": (["29-04-2019", "01-01-2016", "15-06-2020", "1-1-2017"],
                                    ["31-02-2019", "2019-04-29", "01-01-2030"]),
                      "Slutdato": (["", "18-08-2020", "31-12-2025", "18-08-2020 "], ["01-01-2015", "abc"]),
                      "Afgangsårsag": (["", "Sygdom", "andet", "Selvforsørgelse  - job"], ["xx"]),
                  }),
    "novax": ("novax_2016-2025_20260110.csv",
              ["Barn_CPR", "Fødselsdato", "Adresse", "Besøgstype", "Besøgsdato", "Status"], {
                  "Barn_CPR": (["120118-4329", "1201184329", "120118-4339"], ["120119-4329", "", "1301184329x"]),
                  "Fødselsdato": (["12.01.2018"], ["13.01.2018", "12-01-2018"]),
                  "Besøgstype": (["Barselsbesøg", "graviditetsbesøg", "3-års  besøg"], ["Besøg"]),
                  "Besøgsdato": (["21.01.2018", "03.07.2018", "18.03.2017", "12.01.2018"],
                                 ["11.01.2018", "17.03.2017", "32.01.2018", "2018"]),
                  "Status": (["Gennemført", "aflyst"], ["Ja", ""]),
              }),
    "school_absence": ("school_absence_2018-19_20190815.csv",
                       ["Skoleår", "Elev_CPR", "Skole", "Klassetrin", "Adresse", "Skoledage", "Fravær sygdom",
                        "Fravær lovligt", "Fravær ulovligt"], {
                           "Skoleår": (["2018/19", "2018 / 19"], ["2017/18", ""]),
                           "Elev_CPR": (["300109-4685", "3001094685", "010110-4012"], ["300209-4685", "x"]),
                           "Skole": (["Tårnborg Skole", " Tårnborg  Skole"], ["", "Skole 010110-4012"]),
                           "Klassetrin": (["4", "0", "10", "4,0"], ["11", "4,5", "-1", ""]),
                           "Skoledage": (["200", "1", "366"], ["0", "367", "200,5", ".."]),
                           "Fravær sygdom": (["7,5", "0", "2"], ["0,3", "-1", "", "300"]),
                           "Fravær lovligt": (["2,5", "0"], ["x"]),
                           "Fravær ulovligt": (["2,5", "1.5", "0"], ["0,25"]),
                       }),
    "school_absence_dropout": ("school_absence_dropout_2019Q1_20190415.csv",
                               ["Kvartal", "Elev_CPR", "Adresse", "Skole", "Fraværsprocent"], {
                                   "Kvartal": (["2019Q1", "2019 Q1"], ["2019Q2", ""]),
                                   "Elev_CPR": (["300109-4685", "3001094685", "010110-4012"], ["300209-4685"]),
                                   "Skole": (["Tårnborg Skole"], ["", "0101104012"]),
                                   "Fraværsprocent": (["12,5", "0", "100", "15 %"], ["100,5", "-", "x"]),
                               }),
    "school_readiness": ("school_readiness_2018-19_20190301.csv",
                         ["Skoleår", "Elev_CPR", "Klassetrin", "Adresse", "Vurderingsdato", "Vurdering"], {
                             "Skoleår": (["2018/19"], ["2019/20"]),
                             "Elev_CPR": (["0505044234", "050504-4234", "010104-4012"], ["0505044234 x", ""]),
                             "Klassetrin": (["8", "9", " 9 "], ["7", ""]),
                             "Vurderingsdato": (["01-12-2018", "15-01-2019"], ["01-12-2017", "1.12.2018"]),
                             "Vurdering": (["Uddannelsesparat", "ikke  uddannelsesparat"], ["Parat"]),
                         }),
    "uu_registration": ("uu_registration_2018_20190120.csv",
                        ["CPR", "Adresse", "Statusdato", "Status", "Uddannelse"], {
                            "CPR": (["0203004234", "020300-4234", "010101-4012"], ["020300-423", "0230004234"]),
                            "Statusdato": (["31-12-2018", "01-01-2018"], ["31-12-2019", "31-12-18"]),
                            "Status": (["I uddannelse", "i  job", "ANDET"], ["Job"]),
                            "Uddannelse": (["EUD Tømrer", "", "10. klasse"], ["CPR 020300-4234"]),
                        }),
}


def _parser_and_name(path: Path) -> tuple[PersonParser, object]:
    source = next(s for s in PERSON_SOURCES if path.name.startswith(s))
    parser = registry()[source]
    name = parse_file_name(path, source, extensions=parser.extensions, file_types=parser.file_types)
    person_parser = parser.file_type_parsers[name.file_type]
    assert isinstance(person_parser, PersonParser)
    return person_parser, name


def _outcome(parse, path: Path, name, context) -> tuple:
    try:
        parsed = parse(path, name, context)
    except DeliveryRejected as rejection:
        return ("rejected", rejection.message, rejection.row, rejection.column)
    return ("parsed", parsed.frame, parsed.warnings)


def assert_same(path: Path, context, *, well_formed: bool | None = None) -> tuple:
    """`parse` gives exactly what row by row gives; the column-wise path alone takes exactly the files row by
    row accepts and hands the others over. Returns the row-wise outcome."""
    parser, name = _parser_and_name(path)
    by_rows = _outcome(parser.parse_row_by_row, path, name, context)
    chosen = _outcome(parser.parse, path, name, context)
    assert chosen[0] == by_rows[0], (chosen, by_rows)
    if by_rows[0] == "rejected":
        assert chosen == by_rows
        with pytest.raises((NotWellFormed, DeliveryRejected)):
            parser.parse_by_columns(path, name, context)
    else:
        by_columns = parser.parse_by_columns(path, name, context)  # no NotWellFormed for a file rows accept
        for other in (chosen, ("parsed", by_columns.frame, by_columns.warnings)):
            assert_frame_equal(other[1], by_rows[1])
            assert other[2] == by_rows[2]
    if well_formed is not None:
        assert (by_rows[0] == "parsed") == well_formed, by_rows[:2]
    return by_rows


def _sample_files() -> list[Path]:
    return sorted(path for source in PERSON_SOURCES for path in (SAMPLE_INBOX / source).glob("*.csv"))


def test_the_sample_has_every_person_level_file_type() -> None:
    names = [path.name for path in _sample_files()]
    assert len(names) > 40
    for source in PERSON_SOURCES:
        assert any(name.startswith(source) for name in names)
    assert any(name.startswith("school_absence_dropout") for name in names)


@pytest.mark.parametrize("path", _sample_files(), ids=lambda path: path.name)
def test_every_sample_file_parses_the_same_column_wise(path: Path, parse_context) -> None:
    outcome = assert_same(path, parse_context, well_formed=True)
    assert outcome[1].height > 0 or "dropout" in path.name


def _lines(source: str, rows: list[dict[str, str]]) -> list[str]:
    _, header, _ = FILES[source]
    title = ";".join("Vejnavn;Husnr;Postnr" if column == "Adresse" else column for column in header)
    return [title, *(";".join(row[column] for column in header) for row in rows)]


def _row(source: str, draw, *, clean: bool) -> dict[str, str]:
    cells = FILES[source][2]
    row = {column: draw(st.sampled_from(valid if clean else valid + bad)) for column, (valid, bad) in cells.items()}
    row["Adresse"] = draw(st.sampled_from(ADDRESSES))
    return row


@pytest.mark.parametrize("source", sorted(FILES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_extracts_parse_the_same_both_ways(tmp_path, parse_context, source: str, data) -> None:
    """Hyphens, duplicates, empty end dates, persons outside the areas, all outside, empty files, bad cells."""
    clean = data.draw(st.booleans(), label="clean")
    rows = [_row(source, data.draw, clean=clean) for _ in range(data.draw(st.integers(0, 6), label="rows"))]
    if rows and data.draw(st.booleans(), label="repeat a row"):
        rows.append(dict(rows[0]))
    if rows and data.draw(st.booleans(), label="all outside"):
        rows = [{**row, "Adresse": data.draw(st.sampled_from(OUTSIDE))} for row in rows]
    assert_same(write_delivery(tmp_path, FILES[source][0], _lines(source, rows)), parse_context)


def _valid_row(source: str, person: int = 0) -> dict[str, str]:
    """The first valid cell of each column; `person` 2 is another person (the third valid CPR)."""
    row = {column: valid[person if "CPR" in column else 0] for column, (valid, _) in FILES[source][2].items()}
    return {**row, "Adresse": INSIDE[0]}


# A bad cell whose rejection names another column: the code no longer fits, the birth date no longer agrees.
REPORTED_IN = {("Posttype", "TILBUD"): "Kode", ("Barn_CPR", "120119-4329"): "Fødselsdato"}
BAD_CELLS = [(source, column, bad) for source, (_, _, cells) in sorted(FILES.items())
             for column, (_, bads) in cells.items() for bad in bads]


@pytest.mark.parametrize(("source", "column", "bad"), BAD_CELLS, ids=lambda value: str(value)[:20])
def test_every_kind_of_bad_row_gets_the_row_wise_message(tmp_path, parse_context, source, column, bad) -> None:
    """Each check: a bad second row makes the column-wise path hand the file over, and the message is the one
    row by row gives, naming that row, with no CPR number in it."""
    rows = [{**_valid_row(source, person=2), "Adresse": OUTSIDE[0]}, {**_valid_row(source), column: bad}]
    path = write_delivery(tmp_path, FILES[source][0], _lines(source, rows))
    parser, name = _parser_and_name(path)
    with pytest.raises(NotWellFormed):
        parser.parse_by_columns(path, name, parse_context)
    outcome = assert_same(path, parse_context, well_formed=False)
    message = outcome[1]
    assert outcome[2] == 3 and "række 3" in message, message  # the header is line 1
    assert "står også" not in message
    assert outcome[3] == REPORTED_IN.get((column, bad), column), message
    for cpr in ("010194-3551", "0101943551", "120118-4329", "300109-4685", "0505044234", "0203004234",
                "020300-4234", "010110-4012", "0101104012"):
        assert cpr not in message


@pytest.mark.parametrize("source", ["school_absence", "school_absence_dropout"])
def test_a_pupil_twice_gets_the_row_wise_message(tmp_path, parse_context, source) -> None:
    good = _valid_row(source)
    path = write_delivery(tmp_path, FILES[source][0], _lines(source, [good, {**good, "Adresse": OUTSIDE[0]}]))
    outcome = assert_same(path, parse_context, well_formed=False)
    assert "står også i række 2" in outcome[1] and outcome[2] == 3


def test_kmd_opera_tilbud_with_an_exit_reason_gets_the_row_wise_message(tmp_path, parse_context) -> None:
    rows = [_valid_row("kmd_opera"), {**_valid_row("kmd_opera"), "Posttype": "TILBUD", "Kode": "Nytteindsats",
                                      "Afgangsårsag": "Sygdom"}]
    outcome = assert_same(write_delivery(tmp_path, FILES["kmd_opera"][0], _lines("kmd_opera", rows)),
                          parse_context, well_formed=False)
    assert "en afgangsårsag på et tilbud" in outcome[1] and outcome[2] == 3


def test_end_tie_ranks_are_the_row_wise_ones(tmp_path, parse_context) -> None:
    """Rows of one person ending the same day, in any order, open periods, tilbud rows between them."""
    base = {**_valid_row("kmd_opera"), "Slutdato": "18-08-2020"}
    rows = [
        {**base, "Afgangsårsag": "Sygdom"},
        {**base, "Afgangsårsag": "", "Adresse": "Ringparken;12;4200"},
        {**base, "Afgangsårsag": "andet", "Adresse": "Ringparken;3;4200"},
        {**base, "Afgangsårsag": "Andet", "Adresse": "ringparken ;3;4200"},
        {**base, "Slutdato": ""},
        {**base, "Slutdato": "", "Afgangsårsag": "Sygdom"},
        {**base, "Posttype": "TILBUD", "Kode": "Nytteindsats", "Afgangsårsag": ""},
        {**base, "CPR": "120118-4329"},
    ]
    outcome = assert_same(write_delivery(tmp_path, FILES["kmd_opera"][0], _lines("kmd_opera", rows)),
                          parse_context, well_formed=True)
    assert outcome[1]["end_tie_rank"].to_list() == [3, 1, 2, 2, 1, 2, None, 1]


@settings(deadline=None)
@given(cpr=st.from_regex(r"\A[0-9]{6}-?[0-9]{4}\Z"), key=st.binary(min_size=1, max_size=100))
def test_the_pseudonymiser_is_pseudonymise(cpr: str, key: bytes) -> None:
    assert pseudonymiser(key)(cpr) == pseudonymise(cpr, key)


@settings(deadline=None)
@given(texts=st.lists(st.one_of(st.from_regex(r"\A[0-9]{6}-?[0-9]{4}\Z"), st.text(max_size=12)), max_size=20))
def test_cpr_birth_dates_are_birth_date(texts: list[str]) -> None:
    """The column-wise CPR check (shape, real date, century rule) states the dates `birth_date` states."""
    texts = [text.strip() for text in texts]  # the reader trims every cell
    assert cpr_birth_dates(pl.Series(texts, dtype=pl.Utf8)).to_list() == [birth_date(text) for text in texts]


def test_cpr_birth_dates_follow_the_century_rule() -> None:
    texts = ["010137-4000", "010136-4000", "010158-5000", "010157-8000", "290200-3000", "290200-4000", "290201-4000"]
    assert cpr_birth_dates(pl.Series(texts)).to_list() == [
        date(1937, 1, 1), date(2036, 1, 1), date(1858, 1, 1), date(2057, 1, 1), None, date(2000, 2, 29),
        None]


@pytest.mark.parametrize(("visit_date", "well_formed"), [("18.03.2017", True), ("17.03.2017", False)])
def test_a_pregnancy_visit_at_most_300_days_before_birth(tmp_path, parse_context, visit_date, well_formed) -> None:
    row = {**_valid_row("novax"), "Besøgstype": "Graviditetsbesøg", "Besøgsdato": visit_date}
    assert_same(write_delivery(tmp_path, FILES["novax"][0], _lines("novax", [row])), parse_context,
                well_formed=well_formed)


def test_unknown_columns_and_cells_beyond_the_header(tmp_path, parse_context) -> None:
    header, row = _lines("uu_registration", [_valid_row("uu_registration")])
    lines = [f"{header};Bemærkning", f"{row};", f"{row.replace('0203004234', '0101014012')};noget;mere"]
    outcome = assert_same(write_delivery(tmp_path, FILES["uu_registration"][0], lines), parse_context,
                          well_formed=True)
    assert outcome[1].height == 2
    assert outcome[2] == [f"{FILES['uu_registration'][0]}: ukendt kolonne 'Bemærkning' ignoreret"]
