"""The parser interface (pipelines/parse/base.py): every parser declares all of it, nobody guesses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.parse import registry
from pipelines.parse.base import (
    DECLARED,
    AggregateParser,
    AreaFigures,
    ParsedDelivery,
    Yields,
    check_declaration,
)

ROOT = Path(__file__).resolve().parents[1]
PERSON_LEVEL = {"kmd_opera", "novax", "school_absence", "school_readiness", "uu_registration"}


class _Complete(AggregateParser):
    source_system = "complete"
    extensions = ("csv",)
    columns = ("År", "Område")

    def parse(self, path, name, context) -> ParsedDelivery:
        raise NotImplementedError


def test_the_interface_lists_what_the_build_reads() -> None:
    assert DECLARED == ("source_system", "extensions", "file_types", "yields", "raw_tables", "carries_cpr",
                        "area_figures", "indicators", "headers", "sheets")
    check_declaration(_Complete())  # the header-only base fills in the rest


@pytest.mark.parametrize("source", sorted(registry()))
def test_every_parser_declares_every_attribute(source: str) -> None:
    parser = registry()[source]
    check_declaration(parser)
    assert parser.source_system == source
    assert parser.headers[None], "the plain file's header is stated"
    assert not parser.sheets or "xlsx" in parser.extensions


def test_what_the_parsers_declare() -> None:
    parsers = registry()
    assert {s for s, p in parsers.items() if p.carries_cpr} == PERSON_LEVEL
    assert {s for s, p in parsers.items() if p.rows_are_persons} == PERSON_LEVEL | {"questionnaire"}
    assert {s for s, p in parsers.items() if p.yields is Yields.ASSESSMENTS} == {
        "lbf_central", "qualitative_interviews", "samarbejdsudvalg_evaluation"}
    assert {s for s, p in parsers.items() if p.yields is Yields.BASELINES} == {"baselines"}
    assert parsers["sub_list_government"].yields is Yields.MEASUREMENTS
    assert dict(parsers["sub_list_government"].indicators)["paa_sub_listen"].unit == "count"
    assert parsers["dst_noegletal"].area_figures is AreaFigures.SHARES
    assert parsers["police_tryghedsindeks"].area_figures is AreaFigures.INDEX
    assert set(parsers["school_absence"].headers) == {None, "dropout"}
    assert set(parsers["school_absence"].raw_tables) == {"school_absence", "school_absence_dropout"}
    assert parsers["own_registrations"].sheets == ("Registrering",)
    assert parsers["police_haervaerk"].headers[None] == ("År", "Område", "Anmeldelser af hærværk")


def test_a_parser_that_leaves_out_a_fact_is_refused() -> None:
    class NoHeader(AggregateParser):  # forgot `columns`, so its headers are unknown
        source_system = "no_header"
        extensions = ("csv",)

        def parse(self, path, name, context) -> ParsedDelivery:
            raise NotImplementedError

    with pytest.raises(TypeError, match="does not declare headers"):
        check_declaration(NoHeader())


@pytest.mark.parametrize(("attribute", "value", "message"), [
    ("area_figures", "percentages", "area_figures"),
    ("carries_cpr", True, "carries CPR"),
    ("yields", Yields.ROWS, "raw_tables"),
    ("file_types", ("dropout",), "headers"),
    ("extensions", "csv", "extensions"),
])
def test_a_parser_whose_facts_disagree_is_refused(attribute: str, value: object, message: str) -> None:
    parser = type("Odd", (_Complete,), {attribute: value})()
    with pytest.raises(TypeError, match=message):
        check_declaration(parser)


def test_a_parser_module_without_parser_breaks_the_registry(tmp_path: Path, monkeypatch) -> None:
    import pipelines.parse as package

    (tmp_path / "forgotten.py").write_text('"""A parser module that defines no PARSER."""\n', encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.cache_clear()
    try:
        with pytest.raises(AttributeError, match="PARSER"):
            registry()
    finally:
        registry.cache_clear()


def test_no_code_reads_a_parser_attribute_with_a_default() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in (ROOT / "pipelines").rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if re.search(r'getattr\((parser|registry\(\)\[\w+\]), "|getattr\(module, "PARSER"', line)]
    assert offenders == []
