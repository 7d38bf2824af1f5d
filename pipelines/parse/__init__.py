"""One parser module per source system. Each module defines `PARSER`, found here by name."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from pipelines.parse.base import SourceParser


@cache
def registry() -> dict[str, SourceParser]:
    """Source system → parser, for every module in this package that defines `PARSER`."""
    parsers: dict[str, SourceParser] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        parser = getattr(module, "PARSER", None)
        if parser is not None:
            parsers[parser.source_system] = parser
    return parsers
