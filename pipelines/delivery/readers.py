"""Reading shared by every parser: decoding, delimited and XLSX tables, numbers, area names.

Everything here follows source_formats.md, section 0 ("Tolerated messiness"): what it tolerates
never causes a rejection, and anything else raises `DeliveryRejected` naming row and column.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.delivery.aliases import active_rules, clean_cell, closest, fold, missing_column_hint
from pipelines.delivery.damaged_text import EXPECTED as DAMAGE_EXPECTED
from pipelines.delivery.damaged_text import find_damage, line_of
from pipelines.delivery.delimiters import sniff_delimiter
from pipelines.delivery.encodings import decode_single_byte
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import WORKBOOK_EXTENSIONS

if TYPE_CHECKING:
    import polars as pl

TOTAL_LABELS = frozenset({"i alt", "total", "boligområderne i alt", "ansøgningsområdet i alt"})
NOTE_PREFIXES = ("kilde", "anm")
_THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
ROW_COLUMN = "_row"
PREAMBLE_COLUMN = "(over overskriften)"
WORKBOOK_SUFFIXES = tuple(f".{extension}" for extension in WORKBOOK_EXTENSIONS)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of an Excel 97-2003 workbook
# The columns a data row holds its values in: names, or a function of the header's columns (years as columns).
ValueColumns = Sequence[str] | Callable[[list[str]], Sequence[str]] | None


def decode_delivery(data: bytes, file_name: str) -> str:
    """BOM → UTF-8; else strict UTF-8; else Windows-1252 or another detected single-byte set (encodings.py).

    Empty, UTF-16 and NUL-containing files are rejected.

    So is text damaged before it reached us (U+FFFD or mojibake where æ, ø, å were): the message names the
    first damaged line and asks for a fresh, unedited copy from the supplier.
    """
    text = _decode(data, file_name)
    damage = find_damage(text)
    if damage is not None:
        raise DeliveryRejected(file_name, damage.found, DAMAGE_EXPECTED, row=line_of(text, damage.position))
    return text


def _decode(data: bytes, file_name: str) -> str:
    if not data:
        raise DeliveryRejected(file_name, "filen er tom (0 bytes)", "en fil med en overskriftsrække og data")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise DeliveryRejected(
            file_name, "filen er UTF-16 eller indeholder NUL-tegn", "UTF-8 (med eller uden BOM) eller Windows-1252"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:  # a UTF-8 file with Windows-1252 text pasted or saved into it
            raise DeliveryRejected(
                file_name, f"filen begynder med en UTF-8-BOM, men byte {exc.start + 3} er ikke UTF-8 (blandet tegnsæt)",
                DAMAGE_EXPECTED, row=data[:exc.start + 3].count(b"\n") + 1) from exc
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        pass
    detected = decode_single_byte(data)
    if detected is not None:
        return detected[0]
    try:
        data.decode("cp1252", errors="strict")
        position = None
    except UnicodeDecodeError as exc:
        position = exc.start
    raise DeliveryRejected(
        file_name, f"tegnet på byte {position} kan ikke læses" if position is not None
        else "tegnsættet kan ikke bestemmes sikkert", "UTF-8 (med eller uden BOM) eller Windows-1252")


def is_total_label(text: str) -> bool:
    return fold(text) in TOTAL_LABELS


def is_note_label(text: str) -> bool:
    return fold(text).startswith(NOTE_PREFIXES)


class CellKind(Enum):
    VALUE = "value"
    SUPPRESSED = "suppressed"
    MISSING = "missing"


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    value: float | None = None


def parse_number(text: object) -> Cell | None:
    """Parse a Danish-formatted number. Returns None when the text is not a number at all.

    `34,2`, `1.234,5`, `2.480`, `12 %`, numeric XLSX cells (`55.1`); `.`/`..` suppressed; `-`/empty missing.
    """
    raw = clean_cell(text).replace(" ", "")
    if raw in ("", "-"):
        return Cell(CellKind.MISSING)
    if raw in (".", ".."):
        return Cell(CellKind.SUPPRESSED)
    raw = raw.removesuffix("%")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".", 1)
    elif _THOUSANDS_ONLY.match(raw):
        raw = raw.replace(".", "")
    if not _PLAIN_NUMBER.match(raw):
        return None
    return Cell(CellKind.VALUE, float(raw))


@dataclass(frozen=True)
class RawRow:
    """One data row of a delivery as text, with its 1-based line (CSV) or row (XLSX) number."""

    number: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class RawTable:
    file_name: str
    columns: list[str]
    rows: list[RawRow]
    unknown_columns: list[str]
    preamble: list[RawRow] = field(default_factory=list)  # title lines above the header, kept for the CPR scan
    notes: list[RawRow] = field(default_factory=list)  # note rows below the data, kept for the CPR scan
    sheet: str | None = None  # the workbook sheet an XLSX table was read from
    column_positions: dict[str, int] = field(default_factory=dict)  # column → 0-based position in the header

    def cell_reference(self, column: str | None, row: int | None) -> str | None:
        """`D7` for a column and row of an XLSX table; None for CSV or an unknown column."""
        if self.sheet is None or column is None or row is None or column not in self.column_positions:
            return None
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column_positions[column] + 1)}{row}"

    def to_polars(self) -> pl.DataFrame:
        """The table as strings, with the source row number in `_row`."""
        import polars as pl  # here, so that reading the reference files needs no polars

        data = {ROW_COLUMN: [r.number for r in self.rows]}
        for column in self.columns:
            data[column] = [r[column] for r in self.rows]
        return pl.DataFrame(data, schema={ROW_COLUMN: pl.Int64, **{c: pl.Utf8 for c in self.columns}})


def _numbered_rows_from_text(text: str, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    # Non-breaking spaces count as spaces in every cell (`clean_cell`): replaced once in the whole text.
    reader = csv.reader(io.StringIO(text.replace("\u00a0", " "), newline=""),
                        delimiter=delimiter or sniff_delimiter(text), quotechar='"')
    start = 1
    for cells in reader:
        yield start, [c.strip() for c in cells]
        start = reader.line_num + 1


def _numbered_rows_from_delimited(path: Path) -> Iterator[tuple[int, list[str]]]:
    """A delimited file decoded now (section 0; DeliveryRejected), its rows split as they are consumed."""
    return _numbered_rows_from_text(decode_delivery(path.read_bytes(), path.name))


def delimited_rows(path: Path) -> list[tuple[int, list[str]]]:
    """A delimited delivery decoded (section 0) and split into numbered rows of trimmed cells (`;`, `,` or tab)."""
    return list(_numbered_rows_from_delimited(path))


def _numbered_rows_from_xlsx(path: Path, sheet: str) -> Iterator[tuple[int, list[str]]]:
    import fastexcel

    # skip_rows=0: fastexcel would otherwise drop the blank rows above the first cell and shift every number.
    frame = fastexcel.read_excel(path).load_sheet_by_name(sheet, header_row=None, skip_rows=0,
                                                          dtypes="string").to_polars()
    for index, values in enumerate(frame.iter_rows(), start=1):
        cells = [_xlsx_text(v) for v in values]
        _reject_damaged_cells(path.name, sheet, index, cells)
        yield index, cells


def _reject_damaged_cells(file_name: str, sheet: str, row: int, cells: list[str]) -> None:
    """A workbook cell holding U+FFFD or mojibake rejects the file, naming sheet, row and column."""
    for position, text in enumerate(cells):
        damage = find_damage(text)
        if damage is not None:
            raise DeliveryRejected(file_name, damage.found, DAMAGE_EXPECTED, row=row,
                                   column=f"{_column_letter(position)} (ark {sheet})")


def _column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet shows it."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_MIDNIGHT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?")


def _xlsx_text(value: object) -> str:
    """A cell as text: `12.0` → `12`; a date cell → `DD-MM-ÅÅÅÅ`, as the delimited files write dates."""
    text = clean_cell(value)
    if re.fullmatch(r"-?\d+\.0", text):
        return text[:-2]
    day = _MIDNIGHT.fullmatch(text)
    return f"{day[3]}-{day[2]}-{day[1]}" if day else text


def is_workbook(path: Path) -> bool:
    """A spreadsheet (`.xlsx`, `.xls`, `.ods`), read by one reader (fastexcel, on calamine) rather than as text."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def _workbook_kind(path: Path) -> tuple[bool, str, str]:
    """(the file's bytes look like its kind, the kind's name, the expected file) for a workbook's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        with path.open("rb") as handle:
            return handle.read(8) == _OLE2_MAGIC, "XLS", "et Excel 97-2003-regneark (.xls)"
    name = "ODS" if suffix == ".ods" else "XLSX"
    expected = "et OpenDocument-regneark (.ods)" if suffix == ".ods" else "en Office Open XML-fil (.xlsx)"
    return zipfile.is_zipfile(path), name, expected


def xlsx_sheet_names(path: Path) -> list[str]:
    """Sheet names of a workbook (`.xlsx`, `.xls` or `.ods`; hidden sheets too); a corrupt one is rejected."""
    import fastexcel

    valid, kind, expected = _workbook_kind(path)
    if not valid:
        raise DeliveryRejected(path.name, f"filen er ikke en gyldig {kind}-projektmappe (beskadiget eller afkortet)",
                               expected)
    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception as exc:  # fastexcel raises its own error family for every kind of broken workbook
        raise DeliveryRejected(path.name, f"projektmappen kan ikke åbnes ({type(exc).__name__})",
                               expected) from exc


def split_trailing_notes(rows: list[RawRow], value_columns: Sequence[str]) -> tuple[list[RawRow], list[RawRow]]:
    """(data rows, note rows): the rows below the data whose value columns are all empty are notes.

    Whatever their wording ("Kilde: …", "Anm.: …", "Opdateret 3. marts", a sentence on the index scale):
    source_formats.md section 0. A row with an empty value *inside* the data stays a data row (its parser
    reads the empty cell as "not available"), so only rows after the last row with a value are notes. A
    supplier's total row (`I alt`) below them stays a data row (its parser skips it), notes above it are notes.
    """
    def has_values(row: RawRow) -> bool:
        return any(row[column] for column in value_columns)

    # The last row with values that is not a total row, searched from the end (most files have no notes).
    end = next((i + 1 for i in range(len(rows) - 1, -1, -1)
                if has_values(rows[i]) and not _is_total_row(rows[i])), 0)
    tail = rows[end:]
    return rows[:end] + [row for row in tail if has_values(row)], [row for row in tail if not has_values(row)]


def _is_total_row(row: RawRow) -> bool:
    return any(is_total_label(text) for text in row.cells.values())


def _named_cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """A row's cells under the header's names; cells beyond the header are kept (for the CPR scan) by position."""
    named = {header[i]: cells[i] if i < len(cells) else "" for i in range(len(header)) if header[i]}
    named.update({f"(kolonne {i + 1})": cells[i] for i in range(len(header), len(cells)) if cells[i]})
    return named


def _value_columns(columns: list[str], canonical: dict[str, str], value_columns: ValueColumns) -> list[str]:
    """The columns a data row holds values in; by default every column but the first."""
    if callable(value_columns):
        value_columns = value_columns(columns)
    return columns[1:] if value_columns is None else [canonical.get(fold(c), c) for c in value_columns]


def _contract_name(cell: str, canonical: dict[str, str]) -> str:
    """A header cell under the contract's name: itself, or the column the analyst aliased it to."""
    rules = active_rules()
    aliased = rules.column_of(cell) if rules is not None else None
    if aliased is not None and fold(aliased) in canonical:
        return canonical[fold(aliased)]
    return canonical.get(fold(cell), cell) if cell else cell


def _missing_column_hint(column: str, header: list[str]) -> str:
    """Closest headers and the alias line to add; a header cell that looks like a CPR number is never named."""
    from pipelines.privacy.detector import contains_cpr

    return missing_column_hint(column, [c for c in header if c and not contains_cpr(c, numeric=True)])


def _likeliest_header(rows: list[tuple[int, list[str]]], required: Sequence[str]) -> list[str]:
    """Of rows that were not recognised as the header, the one most like it (for the hint only)."""
    def likeness(cells: list[str]) -> int:
        return sum(1 for column in required if closest(column, cells, limit=1))

    return max((cells for _, cells in rows), key=likeness, default=[])


@dataclass(frozen=True)
class Header:
    """A table's header row as found by `read_header`, and what it implies for the rows below it."""

    cells: list[str]  # as written
    row: int
    names: list[str]  # each cell under its contract name ('' for an empty cell)
    canonical: dict[str, str]  # folded → contract name of every known column
    known: set[str]  # folded names of the required and optional columns
    preamble: list[RawRow]

    @property
    def columns(self) -> list[str]:
        return [c for c in self.names if c]

    @property
    def positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.names) if c}

    @property
    def unknown(self) -> list[str]:
        return [c for c, name in zip(self.cells, self.names, strict=True) if c and fold(name) not in self.known]

    def value_columns(self, value_columns: ValueColumns) -> list[str]:
        return _value_columns(self.columns, self.canonical, value_columns)


def read_header(file_name: str, rows: Iterator[tuple[int, list[str]]], required: Sequence[str],
                optional: Sequence[str] = (), *, is_header: callable | None = None) -> Header:
    """The header row: consumes `rows` up to and including it; title rows above it become the preamble.

    Header cells are matched case- and space-insensitively, or through the analyst's column aliases
    (pipelines/delivery/aliases.py). A file without one, or without a required column, is rejected.
    """
    required_folded = {fold(c): c for c in required}
    known = {fold(c) for c in (*required, *optional)}
    canonical = {fold(c): c for c in (*required, *optional)}
    preamble: list[RawRow] = []
    before_header: list[tuple[int, list[str]]] = []
    header: Header | None = None
    for number, cells in rows:
        candidate = [fold(_contract_name(c, canonical)) for c in cells]
        # A title line may be a lone column name ("Nøgletal"); a header names at least two required columns.
        found = is_header(cells) if is_header else \
            len(set(candidate) & set(required_folded)) >= min(2, len(required_folded))
        if found:
            header = Header(cells, number, [_contract_name(c, canonical) for c in cells], canonical, known, preamble)
            break
        if any(cells):
            preamble.append(RawRow(number, {PREAMBLE_COLUMN: " ".join(c for c in cells if c)}))
            before_header.append((number, cells))
    if header is None:
        likeliest = _likeliest_header(before_header, required)
        hints = "".join(_missing_column_hint(column, likeliest) for column in required
                        if fold(column) not in {fold(_contract_name(c, canonical)) for c in likeliest})
        raise DeliveryRejected(file_name, "ingen overskriftsrække fundet",
                               f"en overskriftsrække med kolonnerne {', '.join(required)}{hints}")
    present = {fold(c) for c in header.names if c}
    for folded, name in required_folded.items():
        if folded not in present:
            raise DeliveryRejected(file_name, f"kolonnen {name} mangler",
                                   f"kolonnerne {', '.join(required)}{_missing_column_hint(name, header.cells)}",
                                   row=header.row, column=name)
    return header


def require_data_rows(file_name: str, header: Header, has_rows: bool, *, allow_empty: bool) -> None:
    if not has_rows and not allow_empty:
        raise DeliveryRejected(file_name, "filen har ingen datarækker", "mindst én datarække under overskriften",
                               row=header.row)


def _table_from_rows(
    file_name: str,
    rows: Iterable[tuple[int, list[str]]],
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    is_header: callable | None = None,
    allow_empty: bool = False,
    value_columns: ValueColumns = None,
) -> RawTable:
    """Title rows above the header, blank rows anywhere and note rows below the data (`split_trailing_notes`).

    Column order never matters; unknown columns are listed, not read.
    """
    rows = iter(rows)
    header = read_header(file_name, rows, required, optional, is_header=is_header)
    names = header.names
    data = [RawRow(number, _named_cells(names, cells)) for number, cells in rows if any(cells)]
    rows_out, notes = split_trailing_notes(data, header.value_columns(value_columns))
    require_data_rows(file_name, header, bool(rows_out), allow_empty=allow_empty)
    return RawTable(file_name, header.columns, rows_out, header.unknown, header.preamble, notes=notes,
                    column_positions=header.positions)


def read_delimited(path: Path, required: Sequence[str], optional: Sequence[str] = (), *,
                   allow_empty: bool = False, value_columns: ValueColumns = None) -> RawTable:
    """A `;`-separated delivery: title rows above the header, blank rows and note rows below the data tolerated.

    `value_columns` name the columns a data row has its values in (default: every column but the first), or
    are a function of the header's columns; the rows below the data that leave them all empty are notes.
    """
    return _table_from_rows(path.name, _numbered_rows_from_delimited(path), required, optional,
                            allow_empty=allow_empty, value_columns=value_columns)


def read_xlsx_sheet(path: Path, sheet: str, required: Sequence[str], optional: Sequence[str] = (), *,
                    is_header: callable | None = None, allow_empty: bool = False,
                    value_columns: ValueColumns = None) -> RawTable:
    table = _table_from_rows(path.name, _numbered_rows_from_xlsx(path, sheet), required, optional,
                             is_header=is_header, allow_empty=allow_empty, value_columns=value_columns)
    return dataclasses.replace(table, sheet=sheet)


def read_table(path: Path, required: Sequence[str], optional: Sequence[str] = (), *, sheet: str,
               allow_empty: bool = False, value_columns: ValueColumns = None) -> RawTable:
    """A CSV delivery, or the named sheet of a workbook (a filled template) with the same columns."""
    if not is_workbook(path):
        return read_delimited(path, required, optional, allow_empty=allow_empty, value_columns=value_columns)
    sheets = xlsx_sheet_names(path)
    if sheet not in sheets:
        raise DeliveryRejected(path.name, f"arket {sheet} mangler (fandt: {', '.join(sheets) or 'ingen ark'})",
                               f"et ark med navnet {sheet}")
    return read_xlsx_sheet(path, sheet, required, optional, allow_empty=allow_empty, value_columns=value_columns)


def rows_per_sheet(path: Path) -> dict[str | None, Iterator[tuple[int, list[str]]]]:
    """A file's numbered rows of trimmed cells, per sheet in the workbook's order (None: a delimited file).

    Decoded, sniffed and rejected exactly as a parser would read it (DeliveryRejected); each sheet's rows are
    read as they are consumed.
    """
    if not is_workbook(path):
        return {None: _numbered_rows_from_delimited(path)}
    return {sheet: _numbered_rows_from_xlsx(path, sheet) for sheet in xlsx_sheet_names(path)}


def preview(path: Path, limit: int = 30) -> dict[str | None, list[list[str]]]:
    """The first `limit` non-blank rows of a file as trimmed cells, per sheet (None: a delimited file), for
    telling which source a file is from its headers and sheet names without parsing it as any one source."""
    return {sheet: list(islice((cells for _, cells in rows if any(cells)), limit))
            for sheet, rows in rows_per_sheet(path).items()}


@contextmanager
def located_in_cells(table: RawTable) -> Iterator[None]:
    """Rejections raised for a row and column of an XLSX table name the cell too (`Registrering!D7`)."""
    try:
        yield
    except DeliveryRejected as rejection:
        cell = table.cell_reference(rejection.column, rejection.row)
        if cell is not None and rejection.cell is None:
            raise rejection.in_cell(table.sheet, cell) from None
        raise


def scan_other_sheets(path: Path, sheets: Iterable[str]) -> Iterator[tuple[int, str, str]]:
    """Every non-empty cell of sheets a parser does not read, as (row, 'ark <name>', text): for the CPR scan."""
    for sheet in sheets:
        for number, cells in _numbered_rows_from_xlsx(path, sheet):
            for text in cells:
                if text:
                    yield number, f"ark {sheet}", text


def scan_text_cells(table: RawTable) -> Iterator[tuple[int, str, str]]:
    """Every non-empty cell as (row, column, text), for whole-file checks such as the CPR scan."""
    for row in (*table.preamble, *table.rows, *table.notes):
        for column, text in row.cells.items():
            if text:
                yield row.number, column, text
