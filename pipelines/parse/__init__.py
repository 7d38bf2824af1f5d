"""One parser module per source system. Each module defines `PARSER`, found here by name.

`base` and the modules whose names start with `_` hold what several parsers share and define no parser.
Adding a source: docs/adding_a_source.md.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from pipelines.parse.base import SourceParser, check_declaration


def parser_modules() -> list[str]:
    """The names of the modules that each define one source system's `PARSER`."""
    return [m.name for m in pkgutil.iter_modules(__path__) if m.name != "base" and not m.name.startswith("_")]


@cache
def registry() -> dict[str, SourceParser]:
    """Source system → parser; every parser module must define a `PARSER` that declares the whole interface."""
    parsers: dict[str, SourceParser] = {}
    for module_name in parser_modules():
        parser = importlib.import_module(f"{__name__}.{module_name}").PARSER
        check_declaration(parser)
        parsers[parser.source_system] = parser
    return parsers
