"""Properties every parser has on every sample file (source_formats.md section 0, issue 9).

- Title rows above the header, blank rows anywhere and note rows below the data, in any wording, change
  nothing: the parsed frame equals the original's (row numbers aside).
- A row with an unknown area and a value is rejected as `unmapped_area`, naming its row.
- A file whose æ, ø and å were lost (U+FFFD) or turned into mojibake (`Ã¸`) is rejected, naming the first
  damaged row and asking for a fresh, unedited copy.

Parsers are called directly (no flow); the committed sample is the one `make demo` loads.
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.readers import fold
from pipelines.flows.delivery_step import parse_context
from pipelines.parse import registry
from pipelines.parse.base import ParseContext
from tests import parser_helpers
from tests.conftest import REFERENCE_DIR
from tests.delivery_files import Delivery, Rows, read_delivery, sample_files

SAMPLES = sample_files()
SAMPLE_IDS = [path.name for _, path in SAMPLES]
ROW_NUMBER_COLUMNS = ("source_row", "_row")  # where a row sits in the file changes with inserted rows
UNKNOWN_AREA = "Ringarken"  # the documents' own typo (001): unknown names are rejected, never guessed


@functools.cache
def context() -> ParseContext:
    return parse_context(REFERENCE_DIR)


def parse_frame(source_system: str, path: Path) -> pl.DataFrame:
    frame = parser_helpers.parse(source_system, path, context()).frame
    return frame.drop([c for c in ROW_NUMBER_COLUMNS if c in frame.columns])


MAX_ROWS = 200  # per sheet; the person-level extracts are cut to their first rows and their last few


@functools.cache
def original_frame(source_system: str, path: Path) -> pl.DataFrame:
    return parse_frame(source_system, path)


class Originals:
    """Each sample delivery, shortened to MAX_ROWS and written back once, with its parsed frame."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._parsed: dict[Path, tuple[Delivery, pl.DataFrame]] = {}

    def get(self, source_system: str, path: Path) -> tuple[Delivery, pl.DataFrame]:
        if path not in self._parsed:
            delivery = read_delivery(path).shortened(MAX_ROWS)
            written = delivery.write(self.folder / source_system)
            self._parsed[path] = delivery, parse_frame(source_system, written)
        return self._parsed[path]


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> Originals:
    return Originals(tmp_path_factory.mktemp("originals"))


def test_the_committed_sample_is_what_the_writers_produce(tmp_path: Path) -> None:
    """`make sample` was run after the last change to a writer, so these tests see the demo's files."""
    from pipelines.sample import generate

    generate(tmp_path)
    fresh = {p.relative_to(tmp_path / "inbox"): p.read_bytes() for p in (tmp_path / "inbox").rglob("*") if p.is_file()}
    committed = {path.relative_to(path.parents[1]): path.read_bytes() for _, path in SAMPLES}
    assert sorted(fresh) == sorted(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []


# --- titles, blank rows and notes -------------------------------------------------------------------------------

DANISH_WORDS = ["Kilde:", "Anm.:", "Note:", "Opdateret", "3.", "marts", "Tallene", "er", "foreløbige", "indekset",
                "går", "fra", "0", "til", "100", "hvor", "højere", "betyder", "større", "tryghed", "Danmarks",
                "Statistik", "særudtræk", "for", "boligområderne", "beboere", "pr.", "1.", "januar", "Særligt",
                "udsatte", "Sydsjællands", "og", "Lolland-Falsters", "Politi", "Motalavej", "I alt", "–", "(", ")",
                "%", "..", "-", "bemærk", "at", "Skælskør", "ændret", "opgørelsesmetode", "fortroligt", "åbent"]
DANISH_LETTERS = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅé"
HEADER_WORDS = {"område"}  # a lone `Område` in the first cell is a header (BL workbooks); a title never is one
danish_text = st.lists(
    st.one_of(st.sampled_from(DANISH_WORDS), st.text(alphabet=DANISH_LETTERS, min_size=1, max_size=12),
              st.integers(0, 9999).map(str)),
    min_size=1, max_size=9,
).map(" ".join).filter(lambda text: fold(text) not in HEADER_WORDS)


@st.composite
def messiness(draw) -> tuple[list[str], list[float], list[str | None]]:
    """(title rows, relative positions of blank rows, note rows below the data; None = a blank among them).

    Every example has at least one of each, so that even a handful of examples per file tests all three.
    """
    titles = draw(st.lists(danish_text, min_size=1, max_size=3))
    blanks = draw(st.lists(st.floats(0, 1), min_size=1, max_size=4))
    notes = [*draw(st.lists(st.one_of(danish_text, st.none()), max_size=3)), draw(danish_text)]
    return titles, blanks, notes


def with_messiness(rows: Rows, titles: list[str], blanks: list[float], notes: list[str | None]) -> Rows:
    width = max((len(row) for row in rows), default=1)

    def line(text: str | None) -> list[object]:
        return [text, *[None] * (width - 1)] if text else [None] * width

    out = [line(title) for title in titles] + rows
    for position in sorted(blanks, reverse=True):
        out.insert(round(position * len(out)), line(None))
    return out + [line(note) for note in notes]


@pytest.mark.parametrize(("source_system", "path"), SAMPLES, ids=SAMPLE_IDS)
@given(mess=messiness())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
def test_titles_blank_rows_and_notes_change_nothing(tmp_path: Path, originals: Originals, source_system: str,
                                                    path: Path, mess) -> None:
    delivery, original = originals.get(source_system, path)
    edited = delivery.edited(lambda rows: with_messiness(rows, *mess)).write(tmp_path / "edited")
    frame = parse_frame(source_system, edited)
    assert frame.equals(original), (mess, frame, original)


SMALL_SAMPLES = [(s, p) for s, p in SAMPLES if p.stat().st_size <= 50_000]  # every aggregate sample


@pytest.mark.parametrize(("source_system", "path"), SMALL_SAMPLES, ids=[p.name for _, p in SMALL_SAMPLES])
def test_rewriting_an_unedited_sample_changes_nothing(tmp_path: Path, source_system: str, path: Path) -> None:
    """The round trip the property test relies on: read as rows, write back, parse the same frame."""
    rewritten = read_delivery(path).write(tmp_path)
    assert parse_frame(source_system, rewritten).equals(original_frame(source_system, path))


# --- unknown areas ------------------------------------------------------------------------------------------------

FIRST_SAMPLE = {source_system: path for source_system, path in reversed(SAMPLES)}  # one file per source
AREA_BY_AFDELING = {"fraflytning_admin"}  # the area comes from the afdeling number (afdelinger.csv)
AREA_BY_ADDRESS = {"brand_redning"}  # the area comes from the address; other addresses are simply outside
# (so do the person-level sources, `aggregate = False`: an address outside every area is outside the programme)


def _first_area_cell(delivery: Delivery, source_system: str) -> tuple[str, int, int]:
    """(sheet, row index, column index) of the first cell naming an area (or, by afdeling, the afdeling)."""
    for sheet, rows in delivery.sheets.items():
        header_column = None
        for index, row in enumerate(rows):
            texts = ["" if cell is None else str(cell) for cell in row]
            if source_system in AREA_BY_AFDELING:
                if header_column is not None:
                    return sheet, index, header_column
                header_column = texts.index("Afdeling") if "Afdeling" in texts else None
                continue
            for column, text in enumerate(texts):
                if text and context().areas.lookup(text) is not None:
                    return sheet, index, column
    raise AssertionError(f"{delivery.name}: no area cell found")


def _replaced(rows: Rows, index: int, column: int, value: str) -> Rows:
    rows[index] = [value if position == column else cell for position, cell in enumerate(rows[index])]
    return rows


NAMED_AREA_SOURCES = sorted(s for s in FIRST_SAMPLE if registry()[s].aggregate and s not in AREA_BY_ADDRESS)


@pytest.mark.parametrize("source_system", NAMED_AREA_SOURCES)
def test_a_row_with_an_unknown_area_and_a_value_is_rejected(tmp_path: Path, source_system: str) -> None:
    delivery = read_delivery(FIRST_SAMPLE[source_system])
    sheet, index, column = _first_area_cell(delivery, source_system)
    unknown = "99" if source_system in AREA_BY_AFDELING else UNKNOWN_AREA
    edited = Delivery(delivery.name, {**delivery.sheets, sheet: _replaced(delivery.sheets[sheet], index, column,
                                                                          unknown)}, delivery.encoding,
                      delivery.line_end).write(tmp_path)
    caught = parser_helpers.rejection(source_system, edited, context())
    assert (caught.row, caught.gap_type) == (index + 1, "unmapped_area"), caught.message
    assert f"'{unknown}'" in caught.found and caught.message.startswith(delivery.name)


def test_an_address_outside_every_area_is_ignored_not_rejected(tmp_path: Path) -> None:
    """brand_redning names no area: an alarm at an address outside the programme is outside, not an error."""
    path = FIRST_SAMPLE["brand_redning"]
    delivery = read_delivery(path)
    header = next(i for i, row in enumerate(delivery.sheets[""]) if row[:1] == ["Hændelsesnr"])

    def elsewhere(rows: Rows) -> Rows:
        return [row if i <= header or len(row) < 3 else [*row[:2], "Ringarken 1", *row[3:]]
                for i, row in enumerate(rows)]

    frame = parse_frame("brand_redning", delivery.edited(elsewhere).write(tmp_path))
    assert frame["value"].to_list() == [0.0] * 4 and sorted(frame["area_key"]) == [
        "motalavej", "ringparken", "skaelskoer", "sydbyen"]
    assert original_frame("brand_redning", path)["value"].sum() > 0


# --- damaged text -------------------------------------------------------------------------------------------------

DANISH_LETTERS_ONLY = "æøåÆØÅ"


def _mojibake(text: str) -> str:
    """UTF-8 text read as Windows-1252 (as an editor does with the wrong character set)."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _lost_letters(text: str) -> str:
    return "".join("\ufffd" if c in DANISH_LETTERS_ONLY else c for c in text)


def _damaged(delivery: Delivery, damage) -> Delivery:
    return delivery.edited(lambda rows: [[damage(c) if isinstance(c, str) else c for c in row] for row in rows])


def _first_row_with(delivery: Delivery, characters) -> int:
    rows = next(iter(delivery.sheets.values()))  # the first sheet is one the parser reads, in every sample
    return next(index + 1 for index, row in enumerate(rows)
                if any(isinstance(c, str) and any(characters(ch) for ch in c) for c in row))


@pytest.mark.parametrize("source_system", sorted(FIRST_SAMPLE))
@pytest.mark.parametrize(("damage", "damaged_character", "shown"), [
    (_mojibake, lambda ch: ord(ch) > 127, "Ã"),
    (_lost_letters, lambda ch: ch in DANISH_LETTERS_ONLY, "\ufffd"),
], ids=["mojibake", "lost_letters"])
def test_a_damaged_file_is_rejected_at_its_first_damaged_row(tmp_path: Path, source_system: str, damage,
                                                             damaged_character, shown: str) -> None:
    delivery = read_delivery(FIRST_SAMPLE[source_system]).shortened(MAX_ROWS)
    path = _damaged(delivery, damage).write(tmp_path, encoding="utf-8")
    caught = parser_helpers.rejection(source_system, path, context())
    assert caught.row == _first_row_with(delivery, damaged_character), caught.message
    assert shown in caught.found and "frisk, uredigeret download/eksport" in caught.expected
