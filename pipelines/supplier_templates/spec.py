"""What a template holds: its columns (fixed or input), its rows and the validation of its input cells."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputRule:
    """Data validation of an input column, with the Danish prompt and error Excel shows."""

    kind: str  # whole | decimal | list
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    prompt_da: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    width: int
    rule: InputRule | None = None  # None: a prefilled, locked column

    @property
    def is_input(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True)
class Row:
    """One prefilled row: the fixed cells' values, and rules that replace a column's rule in this row."""

    values: dict[str, object]
    rules: dict[str, InputRule] = field(default_factory=dict)


@dataclass
class Template:
    """One workbook: its delivery file name, data sheet, columns, prefilled rows and instructions."""

    source_system: str
    file_name: str
    sheet: str
    columns: list[Column]
    rows: list[Row]
    instructions_da: list[str] = field(default_factory=list)

    def rule(self, row: Row, column: Column) -> InputRule | None:
        return row.rules.get(column.name, column.rule)
