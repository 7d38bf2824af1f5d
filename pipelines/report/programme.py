"""The programme's name and municipality that head its report, read from its catalog's `meta.programme`.

`kpi catalog import` writes them there from the workbook's Program sheet; a catalog without them (Slagelse's,
written before the workbook existed) is the project's own programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ProgrammeHeading:
    name: str = "En fælles boligsocial indsats"
    municipality: str = "Slagelse Kommune"


def programme_heading(catalog_file: Path | None) -> ProgrammeHeading:
    """The heading from the catalog's meta.programme {name, municipality}; the project's own where absent."""
    if catalog_file is None or not catalog_file.is_file():
        return ProgrammeHeading()
    meta = (yaml.safe_load(catalog_file.read_text(encoding="utf-8")) or {}).get("meta") or {}
    programme = meta.get("programme")
    if not isinstance(programme, dict) or not programme.get("name"):
        return ProgrammeHeading()
    return ProgrammeHeading(name=str(programme["name"]), municipality=str(programme.get("municipality") or ""))
