""""As sent" variants of the sample deliveries (source_formats.md 0.4): the same content, shaped as suppliers send it.

Each function writes a variant of a contract-shaped delivery under the same contract name into `target` and
returns its path. The rows are read with the project's own reader (decoded, delimiter sniffed), so a variant
differs from its original only in the one respect it is named for.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
from pathlib import Path

from pipelines.delivery.readers import delimited_rows

SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "sources" / "sample" / "inbox"
EXTRA_COLUMN = "Intern bemærkning"
RENAMED_SUFFIX = " (leverandørens navn)"


def first_sample(system: str, file_type: str | None = None) -> Path:
    """The first sample delivery of a system (of a file type: `school_absence_dropout_…`)."""
    stem = f"{system}_{file_type}_" if file_type else f"{system}_"
    files = sorted(p for p in (SAMPLE_INBOX / system).iterdir()
                   if p.name.startswith(stem) and (file_type or not _has_file_type(p.name, system)))
    return files[0]


def _has_file_type(name: str, system: str) -> bool:
    return not name[len(system) + 1:][:4].isdigit()


def header_index(rows: list[list[str]]) -> int:
    """The header row: the first of the widest rows among the first ten (titles above it are narrower)."""
    widths = [sum(1 for c in cells if c) for cells in rows[:10]]
    return widths.index(max(widths))


def _write_rows(target: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue().encode(encoding))
    return target


def rows_of(original: Path) -> list[list[str]]:
    return [cells for _, cells in delimited_rows(original)]


def reshaped(original: Path, target_dir: Path, *, seed: int = 7, extra: bool = True) -> Path:
    """Columns after the first shuffled (every row as wide as the header), and an unknown column added.

    The first column stays: a note row below the data (`Anm.: …`) is written in column A, and read as a note
    only when column A is not a value column (source_formats.md 0, "Tolerated messiness").
    """
    rows = rows_of(original)
    at = header_index(rows)
    width = len(rows[at])
    rest = list(range(1, width))
    random.Random(seed).shuffle(rest)
    order = [0, *rest]
    out = []
    for index, cells in enumerate(rows):
        if index < at or len(cells) < width:
            out.append(cells)
            continue
        moved = [cells[i] for i in order] + cells[width:]
        if extra:
            moved.insert(1, EXTRA_COLUMN if index == at else "intern tekst")
        out.append(moved)
    return _write_rows(target_dir / original.name, out)


def renamed(original: Path, target_dir: Path, column: str) -> Path:
    """One header cell renamed as a supplier might (`<column> (leverandørens navn)`)."""
    rows = rows_of(original)
    at = header_index(rows)
    rows[at] = [f"{cell}{RENAMED_SUFFIX}" if cell == column else cell for cell in rows[at]]
    return _write_rows(target_dir / original.name, rows)


def header_of(original: Path) -> list[str]:
    rows = rows_of(original)
    return [c for c in rows[header_index(rows)] if c]


def re_encoded(original: Path, target_dir: Path, encoding: str) -> Path:
    return _write_rows(target_dir / original.name, rows_of(original), encoding=encoding)


def re_delimited(original: Path, target_dir: Path, delimiter: str) -> Path:
    """The same rows separated by `,` or tab; cells holding the delimiter (decimal commas) are quoted."""
    return _write_rows(target_dir / original.name, rows_of(original), delimiter=delimiter)


def converted(workbook: Path, target_dir: Path, extension: str) -> Path:
    """A copy saved by LibreOffice as `.xls`, `.ods` (or `.xlsx`: recalculated, formula values cached)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    profile = target_dir / ".lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", extension,
                    "--outdir", str(target_dir), str(workbook)], check=True, capture_output=True, timeout=300)
    return target_dir / f"{workbook.stem}.{extension}"


def copied(original: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(original, target_dir / original.name))
