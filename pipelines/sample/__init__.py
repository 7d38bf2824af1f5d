"""Demo and test data: realistic deliveries that reproduce the documents' figures.

Each module `pipelines/sample/<source_system>.py` defines `write(inbox: Path) -> list[Path]`.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def writers() -> dict[str, object]:
    out = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if hasattr(module, "write"):
            out[module_info.name] = module.write
    return out


def generate(target: Path) -> list[Path]:
    """Write the sample inbox under `target/inbox/<source_system>/`."""
    written: list[Path] = []
    for source_system, write in sorted(writers().items()):
        folder = target / "inbox" / source_system
        folder.mkdir(parents=True, exist_ok=True)
        written += write(folder)
    return written
