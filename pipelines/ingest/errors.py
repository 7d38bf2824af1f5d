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
    ) -> None:
        self.file_name = file_name
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected
        self.gap_type = gap_type
        self.area_label = area_label
        super().__init__(self.message)

    @property
    def message(self) -> str:
        location = [self.file_name]
        if self.row is not None:
            location.append(f"række {self.row}")
        if self.column is not None:
            location.append(f"kolonne {self.column}")
        return f"{', '.join(location)}: {self.found}; forventet {self.expected}"
