"""A catalog problem: where, what (Danish), and whether it stops the catalog from being used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING = "fejl", "advarsel"

Path_ = tuple[Any, ...]  # a catalog path, e.g. ("criteria", 3, "target_rule", "value")


@dataclass(frozen=True)
class Problem:
    location: str
    message_da: str
    severity: str = ERROR

    def line_da(self) -> str:
        return f"{self.severity.capitalize()}: {self.location}: {self.message_da}"


def yaml_path(path: Path_) -> str:
    """A catalog path in YAML notation: criteria[3].target_rule.value (1-based entries, as a user counts)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text


@dataclass
class Locations:
    """Catalog path → where a user finds it (a workbook cell); unknown paths fall back to the closest known
    prefix (the row), then to the YAML path in `file`."""

    file: str
    cells: dict[Path_, str] = field(default_factory=dict)
    readings_file: str = "readings.yaml"

    def at(self, *path: Any) -> str:
        for end in range(len(path), 0, -1):
            if path[:end] in self.cells:
                return self.cells[path[:end]]
        file = self.readings_file if path and path[0] == "readings" else self.file
        return f"{file}: {yaml_path(path)}"


class CatalogRejected(Exception):
    """A catalog or workbook with errors: nothing is written or loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.line_da() for p in problems))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]
