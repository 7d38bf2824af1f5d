"""Adding a source is one checklist (docs/adding_a_source.md): every parser has every item of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.catalog.delivery_calendar import read_delivery_calendar
from pipelines.parse import parser_modules, registry
from pipelines.parse.base import SourceParser, Yields
from pipelines.sample import writers
from pipelines.source_names import SOURCE_NAMES_DA
from pipelines.transform.selection import raw_table_sources

ROOT = Path(__file__).resolve().parents[1]
CHECKLIST = ROOT / "docs" / "adding_a_source.md"
CALENDAR = ROOT / "sources" / "reference" / "delivery_calendar.csv"


def tables(parser: SourceParser) -> list[str]:
    """The raw tables a source loads: its own observation table, or each of its row tables."""
    return list(parser.raw_tables) if parser.yields is Yields.ROWS else [parser.source_system]


def _parser_module(parser: SourceParser) -> list[str]:
    return [] if parser.source_system in parser_modules() else [f"pipelines/parse/{parser.source_system}.py"]


def _sample(parser: SourceParser) -> list[str]:
    return [] if parser.source_system in writers() else [f"pipelines/sample/{parser.source_system}.py: write"]


def _parser_tests(parser: SourceParser) -> list[str]:
    named = re.compile(rf"\b{parser.source_system}\b")
    files = sorted((ROOT / "tests").glob("test_parsers_*.py"))
    return [] if any(named.search(f.read_text(encoding="utf-8")) for f in files) else ["tests/test_parsers_*.py"]


def _gx_suites(parser: SourceParser) -> list[str]:
    return [f"expectations/{t}.json" for t in tables(parser) if not (ROOT / "expectations" / f"{t}.json").is_file()]


def _staging(parser: SourceParser) -> list[str]:
    folder = ROOT / "dbt_project" / "models" / "staging" / parser.source_system
    missing = [] if (folder / f"_{parser.source_system}__sources.yml").is_file() else [f"{folder.name}/_…__sources.yml"]
    missing += [f"raw.{t} in a dbt source" for t in tables(parser) if t not in raw_table_sources()]
    models = sorted(folder.glob(f"stg_{parser.source_system}__*.sql"))
    missing += [] if models else [f"staging/{parser.source_system}/stg_{parser.source_system}__*.sql"]
    missing += [f"{m.with_suffix('.yml').name}" for m in models if not m.with_suffix(".yml").is_file()]
    return missing


def _calendar(parser: SourceParser) -> list[str]:
    rows = {row["source_system"]: row for row in read_delivery_calendar(CALENDAR).to_dicts()}
    row = rows.get(parser.source_system)
    if row is None:
        return [f"a row in {CALENDAR.name}"]
    needed = ["supplier", "frequency", "deadline_rule"]
    if parser.yields is not Yields.BASELINES:  # the board's baseline decisions have no deadline or cadence
        needed += ["deadline_months", "deadline_days", "expected_every_months", "publication_lag_months"]
    return [f"{CALENDAR.name}: {column}" for column in needed if row[column] in (None, "")]


def _danish_name(parser: SourceParser) -> list[str]:
    return [] if parser.source_system in SOURCE_NAMES_DA else ["SOURCE_NAMES_DA"]


def _docs_row(parser: SourceParser) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Supported deliveries", 1)[1].split("\n## ", 1)[0]
    return [] if f"`{parser.source_system}`" in section else ["README.md, Supported deliveries"]


def _person_columns_documented(parser: SourceParser) -> list[str]:
    doc = (ROOT / "docs" / "privacy.d" / "30-internal-tables.md").read_text(encoding="utf-8")
    return [f"raw.{t} in 30-internal-tables.md" for t in parser.raw_tables if f"| `raw.{t}` |" not in doc]


ITEMS: dict[int, Callable[[SourceParser], list[str]]] = {
    1: _parser_module, 2: _sample, 3: _parser_tests, 4: _gx_suites, 5: _staging, 6: _calendar, 7: _danish_name,
    8: _docs_row, 9: _person_columns_documented,
}


def test_the_checklist_in_the_docs_is_the_one_checked() -> None:
    numbered = re.findall(r"^(\d+)\. \*\*", CHECKLIST.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert [int(n) for n in numbered] == sorted(ITEMS)


@pytest.mark.parametrize("source", sorted(registry()))
def test_every_source_has_every_checklist_item(source: str) -> None:
    parser = registry()[source]
    missing = {number: found for number, check in ITEMS.items() if (found := check(parser))}
    assert missing == {}, f"{source} lacks items of docs/adding_a_source.md: {missing}"


def test_a_source_without_its_items_is_caught() -> None:
    class Newcomer(SourceParser):
        source_system = "newcomer_survey"
        extensions = ("csv",)
        file_types = ()
        yields = Yields.ROWS
        raw_tables = {"newcomer_survey": {"area_key": str}}  # noqa: RUF012
        carries_cpr = False
        area_figures = "counts"
        indicators = {}  # noqa: RUF012
        headers = {None: ("Område",)}  # noqa: RUF012
        sheets = ()

        def parse(self, path, name, context):
            raise NotImplementedError

    missing = {number: found for number, check in ITEMS.items() if (found := check(Newcomer()))}
    assert sorted(missing) == sorted(ITEMS)


def test_no_row_of_the_calendar_names_an_unknown_source() -> None:
    calendar = set(read_delivery_calendar(CALENDAR)["source_system"])
    assert calendar == set(registry())
