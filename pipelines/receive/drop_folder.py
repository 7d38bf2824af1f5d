"""The drop folder `<sources>/modtaget/`: what an analyst saves there is received before a run discovers the inbox.

A file received (filed, or its bytes already in the inbox) moves to `modtaget/behandlet/<date>/`; a file that
cannot be identified stays where it is, and its reason goes into the run's summary. Hidden files, Office lock
files (`~$…`) and the `behandlet/` folder itself are left alone.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parsers behind receiving load only when the folder holds a file
    from pipelines.receive.filing import Receipt

DROP_FOLDER = "modtaget"
DONE_FOLDER = "behandlet"


@dataclass
class DropFolderResult:
    filed: list[Receipt] = field(default_factory=list)
    waiting: list[Receipt] = field(default_factory=list)

    def waiting_da(self) -> list[str]:
        """One Danish line per file that waits in the drop folder, with its reason."""
        return [f"Venter i {DROP_FOLDER}/: {receipt.reason_da()}" for receipt in self.waiting]


def dropped_files(sources_dir: Path) -> list[Path]:
    folder = sources_dir / DROP_FOLDER
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith((".", "~$"))]


def _move_done(path: Path, done: Path) -> None:
    done.mkdir(parents=True, exist_ok=True)
    target = done / path.name
    counter = 1
    while target.exists():  # the same name received twice in a day: keep both
        target = done / f"{path.stem} ({counter}){path.suffix}"
        counter += 1
    shutil.move(path, target)


def receive_drop_folder(sources_dir: Path, inbox: Path, catalog_file: Path,
                        today: date | None = None) -> DropFolderResult:
    """Receive every file in the drop folder; move what was received, leave what waits."""
    from pipelines.receive.filing import receive_file
    from pipelines.receive.forms import all_forms

    result = DropFolderResult()
    files = dropped_files(sources_dir)
    if not files:
        return result
    day = today or date.today()
    forms = all_forms(catalog_file)
    done = sources_dir / DROP_FOLDER / DONE_FOLDER / day.isoformat()
    for path in files:
        receipt = receive_file(path, inbox, catalog_file, delivered=day, forms=forms)
        if receipt.filed:
            _move_done(path, done)
            result.filed.append(receipt)
        else:
            result.waiting.append(receipt)
    return result
