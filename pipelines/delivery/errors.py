"""The one exception a delivery is rejected with, and its Danish message for analysts."""

from __future__ import annotations


class DeliveryRejected(Exception):
    """A delivery that must not load. The message names file, row, column, what was found and expected.

    `found` must never contain personal data: callers describe CPR hits, they never quote them.
    """

    def __init__(
        self,
        file_name: str,
        found: str,
        expected: str,
        *,
        row: int | None = None,
        column: str | None = None,
        gap_type: str = "failed_validation",
        area_label: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        self.file_name = file_name
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected
        self.gap_type = gap_type
        self.area_label = area_label
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.message)

    def __reduce__(self):  # picklable, so that a parse in a worker process can send its rejection back
        return (_restored, (type(self), dict(self.__dict__)))

    def in_cell(self, sheet: str, cell: str) -> DeliveryRejected:
        """The same rejection located at a workbook cell (`Registrering!D7`), as staff see it in Excel."""
        self.sheet, self.cell = sheet, cell
        self.args = (self.message,)
        return self

    @property
    def message(self) -> str:
        if self.sheet and self.cell:
            where = [f"række {self.row}"] if self.row is not None else []
            where += [f"kolonne {self.column}"] if self.column is not None else []
            detail = f" ({', '.join(where)})" if where else ""
            return f"{self.file_name}, {self.sheet}!{self.cell}{detail}: {self.found}; forventet {self.expected}"
        location = [self.file_name]
        if self.row is not None:
            location.append(f"række {self.row}")
        if self.column is not None:
            location.append(f"kolonne {self.column}")
        return f"{', '.join(location)}: {self.found}; forventet {self.expected}"


def _restored(cls: type[DeliveryRejected], state: dict) -> DeliveryRejected:
    rejection = cls.__new__(cls)
    rejection.__dict__.update(state)
    Exception.__init__(rejection, rejection.message)
    return rejection
