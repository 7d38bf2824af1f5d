"""Demo and test data: realistic deliveries that reproduce the documents' figures.

Each module `pipelines/sample/<source_system>.py` defines `write(inbox: Path) -> list[Path]`.
"""

from __future__ import annotations

import importlib
import inspect
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


def generate(target: Path, scale: int = 1) -> list[Path]:
    """Write the sample inbox under `target/inbox/<source_system>/`; person-level sources `scale` times larger."""
    written: list[Path] = []
    for source_system, write in sorted(writers().items()):
        folder = target / "inbox" / source_system
        folder.mkdir(parents=True, exist_ok=True)
        scaled = "scale" in inspect.signature(write).parameters  # the writers of the synthetic population
        written += write(folder, scale=scale) if scaled else write(folder)
    return written
