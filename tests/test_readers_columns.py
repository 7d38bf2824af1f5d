"""The column-wise reader reads what the row-wise reader reads, and the fast encoding checks decide as before.

`read_delimited_columns` must give the same columns, cells, row numbers, unknown columns, title and note rows
as `read_delimited` (and the same rejections), or decline (None) a text it cannot split exactly; the sign
of a wrong character set (`looks_misread`) and the Danish-likeness score must be those of the plain regex
definitions they replaced.
"""

from __future__ import annotations

import io
import re
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.damaged_text import _MOJIBAKE, Damage, find_damage
from pipelines.delivery.encodings import danish_likeness, looks_misread
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.readers import RawTable, read_delimited
from pipelines.delivery.readers_columns import read_delimited_columns

SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "sources" / "sample" / "inbox"
REQUIRED = ("CPR", "Vejnavn", "Status")
OPTIONAL = ("Bemærkning",)


def _as_read_by_rows(path: Path, required=REQUIRED, **options) -> tuple:
    try:
        table = read_delimited(path, required, OPTIONAL, **options)
    except DeliveryRejected as rejection:
        return ("rejected", rejection.message, rejection.row, rejection.column)
    return ("read", *_shape(table))


def _as_read_by_columns(path: Path, required=REQUIRED, **options) -> tuple | None:
    try:
        table = read_delimited_columns(path, required, OPTIONAL, **options)
    except DeliveryRejected as rejection:
        return ("rejected", rejection.message, rejection.row, rejection.column)
    if table is None:
        return None
    rows = table.frame.rows(named=True)
    return ("read", table.columns, [({c: r[c] for c in table.columns}, r["_row"]) for r in rows],
            table.unknown_columns, table.preamble, table.notes, table.column_positions)


def _shape(table: RawTable) -> tuple:
    rows = [({c: row[c] for c in table.columns}, row.number) for row in table.rows]
    return table.columns, rows, table.unknown_columns, table.preamble, table.notes, table.column_positions


def assert_read_alike(path: Path, required=REQUIRED, **options) -> tuple | None:
    by_rows = _as_read_by_rows(path, required, **options)
    by_columns = _as_read_by_columns(path, required, **options)
    if by_columns is not None:
        assert by_columns == by_rows
    return by_columns


@pytest.mark.parametrize("path", sorted(SAMPLE_INBOX.glob("*/*.csv")), ids=lambda path: path.name)
def test_every_sample_csv_reads_alike(path: Path) -> None:
    header = read_delimited(path, (), allow_empty=True, value_columns=lambda columns: columns)
    required = header.columns[:3]
    outcome = assert_read_alike(path, required, allow_empty=True)
    if path.parent.name in ("kmd_opera", "novax", "school_absence", "school_readiness", "uu_registration"):
        assert outcome is not None and outcome[0] == "read"  # the person-level extracts are read column-wise


# Cells as suppliers write them: quoted, padded, empty, CPR-like, totals, notes, odd spaces (all split exactly) …
PLAIN_CELLS = ["", " ", "010101-4012", "Algade", " Algade ", '""', '"Algade"', '" x "', "I alt", "Kilde: DST",
               "\u00a0x\u00a0", "x\x1c", "\x1fy", "\u2003", "æøå", "Status", "CPR", "'", "12,5"]
# … and quoting the columns cannot split exactly: the delimiter or quotes inside a cell, a stray quote.
ODD_CELLS = ['"a;b"', 'a"b', '"a""b"', '"', '"x" ', ' "x"']


def _text_file(tmp_path: Path, title, header, rows, ends, delimiter, last_end) -> Path:
    lines = [delimiter.join(cells) for cells in (*title, header, *rows)]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    path = tmp_path / "generated.csv"
    path.write_bytes((text if last_end else text.rstrip("\r\n")).encode("utf-8"))
    return path


def _files(cells: st.SearchStrategy[str], line_ends: list[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({
        "title": st.lists(st.lists(cells, max_size=3), max_size=2),
        "header": st.permutations(["CPR", "Vejnavn", "Status", "Bemærkning", "Ukendt", ""]).map(lambda h: h[:5]),
        "rows": st.lists(st.lists(cells, max_size=7), max_size=8),
        "ends": st.lists(st.sampled_from(line_ends), min_size=1, max_size=3),
        "delimiter": st.sampled_from([";", ";", "\t"]),
        "last_end": st.booleans()})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=_files(st.sampled_from(PLAIN_CELLS), ["\n", "\r\n"]), allow_empty=st.booleans())
def test_generated_files_read_alike(tmp_path, file, allow_empty) -> None:
    """Title rows, headers in any order, blank rows, short and long rows, notes and totals below the data,
    quoted and padded cells, LF and CRLF: read column-wise, to the same table or the same rejection."""
    assert assert_read_alike(_text_file(tmp_path, **file), allow_empty=allow_empty) is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=_files(st.sampled_from(PLAIN_CELLS + ODD_CELLS), ["\n", "\r\n", "\r"]))
def test_odd_files_read_alike_or_are_declined(tmp_path, file) -> None:
    """Cells with the delimiter or quotes inside, stray quotes, lone CR line ends: the same table, or None."""
    assert_read_alike(_text_file(tmp_path, **file))


def test_quoted_empty_cells_and_crlf_are_read_column_wise(tmp_path) -> None:
    path = tmp_path / "uu.csv"
    path.write_bytes(b'Udtr\xc3\xa6k\r\nCPR;Vejnavn;Status;Ekstra\r\n010101-4012;"Algade";"";x\r\n\r\n;;;\r\n'
                     b'010101-4013; Algade ;I job;;"y"\r\nKilde: UU;;;\r\n')
    outcome = assert_read_alike(path)
    assert outcome is not None
    _, columns, rows, unknown, preamble, notes, _ = outcome
    assert columns == ["CPR", "Vejnavn", "Status", "Ekstra"] and unknown == ["Ekstra"]
    assert rows == [({"CPR": "010101-4012", "Vejnavn": "Algade", "Status": "", "Ekstra": "x"}, 3),
                    ({"CPR": "010101-4013", "Vejnavn": "Algade", "Status": "I job", "Ekstra": ""}, 6)]
    assert [row.number for row in preamble] == [1] and [row.number for row in notes] == [7]


@pytest.mark.parametrize("text", ['CPR;Vejnavn;Status\n"a\nb";x;y\n', 'CPR;Vejnavn;Status\na;"x;y";z\n',
                                  'CPR;Vejnavn;Status\ra;b;c\r', 'CPR;Vejnavn;Status\n"a"b;c;d\n'])
def test_text_the_columns_cannot_split_exactly_is_declined(tmp_path, text: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8")
    assert read_delimited_columns(path, REQUIRED) is None
    assert _as_read_by_rows(path)[0] == "read"


@pytest.mark.parametrize("text", ["", "Navn;Værdi\nx;1\n", "CPR;Vejnavn\nx;y\n", "CPR;Vejnavn;Status\n\n;;\n"])
def test_rejections_are_the_row_wise_ones(tmp_path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    outcome = assert_read_alike(path)
    assert outcome is not None and outcome[0] == "rejected"


# The definitions `looks_misread` and `danish_likeness` had as plain regexes over the whole text.
_WRONG_SET = re.compile(r"[^\W\d_][\u0080-\u00bf\u2010-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6"
                        r"\u02dc\u2122\u2020\u2021\u2030\u2022][^\W\d_]")
_FOREIGN_LETTER = re.compile("[^\\W\\d_a-zA-Zæøå" + "ÆØÅéÉüÜöÖäÄ]")


def _misread_by_regex(text: str) -> bool:
    return any(m.group()[1] not in "'’‘´`" and m.group()[1] not in "ªº" for m in _WRONG_SET.finditer(text))


def _likeness_by_regex(text: str) -> int:
    return sum(text.count(letter) for letter in "æøåÆØÅéÉüÜöÖäÄ") - len(_FOREIGN_LETTER.findall(text))


SINGLE_BYTE_TEXT = st.binary(max_size=40).flatmap(
    lambda data: st.sampled_from([data.decode(e, errors="replace") for e in ("cp1252", "mac_roman", "cp850")]))
TEXT = st.one_of(st.text(alphabet="aøµªº’›‹Š•™ ,\n-1_" + "Ã¸©", max_size=30), SINGLE_BYTE_TEXT, st.text(max_size=20))


@settings(max_examples=500, deadline=None)
@given(text=TEXT)
def test_the_wrong_set_signs_are_the_regex_ones(text: str) -> None:
    assert looks_misread(text) == _misread_by_regex(text)
    assert danish_likeness(text) == _likeness_by_regex(text)


@pytest.mark.parametrize(("text", "misread"), [("Sk›lsk›r", True), ("aµµb", True), ("a’b›c", False),
                                                ("a’b›cd", False), ("ab›c’d", True), ("Skælskør", False)])
def test_overlapping_triples_count_as_the_regex_counts_them(text: str, misread: bool) -> None:
    assert looks_misread(text) is misread is _misread_by_regex(text)


def _damage_by_regex(text: str) -> Damage | None:
    """`find_damage` as the plain regex search over the text up to the first U+FFFD."""
    lost = text.find("\ufffd")
    match = _MOJIBAKE.search(text, 0, lost if lost >= 0 else len(text))
    if match is not None:
        return Damage(match.start(), match.group(), lost_letters=False)
    return Damage(lost, "\ufffd", lost_letters=True) if lost >= 0 else None


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "ø", "Â", "Ã", "Ã©", "Ã¸", "â€", "â‚", "â", "ï»¿", "ï", "»", "¿", "€",
                                       "\ufffd", "\x80", " ", "\n"]), max_size=12).map("".join))
def test_damage_is_found_where_the_regex_finds_it(text: str) -> None:
    assert find_damage(text) == _damage_by_regex(text)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(["a;b;c", "a,b", "a\tb\tc", '"1,5";2', "", " ", "x"]), max_size=30),
       ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3), sample=st.integers(1, 12))
def test_the_delimiter_is_sniffed_from_the_first_lines_only(lines, ends, sample) -> None:
    """The sniffer reads a head of the text that holds its first SAMPLE_LINES lines, whatever their ends."""
    from pipelines.delivery import delimiters

    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    whole = list(islice(io.StringIO(text, newline=""), sample))
    assert list(islice(io.StringIO(delimiters._head(text, sample), newline=""), sample)) == whole
